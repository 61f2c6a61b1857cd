"""Card text: lines pasted from cached glyphs look exactly as Pillow's own text layout draws
them, lines wrap to a width, and a script the first font lacks gets a font that has it."""

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from longform import cardtext

TEXT = "Café économie: über “smart” pricing — AVAST Wolf, naïve Tokyo"


@pytest.mark.parametrize("role, size", [("serif-bold", 64), ("serif-italic", 30), ("sans", 22)])
def test_a_line_of_cached_glyphs_matches_pillows_own_layout(role, size):
    face = cardtext.font(role, size, TEXT)
    ours = Image.new("L", (1500, 120))
    cardtext.draw_line(ours, TEXT, face, (20, 80))
    pillows = Image.new("L", (1500, 120))
    ImageDraw.Draw(pillows).text((20, 80), TEXT, font=face, fill=255, anchor="ls")
    assert ours.getbbox() == pillows.getbbox()
    assert ImageStat.Stat(ImageChops.difference(ours, pillows)).mean[0] < 0.5  # of 255
    assert cardtext.text_width(face, TEXT) == pytest.approx(face.getlength(TEXT), abs=1)


def test_a_long_title_wraps_to_the_width_and_ends_in_an_ellipsis():
    face = cardtext.font("serif-bold", 64, "x")
    title = ("What the scaling laws do not say about the cost of the next frontier model — and "
             "why the compute budget alone will never settle the argument")
    lines = cardtext.wrapped(title, face, 1056, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(face.getlength(line) <= 1056 for line in lines)
    assert " ".join(lines).removesuffix("…") in title
    assert not any(line.startswith("—") for line in lines)


def test_a_word_wider_than_a_line_breaks_inside():
    face = cardtext.font("serif-italic", 30, "x")
    lines = cardtext.wrapped("see https://example.org/" + "a" * 120, face, 500, 4)
    assert len(lines) >= 3 and all(face.getlength(line) <= 500 for line in lines)
    assert "".join(lines[1:]).startswith("https://example.org/aaa")


def test_a_script_the_first_font_lacks_gets_a_font_that_draws_it():
    first = cardtext._face(cardtext.FONTS["serif-italic"][0], 30)
    if first is None or cardtext._face("DejaVuSans.ttf", 30) is None:
        pytest.skip("needs Liberation and DejaVu (Debian: fonts-liberation, fonts-dejavu-core)")
    hebrew = "עברית ועוד"
    assert not all(cardtext._draws(first, char) for char in hebrew)
    face = cardtext.font("serif-italic", 30, hebrew)
    assert "DejaVu" in face.path
    assert all(cardtext._draws(face, char) for char in hebrew)
    assert cardtext.font("serif-italic", 30, TEXT) is first  # Latin keeps the first choice

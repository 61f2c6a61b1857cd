"""Social cards: every essay gets a 1200×630 PNG with its title, dek, the site's name and its
first chart, referenced by an absolute og:image; a frontmatter image wins; an edit redraws
only the edited essay's card."""

import io
import re
import sqlite3
import struct

import pytest
from conftest import BASE_URL, REPO, imported_after
from PIL import Image

ESSAYS = {"bringing-your-own-charts": True, "words-only": False}  # slug → has a chart
PAPER, INK, MUTED = (0xfc, 0xfb, 0xf8), (0x1f, 0x1c, 0x18), (0x6a, 0x63, 0x59)


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return found[1] if found else None


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def cached_cards(root) -> dict[str, int]:
    """The cache's cards: key → the mtime it records (a table, not a file a card)."""
    with sqlite3.connect(root / ".longform-cache" / "cards.sqlite") as database:
        return dict(database.execute("SELECT key, mtime FROM cards"))


@pytest.fixture
def project(make_project):
    return make_project("vegalite")


@pytest.fixture
def built(project, build):
    result = build(project)
    assert result.status == 0, result.err
    return project


def test_every_essay_has_a_1200_by_630_card_referenced_absolutely(built):
    for slug in ESSAYS:
        html = built.page(f"essays/{slug}/")
        url = f"{BASE_URL}essays/{slug}/card.png"
        assert meta(html, "og:image") == url
        assert meta(html, "twitter:image") == url
        assert meta(html, "twitter:card") == "summary_large_image"
        assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
        card = (built.out / "essays" / slug / "card.png").read_bytes()
        assert png_size(card) == (1200, 630)
    home = built.page("")
    assert meta(home, "twitter:card") == "summary" and meta(home, "og:image") is None


def test_the_card_of_an_essay_with_a_chart_shows_the_chart(built):
    def right_half_colours(slug: str) -> int:
        image = Image.open(io.BytesIO((built.out / "essays" / slug / "card.png").read_bytes()))
        return len(image.convert("RGB").crop((660, 130, 1130, 510)).getcolors(1 << 20))

    assert right_half_colours("words-only") == 1  # the paper, nothing else
    assert right_half_colours("bringing-your-own-charts") > 50  # the stacked bars, the axes


def test_cards_are_small_palette_pngs_with_the_title_in_ink_and_the_dek_muted(built):
    for slug in ESSAYS:
        data = (built.out / "essays" / slug / "card.png").read_bytes()
        assert len(data) < 40_000  # a thousand cards in memory: tens of MB, not a hundred
        image = Image.open(io.BytesIO(data))
        assert image.mode == "P"
        colours = {colour for _, colour in image.convert("RGB").crop((72, 120, 600, 330))
                   .getcolors(1 << 16)}
        assert {PAPER, INK, MUTED} <= colours


def test_cards_lost_from_the_cache_are_drawn_again_the_same(built, build_process):
    """The essays' renderings come from the cache, so no render worker draws their cards:
    card_files draws them after rendering, the same bytes."""
    before = built.files()
    with sqlite3.connect(built.root / ".longform-cache" / "cards.sqlite") as database:
        database.execute("DELETE FROM cards")
    again = built.root / "again"  # another output folder: a whole build, not "nothing changed"
    result = build_process(built, "--out", str(again))
    assert result.status == 0 and " 0 rendered" in result.out
    assert built.files(again) == before
    assert len(cached_cards(built.root)) == len(ESSAYS)


def test_editing_one_essay_redraws_only_its_card(built, build):
    before = cached_cards(built.root)
    site_before = {slug: (built.out / "essays" / slug / "card.png").read_bytes()
                   for slug in ESSAYS}
    other_card = built.out / "essays" / "bringing-your-own-charts" / "card.png"
    other_mtime = other_card.stat().st_mtime_ns
    assert len(before) == 2
    essay = built.root / "content" / "words-only.md"
    essay.write_text(essay.read_text().replace("title: Words only", "title: Words alone"))
    assert build(built).status == 0
    after = cached_cards(built.root)
    assert len(set(after) - set(before)) == 1  # one new card drawn
    assert {name: after[name] for name in before} == before  # no other card touched
    card = (built.out / "essays" / "words-only" / "card.png").read_bytes()
    assert card != site_before["words-only"] and png_size(card) == (1200, 630)
    other = (built.out / "essays" / "bringing-your-own-charts" / "card.png").read_bytes()
    assert other == site_before["bringing-your-own-charts"]
    assert other_card.stat().st_mtime_ns == other_mtime  # not written again
    # A body edit changes nothing drawn on the card: no card is drawn at all, and Pillow is
    # not even imported (main() as build.py calls it, in a process of its own).
    essay.write_text(essay.read_text() + "\nOne more sentence.\n")
    assert imported_after(["--root", str(built.root)], REPO, " 1 rendered", ("PIL",)) == set()
    assert len(cached_cards(built.root)) == len(after)


@pytest.mark.parametrize("image, expected", [
    ("media/cover.png", f"{BASE_URL}media/cover.png"),
    ("/media/cover.png", f"{BASE_URL}media/cover.png"),
    ("https://cdn.example.net/cover.jpg", "https://cdn.example.net/cover.jpg"),
])
def test_a_frontmatter_image_wins(project, build, image, expected):
    project.write("content/media/cover.png", b"\x89PNG\r\n\x1a\nnot really")
    essay = project.root / "content" / "words-only.md"
    essay.write_text(essay.read_text().replace("dek:", f"image: {image}\ndek:"))
    assert build(project).status == 0
    html = project.page("essays/words-only/")
    assert meta(html, "og:image") == meta(html, "twitter:image") == expected
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:image:width") is None  # not ours to know
    assert not (project.out / "essays" / "words-only" / "card.png").exists()
    assert (project.out / "essays" / "bringing-your-own-charts" / "card.png").exists()


@pytest.mark.parametrize("image, message", [
    ("media/missing.png", "image: media/missing.png does not exist"),
    ("''", "image: is the picture shown when the essay is shared"),
])
def test_a_missing_frontmatter_image_is_an_error_at_its_line(project, build, image, message):
    assert build(project).status == 0
    before = project.files()
    essay = project.root / "content" / "words-only.md"
    essay.write_text(essay.read_text().replace("dek:", f"image: {image}\ndek:"))
    result = build(project)
    assert result.status == 1
    assert result.err.strip().splitlines()[0].startswith("content/words-only.md:4: " + message)
    assert project.files() == before  # the previous site stays


def test_a_cache_from_before_loses_its_folder_of_card_files(project, build):
    old = project.root / ".longform-cache" / "cards"
    old.mkdir(parents=True)
    (old / "0123abcd.png").write_bytes(b"\x89PNG\r\n\x1a\nan old card")
    assert build(project).status == 0
    assert not old.exists()
    assert len(cached_cards(project.root)) == len(ESSAYS)


def test_a_card_the_cache_loses_during_the_build_is_drawn_again_the_same(built):
    """card_files lists the cached cards; the cache deleted before publish reads one gives
    the card drawn again, the same bytes, not an error."""
    from longform import pipeline
    from longform.cards import card_files
    from longform.config import load_config
    config = load_config(built.root)
    essays = pipeline.build(config).site.essays
    cards = card_files(list(essays), config)
    with sqlite3.connect(built.root / ".longform-cache" / "cards.sqlite") as database:
        database.execute("DELETE FROM cards")
    for slug in ESSAYS:
        card = cards[f"essays/{slug}/card.png"]
        assert card.read() == (built.out / "essays" / slug / "card.png").read_bytes()

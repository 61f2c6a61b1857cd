"""Text for social cards: fonts by role, lines wrapped to a width, lines drawn as coverage.

FreeType hints and rasterises every glyph again on each call, some 20 µs a glyph, which was
most of a card's cost. A card's text uses a few dozen characters, so each font's glyphs are
drawn once per process and cached with their advances and pair kerning, and a line is pasted
together from them. Text that needs shaping (right-to-left scripts, combining marks, Indic
scripts) is drawn whole by Pillow's text layout instead.
"""

from __future__ import annotations

import functools
import unicodedata

from PIL import Image, ImageDraw, ImageFont

from .cardfonts import FONTS, font_files

DASHES = ("—", "–", "-")
SHAPED_FROM = "\u0590"  # Hebrew onwards: scripts whose letters change with their neighbours


def font(role: str, size: int, text: str):
    """The first font of the role's list that is installed and draws every character of
    `text`; Pillow's own font when none is."""
    faces = [face for face in (_face(name, size) for name in FONTS[role]) if face is not None]
    for face in faces:
        if all(_draws(face, char) for char in set(text)):
            return face
    return faces[0] if faces else _default(size)


def wrapped(words: str, face, width: float, most: int) -> list[str]:
    """Lines no wider than `width`, no more than `most` of them; text that does not fit ends
    in an ellipsis. A word wider than a line (a URL, a Chinese sentence) breaks anywhere."""
    lines: list[str] = []
    space = text_width(face, " ")
    line_width = 0.0
    for word in pieces(words, face, width):
        word_width = text_width(face, word)
        if lines and line_width + space + word_width <= width:
            lines[-1] += " " + word
            line_width += space + word_width
        else:
            lines.append(word)
            line_width = word_width
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1].rstrip(".,;:")
        while len(last) > 1 and text_width(face, last + "…") > width:  # a word, else a letter
            last = (last.rsplit(" ", 1)[0] if " " in last else last[:-1]).rstrip(".,;:")
        lines[-1] = last + "…"
    return lines


def pieces(words: str, face, width: float) -> list[str]:
    """The words, each too wide for a line cut into pieces that fit; a dash standing alone
    stays with the word before it, so no line starts with one."""
    result: list[str] = []
    for word in words.split():
        if result and word in DASHES:
            result[-1] += " " + word
            continue
        while len(word) > 1 and text_width(face, word) > width:
            cut = len(word) - 1
            while cut > 1 and text_width(face, word[:cut]) > width:
                cut -= 1
            result.append(word[:cut])
            word = word[cut:]
        result.append(word)
    return result


def draw_line(mask: Image.Image, line: str, face, origin: tuple[int, int]) -> None:
    """The line's coverage added to the mask, starting at `origin` on its baseline."""
    draw = ImageDraw.Draw(mask)
    if not simple(line):
        draw.text(origin, line, font=face, fill=255, anchor="ls")
        return
    x, baseline = origin
    # Pillow's drawing core, called directly: ImageDraw.bitmap's checks of its arguments cost
    # more than pasting a glyph.
    core = draw.draw
    ink = core.draw_ink(255)
    previous = ""
    for char in line:
        if previous:
            x += _kerning(face, previous, char)
        glyph, left, top, advance = _glyph(face, char)
        if glyph is not None:  # 255 through the glyph's coverage: overlaps add up, not erase
            core.draw_bitmap((round(x) + left, baseline + top), glyph.im, ink)
        x += advance
        previous = char


@functools.lru_cache(maxsize=1 << 14)
def text_width(face, text: str) -> float:
    """The advance of the text as draw_line sets it."""
    if not simple(text):
        return face.getlength(text)
    return sum(_glyph(face, char)[3] for char in text) + sum(
        _kerning(face, a, b) for a, b in zip(text, text[1:], strict=False))


def simple(text: str) -> bool:
    """Whether the text can be set glyph after glyph, with no shaping."""
    return text.isascii() or all(_unshaped(char) for char in text)


@functools.lru_cache(maxsize=1 << 12)
def _unshaped(char: str) -> bool:
    """Latin, Greek, Cyrillic, punctuation, symbols, CJK ideographs, kana and Hangul: but no
    combining mark, and nothing from the scripts that join or reorder their letters."""
    if unicodedata.combining(char):
        return False
    return (char < SHAPED_FROM or unicodedata.category(char)[0] in "PSZ"
            or "\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7a3")


@functools.lru_cache(maxsize=1 << 12)
def _glyph(face, char: str) -> tuple[Image.Image | None, int, int, float]:
    """The character's coverage, its offset from the pen on the baseline, and its advance."""
    size = face.size
    image = Image.new("L", (3 * size, 3 * size), 0)
    ImageDraw.Draw(image).text((size, 2 * size), char, font=face, fill=255, anchor="ls")
    box = image.getbbox()
    advance = face.getlength(char)
    if not box:
        return None, 0, 0, advance
    return image.crop(box), box[0] - size, box[1] - 2 * size, advance


@functools.lru_cache(maxsize=1 << 14)
def _kerning(face, first: str, second: str) -> float:
    return face.getlength(first + second) - _glyph(face, first)[3] - _glyph(face, second)[3]


@functools.cache
def _face(name: str, size: int):
    """The font file of that name (cardfonts found it) at that size; None if it has none."""
    path = font_files().get(name)
    try:
        return ImageFont.truetype(path, size) if path else None
    except OSError:
        return None


@functools.cache
def _default(size: int):
    return ImageFont.load_default(size)


@functools.lru_cache(maxsize=1 << 12)
def _draws(face, char: str) -> bool:
    """Whether the font has a glyph for the character (not its empty-box .notdef)."""
    if char.isspace() or char < "\u0250":  # Latin: every font on the list has it
        return True
    return _pixels(face, char) != _pixels(face, "\ufffe")  # a noncharacter: always .notdef


@functools.lru_cache(maxsize=1 << 12)
def _pixels(face, char: str) -> bytes:
    image = Image.new("L", (2 * face.size, 2 * face.size), 0)
    ImageDraw.Draw(image).text((0, 0), char, font=face, fill=255)
    return image.tobytes()

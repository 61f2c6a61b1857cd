"""A social card's picture, drawn with Pillow: site name, title, dek, a rule and the address,
with the essay's first chart beside the text when it has one.

Rasterising the card as an SVG (resvg) cost some 33–44 ms of CPU a card, most of it laying
out text, and the RGBA PNG weighed 130 KB. Here each ink's text is drawn as a coverage mask
(cardtext.py), and coverage maps to a ramp of palette entries between the paper and that ink:
an 8-bit palette PNG of a few dozen colours, 10–30 KB, written here (deflated by ISA-L) in
about a third of a millisecond. A card without a chart costs under 1 ms. Only a chart goes
through vl-convert (its static SVG rasterised at the size it is shown, some 50 ms), its
colours quantised into the rest of the palette.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zlib

from isal import isal_zlib
from PIL import Image

from .cardtext import draw_line, font, wrapped

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
CHART_BOX = (640, 120, 488, 400)  # x, y, width, height of the first chart, when there is one
PAPER, INK, MUTED, ACCENT, RULE = "#fcfbf8", "#1f1c18", "#6a6359", "#b0401c", "#e2ddd2"
LEVELS = 15  # shades of each ink between the paper and the full colour, for anti-aliasing
INKS = (INK, MUTED, ACCENT)
CHART_COLOURS = 256 - 2 - LEVELS * len(INKS)  # palette entries left once paper, rule, inks
# ISA-L's deflate (isal), not zlib's: at its level 1 a card's rows deflate in a third of the
# time zlib's level 2 took on only the rows with ink, to about the same size (1,000 cards: 19.8
# MB against 19.6); zlib's level 6 would make them a fifth smaller for four times as long.
COMPRESS_LEVEL = 1
LEFT = 1  # the canvas's column 0 is each row's PNG filter byte (0, none): its bytes are the rows
STRIDE = LEFT + WIDTH


def card_png(site: str, host: str, title: str, dek: str, chart_svg: str) -> bytes:
    """The site above, title and dek in the middle, the address below; beside a chart the
    text keeps to the left."""
    chart = chart_indices(chart_svg) if chart_svg else None
    rows = bytearray(_blank(site.upper(), host))
    if chart:
        pasted(rows, chart[0], chart[1], CHART_BOX[0], CHART_BOX[1])
    write_text(rows, title, dek, beside_chart=chart is not None)
    return palette_png(rows, palette() + (chart[2] if chart else b""))


@functools.lru_cache(maxsize=4)
def _blank(site: str, host: str) -> bytes:
    """The canvas's rows as every card of the site starts: the accent bar, the rule, the
    site's name and its address (a card's own parts never reach into these)."""
    rows = bytearray(STRIDE * HEIGHT)
    bar = ink_index(ACCENT, LEVELS)
    for row in range(12):
        rows[row * STRIDE + LEFT:(row + 1) * STRIDE] = bytes([bar]) * WIDTH
    for row in (HEIGHT - 84, HEIGHT - 83):
        start = row * STRIDE + LEFT
        rows[start + MARGIN:start + WIDTH - MARGIN] = b"\1" * (WIDTH - 2 * MARGIN)
    write(rows, [site], 66, font("sans-bold", 24, site), ACCENT)
    write(rows, [host], HEIGHT - 62, font("sans", 22, host), MUTED)
    return bytes(rows)


def write_text(rows: bytearray, title: str, dek: str, beside_chart: bool) -> None:
    """The card's own words, each in its ink; the title takes the lines it needs (up to three,
    four beside a chart) and the dek what room is left above the rule."""
    width = (CHART_BOX[0] - MARGIN - 40) if beside_chart else WIDTH - 2 * MARGIN
    title_size, dek_size = (50, 26) if beside_chart else (64, 30)
    title_font = font("serif-bold", title_size, title)
    title_lines = wrapped(title, title_font, width, 4 if beside_chart else 3)
    top = 130
    dek_top = top + round(len(title_lines) * title_size * 1.12) + 22
    room = (HEIGHT - 110 - dek_top) // round(dek_size * 1.3)  # lines above the address
    dek_font = font("serif-italic", dek_size, dek)
    write(rows, title_lines, top, title_font, INK, 1.12)
    write(rows, wrapped(dek, dek_font, width, min(4, room)), dek_top, dek_font, MUTED, 1.3)


def write(rows: bytearray, lines: list[str], top: float, face, ink: str,
          spacing: float = 1.2) -> None:
    """Lines of text from `top` down at the left margin, anti-aliased in the ink's ramp; the
    first baseline where the SVG card had it, 0.8 of the size below `top`."""
    inked = _inked(tuple(line for line in lines if line), face, ink, spacing)
    if inked:  # only the inked rectangle is pasted: the paper around it stays as it is
        block, width, left, below_baseline = inked
        pasted(rows, block, width, left, round(top + face.size * 0.8) + below_baseline)


def pasted(rows: bytearray, block: bytes, width: int, x: int, y: int) -> None:
    """A rectangle of palette indices (rows of `width`) put on the canvas with its top left
    at pixel x, y; what falls off the card is cut off."""
    height = len(block) // width
    first, last = max(0, -x), min(width, WIDTH - x)
    if first >= last:
        return
    view = memoryview(block)
    for row in range(max(0, -y), min(height, HEIGHT - y)):
        start = (y + row) * STRIDE + LEFT + x
        rows[start + first:start + last] = view[row * width + first:row * width + last]


def _inked(lines: tuple[str, ...], face, ink: str, spacing: float):
    """The lines' inked rectangle as palette indices, its width, its left edge on the card
    and its top from the first baseline; None when nothing is inked."""
    if not lines:
        return None
    step = round(face.size * spacing)
    ascent, descent = face.getmetrics()
    pad = face.size // 2  # room for an italic's overhang left of the margin
    mask = Image.new("L", (WIDTH - MARGIN + pad, ascent + descent + (len(lines) - 1) * step))
    for index, line in enumerate(lines):
        draw_line(mask, line, face, (pad, ascent + index * step))
    box = mask.getbbox()
    if not box:
        return None
    # bytes.translate maps coverage to the ink's shades in one pass, without Image.point's
    # rounding of its table in Python and a second image to copy out.
    return (mask.crop(box).tobytes().translate(_shades(ink)), box[2] - box[0],
            MARGIN - pad + box[0], box[1] - ascent)


@functools.cache
def _shades(ink: str) -> bytes:
    return bytes(ramp(ink))


@functools.cache
def ramp(ink: str) -> list[int]:
    """Coverage 0–255 → palette index: the nearest of the ink's shades, or the paper."""
    levels = [(value * LEVELS + 127) // 255 for value in range(256)]
    return [ink_index(ink, level) if level else 0 for level in levels]


def ink_index(ink: str, level: int) -> int:
    return 2 + INKS.index(ink) * LEVELS + level - 1


@functools.cache
def palette() -> bytes:
    """Paper, rule, then each ink's shades from faint to full (a chart's colours follow)."""
    paper, rule = rgb(PAPER), rgb(RULE)
    shades = b"".join(
        bytes(round(p + (i - p) * level / LEVELS) for p, i in zip(paper, rgb(ink), strict=True))
        for ink in INKS for level in range(1, LEVELS + 1))
    return bytes(paper) + bytes(rule) + shades


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def chart_indices(svg: str) -> tuple[bytes, int, bytes] | None:
    """The chart rasterised at CHART_BOX's size on the paper, as rows of palette indices after
    the inks' (the paper's own index where it draws nothing, so the paper around it stays the
    card's exact paper); its width; and its colours. None for an SVG without a viewBox."""
    import vl_convert

    width, height = CHART_BOX[2:]
    opening = re.match(r"<svg\b[^>]*>", svg)
    box = re.search(r'viewBox="([^"]+)"', opening[0]) if opening else None
    if not box:
        return None
    # A nested <svg> fits the chart to the box; `color` gives its currentColor text and axes
    # the card's ink.
    placed = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
              f'<svg width="{width}" height="{height}" viewBox="{box[1]}" '
              f'preserveAspectRatio="xMidYMid meet" color="{INK}">' + svg[opening.end():]
              + "</svg>")
    drawn = Image.open(io.BytesIO(vl_convert.svg_to_png(placed))).convert("RGBA")
    on_paper = Image.new("RGBA", drawn.size, rgb(PAPER) + (255,))
    on_paper.alpha_composite(drawn)
    quantised = on_paper.convert("RGB").quantize(CHART_COLOURS, Image.Quantize.FASTOCTREE)
    colours = quantised.getpalette()[:3 * CHART_COLOURS]
    first = 2 + LEVELS * len(INKS)
    indices = Image.frombytes("L", quantised.size, quantised.tobytes())
    drawn_on = drawn.getchannel("A").point([0] + [255] * 255)
    # On the paper (index 0) where the chart draws nothing, as it goes on the card.
    block = Image.new("L", indices.size, 0)
    block.paste(indices.point([min(255, first + i) for i in range(256)]), (0, 0), drawn_on)
    return block.tobytes(), block.width, bytes(colours)


def palette_png(rows: bytes, colours: bytes) -> bytes:
    """An 8-bit palette PNG of the canvas's rows (HEIGHT of STRIDE bytes: each row's filter
    byte, 0 for none, then its WIDTH indices), deflated whole by ISA-L in 0.2 ms, where joining
    the rows in Python and deflating only those with ink (with zlib, or even with ISA-L) took
    0.6 to 1 ms."""
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0)  # 8-bit, palette
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", colours)
            + _chunk(b"IDAT", isal_zlib.compress(rows, COMPRESS_LEVEL))
            + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))

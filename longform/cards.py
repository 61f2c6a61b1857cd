"""Social cards: a 1200×630 PNG for each essay (site name, title, dek and, where it has one, its
first chart), the picture a link shows when shared. vl-convert rasterises the card's SVG, the
chart's static SVG set beside its text: no browser at build time.

A card costs some 40 ms to rasterise, so cards are kept in .longform-cache/cards/ under a hash
of everything drawn on them: an essay edit redraws only that essay's card, and many cards to
draw (a cold build) are shared among worker processes. An `image:` in the frontmatter wins.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from html import escape
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit

from .cache import digest, version
from .config import SiteConfig
from .content import Essay, read_text
from .errors import ContentError
from .frontmatter import key_lines
from .urls import page_path

CARD_VERSION = "2"  # bump when the same essay would draw a different card
WIDTH, HEIGHT = 1200, 630
CARD_NAME = "card.png"
POOL_THRESHOLD = 16  # cards to draw before worker processes pay for their start-up
PAPER, INK, MUTED, ACCENT = "#fcfbf8", "#1f1c18", "#6a6359", "#b0401c"
SERIF = "Georgia, 'Iowan Old Style', 'Liberation Serif', 'DejaVu Serif', serif"
SANS = "'Helvetica Neue', Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
MARGIN = 72
CHART_BOX = (640, 120, 488, 400)  # x, y, width, height of the first chart, when there is one
WEB = re.compile(r"^https?://", re.I)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def image_url(essay: Essay, config: SiteConfig) -> str:
    """The absolute URL of the picture a shared link to the essay shows."""
    image = essay.extra.get("image")
    if not isinstance(image, str) or not image.strip():
        return config.base_url + card_path(essay)
    image = image.strip()
    if WEB.match(image):
        return image
    if image.startswith("/"):
        return config.base_url + image.lstrip("/")
    folder = essay.source.parent.relative_to(config.content_dir).as_posix()
    return config.base_url + (f"{folder}/" if folder != "." else "") + image


def card_path(essay: Essay) -> str:
    """Where the essay's card sits in site/: card.png in its folder, or NAME.card.png beside a
    NAME.html page (a permalink ending in .html)."""
    page = page_path(essay.url) or essay.url
    if page.endswith("/index.html") or page == "index.html":
        return page.removesuffix("index.html") + CARD_NAME
    return page.rsplit(".", 1)[0] + "." + CARD_NAME


def card_files(essays: list[Essay], config: SiteConfig) -> dict:
    """site/ESSAY-URL/card.png for each essay without an image of its own, copied from the
    cache (never read: publish compares sizes and mtimes); only cards not cached are drawn."""
    from .publish import Copied
    wanted = {}
    for essay in essays:
        if "image" in essay.extra:
            check_image(essay, config)
        else:
            wanted[card_path(essay)] = card_parts(essay, config)
    keys = {path: card_key(parts) for path, parts in wanted.items()}
    cards = {path: _cached(config.cache_dir, key) for path, key in keys.items()}
    missing = [path for path, card in cards.items() if card is None]
    for path, png in zip(missing, drawn([wanted[p] for p in missing]), strict=True):
        store_card(config.cache_dir, keys[path], png)
        cards[path] = Copied.of(card_file(config.cache_dir, keys[path]), cached=True)
    return cards


def _cached(cache_dir: Path, key: str):
    from .publish import Copied
    try:
        return Copied.of(card_file(cache_dir, key), cached=True)
    except OSError:
        return None


def check_image(essay: Essay, config: SiteConfig) -> None:
    """A frontmatter image is a web address or a file the site publishes."""
    image = essay.extra["image"]
    line = key_lines(read_text(essay.source)).get("image", 1)
    if not isinstance(image, str) or not image.strip():
        raise ContentError(essay.source, line, "image: is the picture shown when the essay is "
                                               "shared, such as media/cover.png")
    image = image.strip()
    if WEB.match(image):
        return
    if image.startswith("/"):
        places = [config.root / "static" / image[1:], config.content_dir / image[1:]]
    else:
        places = [essay.source.parent / image]
    if not any(place.is_file() for place in places):
        raise ContentError(essay.source, line, f"image: {image} does not exist; put the file "
                                               "beside the essay in content/ or in static/")


def card_parts(essay: Essay, config: SiteConfig) -> tuple[str, ...]:
    """Everything a card shows: the site, the essay's title and dek, its first chart's SVG."""
    host = urlsplit(config.base_url).netloc
    chart = essay.charts[0].svg if essay.charts else ""
    return (config.title, host, essay.title, essay.dek or "", chart)


def card_key(parts: tuple[str, ...]) -> str:
    return digest(CARD_VERSION, version("vl-convert-python"), *parts)


def card_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "cards" / f"{key}.png"


def store_card(cache_dir: Path, key: str, png: bytes) -> None:
    from .charts import write_atomic
    write_atomic(card_file(cache_dir, key), png)


def drawn(jobs: list[tuple[str, ...]]) -> list[bytes]:
    """Each card's PNG; many cards are drawn across the machine's cores."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < POOL_THRESHOLD or workers < 2:
        return [card_png(*parts) for parts in jobs]
    # fork, as the rendering pools: a card needs only vl-convert's rasteriser (resvg, plain
    # Rust), not the JavaScript runtime that a forked child of a chart-drawing parent would lack.
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(_card_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _card_job(parts: tuple[str, ...]) -> bytes:
    return card_png(*parts)


def card_png(site: str, host: str, title: str, dek: str, chart_svg: str) -> bytes:
    """The card as one SVG (text, and the chart's static SVG beside it), rasterised by
    vl-convert. The text is a handful of elements written here: laying it out as a Vega scene
    cost as much again as the rasterising."""
    import vl_convert

    return vl_convert.svg_to_png(card_svg(site, host, title, dek, chart_svg))


def card_svg(site: str, host: str, title: str, dek: str, chart_svg: str) -> str:
    """The site above, title and dek in the middle, the address below; beside a chart the
    text keeps to the left."""
    chart = placed_chart(chart_svg) if chart_svg else ""
    width = (CHART_BOX[0] - MARGIN - 40) if chart else WIDTH - 2 * MARGIN
    title_size, dek_size = (50, 26) if chart else (64, 30)
    title_lines = wrapped(title, width, title_size * 0.5, 4 if chart else 3)
    top = 130
    dek_top = top + round(len(title_lines) * title_size * 1.12) + 22
    room = (HEIGHT - 110 - dek_top) // round(dek_size * 1.3)  # lines above the address
    dek_lines = wrapped(dek, width, dek_size * 0.5, min(4, room))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/>'
        f'<rect width="{WIDTH}" height="12" fill="{ACCENT}"/>'
        + text([site.upper()], 66, SANS, 24, ACCENT, 'font-weight="700"')
        + text(title_lines, top, SERIF, title_size, INK, 'font-weight="700"', 1.12)
        + text(dek_lines, dek_top, SERIF, dek_size, MUTED, 'font-style="italic"', 1.3)
        + f'<rect x="{MARGIN}" y="{HEIGHT - 84}" width="{WIDTH - 2 * MARGIN}" height="2" '
          'fill="#e2ddd2"/>'
        + text([host], HEIGHT - 62, SANS, 22, MUTED)
        + chart + "</svg>"
    )


def text(lines: list[str], top: float, font: str, size: int, fill: str, style: str = "",
         spacing: float = 1.2) -> str:
    """Lines of text from `top` down, each escaped; characters no SVG may hold are dropped."""
    step = round(size * spacing)
    spans = "".join(
        f'<tspan x="{MARGIN}" y="{round(top + size * 0.8 + index * step)}">'
        f"{escape(NOT_XML.sub('', line))}</tspan>"
        for index, line in enumerate(lines))
    return (f'<text font-family="{escape(font)}" font-size="{size}" fill="{fill}" {style}>'
            f"{spans}</text>")


def placed_chart(svg: str) -> str:
    """The chart's SVG as a nested <svg> fitted into CHART_BOX; `color` gives its currentColor
    text and axes the card's ink."""
    x, y, width, height = CHART_BOX
    opening = re.match(r"<svg\b[^>]*>", svg)
    box = re.search(r'viewBox="([^"]+)"', opening[0]) if opening else None
    if not box:
        return ""
    return (f'<svg x="{x}" y="{y}" width="{width}" height="{height}" viewBox="{box[1]}" '
            f'preserveAspectRatio="xMidYMid meet" color="{INK}">' + svg[opening.end():])


def wrapped(words: str, width: float, char_width: float, most: int) -> list[str]:
    """Lines of at most `width` (at an average character width), no more than `most` of
    them; text that does not fit ends in an ellipsis."""
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width / char_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines

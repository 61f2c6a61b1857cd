"""Social cards: a 1200×630 PNG for each essay (site name, title, dek and, where it has one, its
first chart), the picture a link shows when shared. vl-convert draws the text as a Vega scene
and rasterises it with the chart's static SVG set beside it: no browser at build time.

A card costs some 40 ms to rasterise, so cards are kept in .longform-cache/cards/ under a hash
of everything drawn on them: an essay edit redraws only that essay's card, and many cards to
draw (a cold build) are shared among worker processes. An `image:` in the frontmatter wins.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit

from .cache import digest
from .config import SiteConfig
from .content import Essay, read_text
from .errors import ContentError
from .frontmatter import key_lines

CARD_VERSION = "1"  # bump when the same essay would draw a different card
WIDTH, HEIGHT = 1200, 630
CARD_NAME = "card.png"
POOL_THRESHOLD = 32  # cards to draw before worker processes pay for their start-up
PAPER, INK, MUTED, ACCENT = "#fcfbf8", "#1f1c18", "#6a6359", "#b0401c"
SERIF = "Georgia, 'Iowan Old Style', 'Liberation Serif', 'DejaVu Serif', serif"
SANS = "'Helvetica Neue', Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
MARGIN = 72
CHART_BOX = (640, 120, 488, 400)  # x, y, width, height of the first chart, when there is one
WEB = re.compile(r"^https?://", re.I)


def image_url(essay: Essay, config: SiteConfig) -> str:
    """The absolute URL of the picture a shared link to the essay shows."""
    image = essay.extra.get("image")
    if not isinstance(image, str) or not image.strip():
        return config.base_url + essay.url + CARD_NAME
    image = image.strip()
    if WEB.match(image):
        return image
    if image.startswith("/"):
        return config.base_url + image.lstrip("/")
    folder = essay.source.parent.relative_to(config.content_dir).as_posix()
    return config.base_url + (f"{folder}/" if folder != "." else "") + image


def card_files(essays: list[Essay], config: SiteConfig) -> dict[str, bytes]:
    """site/ESSAY-URL/card.png for each essay without an image of its own, from the cache when
    nothing drawn on it changed."""
    wanted = {}
    for essay in essays:
        if "image" in essay.extra:
            check_image(essay, config)
        else:
            wanted[essay.url + CARD_NAME] = card_parts(essay, config)
    cards = {path: cached_card(config.cache_dir, parts) for path, parts in wanted.items()}
    missing = [path for path, png in cards.items() if png is None]
    for path, png in zip(missing, drawn([wanted[p] for p in missing]), strict=True):
        cards[path] = png
        store_card(config.cache_dir, wanted[path], png)
    return cards


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


def cached_card(cache_dir: Path, parts: tuple[str, ...]) -> bytes | None:
    try:
        return (cache_dir / "cards" / f"{card_key(parts)}.png").read_bytes()
    except OSError:
        return None


def store_card(cache_dir: Path, parts: tuple[str, ...], png: bytes) -> None:
    from .charts import write_atomic
    write_atomic(cache_dir / "cards" / f"{card_key(parts)}.png", png)


def drawn(jobs: list[tuple[str, ...]]) -> list[bytes]:
    """Each card's PNG; many cards are drawn across the machine's cores."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < POOL_THRESHOLD or workers < 2:
        return [card_png(*parts) for parts in jobs]
    # spawn, not fork: a process that has used vl-convert holds a JavaScript runtime on a
    # thread of its own, which a forked child would lack.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_card_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _card_job(parts: tuple[str, ...]) -> bytes:
    return card_png(*parts)


def card_png(site: str, host: str, title: str, dek: str, chart_svg: str) -> bytes:
    """The card: a Vega scene of text, the chart's SVG set beside it, rasterised once."""
    import vl_convert

    svg = vl_convert.vega_to_svg(card_scene(site, host, title, dek, bool(chart_svg)))
    if chart_svg:
        svg = svg[:svg.rindex("</svg>")] + placed_chart(chart_svg) + "</svg>"
    return vl_convert.svg_to_png(svg)


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


def card_scene(site: str, host: str, title: str, dek: str, with_chart: bool) -> dict:
    """A Vega spec of the card's text: the site above, title and dek in the middle, the
    address below; beside a chart the text keeps to the left."""
    width = (CHART_BOX[0] - MARGIN - 40) if with_chart else WIDTH - 2 * MARGIN
    title_size, dek_size = (50, 26) if with_chart else (64, 30)
    title_lines = wrapped(title, width, title_size * 0.5, 4 if with_chart else 3)
    top = 130
    dek_top = top + round(len(title_lines) * title_size * 1.12) + 22
    room = (HEIGHT - 110 - dek_top) // round(dek_size * 1.3)  # lines above the address
    dek_lines = wrapped(dek, width, dek_size * 0.5, min(4, room))
    marks = [
        rect(0, 0, WIDTH, 12, ACCENT),
        text(site.upper(), MARGIN, 66, SANS, 24, ACCENT, weight=700),
        text(title_lines, MARGIN, top, SERIF, title_size, INK, weight=700, line=1.12),
        text(dek_lines, MARGIN, dek_top, SERIF, dek_size, MUTED, line=1.3, italic=True),
        rect(MARGIN, HEIGHT - 84, WIDTH - 2 * MARGIN, 2, "#e2ddd2"),
        text(host, MARGIN, HEIGHT - 62, SANS, 22, MUTED),
    ]
    return {"width": WIDTH, "height": HEIGHT, "padding": 0, "autosize": "none",
            "background": PAPER, "marks": marks}


def rect(x: float, y: float, width: float, height: float, fill: str) -> dict:
    return {"type": "rect", "encode": {"enter": {
        "x": {"value": x}, "y": {"value": y}, "width": {"value": width},
        "height": {"value": height}, "fill": {"value": fill}}}}


def text(lines: str | list[str], x: float, y: float, font: str, size: float, fill: str,
         weight: int = 400, line: float = 1.2, italic: bool = False) -> dict:
    return {"type": "text", "encode": {"enter": {
        "x": {"value": x}, "y": {"value": y}, "text": {"value": lines}, "font": {"value": font},
        "fontSize": {"value": size}, "fontWeight": {"value": weight}, "fill": {"value": fill},
        "fontStyle": {"value": "italic" if italic else "normal"}, "baseline": {"value": "top"},
        "lineHeight": {"value": round(size * line)}, "limit": {"value": WIDTH - x - MARGIN}}}}


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

"""Social cards: a 1200×630 PNG for each essay (site name, title, dek and, where it has one, its
first chart), the picture a link shows when shared; cardimage.py draws it. An `image:` in the
frontmatter wins.

Cards are kept in .longform-cache/cards/ under a hash of everything drawn on them, so an essay
edit redraws only that essay's card. The render workers draw an essay's card right after the
essay (cache_card), so a cold build's cards are drawn in parallel with the rest of the
rendering; card_files, after rendering, hands publish references to the cached files.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from .cache import version
from .cardfonts import installed_fonts
from .config import SiteConfig
from .content import Essay, read_text
from .errors import ContentError
from .frontmatter import key_lines
from .urls import page_path

CARD_VERSION = "3"  # bump when the same essay would draw a different card
CARD_NAME = "card.png"
POOL_THRESHOLD = 32  # cards to draw before worker processes pay for their start-up
WEB = re.compile(r"^https?://", re.I)


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
    cache (never read: publish compares sizes and mtimes). The render workers drew the cards
    of the essays they rendered; any other card the cache lacks is drawn here."""
    from .publish import Copied
    wanted = {}
    host = urlsplit(config.base_url).netloc
    for essay in essays:
        if "image" in essay.extra:
            check_image(essay, config)
        else:
            wanted[card_path(essay)] = card_parts(essay, config, host)
    keys = {path: card_key(parts) for path, parts in wanted.items()}
    folder = os.path.join(config.cache_dir, "cards", "")
    cards = {path: _cached(folder, key) for path, key in keys.items()}
    missing = [path for path, card in cards.items() if card is None]
    for path, png in zip(missing, drawn([wanted[p] for p in missing]), strict=True):
        store_card(config.cache_dir, keys[path], png)
        cards[path] = Copied.of(card_file(config.cache_dir, keys[path]), cached=True)
    return cards


def _cached(folder: str, key: str):
    from .publish import Copied
    try:
        return Copied.of(f"{folder}{key}.png", cached=True)
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


def card_parts(essay: Essay, config: SiteConfig, host: str | None = None) -> tuple[str, ...]:
    """Everything a card shows: the site (`host`: its base URL's, if worked out already), the
    essay's title and dek, its first chart's SVG."""
    host = urlsplit(config.base_url).netloc if host is None else host
    chart = essay.charts[0].svg if essay.charts else ""
    return (config.title, host, essay.title, essay.dek or "", chart)


def cache_card(essay: Essay, config: SiteConfig) -> None:
    """Draw the essay's card into the cache unless it is there already. The render workers
    call it as each essay is rendered: everything the card shows is known by then."""
    if "image" in essay.extra:
        return
    parts = card_parts(essay, config)
    key = card_key(parts)
    if not card_file(config.cache_dir, key).exists():
        from .cardimage import card_png  # Pillow: only to draw
        store_card(config.cache_dir, key, card_png(*parts))


def card_key(parts: tuple[str, ...]) -> str:
    """digest(*_drawing_versions(), *parts), the versions' share hashed once a process."""
    hasher = _versions_hashed().copy()
    hasher.update("".join([part + "\0" for part in parts]).encode("utf-8"))
    return hasher.hexdigest()


@functools.cache
def _versions_hashed():
    return hashlib.sha256("".join([part + "\0" for part in _drawing_versions()])
                          .encode("utf-8"))


@functools.cache
def _drawing_versions() -> tuple[str, ...]:
    """What else decides how a card looks: this code, the drawing libraries, the fonts."""
    return (CARD_VERSION, version("Pillow"), version("vl-convert-python"), *installed_fonts())


def card_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "cards" / f"{key}.png"


def store_card(cache_dir: Path, key: str, png: bytes) -> None:
    from .charts import write_atomic  # charts.py and its imports cost 0.25 s: only to draw
    write_atomic(card_file(cache_dir, key), png)


def drawn(jobs: list[tuple[str, ...]]) -> list[bytes]:
    """Each card's PNG; many cards are drawn across the machine's cores."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < POOL_THRESHOLD or workers < 2:
        return [_card_job(parts) for parts in jobs]
    # Only when the cache lost cards whose essays' renderings it kept: the render workers draw
    # the rest. fork, as the rendering pools: a chart needs only vl-convert's rasteriser (resvg,
    # plain Rust), not the JavaScript runtime that a forked child of a chart-drawing parent
    # would lack.
    from concurrent.futures import ProcessPoolExecutor  # 20 ms of imports: only when needed
    from multiprocessing import get_context
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(_card_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _card_job(parts: tuple[str, ...]) -> bytes:
    from .cardimage import card_png  # Pillow: only to draw
    return card_png(*parts)

"""Social cards: a 1200×630 PNG for each essay (site name, title, dek and, where it has one, its
first chart), the picture a link shows when shared; cardimage.py draws it. An `image:` in the
frontmatter wins.

Cards are kept in .longform-cache/cards.sqlite under a hash of everything drawn on them, so an
essay edit redraws only that essay's card (a table, not a file a card: see cachedb.py). The
render workers draw the cards of the essays they render (cache_cards, after the essays), so a
cold build's cards are drawn in parallel; card_files, after rendering, hands publish
references to the cached cards.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .cache import version
from .cachedb import LOCK, connection, forget, store
from .cardfonts import installed_fonts
from .config import SiteConfig
from .content import Essay, read_text
from .errors import ContentError
from .frontmatter import key_lines
from .urls import page_path

CARD_VERSION = "4"  # bump when the same essay would draw a different card
CARD_NAME = "card.png"
CARDS_FILE = "cards.sqlite"  # in .longform-cache/: key (a hash of what is drawn) → the PNG
# mtime: when the card was stored, or the mtime site/'s copy of the same bytes has (adopt).
# The index covers the facts a build lists (key, size, mtime) without the pictures' pages.
SCHEMA = ("CREATE TABLE IF NOT EXISTS cards (key TEXT PRIMARY KEY, size INTEGER NOT NULL, "
          "mtime INTEGER NOT NULL, png BLOB NOT NULL);"
          "CREATE INDEX IF NOT EXISTS card_facts ON cards (key, size, mtime);")
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
    """site/ESSAY-URL/card.png for each essay without an image of its own, as cards.sqlite
    holds it (read only to be written: publish compares what site/ has by size and mtime).
    The render workers drew the cards of the essays they rendered; any other card the cache
    lacks is drawn here."""
    wanted = {}
    host = urlsplit(config.base_url).netloc
    for essay in essays:
        if "image" in essay.extra:
            check_image(essay, config)
        else:
            wanted[card_path(essay)] = card_parts(essay, config, host)
    keys = {path: card_key(parts) for path, parts in wanted.items()}
    known = _stored_facts(config.cache_dir)
    if (config.cache_dir / "cards").is_dir():  # card files of a cache from before the table
        shutil.rmtree(config.cache_dir / "cards", ignore_errors=True)
    from .sitefiles import Stored
    table = CardTable(config.cache_dir, {keys[path]: parts for path, parts in wanted.items()})
    cards = {path: Stored(*known[key], key, table) for path, key in keys.items() if key in known}
    missing = [path for path in keys if path not in cards]
    pngs = drawn([wanted[path] for path in missing])
    stored = _store(config.cache_dir, [(keys[path], png)
                                       for path, png in zip(missing, pngs, strict=True)])
    for path, png in zip(missing, pngs, strict=True):
        # Stored: read back when written, as the others (5,000 new cards are 100 MB).
        key = keys[path]
        cards[path] = Stored(*stored[key], key, table) if key in stored else png
    return {path: cards[path] for path in keys}


def _stored_facts(cache_dir: Path) -> dict[str, tuple[int, int]]:
    """The cached cards' keys, sizes and mtimes (the pictures stay on disk until written)."""
    database = connection(cache_dir, CARDS_FILE, SCHEMA)
    if database is None:
        return {}
    try:
        return {key: (size, mtime) for key, size, mtime
                in database.execute("SELECT key, size, mtime FROM cards")}
    except sqlite3.Error:
        forget(cache_dir, CARDS_FILE)
        return {}


@dataclass(frozen=True)
class CardTable:
    """cards.sqlite as publish reads it: a card's PNG (drawn again from what it shows, `parts`
    by key, should the cache lose it meanwhile), and site/'s mtime for the same bytes."""

    cache_dir: Path
    parts: dict = field(repr=False)

    def read(self, key: str) -> bytes:
        database = connection(self.cache_dir, CARDS_FILE, SCHEMA)
        row = None
        if database is not None:
            try:
                with LOCK:  # publish's writer threads share this process's connection
                    row = database.execute("SELECT png FROM cards WHERE key = ?", (key,)
                                           ).fetchone()
            except sqlite3.Error:
                forget(self.cache_dir, CARDS_FILE)
        # The cache deleted during the build: the same bytes again, as a cold build's.
        return row[0] if row else _card_job(self.parts[key])

    def adopt(self, key: str, mtime_ns: int) -> None:
        database = connection(self.cache_dir, CARDS_FILE, SCHEMA)
        if database is None:
            return
        try:
            with LOCK, database:
                database.execute("UPDATE cards SET mtime = ? WHERE key = ?", (mtime_ns, key))
        except sqlite3.Error:
            pass  # the next build compares the bytes again: time, not output


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


def card_job(essay: Essay, config: SiteConfig, host: str | None = None) -> tuple | None:
    """The essay's card_parts, to draw; None for an essay with an image of its own."""
    return None if "image" in essay.extra else card_parts(essay, config, host)


def cache_card(essay: Essay, config: SiteConfig) -> None:
    """Draw the essay's card into the cache unless it is there already (a render worker,
    right after rendering the essay: everything the card shows is known by then)."""
    if job := card_job(essay, config):
        cache_cards([job], config.cache_dir)


def cache_cards(jobs: list[tuple[str, ...]], cache_dir: Path) -> None:
    """Draw the cards (each its card_parts) that the cache lacks into it, one after another,
    and store them together. A cold build's render workers draw theirs so, after the essays:
    a card drawn between two essays' renderings found its fonts, glyphs and code gone from the
    processor's caches and took twice as long (and the Markdown after it longer too)."""
    database = connection(cache_dir, CARDS_FILE, SCHEMA) if jobs else None
    if database is None:
        return  # no cache: card_files draws them
    keys = {card_key(parts): parts for parts in jobs}
    try:
        known = {key for (key,) in database.execute(
            f"SELECT key FROM cards WHERE key IN ({', '.join('?' * len(keys))})", list(keys))}
    except sqlite3.Error:
        forget(cache_dir, CARDS_FILE)
        return
    missing = [(key, parts) for key, parts in keys.items() if key not in known]
    if missing:
        from .cardimage import card_png  # Pillow: only to draw
        _store(cache_dir, [(key, card_png(*parts)) for key, parts in missing])


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
    return (CARD_VERSION, version("Pillow"), version("vl-convert-python"), version("isal"),
            *installed_fonts())


def _store(cache_dir: Path, cards: list[tuple[str, bytes]]) -> dict[str, tuple[int, int]]:
    """Keep the cards (key, PNG) in the cache: the size and mtime of each it could keep."""
    database = connection(cache_dir, CARDS_FILE, SCHEMA)
    if database is None:
        return {}
    now = time.time_ns()
    try:
        store(database, "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?)",
              [(key, len(png), now, png) for key, png in cards])
    except sqlite3.Error:
        forget(cache_dir, CARDS_FILE)
        return {}
    return {key: (len(png), now) for key, png in cards}


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

"""The whole site as data: essays with URLs and read times, tags, categories, authors, related."""

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .cache import digest
from .config import SiteConfig
from .content import Author, Essay, slugify
from .redirects import redirects
from .urls import essay_url, url_clashes


@dataclass(frozen=True)
class Taxonomy:
    """One tag, category or author page: its name, URL and essays (newest first)."""

    kind: str
    name: str
    url: str
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    essays: tuple[Essay, ...]  # newest first
    authors: dict  # key → Author
    tags: tuple[Taxonomy, ...]
    categories: tuple[Taxonomy, ...]
    related: dict  # slug → tuple of slugs
    summaries: dict = field(default_factory=dict, compare=False)  # slug → summary(essay)
    redirects: tuple = ()  # urls.Redirect for each old address, sorted

    def essay(self, slug: str) -> Essay:
        return self._by_slug()[slug]

    def _by_slug(self) -> dict:
        # Frozen dataclass: memoise the index on the instance without making it a field.
        index = self.__dict__.get("_index")
        if index is None:
            index = {e.slug: e for e in self.essays}
            object.__setattr__(self, "_index", index)
        return index

    def listed(self, essays) -> list[Essay]:
        """Essays as listings show them: everything but their text. A listing's inputs then
        change only when what it can show changes, not with every edit to a body."""
        return [self.summaries.get(e.slug) or summary(e) for e in essays]

    def listed_slugs(self, slugs) -> list[Essay]:
        """listed() of the essays with these slugs."""
        summaries = self.summaries
        return [summaries.get(slug) or summary(self.essay(slug)) for slug in slugs]

    def author_of(self, essay: Essay) -> Author:
        key = essay.author or self.config.default_author or ""
        return self.authors.get(key) or Author(key=key, name=key or self.config.title,
                                               url=author_url(key) if key else "")


def summary(essay: Essay) -> Essay:
    """The essay without its text, keyed by what is left."""
    bare = replace(essay, html="", feed_html="", body_md="", toc=(), terms=(), charts=(),
                   words=0, images=0, key="", warnings=(), variants=())
    return replace(bare, key=digest(repr(bare), repr(sorted(bare.extra.items(), key=repr))))


def read_time(words: int, images: int, words_per_minute: int) -> int:
    """Medium's rule: reading time plus 12 s for the first image, one less for each next, ≥3 s."""
    image_seconds = sum(max(12 - i, 3) for i in range(images))
    seconds = words / words_per_minute * 60 + image_seconds
    return max(1, math.ceil(seconds / 60))


@lru_cache(maxsize=4096)
def human_date(day) -> str:
    """3 March 2024, as pages and the search index show a date. Remembered: listings show the
    same dates on page after page."""
    return f"{day.day} {day:%B %Y}"


def tag_url(tag: str) -> str:
    return f"tags/{slugify(tag) or 'tag'}/"


def category_url(category: str) -> str:
    return f"categories/{slugify(category) or 'category'}/"


def author_url(key: str) -> str:
    return f"authors/{slugify(key) or 'author'}/"


def placed_essays(essays: list[Essay], config: SiteConfig) -> list[Essay]:
    """Rendered essays with URLs and read times, newest first (ties by slug)."""
    return newest_first([place(e, config) for e in essays])


def newest_first(essays: list[Essay]) -> list[Essay]:
    return sorted(essays, key=lambda e: (-e.date.toordinal(), e.slug))


def assemble_site(placed: list[Essay], authors: dict, related: dict, config: SiteConfig,
                  summaries: dict | None = None) -> Site:
    """Placed essays and their related lists → the Site, with every cross-reference worked out.
    Two essays on one URL, or an old address that would replace a page, stop the build."""
    clashes = url_clashes(placed, config)
    if clashes:
        raise clashes[0]
    return Site(
        config=config,
        essays=tuple(placed),
        authors=site_authors(placed, authors, config),
        tags=_taxonomies("tag", [(t, e) for e in placed for t in e.tags], tag_url),
        categories=_taxonomies("category", [(e.category, e) for e in placed if e.category],
                               category_url),
        related=related,
        summaries=summaries or {e.slug: summary(e) for e in placed},
        redirects=redirects(placed, config),
    )


def place(essay: Essay, config: SiteConfig, url: str | None = None) -> Essay:
    """The rendered essay with its URL (urls.essay_url, unless given: the pipeline has it
    already) and read time."""
    # What dataclasses.replace does, without its __init__ call per field: every build
    # places every essay (50 µs each, a quarter second at 5,000 essays).
    placed = object.__new__(Essay)
    placed.__dict__.update(essay.__dict__,
                           url=url if url is not None else essay_url(essay, config),
                           read_minutes=read_time(essay.words, essay.images,
                                                  config.words_per_minute))
    return placed


def site_authors(essays: list[Essay], known: dict, config: SiteConfig) -> dict:
    """Known authors plus any named in essays but missing from authors.yaml (name only)."""
    keys = {e.author or config.default_author for e in essays} - {None, ""}
    merged = {key: known.get(key) or Author(key=key, name=key) for key in keys}
    return {key: replace(author, url=author_url(key)) for key, author in sorted(merged.items())}


def _taxonomies(kind: str, pairs: list, url_of) -> tuple[Taxonomy, ...]:
    """Group (name, essay) pairs by URL, so "AI" and "ai" share one page named as first seen."""
    groups: dict[str, tuple[str, dict]] = {}
    urls: dict[str, str] = {}  # a few dozen names on thousands of essays: each slugified once
    for name, essay in pairs:
        url = urls.get(name)
        if url is None:
            url = urls[name] = url_of(name)
        groups.setdefault(url, (name, {}))[1][essay.slug] = None  # a dict keeps order
    return tuple(Taxonomy(kind, name, url, tuple(slugs))
                 for url, (name, slugs) in sorted(groups.items()))

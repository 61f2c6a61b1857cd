"""Which URL an essay has and which addresses it had: permalink patterns, frontmatter
`permalink`/`url`, `aliases`/`redirect_from` and `legacy_permalinks` (redirects.py makes the
redirects).

URLs here are site-relative ("essays/slug/", "2019/03/01/post.html"): the base path goes in
front where a link or a file is written.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .content import JEKYLL_NAME, Essay, read_text, slugify
from .errors import ContentError
from .frontmatter import key_lines

if TYPE_CHECKING:
    from .config import SiteConfig

@dataclass(frozen=True)
class Links:
    """What an essay's relative links can point at: other essays' files, and files in content/.
    Here, not in markdown.py: a build that renders no essay (a template edit) needs it, but
    not Python-Markdown and its extensions, 0.08 s to import."""

    essay_urls: dict  # resolved essay source Path → root-relative URL
    drafts: frozenset  # resolved paths of drafts left out of this build
    content_dir: Path
    base_path: str
    addresses: dict = field(default_factory=dict)  # urls.link_key of old addresses → URL
    config: object = None  # the SiteConfig: what Liquid and shortcodes read (site.title, …)


VARIABLES = ("year", "month", "day", "short_year", "i_month", "i_day", "y_day", "slug", "title",
             "filename", "slugorfilename", "category", "categories", "section", "output_ext")
# Longest first, so ":categories" is not read as ":category" followed by "ies".
_VARIABLE = re.compile(":(" + "|".join(sorted(VARIABLES, key=len, reverse=True)) + ")")
_LEFT_OVER = re.compile(r":[A-Za-z_]\w*")
PAGE_SUFFIXES = (".html", ".htm")
OWN_URL_KEYS = ("permalink", "url")  # Jekyll's and Hugo's frontmatter for an essay's own URL
ALIAS_KEYS = ("aliases", "redirect_from")  # Hugo's and jekyll-redirect-from's old addresses


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a permalink pattern, or None."""
    if not pattern.startswith("/"):
        return f"'{pattern}' must start with '/', like \"/essays/:slug/\""
    unknown = _LEFT_OVER.findall(_VARIABLE.sub("", pattern))
    if unknown:
        return (f"'{pattern}' has the unknown variable {unknown[0]} "
                f"(known: {', '.join(':' + v for v in VARIABLES)})")
    if ".." in pattern.split("/"):
        return f"'{pattern}' may not contain '..'"
    return None


def essay_url(essay: Essay, config: SiteConfig) -> str:
    """The essay's URL: its own `permalink:` or `url:`, else the site's permalink pattern.
    A URL not ending in "/" or ".html" becomes a folder, as Hugo makes it."""
    pattern = _own_url(essay) or config.permalink
    # config.content_dir makes a Path on each call: only :section needs it.
    url = expand(pattern, essay, config.content_dir if ":section" in pattern else None)
    return url if url.endswith(("/", ".html")) or not url else url + "/"


def page_path(address: str) -> str | None:
    """The file in site/ that serves a site-relative address: a folder's index.html, the .html
    file itself, or NAME.html for a bare NAME (as Jekyll writes and GitHub Pages serves it)."""
    if address == "" or address.endswith("/"):
        return address + "index.html"
    last = address.rsplit("/", 1)[-1]
    if last.endswith(PAGE_SUFFIXES):
        return address
    return None if "." in last else address + ".html"


def expand(pattern: str, essay: Essay, content_dir: Path | None) -> str:
    """The site-relative address a pattern gives an essay; empty parts collapse. Quick, as
    `serve` places every essay on each rebuild: the pattern is split once, and only the
    variables it names are worked out."""
    parts = _parts(pattern)
    pieces = [parts[0]]
    for i in range(1, len(parts), 2):
        pieces += [_value(parts[i], essay, content_dir), parts[i + 1]]
    filled = "".join(pieces)
    if "//" in filled:
        filled = _SLASHES.sub("/", filled)
    return filled.lstrip("/")


_SLASHES = re.compile(r"/{2,}")


@functools.lru_cache(maxsize=64)
def _parts(pattern: str) -> tuple[str, ...]:
    """Literal text and variable names, alternating: "/a/:slug/" → ("/a/", "slug", "/")."""
    return tuple(_VARIABLE.split(pattern))


_BY_ESSAY = {
    "slug": lambda e: e.slug,
    "year": lambda e: f"{e.date.year:04d}",
    "month": lambda e: f"{e.date.month:02d}",
    "day": lambda e: f"{e.date.day:02d}",
    "short_year": lambda e: f"{e.date.year % 100:02d}",
    "i_month": lambda e: str(e.date.month),
    "i_day": lambda e: str(e.date.day),
    "y_day": lambda e: f"{e.date.timetuple().tm_yday:03d}",
    "output_ext": lambda e: ".html",
    "category": lambda e: slugify(e.category or ""),
    "categories": lambda e: "/".join(c.lower() for c in e.categories),
}


def _value(variable: str, essay: Essay, content_dir: Path | None) -> str:
    if variable in _BY_ESSAY:
        return _BY_ESSAY[variable](essay)
    if variable == "section":
        return section(essay.source, content_dir).lower() if content_dir else ""
    return _named(variable, essay)


def _named(variable: str, essay: Essay) -> str:
    """:title, :filename and :slugorfilename, which depend on the file's name."""
    name = file_name(essay.source)
    dated = JEKYLL_NAME.match(name)
    slug_given = essay.slug != slugify(dated.group(4) if dated else name)
    if variable == "filename":
        return name.lower()
    if variable == "slugorfilename":
        return essay.slug if slug_given else name.lower()
    if slug_given:  # :title: Jekyll's `slug:` override, or Hugo's :slug
        return essay.slug
    # Jekyll: the name after the date, as written; Hugo: the title made into a path.
    return dated.group(4).replace(" ", "-") if dated else slugify(essay.title)


def file_name(source: Path) -> str:
    """The file's name without extension; for a page bundle (NAME/index.md), the folder's."""
    return source.parent.name if source.stem == "index" else source.stem


def section(source: Path, content_dir: Path) -> str:
    """The first folder below content/ that holds the essay (a bundle's own folder aside)."""
    parts = source.parts[len(content_dir.parts):-1]
    if source.stem == "index":
        parts = parts[:-1]
    return parts[0] if parts and source.parts[:len(content_dir.parts)] == content_dir.parts \
        else ""


def _own_url(essay: Essay) -> str | None:
    for key in OWN_URL_KEYS:
        value = essay.extra.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ContentError(essay.source, _line(essay, key), f"'{key}' must be a path like "
                                                                "/2019/03/01/my-post/")
        own = "/" + value.strip().lstrip("/")
        problem = pattern_problem(own)
        if problem:
            raise ContentError(essay.source, _line(essay, key), f"'{key}': {problem}")
        return own
    return None


def _line(essay: Essay, key: str) -> int:
    return key_lines(read_text(essay.source)).get(key, 1)


def old_addresses(essay: Essay, config: SiteConfig) -> list[tuple[str, str]]:
    """(site-relative address, where it was named) for each address the essay had."""
    found = [(expand(p, essay, config.content_dir), "legacy_permalinks")
             for p in legacy_patterns(essay, config)]
    for key in ALIAS_KEYS:
        found += [(address, key) for address in _aliases(essay, key, config)]
    return found


def legacy_patterns(essay: Essay, config: SiteConfig) -> list[str]:
    """The legacy_permalinks patterns for the essay's section, else those for every section."""
    if not config.legacy_permalinks:
        return []
    here = section(essay.source, config.content_dir)
    return ([p for s, p in config.legacy_permalinks if s == here]
            or [p for s, p in config.legacy_permalinks if s == "*"])


def _aliases(essay: Essay, key: str, config: SiteConfig) -> list[str]:
    value = essay.extra.get(key)
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise ContentError(essay.source, _line(essay, key), f"'{key}' must be a list of old "
                                                            "addresses, like [/2019/03/old/]")
    # Hugo reads a relative alias from the page's section; jekyll-redirect-from from the root.
    folder = section(essay.source, config.content_dir) if key == "aliases" else ""
    addresses = []
    for item in items:
        path = unquote(urlsplit(item.strip()).path)
        if not path.startswith("/") and folder:
            path = f"{folder}/{path}"
        address = re.sub(r"/{2,}", "/", "/" + path).lstrip("/")
        if ".." in address.split("/"):
            raise ContentError(essay.source, _line(essay, key), f"'{key}': '{item}' may not "
                                                                "contain '..'")
        addresses.append(address)
    return addresses


def url_clashes(essays: list[Essay], config: SiteConfig) -> list[ContentError]:
    """An error for each essay whose URL an earlier essay already has."""
    seen: dict[str, Essay] = {}
    errors = []
    for essay in essays:
        other = seen.setdefault(page_path(essay.url), essay)
        if other is not essay:
            where = essay_name(other, config)
            errors.append(ContentError(essay.source, url_line(essay), f"this essay's URL "
                                       f"/{essay.url} is also the URL of {where}; give one "
                                       "of them its own 'permalink:' or 'slug:'"))
    return errors


def url_line(essay: Essay) -> int:
    lines = key_lines(read_text(essay.source))
    return next((lines[k] for k in (*OWN_URL_KEYS, "slug", "title") if k in lines), 1)


def essay_name(essay: Essay, config: SiteConfig) -> str:
    """The essay's file and the line that decides its URL, as an error message names it."""
    return f"{name_in_content(essay.source, config)}:{url_line(essay)}"


def name_in_content(source: Path, config: SiteConfig) -> str:
    try:
        return source.relative_to(config.content_dir).as_posix()
    except ValueError:
        return source.as_posix()


def link_key(address: str) -> str:
    """An address as links compare it: "2019/x.html", "2019/x/" and "/2019/x" are one."""
    path = unquote(address).lstrip("/").removesuffix("index.html")
    for suffix in PAGE_SUFFIXES:
        path = path.removesuffix(suffix)
    return path.rstrip("/")


def address_map(essays: list[Essay], config: SiteConfig, urls: dict) -> dict[str, str]:
    """link_key of every old address → the essay's root-relative URL, for links written in an
    essay as the old site's addresses. urls: source → root-relative URL of each built essay."""
    found = {}
    for essay in essays:
        if not may_have_old_addresses(essay, config) or essay.source not in urls:
            continue  # a draft left out of this build
        for address, _ in old_addresses(essay, config):
            found.setdefault(link_key(address), urls[essay.source])
    return found


def may_have_old_addresses(essay: Essay, config: SiteConfig) -> bool:
    # Most sites have none, and serve asks on every rebuild: answer that case quickly.
    return bool(config.legacy_permalinks) or any(key in essay.extra for key in ALIAS_KEYS)

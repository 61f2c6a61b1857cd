"""Which URL an essay has and which addresses it had: permalink patterns, frontmatter
`permalink`/`url`, `aliases`/`redirect_from`, `legacy_permalinks`, and the redirects they make.

URLs here are site-relative ("essays/slug/", "2019/03/01/post.html"): the base path goes in
front where a link or a file is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from .content import JEKYLL_NAME, Essay, read_text, slugify
from .errors import ContentError
from .frontmatter import key_lines

if TYPE_CHECKING:
    from .config import SiteConfig

VARIABLES = ("year", "month", "day", "short_year", "i_month", "i_day", "y_day", "slug", "title",
             "filename", "slugorfilename", "category", "categories", "section", "output_ext")
# Longest first, so ":categories" is not read as ":category" followed by "ies".
_VARIABLE = re.compile(":(" + "|".join(sorted(VARIABLES, key=len, reverse=True)) + ")")
_LEFT_OVER = re.compile(r":[A-Za-z_]\w*")
PAGE_SUFFIXES = (".html", ".htm")
OWN_URL_KEYS = ("permalink", "url")  # Jekyll's and Hugo's frontmatter for an essay's own URL
ALIAS_KEYS = ("aliases", "redirect_from")  # Hugo's and jekyll-redirect-from's old addresses


@dataclass(frozen=True)
class Redirect:
    """One old address that now leads to an essay."""

    address: str  # site-relative, as the old site served it: "2019/03/01/post.html"
    url: str  # the essay's site-relative URL
    title: str  # the essay's title, for the link on the redirect page
    source: Path  # the essay's file
    origin: str  # where the address was named: "legacy_permalinks", "aliases", "redirect_from"

    @property
    def path(self) -> str | None:
        """The file in site/ that answers the address, or None when no HTML page can (an
        old "feed.php" is redirected by `_redirects` alone)."""
        return page_path(self.address)


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
    own = _own_url(essay)
    url = expand(own or config.permalink, essay, config.content_dir)
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


def expand(pattern: str, essay: Essay, content_dir: Path) -> str:
    """The site-relative address a pattern gives an essay; empty parts collapse."""
    values = _values(essay, content_dir)
    filled = _VARIABLE.sub(lambda m: values[m.group(1)], pattern)
    return re.sub(r"/{2,}", "/", "/" + filled).lstrip("/")


def _values(essay: Essay, content_dir: Path) -> dict[str, str]:
    d = essay.date
    name = file_name(essay.source)
    dated = JEKYLL_NAME.match(name)
    filename_slug = slugify(dated.group(4) if dated else name)
    slug_given = essay.slug != filename_slug
    if dated:  # Jekyll: the name after the date, as written, unless `slug:` overrides it
        title = essay.slug if slug_given else dated.group(4).replace(" ", "-")
    else:  # Hugo: `slug:` if given (its :slug), else the title made into a path
        title = essay.slug if slug_given else slugify(essay.title)
    return {
        "year": f"{d.year:04d}", "month": f"{d.month:02d}", "day": f"{d.day:02d}",
        "short_year": f"{d.year % 100:02d}", "i_month": str(d.month), "i_day": str(d.day),
        "y_day": f"{d.timetuple().tm_yday:03d}",
        "slug": essay.slug, "title": title, "filename": name.lower(),
        "slugorfilename": essay.slug if slug_given else name.lower(),
        "category": slugify(essay.category or ""),
        "categories": "/".join(c.lower() for c in essay.categories),
        "section": section(essay.source, content_dir).lower(), "output_ext": ".html",
    }


def file_name(source: Path) -> str:
    """The file's name without extension; for a page bundle (NAME/index.md), the folder's."""
    return source.parent.name if source.stem == "index" else source.stem


def section(source: Path, content_dir: Path) -> str:
    """The first folder below content/ that holds the essay (a bundle's own folder aside)."""
    folder = source.parent.parent if source.stem == "index" else source.parent
    try:
        parts = folder.relative_to(content_dir).parts
    except ValueError:
        return ""
    return parts[0] if parts else ""


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


def redirects(essays: list[Essay], config: SiteConfig) -> tuple[Redirect, ...]:
    """Every old address of the placed essays that is not an essay's URL now, sorted; an
    address two essays claim, or one that lands on an essay's page, is an error."""
    pages = {page_path(e.url): e for e in essays}
    claimed: dict[str, Redirect] = {}
    for essay in essays:
        for address, origin in old_addresses(essay, config):
            if link_key(address) == link_key(essay.url):
                continue  # the address it had is the one it has
            redirect = Redirect(address, essay.url, essay.title, essay.source, origin)
            where = redirect.path or address
            if where in pages:
                raise _clash(redirect, config, f"the page of {_name(pages[where], config)}")
            other = claimed.setdefault(where, redirect)
            if other.source != essay.source:
                raise _clash(redirect, config, f"an old address of "
                                               f"{_name_of(other.source, config)}")
    return tuple(sorted(claimed.values(), key=lambda r: r.address))


def _clash(redirect: Redirect, config: SiteConfig, what: str) -> ContentError:
    if redirect.origin == "legacy_permalinks":
        path = config.root / "pyproject.toml"
        line = _setting_line(path, "legacy_permalinks")
    else:
        path = redirect.source
        line = key_lines(read_text(redirect.source)).get(redirect.origin, 1)
    return ContentError(path, line, f"the old address /{redirect.address} of "
                                    f"{_name_of(redirect.source, config)} is also {what}; "
                                    "a redirect may not replace it: change or drop one of them")


def url_clashes(essays: list[Essay], config: SiteConfig) -> list[ContentError]:
    """An error for each essay whose URL an earlier essay already has."""
    seen: dict[str, Essay] = {}
    errors = []
    for essay in essays:
        other = seen.setdefault(page_path(essay.url), essay)
        if other is not essay:
            where = _name(other, config)
            errors.append(ContentError(essay.source, _url_line(essay), f"this essay's URL "
                                       f"/{essay.url} is also the URL of {where}; give one "
                                       "of them its own 'permalink:' or 'slug:'"))
    return errors


def _url_line(essay: Essay) -> int:
    lines = key_lines(read_text(essay.source))
    return next((lines[k] for k in (*OWN_URL_KEYS, "slug", "title") if k in lines), 1)


def _name(essay: Essay, config: SiteConfig) -> str:
    """The essay's file and the line that decides its URL, as an error message names it."""
    return f"{_name_of(essay.source, config)}:{_url_line(essay)}"


def _name_of(source: Path, config: SiteConfig) -> str:
    try:
        return source.relative_to(config.content_dir).as_posix()
    except ValueError:
        return source.as_posix()


def _setting_line(pyproject: Path, key: str) -> int:
    from .config import _key_line  # config imports this module
    return _key_line(pyproject, key) if pyproject.exists() else 1


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
        if essay.source not in urls:
            continue  # a draft left out of this build
        for address, _ in old_addresses(essay, config):
            found.setdefault(link_key(address), urls[essay.source])
    return found


def redirects_file(found: tuple[Redirect, ...], config: SiteConfig) -> bytes:
    """`_redirects` as Netlify and Cloudflare Pages read it: old path, new path, 301."""
    base = config.base_path
    lines = [f"{quote(base + r.address)} {quote(base + r.url)} 301" for r in found]
    return ("\n".join(lines) + "\n").encode("utf-8")


def redirect_files(site, pages: list, others: set[str]) -> dict[str, bytes]:
    """`_redirects` when the site has old addresses. An essay or an old address where another
    page or file of the site lies is an error; `others` are the site's files that are not
    pages (an essay's media, theme assets, static files)."""
    real = set(others)
    for page in sorted(pages, key=lambda p: p.template == "essay.html"):
        if page.template == "essay.html" and page.path in real:
            essay = page.context["essay"]
            raise ContentError(essay.source, _url_line(essay), f"this essay's URL /{essay.url} "
                                                               "is also a page or file of the "
                                                               "site; give it another URL")
        if page.template != "redirect.html":
            real.add(page.path)
    for redirect in site.redirects:
        if (redirect.path or redirect.address) in real:
            raise _clash(redirect, site.config, "a page or file of the site")
    return {"_redirects": redirects_file(site.redirects, site.config)} if site.redirects else {}

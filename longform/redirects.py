"""The redirects that keep old addresses working: one small page at each address an essay had
(urls.py knows which), and `_redirects` listing them all for Netlify and Cloudflare Pages."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .config import SiteConfig, _key_line
from .content import Essay, read_text
from .errors import ContentError
from .frontmatter import key_lines
from .urls import (
    essay_name,
    link_key,
    may_have_old_addresses,
    name_in_content,
    old_addresses,
    page_path,
    url_line,
)


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


def redirects(essays: list[Essay], config: SiteConfig) -> tuple[Redirect, ...]:
    """Every old address of the placed essays that is not an essay's URL now, sorted; an
    address two essays claim, or one that lands on an essay's page, is an error."""
    claimed: dict[str, Redirect] = {}
    pages = None
    for essay in essays:
        if not may_have_old_addresses(essay, config):
            continue
        for address, origin in old_addresses(essay, config):
            if link_key(address) == link_key(essay.url):
                continue  # the address it had is the one it has
            redirect = Redirect(address, essay.url, essay.title, essay.source, origin)
            where = redirect.path or address
            pages = pages or {page_path(e.url): e for e in essays}
            if where in pages:
                raise _clash(redirect, config, f"the page of {essay_name(pages[where], config)}")
            other = claimed.setdefault(where, redirect)
            if other.source != essay.source:
                raise _clash(redirect, config, f"an old address of "
                                               f"{name_in_content(other.source, config)}")
    return tuple(sorted(claimed.values(), key=lambda r: r.address))


def _clash(redirect: Redirect, config: SiteConfig, what: str) -> ContentError:
    if redirect.origin == "legacy_permalinks":
        path = config.root / "pyproject.toml"
        line = _setting_line(path, "legacy_permalinks")
    else:
        path = redirect.source
        line = key_lines(read_text(redirect.source)).get(redirect.origin, 1)
    return ContentError(path, line, f"the old address /{redirect.address} of "
                                    f"{name_in_content(redirect.source, config)} is also {what}; "
                                    "a redirect may not replace it: change or drop one of them")


def _setting_line(pyproject: Path, key: str) -> int:
    return _key_line(pyproject, key) if pyproject.exists() else 1


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
            raise ContentError(essay.source, url_line(essay), f"this essay's URL /{essay.url} "
                                                               "is also a page or file of the "
                                                               "site; give it another URL")
        if page.template != "redirect.html":
            real.add(page.path)
    for redirect in site.redirects:
        if (redirect.path or redirect.address) in real:
            raise _clash(redirect, site.config, "a page or file of the site")
    return {"_redirects": redirects_file(site.redirects, site.config)} if site.redirects else {}

"""Link checking on the built site: every internal href and src names a file of the site, every
#fragment an id on its page. External URLs are external.py's, and only with `check --external`.

A broken link written in an essay is reported at the line of the essay's Markdown where it is
written; one that a template makes is reported at the template line that writes it.
"""

import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from . import htmlscan
from .content import Essay
from .errors import ContentError
from .mathtext import shielded
from .sitefiles import Deferred, file_bytes
from .urls import page_path

LINK_ATTRIBUTES = {("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"),
                   ("script", "src"), ("source", "src"), ("video", "src"), ("audio", "src"),
                   ("track", "src"), ("iframe", "src"), ("embed", "src"), ("input", "src"),
                   ("video", "poster"), ("object", "data")}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SCANNED_TAGS = frozenset({tag for tag, _ in LINK_ATTRIBUTES} | HEADINGS)  # what _Scan reads
SITE_HOST = "longform.invalid"  # stands for the site's own host while resolving URLs


class Link(NamedTuple):
    # A named tuple, not a dataclass: the cache keeps tens of thousands (every link of every
    # page), and a rebuild unpickles them twice as fast so.
    tag: str
    attribute: str
    url: str


@dataclass(frozen=True)
class Found:
    """What one HTML document or fragment links to and holds: links, ids, images (src, alt or
    None) and headings (level, text) in order, for the link checker and the warnings."""

    links: tuple[Link, ...]
    ids: frozenset[str]
    images: tuple[tuple[str, str | None], ...]
    headings: tuple[tuple[int, str], ...]


class _Scan(HTMLParser):

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.ids: set[str] = set()
        self.images: list[tuple[str, str | None]] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            found = dict(attrs)
            self.images.append((found.get("src") or "", found.get("alt")))
        elif tag in HEADINGS:
            self._heading = [int(tag[1]), ""]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif (tag, name) in LINK_ATTRIBUTES:
                self.links.append(Link(tag, name, value.strip()))
            elif name == "srcset" and tag in ("img", "source"):
                self.links += [Link(tag, name, c.split()[0]) for c in value.split(",")
                               if c.strip()]

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data

    def handle_endtag(self, tag):
        if tag in HEADINGS and self._heading is not None:
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None


def scan(html: str) -> Found:
    # MathML holds no links, ids or images, only many small tags that are slow to parse.
    html = shielded(html)[0] if "<math" in html else html
    parser = _Scan()
    if not htmlscan.feed(parser, html, _SCANNED_TAGS):  # not our own markup: the full parser
        parser.feed(html)
        parser.close()
    return Found(tuple(parser.links), frozenset(parser.ids), tuple(parser.images),
                 tuple(parser.headings))


class Scanner:
    """scan() by content hash: parsing costs about 0.4 ms per essay. A page's scan is made once
    a build (`made`, which the render workers fill with the essays' own); the next build is
    left (`kept`) only the scans of pages whose ids some link needs, and the remembered
    results of each check, since it reads the checks' results rather than the pages again.
    A cold build of 1,000 essays kept 1.8 MB of scans that the next edit read and dropped."""

    def __init__(self, previous: dict | None = None, kept: dict | None = None,
                 made: dict | None = None):
        self.previous = previous if previous is not None else {}
        self.kept = kept if kept is not None else {}
        self.made = made if made is not None else {}

    def __call__(self, html: str | bytes, keep: bool = False) -> Found:
        """html's scan; kept for the next build when `keep`."""
        data = html.encode("utf-8") if isinstance(html, str) else html
        key = hashlib.sha256(data).hexdigest()
        found = self.kept.get(key) or self.made.get(key) or self.previous.get(key)
        if found is None:
            found = scan(data.decode("utf-8", "replace"))
        (self.kept if keep else self.made)[key] = found
        return found

    def recall(self, key: tuple):
        """A result some check stored under key in this build or the previous one, or None."""
        return self.kept[key] if key in self.kept else self.previous.get(key)

    def keep(self, key: tuple, value) -> None:
        self.kept[key] = value


@dataclass(frozen=True)
class Target:
    """Where a link inside the site leads: a path in site/ and a fragment."""

    path: str | None  # None: the link leaves the site's base path
    fragment: str


class SiteIndex:
    """The built files, with each HTML page's ids read only when some link needs them."""

    def __init__(self, files: dict[str, bytes], base_path: str, scanner: Scanner):
        self.files = files
        self.base_path = base_path
        self.scanner = scanner
        self._targets: dict[tuple[str, str], Target | None] = {}

    def target(self, url: str, page: str) -> Target | None:
        """The target of a link found on page (a path in site/); None when it is external.
        A full URL counts as external even on the site's own host: other software may serve
        paths there, so only `check --external` fetches it."""
        if url.startswith("#"):  # most links are footnotes: skip the URL machinery
            return Target(page, unquote(url[1:]))
        if url.startswith("/") and not url.startswith("//"):
            page = ""  # the result no longer depends on the page: share the memo entry
        key = (url, page)
        if key not in self._targets:
            self._targets[key] = self._resolve(url, page)
        return self._targets[key]

    def _resolve(self, url: str, page: str) -> Target | None:
        absolute = urljoin(f"http://{SITE_HOST}{self.base_path}{page}", url)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc != SITE_HOST:
            return None
        path = unquote(parts.path)
        if not path.startswith(self.base_path):
            return Target(None, parts.fragment)
        relative = path[len(self.base_path):]
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        if relative not in self.files and relative + "/index.html" in self.files:
            relative += "/index.html"  # a folder without its slash: hosts redirect
        return Target(relative, unquote(parts.fragment))

    def problem(self, link: Link, page: str, own_ids: set = frozenset()) -> str | None:
        """What is wrong with a link on page, or None when it leads somewhere real."""
        target = self.target(link.url, page)
        if target is None or _essay_file(link.url):
            return None  # a link to an essay file that is not there: rendering reported it
        what = _kind(link)
        if target.path is None:
            return (f"{what} '{link.url}' leads outside the site, which lives under "
                    f"{self.base_path}; write the link relative to the essay instead")
        if target.path not in self.files:
            return f"{what} '{link.url}' leads nowhere: the site has no {target.path}"
        if not target.fragment or target.fragment == "top":
            return None
        if target.path == page and target.fragment in own_ids:
            return None
        if target.path.endswith(".html") and self.files[target.path] and \
                target.fragment not in self.ids(target.path):  # b"": a failed essay's stand-in
            where = "this page" if target.path == page else self._url(target.path)
            return f"{what} '{link.url}': {where} has no element with id '{target.fragment}'"
        return None

    def ids(self, path: str) -> frozenset:
        # Kept: the next build checks that the ids it remembers links needing are still there.
        return self.scanner(file_bytes(self.files[path]), keep=True).ids

    def _url(self, path: str) -> str:
        return self.base_path + path.removesuffix("index.html")


def _essay_file(url: str) -> bool:
    if ".md" not in url and ".markdown" not in url:  # most links: no need to split the URL
        return False
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or parts.path.startswith("/")) and \
        parts.path.endswith((".md", ".markdown"))


def _kind(link: Link) -> str:
    if link.tag in ("a", "area"):
        return "link to"
    if link.tag == "img":
        return "image"
    return f"<{link.tag} {link.attribute}>"


def broken_links(site, files: dict[str, bytes], pages, scanner: Scanner | None = None,
                 every_page: bool = True) -> list[ContentError]:
    """Every broken internal link: those written in essays at their Markdown line, then those
    the templates make, on every page or (every_page=False) on the smallest page of each
    template, which is enough for links a template writes itself."""
    scanner = scanner or Scanner()
    index = SiteIndex(files, site.config.base_path, scanner)
    errors, essay_pages = [], {}
    paths = hashlib.sha256("\n".join(sorted(files)).encode("utf-8")).hexdigest()
    for essay in site.essays:
        page = page_path(essay.url)
        essay_pages[page] = essay
        errors += _body_links(essay, page, index, paths)
    for page in _pages_to_check(pages, files, every_page):
        # The essay text's own links, found again only for the pages checked here (a few,
        # unless every_page): the cache keeps no essay's scan for the next build to read.
        essay = essay_pages.get(page.path)
        skip = {link.url for link in scanner(essay.html).links} if essay else set()
        errors += _template_links(page, skip, index, paths, site.config.templates_dir)
    return _unique(errors)


def _template_links(page, skip: set, index: SiteIndex, paths: str, templates_dir: Path) -> list:
    """Broken links a page's template writes (the essay text's own links are in `skip`),
    remembered by the page's bytes and the set of files, like _body_links."""
    data = file_bytes(index.files[page.path])
    key = ("page-links", page.path, hashlib.sha256(data).hexdigest(), paths)
    known = index.scanner.recall(key)
    if known is not None and _still_true(known[1], index):
        index.scanner.keep(key, known)
        return known[0]
    links = [link for link in index.scanner(data).links if link.url not in skip]
    broken = []
    for link in links:
        if message := index.problem(link, page.path):
            path, line = template_line(templates_dir, page.template, link.url, index.base_path)
            broken.append(ContentError(path, line, f"{message} (in {page.path})"))
    index.scanner.keep(key, (broken, _fragments_into(links, page.path, index)))
    return broken


def _fragments_into(links, page: str, index: SiteIndex) -> tuple:
    """(path, id, present) for each #id the links point at on other pages of the site."""
    targets = [index.target(link.url, page) for link in links]
    return tuple(sorted({(t.path, t.fragment, t.fragment in index.ids(t.path)) for t in targets
                         if t and t.fragment and t.path != page and t.path in index.files
                         and t.path.endswith(".html")}))


def _still_true(fragments: tuple, index: SiteIndex) -> bool:
    return all((fragment in index.ids(path)) == present for path, fragment, present in fragments)


def _body_links(essay: Essay, page: str, index: SiteIndex, paths: str) -> list:
    """The errors of the links an essay's text writes. Remembered by the essay's content and
    the set of files, and trusted again only while every page the essay links into at an #id
    still has (or still lacks) that id: an edit reads neither the essays' text nor their
    scans (every link of every essay)."""
    key = ("body-links", essay.key, paths)
    known = index.scanner.recall(key) if essay.key else None
    if known is not None and _still_true(known[1], index):
        index.scanner.keep(key, known)
        return known[0]
    found = index.scanner(essay.html)
    broken = [ContentError(essay.source, source_line(essay, link.url), message)
              for link in found.links if (message := index.problem(link, page, found.ids))]
    index.scanner.keep(key, (broken, _fragments_into(found.links, page, index)))
    return broken


def _pages_to_check(pages, files: dict[str, bytes], every_page: bool) -> list:
    html = [p for p in pages if p.path.endswith(".html") and p.path in files]
    if every_page:
        return html
    smallest = {}
    for page in html:
        best = smallest.get(page.template)
        if best is None or _size(files[page.path]) < _size(files[best.path]):
            smallest[page.template] = page
    return list(smallest.values())


def _size(data) -> int:
    return data.size if isinstance(data, Deferred) else len(data)


def _unique(errors: list[ContentError]) -> list[ContentError]:
    """One error per place and message: a broken link in base.html is reported once."""
    seen, kept = set(), []
    for error in errors:
        key = (error.path, error.line, error.message.split(" (in ")[0])
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept


def source_line(essay: Essay, url: str) -> int:
    """The line of the essay's Markdown that writes url (as written, or as it was before the
    renderer turned a path in content/ into a site path)."""
    lines = essay.body_md.split("\n")
    for needle in _spellings(url):
        for number, line in enumerate(lines, essay.body_line):
            if needle in line:
                return number
    return essay.body_line


def _spellings(url: str) -> list[str]:
    # Most distinctive first: the URL itself, its fragment, its path, its file name.
    path, fragment = urldefrag(url)
    last = path.rstrip("/").rsplit("/", 1)[-1]
    candidates = [url, unquote(url)]
    if fragment:
        candidates += [f"#{fragment}", f"#{unquote(fragment)}"]
    candidates += [path.lstrip("/"), unquote(path.lstrip("/"))]
    if "." in last:
        candidates.append(last)
    return [c for c in dict.fromkeys(candidates) if c]


def template_line(templates_dir: Path, template: str, url: str, base_path: str
                  ) -> tuple[Path, int]:
    """The template file and line that most likely writes url (its own template first)."""
    path, _ = urldefrag(url)
    needles = [n for n in dict.fromkeys([url, path.removeprefix(base_path), path]) if n]
    files = [templates_dir / template] + sorted(
        p for p in templates_dir.rglob("*") if p.suffix in (".html", ".xml") and p.is_file())
    for needle in needles:
        for file in files:
            for number, line in enumerate(_lines(file), 1):
                if needle in line:
                    return file, number
    return templates_dir / template, 1


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return []

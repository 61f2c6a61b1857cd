"""The full-text search index: Pagefind over documents made from the essay records, in shards.

What is indexed is what the search needs of an essay: its title (weighted above the text), dek
and body, its date, and tags, category and author as filters, in a small document made from
the record rather than from the themed page. A template edit then changes no document and
re-indexes nothing, and indexing starts as soon as the essays have their URLs, so Pagefind
works on the second core while the pages render and the links are reviewed.

Pagefind has no incremental mode, so the essays are split into shards, each its own Pagefind
index, cached by its documents: an edit re-indexes the one shard holding the essay. An essay's
shard follows from a hash of its URL and the number of shards, a power of two growing with the
essays up to sixteen, so adding one essay moves no other (only a doubling reshuffles, once). The
browser merges the shards with Pagefind's mergeIndex; merged indexes share the first one's
script and WebAssembly, so a reader downloads those once. pagefind/shards.json names the
others. The price is the reader's: a query word costs a chunk from each shard, not one.
"""

import json
from html import escape

from .cache import Memo, digest
from .content import Essay
from .errors import ContentError
from .indexer import BUNDLE, RunFailed, Runs, pagefind_version
from .mathtext import searchable
from .site import Site, human_date
from .urls import page_path

# A reader's query loads, from every shard, the index chunk holding the word (≈25 KB): so few
# shards, each small enough that re-indexing one hides behind the rest of an edit's rebuild.
# Pagefind takes ≈3.5 ms an essay: 128-essay shards (0.3–0.45 s) were the longest part of an
# edit at 200–1,000 essays, 64-essay shards (≈0.17 s) are not. Past MAX_SHARDS the shards grow
# instead: at 5,000 essays 16 shards of ≈310 (≈1.1 s to re-index one, beside the rest of that
# edit), and a query word costs a reader 16 chunks.
SHARD_SIZE = 64  # essays a shard holds on average, at most, until there are MAX_SHARDS
MAX_SHARDS = 16
SHARDS_FILE = f"{BUNDLE}/shards.json"


def search_of(site: Site, old: Memo, new: Memo) -> "Indexing":
    """The site's Indexing, started now (nothing to do with search off). Whoever holds it
    must cancel() it in the end, whatever happens."""
    return start_search(site, old, new) if site.config.search else Indexing(site, new)


def start_search(site: Site, old: Memo, new: Memo) -> "Indexing":
    """The shards' bundles: the last build's for each shard whose essays read the same,
    Pagefind runs started in the background for the others."""
    essays = {page_path(e.url): e for e in site.essays}
    known = {name: (key, files) for name, key, files in old.search}
    facts = (pagefind_version(), site.config.language)
    indexing = Indexing(site, new)
    for number, (bucket, paths) in enumerate(sharded(essays).items()):
        name, prefix = f"shard-{bucket}", "" if number == 0 else f"shard-{bucket}/"
        # A document follows from the site's language, the essay's key (everything rendering
        # read), its URL and its author's name and page: a shard's key hashes those, cheaper
        # than making the documents.
        keys = {path: f"{site.config.language}\0{essays[path].key}\0{author.name}\0{author.url}"
                for path in paths for author in [site.author_of(essays[path])]}
        key = digest(*facts, prefix, *(f"{path}\0{line}" for path, line in keys.items()))
        if known.get(name, ("",))[0] == key:
            indexing.keep(name, key, known[name][1])
        else:
            # Result URLs are site-relative (essays/x/ for essays/x/index.html, a .html
            # permalink as itself); the search script prefixes the base path. Documents
            # are made a shard at a time (5,000 essays' at once would be some 60 MB).
            indexing.index(name, key, [(path, _maker(essays[path], site)) for path in paths],
                           prefix)
    return indexing


def _maker(essay: Essay, site: Site):
    return lambda: index_document(essay, site)


def sharded(paths) -> dict[int, list[str]]:
    """The site paths by shard number, in order; shards left empty are left out."""
    count = shard_count(len(paths))
    shards: dict[int, list[str]] = {}
    for path in sorted(paths):
        shards.setdefault(int(digest(path)[:8], 16) % count, []).append(path)
    return dict(sorted(shards.items()))


def shard_count(essays: int) -> int:
    """The fewest shards, a power of two, that hold at most SHARD_SIZE essays on average (at
    most MAX_SHARDS)."""
    count = 1
    while essays > count * SHARD_SIZE and count < MAX_SHARDS:
        count *= 2
    return count


def index_document(essay: Essay, site: Site) -> bytes:
    """What Pagefind reads of an essay: the text a reader searches (title, dek, body) marked
    as the body, the date as metadata, and the filters (marked ignored: not text to find)."""
    author = site.author_of(essay)
    filters = ([("author", author.name)] if author.url else []) + \
        ([("category", essay.category)] if essay.category else []) + \
        [("tag", tag) for tag in essay.tags]
    marks = "".join(f'<span data-pagefind-filter="{kind}">{escape(value)}</span>'
                    for kind, value in filters)
    dek = f"<p>{escape(essay.dek)}</p>\n" if essay.dek else ""
    document = (f'<!doctype html>\n<html lang="{escape(site.config.language)}">\n<body>\n'
                f"<article data-pagefind-body>\n"
                f'<h1 data-pagefind-weight="10" data-pagefind-meta="title">'
                f"{escape(essay.title)}</h1>\n{dek}"
                f'<p data-pagefind-ignore><span data-pagefind-meta="date">'
                f"{human_date(essay.date)}</span>{marks}</p>\n"
                f"{essay.html}\n</article>\n</body>\n</html>\n").encode()
    return searchable(document)  # each expression an ellipsis (mathtext.searchable)


class Indexing:
    """The shards of one build: kept from the last build or being indexed; result() waits for
    the runs and returns every file of site/pagefind/."""

    def __init__(self, site: Site, new: Memo):
        self.site, self.new = site, new
        self.shards: list[tuple[str, str, dict | None]] = []  # (name, key, files if kept)
        self.runs: Runs | None = None

    def keep(self, name: str, key: str, files: dict[str, bytes]) -> None:
        self.shards.append((name, key, files))

    def index(self, name: str, key: str, documents, prefix: str) -> None:
        if self.runs is None:
            self.runs = Runs(self.site.config.language)
        self.runs.start(name, documents, prefix, shared=not prefix)
        self.shards.append((name, key, None))

    def result(self) -> dict[str, bytes]:
        done = [(name, key, files if files is not None else self._bundle(name))
                for name, key, files in self.shards]
        self.new.search = tuple(done)
        self.new.dirty |= self.runs is not None
        if not done:
            return {}
        files = {path: data for _, _, bundle in done for path, data in bundle.items()}
        merged = [f"{name}/" for name, _, _ in done[1:]]
        files[SHARDS_FILE] = (json.dumps({"shards": merged}) + "\n").encode("utf-8")
        return files

    def kept_paths(self) -> list[str]:
        """The files of the shards kept from the last build: the same bytes it published."""
        return [path for _, _, files in self.shards if files is not None for path in files]

    def promised(self) -> list[str]:
        """Paths that will be among result()'s files."""
        return [SHARDS_FILE] if self.shards else []

    def cancel(self) -> None:
        """Stop Pagefind where it still runs and remove its folder (safe to repeat)."""
        if self.runs:
            self.runs.cancel()

    def _bundle(self, name: str) -> dict[str, bytes]:
        try:
            return self.runs.bundle(name)
        except RunFailed as failed:
            raise ContentError(self.site.config.root / "pyproject.toml", 1,
                               f"the search index could not be built ({failed}); "
                               "reinstall 'pagefind[bin]', or set search = false in "
                               "[tool.longform]") from None

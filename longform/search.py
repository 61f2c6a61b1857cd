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
from concurrent.futures import as_completed
from html import escape

from .cache import Memo, digest
from .content import Essay
from .errors import ContentError
from .indexer import BUNDLE, RunFailed, Runs, pagefind_version
from .mathtext import searchable
from .site import Site, human_date, site_authors
from .urls import page_path

# A reader's query loads, from every shard, the index chunk holding the word: so few shards,
# each small enough that re-indexing one hides behind the rest of an edit's rebuild. Pagefind
# takes ≈3.5 ms an essay: 128-essay shards (0.3–0.45 s) were the longest part of an edit at
# 200–1,000 essays, and at 200 essays the 4 shards of 50 still were (0.17 s of a 0.5 s edit);
# 8 shards of 25 took an edit there from 544 to 464 ms (medians of 16, interleaved), while a
# reader's first results, on a 150 ms, 1.6 MB/s line from an HTTP/1.1 host, came 28 ms later
# (1,385 → 1,413 ms). MAX_SHARDS holds what a reader pays on a big site: 32 shards at 1,000
# essays cost that reader 260 ms more than 16 (2,404 → 2,663 ms). Past it the shards grow
# instead: at 5,000 essays 16 shards of ≈310 (≈1.1 s to re-index one, beside the rest of
# that edit).
SHARD_SIZE = 32  # essays a shard holds on average, at most, until there are MAX_SHARDS
MAX_SHARDS = 16
SHARDS_FILE = f"{BUNDLE}/shards.json"


def search_of(site: Site, old: Memo, new: Memo, early: "Early | None" = None) -> "Indexing":
    """The site's Indexing, started now (nothing to do with search off), taking over the
    shard `early` started when it indexes what the site's essays say. Whoever holds it must
    cancel() it in the end, whatever happens."""
    if not site.config.search:
        return Indexing(site, new)
    return start_search(site, old, new, early)


def start_search(site: Site, old: Memo, new: Memo, early: "Early | None" = None) -> "Indexing":
    """The shards' bundles: the last build's for each shard whose essays read the same,
    Pagefind runs started in the background for the others."""
    essays = {page_path(e.url): e for e in site.essays}
    known = {name: (key, files) for name, key, files in old.search}
    facts = (pagefind_version(), site.config.language)
    indexing = Indexing(site, new)
    shards = []
    for number, (bucket, paths) in enumerate(sharded(essays).items()):
        name, prefix = shard_name(number, bucket)
        key = shard_key(facts, prefix, {path: document_line(site.config.language, essays[path],
                                                             site.author_of(essays[path]))
                                        for path in paths})
        shards.append((name, key, paths, prefix))
    if early is not None:
        indexing.runs = early.taken_over({name: key for name, key, _, _ in shards})
    for name, key, paths, prefix in shards:
        if known.get(name, ("",))[0] == key:
            indexing.keep(name, key, known[name][1])
        elif indexing.runs is not None and name in indexing.runs.jobs:
            indexing.shards.append((name, key, None))  # started early, with these documents
        else:
            # Result URLs are site-relative (essays/x/ for essays/x/index.html, a .html
            # permalink as itself); the search script prefixes the base path. Documents
            # are made a shard at a time (5,000 essays' at once would be some 60 MB).
            indexing.index(name, key, [(path, _maker(essays[path], site.author_of(
                essays[path]), site.config.language)) for path in paths], prefix)
    return indexing


def shard_name(number: int, bucket: int) -> tuple[str, str]:
    """A shard's name and the folder of pagefind/ its files go in: the first shard's at its
    root (the script and WebAssembly all shards share), the others' in their own."""
    return f"shard-{bucket}", "" if number == 0 else f"shard-{bucket}/"


def document_line(language: str, essay: Essay, author) -> str:
    """What an essay's document follows from: the site's language, the essay's key
    (everything rendering read), its author's name and page (a string: a hash per essay cost
    15 ms of every edit at 1,000 essays)."""
    return f"{language}\0{essay.key}\0{author.name}\0{author.url}"


def shard_key(facts: tuple, prefix: str, lines: dict[str, str]) -> str:
    """A shard's key: its documents' lines by path, hashed, cheaper than the documents."""
    return digest(*facts, prefix, *(f"{path}\0{line}" for path, line in lines.items()))


def _maker(essay: Essay, author, language: str):
    return lambda: index_document(essay, author, language)


class Early:
    """An edit's shard indexed as soon as its essays are rendered, before the site is put
    together: Pagefind's run is the longest part of an edit, and the 20-40 ms between the
    rendering and start_search delayed it. prepare() writes the documents of the shard's
    unchanged essays (from the last build's renderings, while the render worker works),
    launch() those of the rendered essays and starts Pagefind. start_search takes the run over
    only where the shard's key, worked out from the assembled site, is the one the run's
    documents gave; otherwise the run is stopped and the shard indexed as always."""

    MOST = 8  # essays rendered: an edit, a few saves, not a new site

    def __init__(self, config, essays: list[Essay], links, authors: dict):
        self.config, self.essays, self.authors = config, essays, authors
        self.language = config.language
        self.base = len(config.base_path)
        self.links = links
        self.author_of = None  # made by prepare(), for a rebuild it starts a run for
        self.runs: Runs | None = None
        self.shard: tuple | None = None  # (name, prefix, paths, lines so far)
        self.key = ""  # the started shard's

    def prepare(self, kept: dict, rendering: list[Essay]) -> None:
        """Write the documents of the kept renderings (source → Essay) that share a shard
        with the essays being rendered, when those are few and all in one shard. Once: a
        second call (the render worker failed after its caller ran the first) does nothing."""
        if self.shard is not None or not 0 < len(rendering) <= self.MOST:
            return
        paths = {self._path(source): source for source in [*kept, *(e.source for e in
                                                                     rendering)]}
        shards = list(sharded(paths).items())
        changed = {self._path(e.source) for e in rendering}
        touched = [(n, bucket, shard) for n, (bucket, shard) in enumerate(shards)
                   if changed & set(shard)]
        if len(touched) != 1:
            return
        number, bucket, shard = touched[0]
        name, prefix = shard_name(number, bucket)
        lookup = Site(config=self.config, essays=(), authors=site_authors(
            self.essays, self.authors, self.config), tags=(), categories=(), related={})
        self.author_of = lookup.author_of
        self.runs = Runs(self.language)
        self.shard = (name, prefix, shard, {})
        documents = []
        for path in shard:
            essay = kept.get(paths[path])
            if essay is None:
                # An empty file where the rendered essay's will go: Pagefind numbers the pages
                # in the order the scratch folder lists them, which on a memory file system
                # is the order they were made in, and a cold build makes them in path order.
                documents.append((path, lambda: b""))
                continue
            author = self.author_of(essay)
            self.shard[3][path] = document_line(self.language, essay, author)
            documents.append((path, _maker(essay, author, self.language)))
        self.runs.prepare(name, documents)

    def launch(self, rendered: list[Essay]) -> None:
        """Write the rendered essays' documents and start Pagefind on the shard."""
        if self.runs is None:
            return
        name, prefix, shard, lines = self.shard
        documents = []
        for essay in rendered:
            path = self._path(essay.source)
            author = self.author_of(essay)
            lines[path] = document_line(self.language, essay, author)
            documents.append((path, _maker(essay, author, self.language)))
        if set(lines) != set(shard):  # an essay failed: no run to take over
            self.cancel()
            return
        self.runs.start(name, documents, prefix, shared=not prefix)
        self.key = shard_key((pagefind_version(), self.language), prefix,
                             {path: lines[path] for path in shard})

    def taken_over(self, keys: dict[str, str]) -> "Runs | None":
        """The runs, handed over, when the started shard's key is the site's; else None."""
        runs, self.runs = self.runs, None
        if runs is None or not runs.jobs or keys.get(self.shard[0]) != self.key:
            if runs is not None:
                runs.cancel()
            return None
        return runs

    def cancel(self) -> None:
        """Stop the run, unless start_search took it over (safe to repeat)."""
        if self.runs is not None:
            self.runs.cancel()
            self.runs = None

    def _path(self, source) -> str:
        return page_path(self.links.essay_urls[source][self.base:])


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


def index_document(essay: Essay, author, language: str) -> bytes:
    """What Pagefind reads of an essay: the text a reader searches (title, dek, body) marked
    as the body, the date as metadata, and the filters (marked ignored: not text to find)."""
    filters = ([("author", author.name)] if author.url else []) + \
        ([("category", essay.category)] if essay.category else []) + \
        [("tag", tag) for tag in essay.tags]
    marks = "".join(f'<span data-pagefind-filter="{kind}">{escape(value)}</span>'
                    for kind, value in filters)
    dek = f"<p>{escape(essay.dek)}</p>\n" if essay.dek else ""
    document = (f'<!doctype html>\n<html lang="{escape(language)}">\n<body>\n'
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
        return {path: data for part in self.results() for path, data in part.items()}

    def results(self):
        """result()'s files a part at a time, each as soon as it is ready: the kept shards'
        bundles, each indexed shard's as its run ends, then the list of shards."""
        bundles = {name: files for name, _, files in self.shards if files is not None}
        yield from bundles.values()
        running = {self.runs.jobs[name]: name for name, _, files in self.shards
                   if files is None}
        for run in as_completed(running):
            bundles[running[run]] = self._bundle(running[run])
            yield bundles[running[run]]
        done = [(name, key, bundles[name]) for name, key, _ in self.shards]
        self.new.search = tuple(done)
        self.new.dirty |= self.runs is not None
        if done:
            merged = [f"{name}/" for name, _, _ in done[1:]]
            yield {SHARDS_FILE: (json.dumps({"shards": merged}) + "\n").encode("utf-8")}

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

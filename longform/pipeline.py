"""One run of the pipeline: load → render → assemble the site → render pages → output files.

Each stage consults the previous run's Memo (cache.py) and does only the work whose inputs
changed; the Build it returns carries the Memo for the next run.
"""

import functools
import importlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from . import publish
from .cache import RACY_NS, Memo, code_version, digest, file_hash, rest_loaded, stat_signature
from .cards import cache_cards, card_files, card_job
from .config import SiteConfig
from .content import Essay, essay_files, load_authors, load_essay, read_text, with_text
from .errors import ContentError, ContentWarning, Problems, problems_found, problems_in
from .frontmatter import key_lines
from .lastbuild import files_now
from .links import Scanner
from .lint import (
    is_scheduled,
    link_problems,
    remember_review,
    review,
    with_stand_ins,
)
from .renderworker import POOL_THRESHOLD, rendered_or_error
from .search import Early, search_of
from .site import Site, assemble_site, newest_first, place, summary
from .urls import Links, address_map, essay_url


@dataclass(frozen=True)
class Build:
    """Everything one run produced: the site as data, its files, and what to tell the writer."""

    site: Site
    files: dict  # output path → bytes
    warnings: tuple[ContentWarning, ...]
    memo: Memo = field(default_factory=Memo)
    rendered: int = 0  # essays rendered (the rest came from the cache)
    pages_rendered: int = 0
    kept: frozenset = frozenset()  # output paths whose bytes are the previous build's
    search: object = None  # a search.Indexing still at work (build's search_later)
    # The output folder's files as this build found them (path → stat), for publish, which
    # would otherwise list its thousand folders again; None without an output folder.
    listed: dict | None = None

    @property
    def changed_memo(self) -> bool:
        return bool(self.rendered or self.pages_rendered) or self.memo.dirty


def build(config: SiteConfig, memo: Memo | None = None, progress=None,
          every_page: bool = False, out: tuple = (None, {}, None), search_later: bool = False,
          hashed: dict | None = None, worker=None) -> Build:
    """progress, if given, is called as progress(done, total) while essays render. Raises
    Problems with every error and warning of the run when there is any error. `out`:
    (out_dir, {path: (size, mtime)} the last build left there, {folder: mtime} as it left
    them or None), where a page whose inputs did not change is taken from as it is, when the
    memo holds no bytes for it (what is in the folder is looked up once, here: Build.listed).
    search_later: the search index is left to Build.search (the caller waits for it while
    publishing the rest, and must stop it), not waited for here. `hashed`: the input files'
    (stat signature, sha256) as the whole-build check just took them (lastbuild), so that
    checking cached renderings against the files they read (images, chart data) reads none
    of those again: a site's photos are hundreds of megabytes. `worker`: a
    renderworker.Worker for the few essays a rebuild renders, if the caller forked one."""
    version = code_version()
    old = memo if memo is not None and memo.version == version else Memo(version=version)
    new = Memo(version=version)
    problems: list = []
    warm = functools.partial(_warm_pool, config.content_dir, config.charts_dir)
    essays = load_essays(config.content_dir, old, new, problems, meanwhile=warm)
    failed = {p.path for p in problems}  # left out, but links to them are not dead links
    today = date.today()
    published = [e for e in essays if e.source not in failed and
                 (config.include_drafts or not (e.draft or is_scheduled(e, today)))]
    if not published:
        config = replace(config, search=False)  # nothing to search: no box, no search page
    links = essay_links(essays, published, config, failed)
    if old.texts is not None:
        old.texts.recover = functools.partial(text_again, links=links, config=config)
    early, indexing, handed_over, listed = None, None, False, None
    try:
        authors = load_authors(config.content_dir)
        if config.search:
            early = Early(config, published, links, authors)
        rendered, fresh = render_essays(published, links, config, old, new, progress, problems,
                                        hashed, worker, early)
        rest_loaded(old)  # an edit's Pagefind run has started: what the steps below read
        problems += [p for e in rendered for p in e.problems]
        placed = placed_in_order(rendered, config, old, new, links)
        site = assemble_site(placed, authors, {}, config,
                             summaries(placed, old, new))
        # Pagefind indexes the essays (from their records) meanwhile, on the other core:
        # started before the related scoring, as an edit's shard takes longest of all.
        indexing = search_of(site, old, new, early)
        # Jinja and the page stages are imported only now, after Pagefind has started (its
        # re-indexing of an edited essay's shard is the longest part of an edit), unless a
        # render worker gave the time to import them while it rendered (_page_modules).
        from .outputs import output_files
        from .render import site_pages
        site = replace(site, related=related(placed, old, new))
        pages = site_pages(site)
        listed = _files_in(out, worker)
        files, pages_rendered = output_files(site, pages, old, new,
                                             (*out[:2], listed or {}))
        files.update(card_files(site.essays, config))
        scanner = Scanner(old.scans, new.scans, new.scanned)
        broken, reviewed = review(essays, site, with_stand_ins(files, problems, links),
                                  pages, every_page, scanner)
        problems += link_problems(broken, config) + reviewed
        if not problems_in(problems) and not search_later:
            files.update(indexing.result())
        handed_over = search_later and not problems_in(problems)
    except ContentError as err:
        problems.append(err)
    except Problems as found:
        problems += found.problems
    finally:
        # Pagefind's runs and folder go, unless the caller takes them to wait for.
        if indexing is not None and not handed_over:
            indexing.cancel()
        if early is not None:
            early.cancel()
    problems_found(problems)
    # The search index's folder has its own rule in _headers: one of its paths stands for it.
    files["_headers"] = publish.host_headers({**files, **dict.fromkeys(indexing.promised())})
    warnings = tuple(sorted((p for p in problems if isinstance(p, ContentWarning)),
                            key=lambda p: (str(p.path), p.line)))
    kept = frozenset([*(path for path, (key, _) in new.pages.items()
                        if old.pages.get(path, ("",))[0] == key), *indexing.kept_paths()])
    return Build(site, files, warnings, new, fresh, pages_rendered, kept,
                 indexing if search_later else None, listed)


def _files_in(out: tuple, worker) -> dict | None:
    """What is in the output folder now, as lastbuild.files_now tells: seen by the render
    worker, if there is one, on its core."""
    if out[0] is None:
        return None
    seen = worker.files_there() if worker is not None else None
    return seen if seen is not None else files_now(*out)


def load_essays(content_dir: Path, old: Memo, new: Memo, problems: list | None = None,
                meanwhile: Callable | None = None) -> list[Essay]:
    """Every essay file as a record (re-parsed only when its bytes changed); slugs are unique.
    With a problems list, an essay that fails is noted there and left out; else it raises.
    `meanwhile()`, if given, runs while a forked process parses a new site's files."""
    essays = []
    settled = time.time_ns() - RACY_NS
    paths = essay_files(content_dir, old.loaded)
    unknown = [path for path in paths if path not in old.loaded]
    # A new site's files, parsed here and in a forked process (1.4 s at 5,000 essays, before
    # anything else can start); a known file is parsed only when it changed.
    fresh = _parsed_in_two(unknown, meanwhile) if len(unknown) >= LOAD_POOL_THRESHOLD else {}
    new.dirty |= bool(fresh)
    for path in paths:
        signature = stat_signature(path)
        known = old.loaded.get(path)
        if not (known and signature and old.stats.get(path) == (signature, known[0])):
            try:
                known = _loaded(path, known, new) if path not in fresh else fresh[path]
                if isinstance(known, ContentError):
                    raise known
            except ContentError as err:
                if problems is None:
                    raise
                problems.append(err)
                continue
        new.loaded[path] = known
        if signature and signature[0] < settled:
            new.stats[path] = (signature, known[0])
        essays.append(known[1])
    clashes = slug_clashes(essays, content_dir)
    if clashes and problems is None:
        raise clashes[0]
    if problems is not None:
        problems += clashes
    return essays


LOAD_POOL_THRESHOLD = 400  # new essay files to parse before a second process pays for itself


def _parsed_in_two(paths: list[Path], meanwhile: Callable | None = None) -> dict:
    """path → (text hash, essay, warnings), or the ContentError parsing it raised: each of
    this process and a forked one takes the next slice of the files (pagepool), this one
    after running `meanwhile()`, if given."""
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return {}
    from .pagepool import rendered_across
    return dict(zip(paths, rendered_across(_parsed, paths, 1, meanwhile), strict=True))


def _parsed(path: Path) -> tuple | ContentError:
    try:
        return _loaded(path, None, Memo())
    except ContentError as err:
        return err


def _warm_pool(content_dir: Path, charts_dir: Path) -> None:
    """What the render pool's workers inherit, made before they fork: Pillow imported (the
    cards) and a Markdown instance built and run once, its patterns compiled, and those kept
    for the next build (regexcache.py): a worker's would be lost with it. Run while a new
    site's files are parsed (it takes 0.1 s), as it is what a new site's rendering waits on."""
    from . import cardimage  # noqa: F401
    from .markdown import warmed
    warmed(content_dir, charts_dir)


def _loaded(path: Path, known: tuple | None, new: Memo) -> tuple:
    """(text hash, essay, warnings) for the file as it is now, parsing only changed bytes."""
    text = read_text(path)
    text_hash = digest(text)
    if known and known[0] == text_hash:
        return known
    essay = load_essay(path, text)
    new.dirty = True
    return (text_hash, essay, ())


def slug_clashes(essays: list[Essay], content_dir: Path) -> list[ContentError]:
    """An error for each essay whose slug an earlier essay already took."""
    seen: dict[str, Essay] = {}
    clashes = []
    for essay in essays:
        other = seen.setdefault(essay.slug, essay)
        if other is not essay:
            where = other.source.relative_to(content_dir).as_posix()
            line = key_lines(read_text(essay.source)).get("slug", 1)
            clashes.append(ContentError(essay.source, line, f"slug '{essay.slug}' is also used "
                                                            f"by {where}; give one of them a "
                                                            "different 'slug:'"))
    return clashes


def essay_links(essays: list[Essay], published: list[Essay], config: SiteConfig,
                failed=frozenset()):
    """What links resolve to; an essay that failed keeps the URL its file name gives, so a
    link to it is not reported as dead as well."""
    from .content import _from_file_name, slugify
    base_path = config.base_path  # a property that parses base_url each time
    # A failed essay has no record to place: any URL will do, the build fails on it anyway.
    urls = {path: f"{base_path}essays/{slugify(_from_file_name(path)[1])}/" for path in failed
            if path.suffix in (".md", ".markdown")}
    urls.update((e.source, base_path + essay_url(e, config)) for e in published)
    drafts = frozenset(e.source for e in essays if e.source not in failed) - set(urls)
    return Links(urls, drafts, config.content_dir, base_path,
                 address_map(published, config, urls), config)


def render_essays(essays: list[Essay], links, config: SiteConfig, old: Memo, new: Memo,
                  progress=None, problems: list | None = None, hashed: dict | None = None,
                  worker=None, early=None) -> tuple[list[Essay], int]:
    """Rendered essays in input order, reusing every cached rendering whose inputs still hold.
    An essay that fails goes into problems and is left out (without problems, it raises).
    `early`: a search.Early, handed the essays around their rendering."""
    # Where the file lies is an input too: the slug and a Jekyll date come from its name, media
    # links resolve from its folder, and the key stands for the whole Essay in page
    # fingerprints, so a renamed or moved essay must get a new key.
    prefix = len(str(config.content_dir)) + 1  # essay_files' paths all start with it
    site_facts = (config.base_url, config.title, config.description, config.broken_links)
    inputs = {e.source: (new.loaded[e.source][0], str(e.source)[prefix:].replace(os.sep, "/"),
                         config.base_path, site_facts) for e in essays}
    still = Validity(links, hashed or {})
    reusable = {e.source: old.rendered[e.source] for e in essays
                if still.valid(old.rendered.get(e.source), inputs[e.source])}
    misses = [with_text(e) for e in essays if e.source not in reusable]
    prepare = None if early is None else functools.partial(
        early.prepare, {source: rendering[2] for source, rendering in reusable.items()}, misses)
    results = _render_all(misses, links, config, worker, prepare)
    for done, (essay, outcome) in enumerate(zip(misses, results, strict=True), 1):
        if progress:
            progress(done, len(misses))
        if isinstance(outcome, ContentError):
            if problems is None:
                raise outcome
            problems.append(outcome)
            continue
        result, deps, reviewed = outcome
        key = digest(*inputs[essay.source][:3], repr(inputs[essay.source][3]), new.version,
                     repr(deps))
        # The worker's copy of the text is dropped for ours: one copy a body, not two.
        reusable[essay.source] = (inputs[essay.source], deps,
                                  replace(result, key=key, body_md=essay.body_md))
        remember_review(new, key, reviewed)
    new.rendered.update((e.source, reusable[e.source]) for e in essays if e.source in reusable)
    if early is not None:
        early.launch([reusable[e.source][2] for e in misses if e.source in reusable])
    return [reusable[e.source][2] for e in essays if e.source in reusable], len(misses)


def text_again(source: Path, text_hash: str, links, config: SiteConfig) -> dict:
    """The text fields of a cached rendering whose text the cache file no longer has (see
    cache.Texts): the essay read and rendered again, which gives the same text while its file
    is the one that rendering read."""
    from .content import TEXT_FIELDS
    from .markdown import rendered
    text = read_text(source)
    if digest(text) != text_hash:
        raise ContentError(source, 1, "the file changed while the site was being built; "
                                      "build again")
    essay = load_essay(source, text)
    result, _ = rendered(essay, links, config.charts_dir, config.cache_dir)
    result = replace(result, body_md=essay.body_md)
    return {name: getattr(result, name) for name in TEXT_FIELDS}


class Validity:
    """Whether a cached rendering's links and files still hold, each file hashed once a build
    however many essays read it (one data file can feed a hundred charts)."""

    def __init__(self, links, hashed: dict):
        self.urls = {str(path): url for path, url in links.essay_urls.items()}
        self.addresses = links.addresses
        # An unreadable file's entry is no hash, so it cannot match: the essay renders again
        # and says why at its line.
        self.hashes: dict[str, str | None] = {path: digest for path, (_, digest)
                                               in hashed.items()}
        self.links = links

    def valid(self, entry, inputs: tuple) -> bool:
        if entry is None or entry[0] != inputs:
            return False
        return all(self._holds(kind, target, known) for kind, target, known in entry[1])

    def _holds(self, kind: str, target: str, known) -> bool:
        if kind == "link":
            return self.urls.get(target) == known
        if kind == "address":
            return self.addresses.get(target) == known
        if kind == "names":
            from .dialects.essays import names_digest
            return names_digest(self.links) == known
        if target not in self.hashes:
            self.hashes[target] = file_hash(Path(target))
        return self.hashes[target] == known


def _render_all(essays: list[Essay], links, config: SiteConfig, worker=None,
                first: Callable | None = None):
    """(rendered essay, deps, its lint.essay_review) or the error, for each essay, in order.
    `first()`, if given, runs before the essays render, or while a worker renders them."""
    cache_dir = config.cache_dir
    if worker is not None and 0 < len(essays) < POOL_THRESHOLD:
        outcomes = worker.rendered(essays, (links, config.charts_dir, cache_dir),
                                   meanwhile=first, spare=_page_modules())
        if outcomes is not None:
            yield from outcomes
            return
    if first is not None:
        first()  # again, if the worker failed after running it: a second call does nothing
    if len(essays) < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield from (rendered_or_error(e, links, config.charts_dir, cache_dir) for e in essays)
        return
    # fork: workers inherit the imported modules and the link table (thousands of entries),
    # so each job carries only its essay. (Imported here: a rebuild of a few essays needs no
    # pool, nor the 0.03 s these imports cost.)
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    _warm_pool(config.content_dir, config.charts_dir)  # done already, if load_essays did it
    with ProcessPoolExecutor(os.cpu_count(), mp_context=get_context("fork"), initializer=_adopt,
                             initargs=(links, config.charts_dir, cache_dir)) as pool:
        # Chunks of 4: the last ones, rendered while the other worker has none left, are
        # short (chunks of 16 kept the pool's cores 1.94-1.96 busy at 1,000 essays, 1.98).
        cards, host = [], urlsplit(config.base_url).netloc
        for outcome in pool.map(_render_job, essays, chunksize=max(1, min(4, len(essays) // 64))):
            if not isinstance(outcome, ContentError) and (job := card_job(outcome[0], config,
                                                                          host)):
                cards.append(job)
            yield outcome
        # The cards after the essays, a batch a job (see cards.cache_cards): the caller reads
        # this generator to its end (render_essays' zip is strict), so they are drawn by then.
        batches = (os.cpu_count() or 1) * 4
        list(pool.map(_cards_job, [cards[start::batches] for start in range(batches)]))


def _page_modules() -> list[Callable]:
    """Imports of what renders the pages (Jinja, 30 ms of them), for the render worker's spare
    time: after the rendering, they would hold up the pages, which Pagefind's run on the other
    core is racing by then; but once the rendered essays are in, Pagefind's start comes first."""
    return [functools.partial(importlib.import_module, name)
            for name in ("jinja2", "longform.render", "longform.outputs")]


_adopted: tuple = ()  # what one rendering worker process was handed when it started


def _adopt(*shared) -> None:
    global _adopted
    _adopted = shared


def _render_job(essay: Essay):
    return rendered_or_error(essay, *_adopted, card=False)


def _cards_job(jobs: list[tuple[str, ...]]) -> None:
    cache_cards(jobs, _adopted[2])  # _adopted: the links, the charts' folder, the cache's


def placed_in_order(rendered: list[Essay], config: SiteConfig, old: Memo, new: Memo,
                    links: Links | None = None) -> list[Essay]:
    """site.placed_essays, reusing each essay's placing while its key and the reading speed
    hold: a thousand dataclass copies cost more than the one essay that changed. Each URL is
    the one essay_links gave the essay (`links`), not worked out again."""
    placed = []
    urls = links.essay_urls if links is not None else {}
    base = len(config.base_path)
    for essay in rendered:
        key = (essay.key, config.words_per_minute, config.permalink)
        known = old.placed.get(key)
        if known is None:
            url = urls.get(essay.source)
            known = place(essay, config, url[base:] if url is not None else None)
        new.placed[key] = known
        placed.append(known)
    return newest_first(placed)


def summaries(placed: list[Essay], old: Memo, new: Memo) -> dict:
    """Each essay as listings show it, kept while its content and read time stay the same."""
    result = {}
    for essay in placed:
        key = (essay.key, essay.read_minutes, essay.url)
        new.summaries[key] = old.summaries.get(key) or summary(essay)
        result[essay.slug] = new.summaries[key]
    return result


def related(placed: list[Essay], old: Memo, new: Memo) -> dict:
    """Related slugs per essay; after an edit only the scores it can move are recomputed."""
    from .related import scores  # imports numpy (scipy for huge vocabularies) only for work
    new.related = scores(placed, old.related)
    new.dirty |= new.related is not old.related
    return new.related.related

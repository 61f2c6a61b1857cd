"""A render worker for a rebuild of a few essays, forked before the memo is read.

Rendering an edited essay needs Python-Markdown, pymdown's extensions and Pygments: importing
and setting them up takes longer than the rendering itself, and it stood between reading the
memo and starting Pagefind on the essay's shard, the longest part of an edit. Forked as the
build starts, the worker does that on the other core while the main process reads the memo,
then renders what it is sent (pipeline._render_all). It also looks at what the last build
left in the output folder (lastbuild.files_now: some 20 ms of stat calls at 1,000 essays, which
the main process, busy beside Pagefind by then, would make later): while it waits for its job,
or after sending the rendered essays back when the job came first. If anything is wrong with
it (it died, a pipe broke), the caller renders the essays and looks at the folder itself, as
without it.
"""

import os
import pickle
import threading
from pathlib import Path
from typing import NamedTuple

from .memorows import dumps  # a Path as its string: the links name a thousand essay files

JOB_PIPE_BYTES = 1 << 20  # Linux's most for an unprivileged process (fs.pipe-max-size)
POOL_THRESHOLD = 24  # below this many essays to render, a process pool costs more than it saves
STAT_SLICE = 400  # files or folders stat-ed between two looks at the job pipe (some 2 ms)


def worker_for(content_dir: Path, charts_dir: Path, last_inputs: dict | None, inputs: dict,
               most: int = POOL_THRESHOLD, out: tuple | None = None) -> "Worker | None":
    """A worker, when fewer than `most` essay files are new or changed since the last build
    (by the input files' hashes lastbuild took, then and now) but some are; None otherwise,
    or where forking is unsafe (another thread could hold a lock the child would wait on
    forever). `out`: lastbuild.files_now's arguments, for the worker to look with."""
    if not last_inputs or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    folder = os.path.join(content_dir, "")
    changed = sum(1 for path, now in inputs.items()
                  if path.startswith(folder) and path.endswith((".md", ".markdown"))
                  and last_inputs.get(path, (None, None))[1] != now[1])
    return Worker(content_dir, charts_dir, out) if 0 < changed < most else None


class Seen(NamedTuple):
    """A file's size and mtime under os.stat's names: what publish and outputs read of the
    stat of a file in the output folder."""
    st_size: int
    st_mtime_ns: int


class Worker:
    """The forked worker: rendered() hands it the essays once; close() ends it (safe to
    repeat). After rendered(), files_there() is lastbuild.files_now(*out) as the worker saw
    it (values: Seen), or None if it was not asked or could not tell."""

    def __init__(self, content_dir: Path, charts_dir: Path, out: tuple | None = None):
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        _widened(jobs_write)
        self.out = out
        self.answered = False  # rendered() had the outcomes: what it saw comes next
        self.pid = os.fork()
        if self.pid == 0:
            os.close(jobs_write)
            os.close(results_read)
            os._exit(_work(jobs_read, results_write, content_dir, charts_dir, out))
        os.close(jobs_read)
        os.close(results_write)
        self.jobs, self.results = os.fdopen(jobs_write, "wb"), os.fdopen(results_read, "rb")

    def rendered(self, essays: list, shared: tuple, meanwhile=None, spare=()) -> list | None:
        """rendered_or_error(essay, *shared) of each essay, or None if the worker
        could not give them. `meanwhile()`, if given, runs here while the worker renders; then
        the calls in `spare`, one by one, until the worker's answer is in (work the caller
        would do later anyway)."""
        try:
            self.jobs.write(dumps((essays, shared)))
            self.jobs.close()
            if meanwhile is not None:
                meanwhile()
            for call in spare:
                if _waiting(self.results.fileno()):
                    break
                call()
            outcomes = pickle.load(self.results)
        except Exception:  # noqa: BLE001 — whatever went wrong, the caller renders them
            outcomes = None
        if type(outcomes) is list and len(outcomes) == len(essays):
            self.answered = True
            return outcomes
        self.close()
        return None

    def files_there(self) -> dict | None:
        if not self.answered:
            return None
        try:
            seen = pickle.load(self.results) if self.out is not None else None
        except Exception:  # noqa: BLE001 — the caller looks at the folder itself
            seen = None
        self.close()
        if seen is None:
            return None
        # True: just the files the last build left, as it left them (the usual answer, sent
        # in a byte instead of some 5,000 entries).
        found = self.out[1] if seen is True else seen
        return {path: Seen(size, mtime) for path, (size, mtime) in found.items()}

    def close(self) -> None:
        self.answered = False
        for pipe in (self.jobs, self.results):
            pipe.close()
        if self.pid:
            os.waitpid(self.pid, 0)  # it leaves once its jobs pipe is closed
            self.pid = 0


def rendered_or_error(essay, *shared, card: bool = True):
    """(rendered essay, deps, its lint.essay_review), or the ContentError that stopped it: one
    essay's error must not stop the others (and a pool's map would stop at the first one).
    Scanning the HTML here, while the worker holds it, spreads the link check's and the
    warnings' parsing over the workers instead of leaving it to the main process after them;
    so does drawing the essay's social card into the cache, where card_files then finds it
    (unless `card` is False: a pool draws its cards after all the essays). Here, not in the
    pipeline: a rebuild's worker, forked before the pipeline is imported, imports only what
    rendering needs."""
    from dataclasses import replace

    from .cards import cache_card
    from .errors import ContentError
    from .lint import essay_review
    from .markdown import rendered
    from .variants import variant_names
    try:
        result, deps = rendered(essay, *shared)
    except ContentError as err:
        return err
    result = replace(result, variants=variant_names(result.html))
    if card:
        cache_card(result, shared[0].config)  # shared: the links (with the config), charts, cache
    # The text goes back without its Markdown (render_essays puts the caller's copy back):
    # from a worker it would be pickled and unpickled for nothing, half of what it sends.
    return replace(result, body_md=""), deps, essay_review(result)


def _widened(pipe: int) -> None:
    """Let the pipe hold a whole job (the link table: 84 KB at 1,000 essays, a pipe's default
    is 64 KB), so that the caller's write returns at once and it gets on with its `meanwhile`
    while the worker is still warming up, instead of waiting for it to read. Linux only; a
    narrower pipe works all the same, later."""
    try:
        import fcntl
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, JOB_PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _work(jobs: int, results: int, content_dir: Path, charts_dir: Path,
          out: tuple | None) -> int:
    """The worker's life: warm up, render what it is sent (nothing if the pipe closes empty),
    send back the outcomes, then what it saw of the output folder; the exit status. The folder
    is looked at, a slice at a time, while the job is on its way; what is left of the look
    after the outcomes are sent: the rendered essay is what the caller waits on."""
    try:
        from .markdown import warmed
        warmed(content_dir, charts_dir)
        look = _look(out) if out is not None else iter(())
        seen = None
        for seen in look:
            if seen is not None or _waiting(jobs):
                break
        with os.fdopen(jobs, "rb") as source:
            job = source.read()
        if not job:
            return 0
        essays, shared = pickle.loads(job)
        outcomes = [rendered_or_error(essay, *shared) for essay in essays]
        with os.fdopen(results, "wb") as sink:
            sink.write(dumps(outcomes))
            if out is not None:
                sink.flush()
                while seen is None:
                    seen = next(look)
                sink.write(dumps(seen))
        return 0
    except BaseException:  # noqa: BLE001 — the parent sees an empty answer and renders
        return 1


def _waiting(pipe: int) -> bool:
    """Whether the pipe has something to read (or is closed) already."""
    import select
    return bool(select.select([pipe], [], [], 0)[0])


def _look(out: tuple):
    """_seen(out) a slice of stat calls at a time: None after each slice, then the answer.
    Forked before the pipeline is imported, a worker can be ready a millisecond before its
    job, and looking at 1,000 essays' site/ takes 15 ms: the job's rendering must not wait
    for the look, nor the look be made twice (what is left of it runs beside Pagefind)."""
    from .lastbuild import intact
    out_dir, manifest, folders = out
    if not isinstance(folders, dict) or not manifest:
        yield _seen(out)
        return
    for files, folders_part in [({}, part) for part in _slices(folders)] + \
            [(part, {}) for part in _slices(manifest)]:
        if not intact(out_dir, files, folders_part):
            yield _seen(out)
            return
        yield None
    yield True


def _slices(entries: dict) -> list[dict]:
    items, size = list(entries.items()), STAT_SLICE
    return [dict(items[start:start + size]) for start in range(0, len(items), size)]


def _seen(out: tuple):
    """True when out_dir holds just what the last build left (lastbuild.intact, the
    no-change check's own test); else files_now(*out) as (size, mtime) pairs."""
    from .lastbuild import files_now, intact
    if intact(*out):
        return True
    return {path: (info.st_size, info.st_mtime_ns) for path, info in files_now(*out).items()}

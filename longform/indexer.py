"""Pagefind runs: one shard's index documents in, its bundle's files out, the same bytes for
the same documents.

Pagefind's Python API answers one page per 0.1 s poll, so its command line indexes each
shard's folder in one run. Runs go on in threads (each only waits on its process) while the
build goes on; at most LANES at once, since Pagefind spreads one run over the cores itself.

Each document needs a folder of its own (Pagefind's URL for essays/x/index.html is
essays/x/), and on ext4 making and removing a thousand folders costs 0.5–3 s. So the shards'
documents live on in the cache (.longform-cache/search/), where a run rewrites only the
documents that changed and removes those of essays gone. A second build running at the same
time, or a system without file locks, works in a temporary folder instead.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

BUNDLE = "pagefind"  # site/pagefind/: the script, the WebAssembly, the shards' indexes
# Inside the indexed body but not its text: the "#" of heading anchors, footnotes' back
# arrows, a chart's data table and spec (its title and caption stay).
EXCLUDED = ".headerlink, .footnote-backref, .chart__data, .chart__spec"
# Pagefind's own UI bundles (300 KB) go unused: the theme has its own search page; the index
# for undetected languages too: the documents all carry the site's language.
UNUSED = re.compile(r"^pagefind-(component-ui|modular-ui|ui|highlight)\.|^wasm\.unknown\.")
LANES = max(1, min(2, os.cpu_count() or 1))
TIMEOUT = 600


def pagefind_executable() -> str:
    """Pagefind's binary, looked for in pagefind.service.get_executable's order without
    importing that module: it imports asyncio, 12 ms of every rebuild that indexes."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return os.environ["PAGEFIND_BINARY_PATH"]
    import importlib
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            return str(importlib.import_module(package).get_executable())
        except ImportError:
            continue
    from pagefind.service import get_executable  # one on PATH, if any
    return str(get_executable())


class Runs:
    """Pagefind at work on some shards in a temporary folder; bundle(name) waits for one and
    returns its files (under pagefind/ + prefix), or raises RunFailed with Pagefind's last
    line. cancel() stops what still runs and removes the folder (safe to repeat)."""

    def __init__(self, language: str, workspace: Path | None = None):
        self.executable = pagefind_executable()  # here, not in a thread: imports lock
        self.language = language.split("-")[0].lower()
        self.lock_file = _locked(workspace) if workspace is not None else None
        self.temporary = self.lock_file is None
        self.folder = Path(tempfile.mkdtemp(prefix="longform-search-")) if self.temporary \
            else workspace
        self.pool = ThreadPoolExecutor(LANES, thread_name_prefix="pagefind")
        self.jobs: dict[str, Future] = {}
        # Bundle files as Pagefind wrote them (site path → the file here), until cancel().
        self.written: dict[str, str] = {}
        self.running: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.stopped = False

    def start(self, name: str, documents: Iterable[tuple[str, str, Callable[[], bytes]]],
              prefix: str, shared: bool) -> None:
        """Index documents ((site path, key, a function making its HTML): the same key, the
        same HTML) as shard `name`; its files go under pagefind/prefix, with the script and
        WebAssembly only if `shared`. The run's thread makes the documents its folder does not
        hold yet, one at a time, so a big site's documents are never all in memory.
        The first run is started from here, before this returns: an edit's one run is the
        longest part of the rebuild, and a thread preparing it gets the interpreter only
        between the build's own 5 ms turns (its 10 ms of Python took 45 ms)."""
        if self.jobs:
            self.jobs[name] = self.pool.submit(self._bundle, name, documents, prefix, shared)
            return
        process = self._started(*self._prepared(name, documents))
        self.jobs[name] = self.pool.submit(self._collected, name, process, prefix, shared)

    def bundle(self, name: str) -> dict[str, bytes]:
        return self.jobs[name].result()

    def cancel(self) -> None:
        with self.lock:
            self.stopped = True
            for process in self.running:
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)
        elif self.lock_file is not None:
            self.lock_file.close()  # which releases the lock
            self.lock_file = None

    def _bundle(self, name: str, documents: Iterable[tuple[str, str, Callable[[], bytes]]],
                prefix: str, shared: bool) -> dict[str, bytes]:
        process = self._started(*self._prepared(name, documents))
        return self._collected(name, process, prefix, shared)

    def _prepared(self, name: str, documents) -> tuple[Path, Path]:
        """The shard's folder of documents, up to date, and its bundle folder, emptied."""
        site, out = self.folder / name / "site", self.folder / name / "bundle"
        _write_documents(site, self.folder / name / "documents.json", documents)
        shutil.rmtree(out, ignore_errors=True)
        return site, out

    def _collected(self, name: str, process: "subprocess.Popen | RunFailed", prefix: str,
                   shared: bool) -> dict[str, bytes]:
        out = self.folder / name / "bundle"
        self._finished(process)
        paths = {f"{BUNDLE}/{prefix}{rel}": path for path in sorted(out.rglob("*"))
                 if path.is_file() and _served(rel := path.relative_to(out).as_posix(), shared)}
        read = {name: path.read_bytes() for name, path in paths.items()}
        files = steady(read, f"{BUNDLE}/{prefix}")
        # What steady() left as Pagefind wrote it (all but the filters, the metadata and the
        # entry file) can be published as the file itself.
        with self.lock:
            self.written.update((name, str(paths[name])) for name, data in files.items()
                                if name in read and read[name] == data)
        return files

    def _started(self, site: Path, out: Path) -> "subprocess.Popen | RunFailed":
        """Pagefind at work on site/ into out/, or why it could not start (raised by
        _finished, in the thread that waits for the run)."""
        # One index in the site's language: Pagefind would otherwise split it by lang.
        command = [self.executable, "--site", str(site), "--output-path", str(out),
                   "--force-language", self.language, "--silent",
                   "--exclude-selectors", EXCLUDED]
        with self.lock:
            if self.stopped:
                return RunFailed("stopped")
            try:
                process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True)
            except OSError as err:
                return RunFailed(str(err))
            self.running.add(process)
        return process

    def _finished(self, process: "subprocess.Popen | RunFailed") -> None:
        if isinstance(process, RunFailed):
            raise process
        try:
            output = process.communicate(timeout=TIMEOUT)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RunFailed("Pagefind took over ten minutes") from None
        finally:
            with self.lock:
                self.running.discard(process)
        if process.returncode != 0:
            lines = (output or "").strip().splitlines() or ["no output"]
            raise RunFailed(lines[-1])


def _locked(workspace: Path):
    """The workspace's lock file, held (closing it lets go), or None when another build holds
    it or the system has no such locks."""
    try:
        import fcntl
        workspace.mkdir(parents=True, exist_ok=True)
        lock_file = open(workspace / "lock", "w")  # noqa: SIM115 — held until cancel()
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock_file.close()
        return None
    return lock_file


def _write_documents(site: Path, listing: Path,
                     documents: Iterable[tuple[str, str, Callable[[], bytes]]]) -> None:
    """Make site/ hold exactly these documents, making and writing only those whose key
    differs from the listing's (path → key). The listing is removed while the folder changes:
    a run killed meanwhile leaves none, and the next starts the folder afresh."""
    try:
        known = json.loads(listing.read_text("utf-8"))
        listing.unlink()
    except (OSError, ValueError):
        known = None
    if not isinstance(known, dict):
        shutil.rmtree(site, ignore_errors=True)
        known = {}
    now = {}
    for path, key, make in documents:
        now[path] = key
        if known.get(path) != key:
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(make())
    for path in set(known) - set(now):
        (site / path).unlink(missing_ok=True)
        _remove_empty(site / path, site)
    site.mkdir(parents=True, exist_ok=True)
    listing.write_text(json.dumps(now, sort_keys=True), "utf-8")


def _remove_empty(path: Path, root: Path) -> None:
    folder = path.parent
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty
        folder = folder.parent


class RunFailed(Exception):
    """A Pagefind run that did not finish; the message is what it said last."""


def _served(name: str, shared: bool) -> bool:
    if UNUSED.search(name):
        return False
    return shared or not (name.startswith("wasm.") or name in ("pagefind.js",
                                                               "pagefind-worker.js"))


def pagefind_version() -> str:
    from .cache import version
    return version("pagefind")


# --- The same pages, the same bytes -----------------------------------------------------------
# Pagefind writes each filter's values, and the filters in its metadata, in hash-map order,
# which differs from run to run. Longform's builds are byte-for-byte repeatable, so the filter
# files and the metadata are re-encoded sorted, and renamed (their names are content hashes).

MAGIC = b"pagefind_dcd"


def steady(bundle: dict[str, bytes], base: str = f"{BUNDLE}/") -> dict[str, bytes]:
    """The bundle (its files under `base`) with filters and metadata in a stable order, under
    names that follow."""
    renamed, result = {}, {}
    for name, data in bundle.items():
        match = re.fullmatch(rf"{re.escape(base)}filter/(\w+?)_(\w+)\.pf_filter", name)
        if match:
            filter_name, values = _decoded(data)
            data = _encoded([filter_name, sorted(values)])
            new = f"{match.group(1)}_{hashlib.sha256(data).hexdigest()[:7]}"
            renamed[f"{match.group(1)}_{match.group(2)}"] = new
            name = f"{base}filter/{new}.pf_filter"
        result[name] = data
    for name in [n for n in result if re.fullmatch(rf"{re.escape(base)}[^/]+\.pf_meta", n)]:
        meta = _decoded(result.pop(name))
        meta[3] = sorted([key, renamed.get(value, value)] for key, value in meta[3])
        data = _encoded(meta)
        old = name.removeprefix(f"{base}pagefind.").removesuffix(".pf_meta")
        new = f"{old.split('_')[0]}_{hashlib.sha256(data).hexdigest()[:10]}"
        result[f"{base}pagefind.{new}.pf_meta"] = data
        entry = f"{base}pagefind-entry.json"
        result[entry] = result[entry].replace(f'"{old}"'.encode(), f'"{new}"'.encode())
    return dict(sorted(result.items()))


def _decoded(data: bytes):
    raw = gzip.decompress(data)
    if not raw.startswith(MAGIC):
        raise ValueError("not a Pagefind data file")
    value, _ = _cbor(raw, len(MAGIC))
    return value


def _encoded(value) -> bytes:
    return gzip.compress(MAGIC + _cbor_bytes(value), mtime=0)


def _cbor(data: bytes, at: int):
    """One CBOR item (the kinds Pagefind writes: numbers, strings, arrays, maps) and the
    offset after it."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        number = info
    else:
        size = 1 << (info - 24)
        number, at = int.from_bytes(data[at:at + size], "big"), at + size
    if major == 0:
        return number, at
    if major in (2, 3):
        chunk = data[at:at + number]
        return (chunk if major == 2 else chunk.decode("utf-8")), at + number
    items = []
    for _ in range(number * (2 if major == 5 else 1)):
        item, at = _cbor(data, at)
        items.append(item)
    if major == 4:
        return items, at
    if major == 5:
        return dict(zip(items[::2], items[1::2], strict=True)), at
    raise ValueError(f"unexpected CBOR major type {major}")


def _cbor_bytes(value) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_cbor_bytes(v) for v in value)
    return _head(5, len(value)) + b"".join(_cbor_bytes(k) + _cbor_bytes(v)
                                           for k, v in value.items())


def _head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    size = next(s for s in (1, 2, 4, 8) if number < 1 << (8 * s))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + number.to_bytes(size, "big")

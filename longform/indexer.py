"""Pagefind at work: one shard's index documents in, its bundle's files out, the same bytes
for the same documents.

Pagefind's command line indexes a folder of documents, each in a folder of its own (its URL
for essays/x/index.html is essays/x/), and writes the bundle into another. Those are scratch
files, made and read back within the run, so they go to a folder in memory (/dev/shm where
there is one): on this disk's ext4 (no journal) a new inode is looked for past every one freed
in the last minutes, and a cold build of 1,000 essays made 3,400 files and folders for Pagefind
(perf put 12-13% of its CPU in ext4's recently_deleted). Its service mode (`--service`) would
need no files, but indexes a shard's documents one at a time: an edit's shard of 64 essays took
0.26 s there against 0.17 s for the command line, which reads them on every core.
Runs go on in threads (each only waits on its process) while the build goes on; at most LANES
at once. A writer thread makes the queued shards' documents ahead of the lanes and a reader
thread takes finished runs' bundles back, so a lane starts its next run as soon as its last one
ends: when the lanes made and read them themselves, a lane stood idle 10-130 ms between runs,
most while the build's own thread held the interpreter (saving the memo), and the last runs of
a cold build ended that much later (cold build of 1,000 essays 2% faster, 5,000 essays 3%).
Pagefind runs at a lower priority (`nice`): it has more threads than the build, and the
build's own thread, which has the longer way to go in a rebuild, would otherwise wait for a
core while Pagefind's ran.
"""

import functools
import gzip
import hashlib
import os
import re
import shutil
import signal
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
AHEAD = LANES + 1  # shards whose documents wait for a lane, at most
TIMEOUT = 600
NICENESS = 10  # added to the build's: Pagefind gets the cores the build's threads leave
# One worker thread for each run's async runtime (tokio's own setting; a core each otherwise).
# A run's indexing goes no faster with more (64 essays: 0.102 s with one, 0.103 s with two, the
# same CPU), but beside the build's processes and another run, the idle workers' looking for
# work cost cores the build wanted: with one, a cold build of 1,000 essays took 3% less time and
# CPU, an edit 4.5% less (12 and 16 builds each, interleaved).
RUN_ENVIRONMENT = {"TOKIO_WORKER_THREADS": "1"}
SCRATCH = "/dev/shm"  # a file system in memory, where the system has one
PREFIX = "longform-search-"  # + the build's process id + a unique part


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


Documents = Iterable[tuple[str, Callable[[], bytes]]]  # (site path, a function making its HTML)


class Runs:
    """Pagefind at work on some shards; bundle(name) waits for one and returns its files
    (under pagefind/ + prefix), or raises RunFailed with Pagefind's last line. cancel() stops
    what still runs and removes the scratch folder (safe to repeat)."""

    def __init__(self, language: str):
        self.executable = pagefind_executable()  # here, not in a thread: imports lock
        self.language = language.split("-")[0].lower()
        where = scratch_dir()
        remove_abandoned(Path(where or tempfile.gettempdir()))
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=where))
        self.pool = ThreadPoolExecutor(LANES, thread_name_prefix="pagefind")
        # Beside the lanes: one thread writing the queued shards' documents ahead of them, one
        # reading finished runs' bundles back, so that a lane starts its next run as soon as
        # its last one ends.
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="pagefind-documents")
        self.reader = ThreadPoolExecutor(1, thread_name_prefix="pagefind-bundles")
        self.jobs: dict[str, Future] = {}
        self.running: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.room = threading.Condition(self.lock)  # for the writer, when AHEAD are waiting
        self.ahead = 0  # shards written and not started yet
        self.stopped = False

    def start(self, name: str, documents: Documents, prefix: str, shared: bool) -> None:
        """Index documents as shard `name`; its files go under pagefind/prefix, with the
        script and WebAssembly only if `shared`. The first shard's documents are written and
        its run started from here, before this returns: an edit's one shard is the longest
        part of the rebuild, and a thread doing it gets the interpreter only between the
        build's own 5 ms turns (its 10 ms of Python took 45 ms). Later shards' documents are
        made by the writer thread, ahead of the lanes but at most AHEAD shards ahead, so a
        big site's are never all in memory."""
        process = None
        if self.jobs:
            written = self.writer.submit(self._written_ahead, name, documents)
        else:
            written = Future()
            written.set_result(self._written(name, documents))
            with self.lock:
                self.ahead += 1  # as the writer counts it: _run counts it out once started
            process = self._started(written.result())
        bundle: Future = Future()
        self.jobs[name] = bundle
        self.pool.submit(self._run, name, written, process, prefix, shared, bundle)

    def prepare(self, name: str, documents: Documents) -> None:
        """Write some of shard `name`'s documents ahead of its start()."""
        self._written(name, documents)

    def bundle(self, name: str) -> dict[str, bytes]:
        return self.jobs[name].result()

    def cancel(self) -> None:
        with self.room:
            self.stopped = True
            self.room.notify_all()
            for process in self.running:
                process.kill()
        for pool in (self.writer, self.pool, self.reader):
            pool.shutdown(wait=True, cancel_futures=True)
        for bundle in self.jobs.values():  # whose lane or reader was cancelled before it began
            if not bundle.done():
                bundle.set_exception(RunFailed("stopped"))
        shutil.rmtree(self.folder, ignore_errors=True)

    def _written_ahead(self, name: str, documents: Documents) -> Path:
        with self.room:
            while self.ahead >= AHEAD and not self.stopped:
                self.room.wait()
            if self.stopped:
                raise RunFailed("stopped")
            self.ahead += 1
        try:
            return self._written(name, documents)
        except BaseException:
            self._left_waiting()
            raise

    def _left_waiting(self) -> None:
        with self.room:
            self.ahead -= 1
            self.room.notify()

    def _run(self, name: str, written: Future, process, prefix: str, shared: bool,
             bundle: Future) -> None:
        """A lane's part: the shard's run started (unless it was), waited for, and handed to
        the reader; the outcome goes into `bundle`."""
        try:
            folder = written.result()
        except BaseException as err:  # noqa: BLE001 — the caller of bundle() raises it
            self._failed(name, bundle, err)
            return
        try:
            if process is None:
                process = self._started(folder)
        finally:
            self._left_waiting()
        try:
            self._finished(process)
        except BaseException as err:  # noqa: BLE001 — as above
            self._failed(name, bundle, err)
            return
        self.reader.submit(self._read, name, prefix, shared, bundle)

    def _failed(self, name: str, bundle: Future, err: BaseException) -> None:
        shutil.rmtree(self.folder / name, ignore_errors=True)
        bundle.set_exception(err)

    def _read(self, name: str, prefix: str, shared: bool, bundle: Future) -> None:
        try:
            bundle.set_result(self._collected(name, prefix, shared))
        except BaseException as err:  # noqa: BLE001 — as _run's
            bundle.set_exception(err)

    def _written(self, name: str, documents: Documents) -> Path:
        """The shard's folder, holding its documents."""
        folder = self.folder / name
        for path, make in documents:
            target = folder / "site" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(make())
        (folder / "site").mkdir(parents=True, exist_ok=True)
        return folder

    def _started(self, folder: Path) -> "subprocess.Popen | RunFailed":
        """Pagefind at work on the folder's site/ into its bundle/, or why it could not start
        (raised by _finished, in the lane that waits for the run)."""
        if not shutil.which(self.executable):  # else `nice` would start, and say so its way
            return RunFailed(f"no Pagefind program at {self.executable}")
        # One index in the site's language: Pagefind would otherwise split it by lang.
        command = [*lowered_priority(), self.executable, "--site", str(folder / "site"),
                   "--output-path", str(folder / "bundle"), "--force-language", self.language,
                   "--silent", "--exclude-selectors", EXCLUDED]
        with self.lock:
            if self.stopped:
                return RunFailed("stopped")
            try:
                process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, text=True,
                                           env={**os.environ, **RUN_ENVIRONMENT})
            except OSError as err:
                return RunFailed(str(err))
            self.running.add(process)
        return process

    def _collected(self, name: str, prefix: str, shared: bool) -> dict[str, bytes]:
        """The files of a finished run's bundle, its scratch folder removed."""
        out = self.folder / name / "bundle"
        try:
            read = {f"{BUNDLE}/{prefix}{rel}": path.read_bytes()
                    for path in sorted(out.rglob("*"))
                    if path.is_file() and _served(rel := path.relative_to(out).as_posix(),
                                                  shared)}
        finally:
            shutil.rmtree(self.folder / name, ignore_errors=True)
        return steady(read, f"{BUNDLE}/{prefix}")


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

@functools.cache
def lowered_priority() -> tuple[str, ...]:
    """What runs a command at NICENESS below the build: `nice` where the system has it (Linux,
    macOS), nothing elsewhere. An edit at 1,000 essays: the build's thread waited 8-74 ms for
    a core while Pagefind indexed the essay's shard, 4-19 ms with Pagefind niced, and the
    rebuild took some 4% less; a cold build takes as long (its cores are busy to the end
    either way)."""
    nice = shutil.which("nice")
    return (nice, "-n", str(NICENESS)) if nice else ()


def scratch_dir() -> str | None:
    """Where a run's files go: memory, where the system has a file system there."""
    return SCRATCH if os.path.isdir(SCRATCH) and os.access(SCRATCH, os.W_OK) else None


def remove_abandoned(where: Path) -> None:
    """Remove the scratch folders of builds that were killed (a build removes its own as it
    ends, but not when it is killed outright): in memory, they would stay until a reboot.
    A folder's name carries its build's process id."""
    try:
        names = [name for name in os.listdir(where) if name.startswith(PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _stop_runs_in(where / name)
            shutil.rmtree(where / name, ignore_errors=True)


def _stop_runs_in(folder: Path) -> None:
    """Stop the Pagefind runs a killed build left at work in its folder: they outlive it, and
    once the folder is removed under them they wait for ever (two such runs, left by a test
    that kills a build, were still there an hour later). Found by their command lines, where
    the system lists them (/proc); elsewhere they are left to end as they may."""
    proc = Path("/proc")
    mark = str(folder).encode() + b"/"
    try:
        entries = [entry for entry in os.listdir(proc) if entry.isdigit()]
    except OSError:
        return
    for entry in entries:
        try:
            if mark in (proc / entry / "cmdline").read_bytes():
                os.kill(int(entry), signal.SIGKILL)
        except OSError:
            continue  # gone meanwhile, or not ours to stop


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


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

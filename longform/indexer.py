"""Pagefind at work: one shard's index documents in, its bundle's files out, the same bytes
for the same documents.

Pagefind runs as a service (`pagefind --service`): each request a base64 JSON message ended by
a comma on its stdin, each answer the same on its stdout. Its Python package speaks that
protocol too, but reads one answer per 0.1 s poll (a thousand pages: a hundred seconds), so the
few lines here speak it. The documents go through the pipe: none is written to disk, where a
cold build of 1,000 essays made 3,400 files and folders for them (on ext4 without a journal a
new inode is looked for past every one freed in the last minutes). The service answers its
requests one at a time, in the order sent, so a shard's pages are numbered in the order of its
documents, and the bundle's bytes follow from them. At most LANES services at once, since
Pagefind spreads its work over the cores itself; shards queue for them in threads, which only
wait on pipes while the build goes on.
"""

import base64
import gzip
import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from queue import SimpleQueue

BUNDLE = "pagefind"  # site/pagefind/: the script, the WebAssembly, the shards' indexes
# Inside the indexed body but not its text: the "#" of heading anchors, footnotes' back
# arrows, a chart's data table and spec (its title and caption stay).
EXCLUDED = [".headerlink", ".footnote-backref", ".chart__data", ".chart__spec"]
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


Documents = Iterable[tuple[str, Callable[[], bytes]]]  # (site path, a function making its HTML)


class Runs:
    """Pagefind at work on some shards; bundle(name) waits for one and returns its files
    (under pagefind/ + prefix), or raises RunFailed with Pagefind's last line. cancel() stops
    what still runs (safe to repeat)."""

    def __init__(self, language: str):
        self.executable = pagefind_executable()  # here, not in a thread: imports lock
        self.language = language.split("-")[0].lower()
        self.pool = ThreadPoolExecutor(LANES, thread_name_prefix="pagefind")
        self.idle: SimpleQueue[Service] = SimpleQueue()
        self.services: list[Service] = []
        self.jobs: dict[str, Future] = {}
        self.lock = threading.Lock()
        self.stopped = False

    def start(self, name: str, documents: Documents, prefix: str, shared: bool) -> None:
        """Index documents as shard `name`; its files go under pagefind/prefix, with the
        script and WebAssembly only if `shared`. The first shard's service is started and its
        documents made from here, before this returns: an edit's one shard is the longest
        part of the rebuild, and a thread doing it gets the interpreter only between the
        build's own 5 ms turns (its 10 ms of Python took 45 ms). Later shards' documents are
        made by their thread, one shard at a time, so a big site's are never all in memory."""
        if self.jobs:
            self.jobs[name] = self.pool.submit(self._bundle, documents, prefix, shared)
            return
        service, requests = self._service(), self._requests(documents)
        self.jobs[name] = self.pool.submit(self._indexed, service, requests, prefix, shared)

    def bundle(self, name: str) -> dict[str, bytes]:
        return self.jobs[name].result()

    def cancel(self) -> None:
        with self.lock:
            self.stopped = True
            for service in self.services:
                service.stop()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _bundle(self, documents: Documents, prefix: str, shared: bool) -> dict[str, bytes]:
        return self._indexed(self._service(), self._requests(documents), prefix, shared)

    def _requests(self, documents: Documents) -> list[dict]:
        return [{"type": "AddFile", "file_path": path, "url": None,
                 "file_contents": make().decode("utf-8")} for path, make in documents]

    def _service(self) -> "Service | RunFailed":
        """An idle service, or a new one while fewer than LANES run (or why none started)."""
        with self.lock:
            if self.stopped:
                return RunFailed("stopped")
            if not self.idle.empty():
                return self.idle.get()
            try:
                service = Service(self.executable)
            except OSError as err:
                return RunFailed(str(err))
            self.services.append(service)
            return service

    def _indexed(self, service: "Service | RunFailed", requests: list[dict], prefix: str,
                 shared: bool) -> dict[str, bytes]:
        if isinstance(service, RunFailed):
            raise service
        config = {"force_language": self.language, "exclude_selectors": EXCLUDED}
        index = service.ask([{"type": "NewIndex", "config": config}])[0]["index_id"]
        for request in requests:
            request["index_id"] = index
        answers = service.ask([*requests, {"type": "GetFiles", "index_id": index},
                               {"type": "DeleteIndex", "index_id": index}])
        self.idle.put(service)
        read = {f"{BUNDLE}/{prefix}{file['path']}": base64.b64decode(file["content"])
                for file in answers[-2]["files"] if _served(file["path"], shared)}
        return steady(dict(sorted(read.items())), f"{BUNDLE}/{prefix}")


class Service:
    """One `pagefind --service` process. ask() sends requests and waits for their answers;
    a thread reads them as they come, so neither pipe fills while the other is written."""

    def __init__(self, executable: str):
        self.errors = tempfile.TemporaryFile()  # what Pagefind says when it fails
        self.process = subprocess.Popen([executable, "--service"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.errors)
        self.last_id = 0
        self.waiting: dict[int, Future] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True, name="pagefind-answers").start()

    def ask(self, payloads: list[dict]) -> list[dict]:
        """The answers' payloads, in order; RunFailed for an error or a process gone."""
        with self.lock:
            futures = []
            for payload in payloads:
                self.last_id += 1
                futures.append(self.waiting.setdefault(self.last_id, Future()))
            first = self.last_id - len(payloads) + 1
        message = b"".join(base64.b64encode(json.dumps(
            {"message_id": first + n, "payload": payload}).encode()) + b","
            for n, payload in enumerate(payloads))
        try:
            self.process.stdin.write(message)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the reader fails the futures, with what Pagefind said
        try:
            return [future.result(timeout=TIMEOUT) for future in futures]
        except TimeoutError:
            self.stop()
            raise RunFailed("Pagefind took over ten minutes") from None

    def stop(self) -> None:
        self.process.kill()

    def _read(self) -> None:
        parts: list[bytes] = []  # of an answer still coming (a bundle's: megabytes)
        stream = self.process.stdout
        while chunk := stream.read1(1 << 20):
            if b"," not in chunk:
                parts.append(chunk)
                continue
            first, *answers, rest = chunk.split(b",")
            for answer in (b"".join([*parts, first]), *answers):
                self._answered(json.loads(base64.b64decode(answer)))
            parts = [rest]
        self.process.wait()
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        failed = RunFailed(lines[-1] if lines else f"Pagefind stopped ({self.process.returncode})")
        with self.lock:
            waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            future.set_exception(failed)

    def _answered(self, answer: dict) -> None:
        payload = answer.get("payload") or {}
        with self.lock:
            future = self.waiting.pop(answer.get("message_id"), None)
            if future is None and payload.get("type") == "Error":
                # A message it could not read comes back without its id: all wait for naught.
                futures, self.waiting = list(self.waiting.values()), {}
            else:
                futures = [future] if future is not None else []
        for future in futures:
            self._settled(future, payload)

    @staticmethod
    def _settled(future: Future, payload: dict) -> None:
        if payload.get("type") == "Error":
            future.set_exception(RunFailed(str(payload.get("message", "error"))))
        else:
            future.set_result(payload)


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

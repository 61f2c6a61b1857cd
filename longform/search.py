"""The full-text search index: Pagefind over the essay pages.

Pagefind reads what the essay template marks: the body (data-pagefind-body), the title weighted
above the text, and tags, category and author as filters. It writes its bundle into a
temporary folder we read back, so publish stays the only writer of site/ and a failed build
leaves it untouched. The index is rebuilt only when an essay page changed.
"""

import gzip
import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .cache import Memo, digest
from .errors import ContentError
from .site import Site
from .urls import page_path

MARK = b"data-pagefind-body"
BUNDLE = "pagefind"  # site/pagefind/: the script, the WebAssembly, the index and fragments
# Inside the indexed article but not its text: the header's category and tag line, the "#"
# of heading anchors, footnotes' back arrows, a chart's data table and spec (its title and
# caption stay). The byline, contents and footer are marked data-pagefind-ignore in the
# template instead, which keeps the filters inside them.
EXCLUDED = (".essay__header .meta, .headerlink, .footnote-backref, .chart__data, "
            ".chart__spec")
UNUSED = re.compile(r"^pagefind-(component-ui|modular-ui|ui|highlight)\.")


def start_search(site: Site, files: dict[str, bytes], old: Memo, new: Memo) -> "Indexing":
    """site/pagefind/… for the essay pages in `files`, as an Indexing to collect: the last
    index while the pages are the same, else a Pagefind run started in the background."""
    # Only pages whose theme marks the essay body: a theme without the mark gets no index.
    paths = [page_path(e.url) for e in site.essays]
    from .publish import file_bytes
    pages = {path: data for path in paths if MARK in (data := file_bytes(files[path]))}
    if not pages:
        return Indexing(new, ("", {}))
    # Result URLs are site-relative (essays/x/ for essays/x/index.html, a .html permalink as
    # itself); the search script prefixes the base path.
    key = digest(_pagefind_version(), site.config.language,
                 *(part for url, html in sorted(pages.items()) for part in (url, html)))
    if old.search and old.search[0] == key:
        return Indexing(new, old.search)
    indexing = Indexing(new, None, key, site.config.root)
    indexing.start(pages, site.config.language)
    return indexing


class Indexing:
    """Pagefind at work on a temporary copy of the essay pages (Pagefind's Python API answers
    one page per 0.1 s poll, so its command line indexes the whole folder in one run), while
    the build goes on with its link review; result() waits for it and returns the bundle."""

    def __init__(self, new: Memo, done: tuple | None, key: str = "", root: Path = Path(".")):
        self.new, self.done, self.key, self.root = new, done, key, root
        self.folder = Path(tempfile.mkdtemp(prefix="longform-search-")) if done is None else None
        self.process: subprocess.Popen | None = None
        self.problem = ""

    def start(self, pages: dict[str, bytes], language: str) -> None:
        from pagefind.service import get_executable

        from .math import searchable
        for path, html in pages.items():
            target = self.folder / "site" / path  # Pagefind's URL for it: the essay's
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(searchable(html))
        # One index in the site's language: Pagefind would otherwise split it by each page's
        # lang attribute.
        command = [str(get_executable()), "--site", str(self.folder / "site"),
                   "--output-path", str(self.folder / "bundle"),
                   "--force-language", language.split("-")[0].lower(), "--silent",
                   "--exclude-selectors", EXCLUDED]
        try:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True)
        except OSError as err:
            self.problem = str(err)

    def result(self) -> dict[str, bytes]:
        if self.done is not None:
            self.new.search = self.done
            return self.done[1]
        try:
            output = self.process.communicate(timeout=600)[0] if self.process else ""
        except subprocess.TimeoutExpired:
            output = "Pagefind took over ten minutes"
        if self.problem or not self.process or self.process.returncode != 0:
            lines = (self.problem or output or "").strip().splitlines() or ["no output"]
            self.cancel()
            raise ContentError(self.root / "pyproject.toml", 1,
                               f"the search index could not be built ({lines[-1]}); "
                               "reinstall 'pagefind[bin]', or set search = false in "
                               "[tool.longform]")
        out_dir = self.folder / "bundle"
        bundle = steady({f"{BUNDLE}/{name}": path.read_bytes()
                         for path in sorted(out_dir.rglob("*")) if path.is_file()
                         and _served(name := path.relative_to(out_dir).as_posix())})
        self.cancel()
        self.done = (self.key, bundle)
        self.new.search, self.new.dirty = self.done, True
        return bundle

    def cancel(self) -> None:
        """Stop Pagefind if it still runs and remove the temporary folder (safe to repeat)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _served(name: str) -> bool:
    """Pagefind's own UI bundles (300 KB) and the index for undetected languages go unused:
    the theme has its own search page, and the site has one language."""
    return not (UNUSED.search(name) or name.startswith("wasm.unknown"))


def _pagefind_version() -> str:
    from .cache import version
    return version("pagefind")


# --- The same pages, the same bytes -----------------------------------------------------------
# Pagefind writes each filter's values, and the filters in its metadata, in hash-map order,
# which differs from run to run. Longform's builds are byte-for-byte repeatable, so the filter
# files and the metadata are re-encoded sorted, and renamed (their names are content hashes).

MAGIC = b"pagefind_dcd"


def steady(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with filters and metadata in a stable order, under names that follow."""
    renamed, result = {}, {}
    for name, data in bundle.items():
        match = re.fullmatch(rf"{BUNDLE}/filter/(\w+?)_(\w+)\.pf_filter", name)
        if match:
            filter_name, values = _decoded(data)
            data = _encoded([filter_name, sorted(values)])
            new = f"{match.group(1)}_{hashlib.sha256(data).hexdigest()[:7]}"
            renamed[f"{match.group(1)}_{match.group(2)}"] = new
            name = f"{BUNDLE}/filter/{new}.pf_filter"
        result[name] = data
    for name in [n for n in result if n.endswith(".pf_meta")]:
        meta = _decoded(result.pop(name))
        meta[3] = sorted([key, renamed.get(value, value)] for key, value in meta[3])
        data = _encoded(meta)
        language = name.removeprefix(f"{BUNDLE}/pagefind.").split("_")[0]
        old = name.removeprefix(f"{BUNDLE}/pagefind.").removesuffix(".pf_meta")
        new = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
        result[f"{BUNDLE}/pagefind.{new}.pf_meta"] = data
        entry = f"{BUNDLE}/pagefind-entry.json"
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

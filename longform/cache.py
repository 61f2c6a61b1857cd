"""What one build leaves for the next, so rebuilds only redo what changed.

Every entry is keyed by content hashes, never by mtimes or guesses: an essay is re-parsed when
its bytes change, re-rendered when anything that shapes its HTML changes (its bytes, the code,
the essays it links to, the chart modules and data files it read), and a page is re-rendered
when the fingerprint of its inputs changes. `serve` keeps the Memo in memory; `build` pickles it
to .longform-cache/. A missing, stale or corrupt cache only costs time, never correctness.
"""

import functools
import hashlib
import json
import os
import pickle
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .content import Essay

MEMO_FILE = "build.pickle"


@dataclass
class Memo:
    version: str = ""
    loaded: dict = field(default_factory=dict)  # source path → (file hash, loaded Essay)
    stats: dict = field(default_factory=dict)  # source path → (stat signature, file hash)
    rendered: dict = field(default_factory=dict)  # source path → (inputs, deps, rendered Essay)
    related: object = None  # related.Scores: the last scoring, for the next to build on
    pages: dict = field(default_factory=dict)  # output path → (fingerprint, bytes)
    scans: dict = field(default_factory=dict)  # sha256 of HTML → links.Found, for link checks
    summaries: dict = field(default_factory=dict)  # (essay key, read time) → listing summary
    placed: dict = field(default_factory=dict)  # (essay key, words a minute) → placed Essay
    search: tuple = ()  # (key of the essay pages indexed, the Pagefind bundle's files)
    dirty: bool = False  # something was parsed or computed afresh: worth saving


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stat_signature(path) -> tuple | None:
    """(mtime, ctime, size, inode) of a file, or None if it is gone: equal signatures mean an
    unchanged file unless it was saved within the clock's tick (see pipeline.RACY_NS). ctime and
    inode change on any write or replace and no tool sets them back."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def code_version() -> str:
    """Our own source and the versions of everything that shapes the HTML."""
    package = Path(__file__).parent
    sources = [p.read_bytes() for p in sorted(package.rglob("*.py"))]
    versions = [_version(name) for name in ("markdown", "pymdown-extensions", "pygments",
                                            "jinja2", "altair", "vl-convert-python",
                                            "latex2mathml")]
    return digest(sys.version, *versions, *sources)


@functools.cache  # metadata lookups cost ~0.3 ms each, every rebuild
def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def load_memo(cache_dir: Path, version: str) -> Memo:
    """The previous build's memo, or an empty one if it is missing, stale or unreadable."""
    try:
        with open(cache_dir / MEMO_FILE, "rb") as handle:
            memo = pickle.load(handle)
    except Exception:  # noqa: BLE001 — any damage to the cache means "start cold"
        return Memo(version=version)
    if not isinstance(memo, Memo) or memo.version != version:
        return Memo(version=version)
    return memo


def save_memo(cache_dir: Path, memo: Memo) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache_dir / (MEMO_FILE + ".tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(memo, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(cache_dir / MEMO_FILE)


def page_keys(parts: list[tuple], contexts: list) -> list[str]:
    """One hash per page of its parts (strings) and its context; an Essay stands for itself by
    its content key. Objects shared by many pages (an author on hundreds of essay pages) are
    written out once: every context is alive for the call, so an object's id names it."""
    seen: dict[int, str] = {}
    return [digest(*part, _canonical(context, seen)) for part, context in zip(parts, contexts,
                                                                              strict=True)]


def _canonical(value, seen: dict) -> str:
    # Exact type checks first (a rebuild of 1,000 essays canonicalises ~20,000 values), then
    # subclasses, such as named tuples.
    kind = type(value)
    if kind is str:
        return repr(value)
    if kind is Essay or isinstance(value, Essay):
        return "E:" + value.key
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        return "[" + ",".join([_canonical(v, seen) for v in value]) + "]"
    if kind is dict or isinstance(value, dict):
        items = sorted([(_canonical(k, seen), _canonical(v, seen)) for k, v in value.items()])
        return "{" + ",".join([f"{k}:{v}" for k, v in items]) + "}"
    if id(value) not in seen:
        seen[id(value)] = repr(value)
    return seen[id(value)]


# --- The whole build at once ------------------------------------------------------------------
# When no input file changed since the last successful build and site/ still holds exactly
# what that build wrote, there is nothing to do: not even the memo needs loading.

LAST_BUILD = "last-build.json"


def input_fingerprint(config, out_dir: Path) -> str:
    """Every input of a build: the writer's files (by content), settings, code, and the date
    (a scheduled essay appears when its day comes)."""
    from datetime import date
    # The working folder too: messages name paths relative to it.
    parts = [code_version(), repr(config), str(out_dir.resolve()), date.today().isoformat(),
             os.getcwd()]
    for folder in (config.content_dir, config.templates_dir, config.charts_dir,
                   config.root / "static"):
        for path in _files_below(folder):
            parts += [path, hashlib.sha256(Path(path).read_bytes()).hexdigest()]
    return digest(*parts)


def _files_below(folder: Path) -> list[str]:
    found = []
    for here, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found += [os.path.join(here, name) for name in names if not name.endswith(".pyc")]
    return sorted(found)


def output_manifest(out_dir: Path) -> dict:
    """Each output file's (size, mtime): enough to notice anything touching site/ since."""
    manifest = {}
    for here, _, names in os.walk(out_dir):
        for name in names:
            info = os.stat(os.path.join(here, name))
            manifest[os.path.relpath(os.path.join(here, name), out_dir)] = [
                info.st_size, info.st_mtime_ns]
    return manifest


def last_build(cache_dir: Path, fingerprint_now: str, out_dir: Path) -> dict | None:
    """What the last build reported, if it had these very inputs and its output is intact."""
    try:
        record = json.loads((cache_dir / LAST_BUILD).read_text("utf-8"))
        if record["fingerprint"] == fingerprint_now and \
                record["manifest"] == output_manifest(out_dir) and record["manifest"]:
            return record
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing or damaged: build as usual
    return None


def record_build(cache_dir: Path, fingerprint_now: str, out_dir: Path, summary: dict,
                 warnings: list[str]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    record = {"fingerprint": fingerprint_now, "manifest": output_manifest(out_dir),
              "summary": summary, "warnings": warnings}
    temporary = cache_dir / (LAST_BUILD + ".tmp")
    temporary.write_text(json.dumps(record), "utf-8")
    temporary.replace(cache_dir / LAST_BUILD)

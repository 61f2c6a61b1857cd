"""What one build leaves for the next, so rebuilds only redo what changed.

Every entry is keyed by content hashes, never by mtimes or guesses: an essay is re-parsed when
its bytes change, re-rendered when anything that shapes its HTML changes (its bytes, the code,
the essays it links to, the chart modules and data files it read), and a page is re-rendered
when the fingerprint of its inputs changes. `serve` keeps the Memo in memory; `build` keeps it in
.longform-cache/cache.sqlite (SQLite: one row per entry, each build writing only the rows it
changed, in one transaction). A missing, stale, damaged or half-written cache only costs time,
never correctness.
"""

import functools
import gc
import hashlib
import io
import json
import os
import pickle
import re
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

DB_FILE = "cache.sqlite"
# The tables of rows in the file (see _rows): the Memo's loaded, stats and rendered entries of
# one essay share a row of "essays", so the text and path they share are stored (and read
# back) once, not three times. `placed` is cheap to redo from `rendered` and stays in memory
# only (serve keeps its Memo between rebuilds).
ESSAY_ROW = ("loaded", "stats", "rendered")
ROWS = ("essays", "pages", "scans", "summaries")


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
    # What the cache file held when this memo was read from it: table → {key: stored key};
    # None for a memo that did not come from the file (save writes that one whole).
    on_disk: dict | None = field(default=None, repr=False, compare=False)


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
    unchanged file unless it was saved within the clock's tick (see RACY_NS). ctime and
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
    versions = [version(name) for name in ("markdown", "pymdown-extensions", "pygments",
                                            "jinja2", "altair", "vl-convert-python",
                                            "latex2mathml")]
    return digest(sys.version, *versions, *sources)


@functools.cache
def version(name: str) -> str:
    """An installed distribution's version, read from its NAME-VERSION.dist-info folder's
    name (the wheel format fixes it) where one is on sys.path: importing importlib.metadata
    and parsing METADATA cost more than a no-change rebuild's whole remaining work."""
    wanted = re.sub(r"[-_.]+", "_", name).lower() + "-"
    for entry in sys.path:
        for folder in _listing(entry):
            if folder.endswith(".dist-info") and folder.lower().startswith(wanted):
                return folder[len(wanted):-len(".dist-info")]
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(folder or "."))
    except OSError:
        return ()


def load_memo(cache_dir: Path, version: str) -> Memo:
    """The previous build's memo, or an empty one if it is missing, stale or unreadable."""
    path = cache_dir / DB_FILE
    if not path.exists():
        return Memo(version=version)
    # Unpickling makes some 100,000 objects, all kept: the cyclic collector would scan the
    # growing heap again and again meanwhile (40% of the load), and after it, in every full
    # collection of the build. So it pauses, and what was read is frozen out of its sight.
    gc.disable()
    try:
        with closing(_connect(path)) as db:
            return _read_memo(db, version)
    except Exception:  # noqa: BLE001 — any damage to the cache means "start cold"
        return Memo(version=version)
    finally:
        gc.freeze()
        gc.enable()


def _read_memo(db: sqlite3.Connection, version: str) -> Memo:
    meta = dict(db.execute("SELECT name, value FROM meta"))
    if meta.get("version") != version.encode():
        return Memo(version=version)
    memo = Memo(version=version, related=pickle.loads(meta["related"]),
                search=pickle.loads(meta["search"]) if "search" in meta else (),
                on_disk={table: {} for table in ROWS})
    for table, stored_key, value in db.execute("SELECT tab, key, value FROM entries"):
        key = pickle.loads(stored_key)
        if table == "essays":
            for part, entry in zip(ESSAY_ROW, pickle.loads(value), strict=True):
                if entry is not None:
                    getattr(memo, part)[key] = entry
        else:
            getattr(memo, table)[key] = pickle.loads(value)
        memo.on_disk[table][key] = stored_key
    return memo


def _rows(memo: Memo) -> dict:
    """The memo as the file stores it: table → key → value."""
    essays = {}
    for part in ESSAY_ROW:
        for key in getattr(memo, part):
            essays.setdefault(key, None)
    return {"essays": {key: tuple(getattr(memo, part).get(key) for part in ESSAY_ROW)
                       for key in essays},
            # A page's bytes are the output folder's business: the file keeps only its
            # fingerprint (24 MB less to read and write at 1,000 essays); the build takes
            # the page from the output folder while it is unchanged there, or renders it.
            "pages": {key: (value[0], None) for key, value in memo.pages.items()},
            "scans": memo.scans, "summaries": memo.summaries}


def save_memo(cache_dir: Path, memo: Memo, previous: Memo | None = None) -> None:
    """Write memo to the cache file in one transaction: only the entries that differ from
    `previous` (the memo read from the file this build) when there is one, else all of them.
    A build killed meanwhile leaves the file as it was (SQLite rolls the journal back)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / DB_FILE
    whole = previous is None or previous.on_disk is None or previous.version != memo.version
    try:
        with closing(_connect(path)) as db:
            _write_memo(db, memo, None if whole else previous)
    except sqlite3.DatabaseError:  # a damaged file: replace it
        _remove_database(path)
        with closing(_connect(path)) as db:
            _write_memo(db, memo, None)


def _write_memo(db: sqlite3.Connection, memo: Memo, previous: Memo | None) -> None:
    db.execute("BEGIN IMMEDIATE")
    rows, old_rows = _rows(memo), _rows(previous) if previous is not None else None
    if previous is None:
        db.execute("DELETE FROM entries")
    if previous is not None:
        db.executemany("DELETE FROM entries WHERE tab = ? AND key = ?",
                       [(table, stored) for table in ROWS
                        for key, stored in previous.on_disk[table].items()
                        if key not in rows[table]])
    # A generator: each row is pickled as SQLite takes it, never all of them at once in memory.
    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                   _changed_rows(rows, old_rows, previous))
    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (memo.version.encode(),))
    if previous is None or memo.related is not previous.related:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('related', ?)",
                   (pickle.dumps(memo.related, PROTOCOL),))
    if previous is None or memo.search != previous.search:  # the Pagefind bundle: one value
        db.execute("INSERT OR REPLACE INTO meta VALUES ('search', ?)",
                   (pickle.dumps(memo.search, PROTOCOL),))
    db.execute("COMMIT")


PROTOCOL = pickle.HIGHEST_PROTOCOL


def _dumps(value) -> bytes:
    """pickle.dumps, with each Path as its string: a rebuild unpickles some 9,000 paths (keys
    and every Essay's source), and building a Path from its parts is slow, so _path makes
    each distinct one once."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, PROTOCOL)
    pickler.dispatch_table = {type(Path()): _reduce_path}
    pickler.dump(value)
    return buffer.getvalue()


def _reduce_path(path: Path):
    return _path, (str(path),)


@functools.cache
def _path(text: str) -> Path:
    return Path(text)


def _changed_rows(rows: dict, old_rows: dict | None, previous: Memo | None):
    for table in ROWS:
        new, old = rows[table], old_rows[table] if old_rows else {}
        for key, value in new.items():
            if key in old and (old[key] is value or old[key] == value):
                continue
            yield table, _stored_key(previous, table, key), _dumps(value)


def _stored_key(previous: Memo | None, table: str, key) -> bytes:
    # The key's bytes as the file has them, so that a replaced entry overwrites its row.
    known = previous.on_disk[table].get(key) if previous is not None else None
    return known if known is not None else _dumps(key)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
    # A killed build is safe without fsync (the journal is in the file system, whatever the
    # process did); a crash of the machine may damage the file, which then reads as cold.
    db.execute("PRAGMA synchronous = OFF")
    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
    db.execute("CREATE TABLE IF NOT EXISTS entries (tab TEXT, key BLOB, value BLOB, "
               "PRIMARY KEY (tab, key)) WITHOUT ROWID")
    return db


def _remove_database(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def page_keys(parts: list[tuple], contexts: list) -> list[str]:
    """One hash per page of its parts (strings) and its context; an Essay stands for itself by
    its content key. Objects shared by many pages (an author on hundreds of essay pages) are
    written out once: every context is alive for the call, so an object's id names it."""
    from .content import Essay  # here: a no-change rebuild imports this module, not YAML
    seen: dict[int, str] = {}
    return [digest(*part, _canonical(context, seen, Essay))
            for part, context in zip(parts, contexts, strict=True)]


def _canonical(value, seen: dict, essay: type) -> str:
    # Exact type checks first (a rebuild of 1,000 essays canonicalises ~20,000 values), then
    # subclasses, such as named tuples.
    kind = type(value)
    if kind is str:
        return repr(value)
    if kind is essay or isinstance(value, essay):
        return "E:" + value.key
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        return "[" + ",".join([_canonical(v, seen, essay) for v in value]) + "]"
    if kind is dict or isinstance(value, dict):
        items = sorted([(_canonical(k, seen, essay), _canonical(v, seen, essay))
                        for k, v in value.items()])
        return "{" + ",".join([f"{k}:{v}" for k, v in items]) + "}"
    if id(value) not in seen:
        seen[id(value)] = repr(value)
    return seen[id(value)]


# --- The whole build at once ------------------------------------------------------------------
# When no input file changed since the last successful build and site/ still holds exactly
# what that build wrote, there is nothing to do: not even the memo needs loading.

LAST_BUILD = "last-build.json"


def input_fingerprint(config, out_dir: Path, known: dict | None = None) -> tuple[str, dict]:
    """Every input of a build: the writer's files (by content), settings, code, and the date
    (a scheduled essay appears when its day comes); and each file's (stat signature, hash)
    for the next call, which reads only files whose signature changed (`known`: this dict
    from the last call)."""
    from datetime import date
    known = known or {}
    # The working folder too: messages name paths relative to it.
    parts = [code_version(), repr(config), str(out_dir.resolve()), date.today().isoformat(),
             os.getcwd()]
    hashes = {}
    settled = time.time_ns() - RACY_NS
    for folder in (config.content_dir, config.templates_dir, config.charts_dir,
                   config.root / "static"):
        listing = files_below(str(folder), follow_links=True)
        for relative in sorted(listing):
            if relative.endswith(".pyc") or "__pycache__" in relative.split("/"):
                continue
            path, info = os.path.join(folder, relative), listing[relative]
            signature = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
            seen = known.get(path)
            if signature and seen and seen[0] == list(signature):
                file_digest = seen[1]
            else:
                file_digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            if signature and signature[0] < settled:
                hashes[path] = [list(signature), file_digest]
            parts += [path, file_digest]
    return digest(*parts), hashes


# A file whose stat signature is unchanged since we hashed it is not read again, as git does.
# Only for files last modified a while before we looked: a save within the same tick of a
# coarse clock (FAT stamps to 2 s) could otherwise keep its mtime.
RACY_NS = 2_000_000_000


def output_manifest(out_dir: Path) -> dict:
    """Each output file's (size, mtime): enough to notice anything touching site/ since."""
    return {path: [info.st_size, info.st_mtime_ns]
            for path, info in files_below(str(out_dir)).items()}


def files_below(folder: str, prefix: str = "", follow_links: bool = False) -> dict:
    """Every file under folder: its path relative to it ("/"-separated) → its stat (the
    stat a signature is made of, so nothing is stat'ed twice). scandir instead of os.walk and
    relpath: site/ holds thousands of files, and each build lists it and its inputs."""
    found = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=follow_links):
            found.update(files_below(entry.path, f"{prefix}{entry.name}/", follow_links))
        elif entry.is_file():
            found[prefix + entry.name] = entry.stat()
    return found


def last_record(cache_dir: Path) -> dict:
    """What the last build wrote down (see record_build); {} if missing or damaged."""
    try:
        record = json.loads((cache_dir / LAST_BUILD).read_text("utf-8"))
        return record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def last_build(record: dict, fingerprint_now: str, out_dir: Path) -> dict | None:
    """The last build's record, if it had these very inputs and its output is intact."""
    try:
        if record["fingerprint"] == fingerprint_now and \
                record["manifest"] == output_manifest(out_dir) and record["manifest"]:
            return record
    except (KeyError, TypeError):
        pass  # damaged: build as usual
    return None


def last_left(record: dict, out_dir: Path) -> dict:
    """{path: (size, mtime)} of each file the last build left in out_dir."""
    manifest = record.get("manifest") if record.get("out") == str(out_dir.resolve()) else None
    return manifest if isinstance(manifest, dict) else {}


def record_build(cache_dir: Path, fingerprint_now: str, out_dir: Path, summary: dict,
                 warnings: list[str], inputs: dict, manifest: dict | None = None) -> None:
    """Write down the build: `manifest` is what publish left in out_dir (listed if None)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    record = {"fingerprint": fingerprint_now, "out": str(out_dir.resolve()),
              "manifest": manifest if manifest is not None else output_manifest(out_dir),
              "inputs": inputs,
              "summary": summary, "warnings": warnings}
    temporary = cache_dir / (LAST_BUILD + ".tmp")
    temporary.write_text(json.dumps(record), "utf-8")
    temporary.replace(cache_dir / LAST_BUILD)

"""What one build leaves for the next, so rebuilds only redo what changed.

Every entry is keyed by content hashes, never by mtimes or guesses: an essay is re-parsed when
its bytes change, re-rendered when anything that shapes its HTML changes (its bytes, the code,
the essays it links to, the chart modules and data files it read), and a page is re-rendered
when the fingerprint of its inputs changes. `serve` keeps the Memo in memory; `build` keeps it in
.longform-cache/cache.sqlite (SQLite: entries in buckets of a row each, see BUCKETS, each build
writing only the rows holding what it changed, in one transaction; what a build took over
unchanged is the very object it read, so identity tells it, with no pickling). An essay's text
has a row of its own, read only when a stage reads it (Texts). A missing, stale, damaged or
half-written cache only costs time, never correctness.
"""

import functools
import gc
import hashlib
import os
import pickle
import sqlite3
import threading
import zlib
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import lastbuild

# The hashes, the code's version and the folder walk live with the whole-build check, which
# runs before anything else is imported; the stages import them from here, with the memo.
from .lastbuild import RACY_NS, code_version, digest, files_below  # noqa: F401
from .memorows import (
    PROTOCOL,
    dumps,
    is_hollow,
    rendered_by_key,
    stored,
    text_row,
    texts_of,
    whole_essays,
    whole_summaries,
)

version = lastbuild.version

DB_FILE = "cache.sqlite"
# The tables of rows in the file (see _rows): the Memo's loaded, stats and rendered entries of
# one essay share a row of "essays", so the text and path they share are stored (and read
# back) once, not three times; "search" has a row per Pagefind shard (its files), their keys
# and order are in meta. `placed` is cheap to redo from `rendered` and stays in memory only
# (serve keeps its Memo between rebuilds). The essays' text is in a table of its own, "texts"
# (a row per rendered record's key), which no build reads whole.
ESSAY_ROW = ("loaded", "stats", "rendered")
TABLES = ("essays", "pages", "scans", "summaries", "search")
# The entries of the first four tables lie in BUCKETS rows a table, by a hash of their key: a
# rebuild reads them all, and a row costs as much to fetch and unpickle as a few dozen entries
# in one (at 1,000 essays, 5,000 one-entry rows took 65 ms to read, 64-entry buckets 16 ms);
# an edit rewrites the few buckets holding what it changed. A search shard keeps a row of its
# own (its files: 300 KB each).
BUCKETS = 64
BUCKETED = TABLES[:4]


@dataclass
class Memo:
    version: str = ""
    loaded: dict = field(default_factory=dict)  # source path → (file hash, loaded Essay)
    stats: dict = field(default_factory=dict)  # source path → (stat signature, file hash)
    rendered: dict = field(default_factory=dict)  # source path → (inputs, deps, rendered Essay)
    related: object = None  # related.Scores: the last scoring, for the next to build on
    pages: dict = field(default_factory=dict)  # output path → (fingerprint, bytes)
    scans: dict = field(default_factory=dict)  # check results; sha256 of HTML → links.Found
    # This build's scans of pages whose ids no link needs: for its own review, not saved.
    scanned: dict = field(default_factory=dict, repr=False, compare=False)
    summaries: dict = field(default_factory=dict)  # (essay key, read time) → listing summary
    placed: dict = field(default_factory=dict)  # (essay key, words a minute) → placed Essay
    search: tuple = ()  # (name, key, files) of each shard of the Pagefind bundle, in order
    dirty: bool = False  # something was parsed or computed afresh: worth saving
    # What the cache file held when this memo was read from it: table → {key: (its row's key,
    # value as read)}, so that saving skips what a build took over unchanged (the same
    # object) and rewrites only the rest; None for a memo that did not come from the file
    # (save writes that one whole).
    on_disk: dict | None = field(default=None, repr=False, compare=False)
    # Where the records read without their text (memorows.hollow) find it: a memo from the file.
    texts: "Texts | None" = field(default=None, repr=False, compare=False)
    # The file holding the entries load_memo(staged=True) has not read yet (see rest_loaded).
    pending: Path | None = field(default=None, repr=False, compare=False)


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


def load_memo(cache_dir: Path, version: str, staged: bool = False) -> Memo:
    """The previous build's memo, or an empty one if it is missing, stale or unreadable.
    `staged`: the essays' entries now, the rest (pages, scans, summaries, the search's rows and
    the related scores) when rest_loaded(memo) asks: an edit starts Pagefind on its essay's
    shard with the essays' alone, and reads the rest (20-40 ms at 1,000 essays) while it runs."""
    path = cache_dir / DB_FILE
    if not path.exists():
        return Memo(version=version)
    try:
        with _unwatched(), closing(_connect(path)) as db:
            memo = _read_essays(db, version, Texts(path))
            if memo.on_disk is not None and staged:
                memo.pending = path
            elif memo.on_disk is not None:
                _read_rest(db, memo)
            return memo
    except Exception:  # noqa: BLE001 — any damage to the cache means "start cold"
        return Memo(version=version)


def rest_loaded(memo: Memo) -> None:
    """Read what load_memo(staged=True) left in the file (nothing left: nothing to do). Damage
    found only now leaves those entries empty and the memo to be saved whole: time lost, never
    a wrong page (every entry is keyed by what it was made from)."""
    path, memo.pending = memo.pending, None
    if path is None:
        return
    try:
        with _unwatched(), closing(_connect(path)) as db:
            _read_rest(db, memo)
    except Exception:  # noqa: BLE001 — as load_memo's
        empty = Memo(version=memo.version)  # those entries as a memo starts them
        for name in ("pages", "scans", "summaries", "search", "related", "on_disk"):
            setattr(memo, name, getattr(empty, name))


@contextmanager
def _unwatched():
    """Unpickling makes some 100,000 objects, all kept: the cyclic collector would scan the
    growing heap again and again meanwhile (40% of the load), and after it, in every full
    collection of the build. So it pauses, and what was read is frozen out of its sight."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _read_essays(db: sqlite3.Connection, version: str, texts: "Texts") -> Memo:
    (stored,), = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchall() or \
        [(None,)]
    if stored != version.encode():
        return Memo(version=version)
    memo = Memo(version=version, on_disk={}, texts=texts)
    memo.on_disk["essays"] = _table(db, "essays")
    whole_essays(memo.on_disk["essays"], texts.stored)
    for key, (_, row) in memo.on_disk["essays"].items():
        for part, entry in zip(ESSAY_ROW, row, strict=True):
            if entry is not None:
                getattr(memo, part)[key] = entry
    return memo


def _read_rest(db: sqlite3.Connection, memo: Memo) -> None:
    meta = dict(db.execute("SELECT name, value FROM meta"))
    if meta.get("version") != memo.version.encode():  # rewritten meanwhile by other code
        raise LookupError("another version's cache")
    for table in TABLES[1:]:
        memo.on_disk[table] = _table(db, table)
    whole_summaries(memo.on_disk)
    memo.pages, memo.scans = ({key: value for key, (_, value) in memo.on_disk[table].items()}
                              for table in ("pages", "scans"))
    memo.summaries = {key: value for key, (_, value) in memo.on_disk["summaries"].items()
                      if value is not None}
    files = memo.on_disk["search"]
    memo.search = tuple((name, key, files[name][1]) for name, key in pickle.loads(meta["search"]))
    memo.related = pickle.loads(meta["related"])


def _table(db: sqlite3.Connection, table: str) -> dict:
    """key → (its row's key, value) of the table's entries, as the file holds them."""
    # Row by row, not fetchall(): each row's bytes are let go once unpickled, so the next
    # row reuses their memory (at 5,000 essays, 96 MB fewer fresh pages).
    read = db.execute("SELECT key, value FROM entries WHERE tab = ?", (table,))
    if table in BUCKETED:
        return {key: (row, value) for row, bucket in read for key, value in pickle.loads(bucket)}
    return {pickle.loads(key): (key, pickle.loads(value)) for key, value in read}


def _rows(memo: Memo, whole: bool, tables: tuple = TABLES) -> dict:
    """The memo as the file stores it: table → key → value, for the tables named (only those
    are worked out: the search rows an edit saves last take 2 ms alone, 7 with the rest).
    Written whole, it leaves out the essays read without their text (whose text rows are not
    in the file written)."""
    made = {
        "essays": lambda: _essay_rows(memo, whole),
        # A page's bytes are the output folder's business: the file keeps only its
        # fingerprint (24 MB less to read and write at 1,000 essays); the build takes the
        # page from the output folder while it is unchanged there, or renders it.
        "pages": lambda: {key: (value[0], None) for key, value in memo.pages.items()},
        "scans": lambda: memo.scans, "summaries": lambda: memo.summaries,
        "search": lambda: {name: files for name, _, files in memo.search}}
    return {table: made[table]() for table in tables}


def _essay_rows(memo: Memo, whole: bool) -> dict:
    essays = {}
    for part in ESSAY_ROW:
        for key in getattr(memo, part):
            essays.setdefault(key, None)
    rows = {key: tuple(getattr(memo, part).get(key) for part in ESSAY_ROW) for key in essays}
    if whole:
        rows = {key: (loaded, stats, rendered) for key, (loaded, stats, rendered) in rows.items()
                if not (loaded and is_hollow(loaded[1]) or rendered and is_hollow(rendered[2]))}
    return rows


def save_memo(cache_dir: Path, memo: Memo, previous: Memo | None = None,
              parts: tuple = ("entries", "search")) -> None:
    """Write memo to the cache file in one transaction: only the entries that differ from
    `previous` (the memo read from the file this build) when there is one, else all of them.
    A build killed meanwhile leaves the file as it was (SQLite rolls the journal back).
    `parts`: the essays' and pages' entries, the search shards, or both; saved apart (the
    entries while Pagefind finishes, cli.full_build), the two transactions each leave the
    file consistent: a shard's row is taken only while its key matches its essays, and a
    file written whole lists no shard until its search rows are in."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / DB_FILE
    if whole_save(memo, previous):
        previous = None  # nothing to compare with: every row of the parts is written
    if "entries" in parts:
        _read_texts_to_keep(memo)
    try:
        with closing(_connect(path)) as db:
            _write_memo(db, memo, previous, parts)
    except sqlite3.DatabaseError:  # a damaged file: replace it
        _remove_database(path)
        with closing(_connect(path)) as db:
            _write_memo(db, memo, None, ("entries", "search"))


def whole_save(memo: Memo, previous: Memo | None) -> bool:
    """Whether saving memo rewrites the whole file (no memo read from it to compare with)."""
    return previous is None or previous.on_disk is None or previous.version != memo.version


def _read_texts_to_keep(memo: Memo) -> None:
    """A loaded record read without its text shares a rendered record's text row: the row its
    `_stored` reads (Texts.stored, whose first argument is the row's key). When no rendered
    record of the memo keeps that key (the essay was rendered again, or is gone), saving
    deletes the row: the loaded record reads its text now, before the file is written (which
    would keep other connections from reading it). (Not "when its rendered record is no longer
    hollow": reading an unchanged essay's text, as an edit's search documents do, keeps its row.)"""
    kept = None
    for known in memo.loaded.values():
        stored = known[1].__dict__.get("_stored")
        if stored is None:
            continue
        if kept is None:
            kept = {entry[2].key for entry in memo.rendered.values()}
        if not isinstance(stored, functools.partial) or stored.args[0] not in kept:
            known[1].body_md  # noqa: B018 — reading it fills the record (content._Text)


def _write_memo(db: sqlite3.Connection, memo: Memo, previous: Memo | None, parts: tuple
                ) -> None:
    db.execute("BEGIN IMMEDIATE")
    tables = (TABLES[:-1] if "entries" in parts else ()) + \
        (("search",) if "search" in parts else ())
    rows = _rows(memo, previous is None, tables)
    on_disk = previous.on_disk if previous is not None else {table: {} for table in TABLES}
    if previous is None and "entries" in parts:
        db.execute("DELETE FROM entries")
        db.execute("DELETE FROM texts")
        if "search" not in parts:  # saved next: till then the file knows no shard
            db.execute("INSERT OR REPLACE INTO meta VALUES ('search', ?)",
                       (pickle.dumps((), PROTOCOL),))
    if "entries" in parts:
        _write_texts(db, rows["essays"], on_disk["essays"],
                     previous.texts.recovered if previous is not None and previous.texts else {})
    changed = _changed(rows, on_disk, tables)
    db.executemany("DELETE FROM entries WHERE tab = ? AND key = ?",
                   [table_row for table_row, keys in changed.items() if not keys])
    # A generator: each row is pickled as SQLite takes it, never all of them at once in memory.
    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                   _changed_rows(rows, changed, rendered_by_key(memo.rendered)
                                 if "entries" in parts else {}))
    if "entries" in parts:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (memo.version.encode(),))
        if previous is None or memo.related is not previous.related:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('related', ?)",
                       (pickle.dumps(memo.related, PROTOCOL),))
    shards = tuple((name, key) for name, key, _ in memo.search)
    if "search" in parts and (previous is None or shards != tuple(
            (name, key) for name, key, _ in previous.search)):
        db.execute("INSERT OR REPLACE INTO meta VALUES ('search', ?)",
                   (pickle.dumps(shards, PROTOCOL),))
    db.execute("COMMIT")


def _write_texts(db: sqlite3.Connection, essays: dict, on_disk: dict, recovered: dict
                 ) -> None:
    """The text rows of the rendered records written, less those of the records gone: a text
    row is keyed by its record's content key, so one that stays is the same, unless it was
    found missing or damaged (`recovered`: key → the text made again), and is written anew."""
    from .content import TEXT_FIELDS
    stored = {row[2][2].key for _, row in on_disk.values() if row[2] is not None}
    kept = {row[2][2].key: row[2][2] for row in essays.values() if row[2] is not None}
    db.executemany("DELETE FROM texts WHERE key = ?", [(key,) for key in stored - kept.keys()])
    db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?)", (
        (key, dumps(text_row(recovered.get(key) or
                             {name: getattr(essay, name) for name in TEXT_FIELDS})))
        for key, essay in kept.items() if key not in stored or key in recovered))


def _changed(rows: dict, on_disk: dict, tables: tuple = TABLES) -> dict:
    """(table, row key) → the keys the row holds now, of each row that is not in the file as
    it is (no keys: a row to delete). A row a build took over from the file is the very
    object read (tuples of them for an essay's row): an identity check, no pickling, tells
    most of them. A summary is stored against its essay's rendered record (memorows.stored),
    so it is written again with it."""
    changed: dict = {}
    written = set()  # essay keys of the rendered records changed
    for table in tables:
        known, now = on_disk[table], rows[table]
        for key, value in now.items():
            old = known.get(key, (None, None))[1]
            if (old is value or (old is not None and old == value)) and not (
                    table == "summaries" and key[0] in written):
                continue
            if table == "essays" and value[2] is not None:
                written.add(value[2][2].key)
            changed[table, _row(table, key)] = []
        for key, (row, _) in known.items():
            if key not in now:
                changed[table, row] = []
        if any(changed_table == table for changed_table, _ in changed):
            for key in now:
                row = known[key][0] if key in known else _row(table, key)
                if (table, row) in changed:
                    changed[table, row].append(key)
    return changed


def _changed_rows(rows: dict, changed: dict, bases: dict):
    """(table, row key, value) of each changed row that still holds entries."""
    for (table, row), keys in changed.items():
        if keys and table in BUCKETED:
            yield table, row, dumps([(key, stored(table, key, rows[table][key], bases))
                                     for key in keys])
        elif keys:
            yield table, row, dumps(stored(table, keys[0], rows[table][keys[0]], bases))


def _row(table: str, key) -> bytes:
    """The key of the row holding an entry: its bucket's number (the same in every process),
    or for a search shard, its name pickled."""
    if table not in BUCKETED:
        return dumps(key)
    return b"%d" % (zlib.crc32(str(key).encode("utf-8", "surrogateescape")) % BUCKETS)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
    # A killed build is safe without fsync (the journal is in the file system, whatever the
    # process did); a crash of the machine may damage the file, which then reads as cold.
    db.execute("PRAGMA synchronous = OFF")
    # Not memory-mapped: a mapped file's pages count in the build's resident memory, and at
    # 5,000 essays the 190 MB file put an edit at 459 MB (342 MB read through SQLite's own
    # cache) for a few hundredths of a second less reading.
    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
    db.execute("CREATE TABLE IF NOT EXISTS entries (tab TEXT, key BLOB, value BLOB, "
               "PRIMARY KEY (tab, key)) WITHOUT ROWID")
    # Rows of 10 KB and more: SQLite keeps them best in a table with row ids.
    db.execute("CREATE TABLE IF NOT EXISTS texts (key TEXT PRIMARY KEY, value BLOB)")
    return db


class Texts:
    """The text rows of a cache file, read one at a time as records read without their text
    need them (content._Text), from any thread (a connection each) or a forked process (its
    own, never its parent's). A row gone or unreadable (damaged, or another build rewrote the
    file meanwhile) is made again by `recover`, which the pipeline sets: the essay rendered
    again, as the rendering the cache held would be."""

    def __init__(self, path: Path):
        self.path = path
        self.local = threading.local()
        self.recover = None  # (source path, its text's hash) → the text fields
        self.recovered: dict[str, dict] = {}  # key → text fields made again, to store anew

    def stored(self, key: str, source_hash: str):
        """The `_stored` of the rendered record with content key `key`."""
        return functools.partial(self._texts, key, source_hash)

    def _texts(self, key: str, source_hash: str, essay) -> dict:
        try:
            (value,), = self._connection().execute("SELECT value FROM texts WHERE key = ?",
                                                   (key,)).fetchall()
            return texts_of(pickle.loads(value))
        except Exception:  # noqa: BLE001 — any damage to the row means "render it again"
            if self.recover is None:
                raise LookupError(f"{self.path} has no text for {essay.source}") from None
            self.recovered[key] = self.recover(essay.source, source_hash)
            return self.recovered[key]

    def _connection(self) -> sqlite3.Connection:
        pid, db = getattr(self.local, "db", (None, None))
        if pid != os.getpid():
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self.local.db = (os.getpid(), db)
        return db


def _remove_database(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)

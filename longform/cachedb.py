"""Tables in .longform-cache that the render workers write as they go (converted math, drawn
cards): SQLite files in WAL mode, one connection a process (a forked worker opens its own),
shared by that process's threads under a lock.

Files rather than rows were a thousand new inodes a cold build for the cards alone, and on a
disk that has just freed thousands (the output and the cache deleted for a clean build) each
new inode is found past every one freed in the last minute: a card file cost a render worker
0.6 ms of kernel time, a fifth of drawing it. A damaged file is removed and made again once;
a file that cannot be used at all (a read-only folder) gives None, and everything is then
made afresh, which only costs time.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

# (process id, file) → (connection, the file's inode): a forked worker opens its own, and a
# file deleted or replaced since (serve runs on while the writer clears the cache) is opened
# anew rather than written through a handle to a file nobody will read.
_connections: dict[tuple[int, str], tuple[sqlite3.Connection, int]] = {}
WAL_TRIES = 200  # 10 ms apart: two seconds for another process to set up the file
LOCK = threading.Lock()  # publish's writer threads read cards through one connection


def connection(cache_dir: Path | None, name: str, schema: str) -> sqlite3.Connection | None:
    """This process's connection to cache_dir/name, its tables made by `schema` (SQL
    statements); None when there is no cache folder or the file cannot be used."""
    if cache_dir is None:
        return None
    path = os.path.join(cache_dir, name)
    slot = (os.getpid(), path)
    known = _connections.get(slot)
    if known is not None and known[1] == _inode(path):
        return known[0]
    database = _opened(Path(path), schema)
    if database is None:
        _connections.pop(slot, None)
        return None
    _connections[slot] = (database, _inode(path))
    return database


def forget(cache_dir: Path | None, name: str) -> None:
    """Drop this process's connection after a failed query: the next use opens the file
    again, and a damaged one is then made anew."""
    if cache_dir is not None:
        _connections.pop((os.getpid(), os.path.join(cache_dir, name)), None)


def store(database: sqlite3.Connection, statement: str, rows: list) -> None:
    """Run the statement for each row in one transaction that takes the file's write lock as
    it begins. Two workers storing at once then wait their turn (the busy timeout), where a
    transaction that read first failed at once if the other wrote meanwhile (SQLITE_BUSY:
    a render worker's whole batch of cards lost, to be drawn again after the rendering)."""
    database.execute("BEGIN IMMEDIATE")
    try:
        database.executemany(statement, rows)
    except BaseException:
        database.rollback()
        raise
    database.commit()


def _inode(path: str) -> int:
    try:
        return os.stat(path).st_ino
    except OSError:
        return -1


def _opened(path: Path, schema: str) -> sqlite3.Connection | None:
    for attempt in range(2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            database = sqlite3.connect(path, timeout=30, check_same_thread=False)
        except (sqlite3.Error, OSError):
            return None
        try:
            _in_wal_mode(database)
            database.execute("PRAGMA synchronous=OFF")  # a cache: a lost write costs only time
            database.executescript(schema)
            return database
        except sqlite3.OperationalError:  # locked past the timeout, read-only: leave it be
            database.close()
            return None
        except sqlite3.DatabaseError:  # not a database, or a damaged one
            database.close()
            if attempt or not _removed(path):
                return None
    return None


def _in_wal_mode(database: sqlite3.Connection) -> None:
    """WAL mode, which the file keeps once set. Two workers opening a new file at once race
    to set it, and the loser's PRAGMA fails at once ("database is locked": the busy timeout
    does not apply to it), which lost a worker its cache for the whole build; it tries
    again until the other is done."""
    for _ in range(WAL_TRIES - 1):
        try:
            database.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err):
                raise
            time.sleep(0.01)
    database.execute("PRAGMA journal_mode=WAL")


def _removed(path: Path) -> bool:
    """Remove a damaged file and its journals; whether it is gone."""
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    except OSError:
        return False
    return True

"""Files that go to site/ as they are, read only when written: a file on disk (Copied: the
writer's static files and media, image variants in the cache, a kept page) or a row of a cache
table (Stored: a social card). Each has a size and an mtime that site/'s copy keeps, so
publish takes a copy that still has both as unchanged without reading either."""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Copied:
    """A file that goes to site/ as it is (a photo, an image variant in the cache, the writer's
    static files): it is read only to be written, and a copy whose size and mtime still match it is
    taken as unchanged without reading either (copies keep the mtime, as rsync's do). Its
    size and mtime are part of its equality, so serve notices an edited file."""

    path: str  # a string, not a Path: a rebuild makes thousands (every card, every page)
    size: int
    mtime_ns: int
    cached: bool = False  # a file of .longform-cache/, whose mtime Longform may set

    @classmethod
    def of(cls, path: "str | Path", cached: bool = False) -> "Copied":
        info = os.stat(path)
        return cls(os.fspath(path), info.st_size, info.st_mtime_ns, cached)

    def read(self) -> bytes:
        with open(self.path, "rb") as file:
            return file.read()

    def adopt(self, mtime_ns: int) -> None:
        """Take site/'s mtime for the same bytes (see _same_copy)."""
        if self.cached:
            os.utime(self.path, ns=(mtime_ns, mtime_ns))


@dataclass(frozen=True)
class Stored:
    """A file whose bytes wait in a cache table (a social card in cards.sqlite): read only to
    be written. Like a Copied file it has an mtime (when it was stored) that site/'s copy
    keeps, so a copy with its size and mtime is taken as unchanged without reading either."""

    size: int
    mtime_ns: int
    key: str
    table: "StoredTable" = field(compare=False, repr=False)

    def read(self) -> bytes:
        return self.table.read(self.key)

    def adopt(self, mtime_ns: int) -> None:
        self.table.adopt(self.key, mtime_ns)


class StoredTable(Protocol):
    def read(self, key: str) -> bytes: ...
    def adopt(self, key: str, mtime_ns: int) -> None: ...


Deferred = (Copied, Stored)  # read only when written: each has size, mtime_ns, read(), adopt()


def file_bytes(data: "bytes | Copied | Stored") -> bytes:
    return data.read() if isinstance(data, Deferred) else data

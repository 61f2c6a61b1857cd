"""How the memo's entries lie in the cache file's rows (cache.py reads and writes the file).

A rebuild reads every essay's records back, and unpickling costs by the object, not by the
byte: so a record is stored with as few objects as it can be. An essay's loaded record and its
listing summary are versions of its rendered record that share most of its fields: each is
stored as the fields in which it differs (a dict), and made whole again when read. An Essay is
pickled as the tuple of its field values, not a dict naming them. Values are compared as the
build sees them (whole), so this form never decides whether a row is written.
"""

import functools
import io
import pickle
from pathlib import Path

PROTOCOL = pickle.HIGHEST_PROTOCOL


def dumps(value) -> bytes:
    """pickle.dumps, with each Path as its string and each Essay as its values: a rebuild
    unpickles some 9,000 paths (keys and every Essay's source), and building a Path from its
    parts is slow, so _path makes each distinct one once."""
    from .content import Essay  # here: a rebuild that saves nothing imports no YAML for this
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, PROTOCOL)
    pickler.dispatch_table = {type(Path()): _reduce_path, Essay: _reduce_essay}
    pickler.dump(value)
    return buffer.getvalue()


def _reduce_path(path: Path):
    return _path, (str(path),)


@functools.cache
def _path(text: str) -> Path:
    return Path(text)


def _reduce_essay(essay):
    if tuple(essay.__dict__) != _fields():  # not as its __init__ made it: pickled as usual
        return essay.__reduce_ex__(PROTOCOL)
    return _essay, (tuple(essay.__dict__.values()),)


def _essay(values: tuple):
    from .content import Essay
    essay = object.__new__(Essay)
    essay.__dict__.update(zip(_fields(), values, strict=True))
    return essay


@functools.cache
def _fields() -> tuple:
    from .content import Essay
    return tuple(Essay.__dataclass_fields__)


def stored(table: str, key, value, bases: dict):
    """A row's value as the file keeps it. bases: essay key → rendered Essay of this memo."""
    if table == "essays":
        loaded, stats, rendered = value
        if loaded is not None and rendered is not None:
            loaded = (loaded[0], _changes(loaded[1], rendered[2]), *loaded[2:])
        return loaded, stats, rendered
    if table == "summaries" and key[0] in bases:  # key: (essay key, read time, URL)
        return _changes(value, bases[key[0]])
    return value


def made_whole(on_disk: dict) -> None:
    """The stored forms of what was read from the file (table → key → (stored key, value)),
    as the build sees them, in place. A summary whose base is missing reads as None."""
    essays, bases = on_disk["essays"], {}
    for key, (stored_key, (loaded, stats, rendered)) in essays.items():
        if loaded is not None and type(loaded[1]) is dict:
            loaded = (loaded[0], _whole(loaded[1], rendered[2]), *loaded[2:])
            essays[key] = (stored_key, (loaded, stats, rendered))
        if rendered is not None:
            bases[rendered[2].key] = rendered[2]
    summaries = on_disk["summaries"]
    for key, (stored_key, value) in summaries.items():
        if type(value) is dict:
            base = bases.get(key[0])
            summaries[key] = (stored_key, base and _whole(value, base))


def rendered_by_key(rendered: dict) -> dict:
    """Essay key → rendered Essay, of a memo's rendered entries."""
    return {entry[2].key: entry[2] for entry in rendered.values()}


def _changes(essay, base):
    """essay as the fields whose values differ from base's (another version of the same
    essay), or whole when the two are not alike."""
    mine, theirs = essay.__dict__, base.__dict__
    if type(essay) is not type(base) or mine.keys() != theirs.keys():
        return essay
    return {name: value for name, value in mine.items() if not _same(value, theirs[name])}


def _same(a, b) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def _whole(changes: dict, base):
    essay = object.__new__(type(base))
    essay.__dict__.update(base.__dict__)
    essay.__dict__.update(changes)
    return essay

"""How the memo's entries lie in the cache file's rows (cache.py reads and writes the file).

A rebuild reads every essay's records back, and unpickling costs by the object, not by the
byte: so a record is stored with as few objects as it can be. An essay's loaded record and its
listing summary are versions of its rendered record that share most of its fields: each is
stored as the fields in which it differs (a dict), and made whole again when read. An Essay is
pickled as the tuple of its field values, not a dict naming them. Values are compared as the
build sees them (whole), so this form never decides whether a row is written.

An essay's text (content.TEXT_FIELDS: its Markdown, HTML and table of contents, 90% of its
bytes) has a row of its own, keyed by the rendered record's content key, and is read only when
a stage reads it (content._Text): the essay row holds the record without it (hollow), an absent
field stored as None, which no text field ever is.
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
    known = essay.__dict__
    if tuple(known) == _fields():  # as its __init__ made it
        return _essay, (tuple(known.values()),)
    if not (known.keys() - {"_stored"} <= _field_set() and
            _field_set() - known.keys() <= _text_fields()):
        return essay.__reduce_ex__(PROTOCOL)  # not a record of ours: pickled as usual
    # Hollow, or filled (its text fields last): the text fields it lacks as None.
    return _essay, (tuple([known.get(name) for name in _fields()]),)


def _essay(values: tuple):
    from .content import TEXT_FIELDS, Essay
    essay = object.__new__(Essay)
    known = essay.__dict__
    known.update(zip(_fields(), values, strict=True))
    for name in TEXT_FIELDS:
        if known[name] is None:
            del known[name]
    return essay


@functools.cache
def _fields() -> tuple:
    from .content import Essay
    return tuple(Essay.__dataclass_fields__)


@functools.cache
def _field_set() -> frozenset:
    return frozenset(_fields())


@functools.cache
def _text_fields() -> frozenset:
    from .content import TEXT_FIELDS
    return frozenset(TEXT_FIELDS)


def hollow(essay):
    """The record without its text fields, as the essay row keeps it."""
    bare = object.__new__(type(essay))
    bare.__dict__.update((name, value) for name, value in essay.__dict__.items()
                         if name not in _text_fields() and name != "_stored")
    return bare


def is_hollow(essay) -> bool:
    return "_stored" in essay.__dict__


def text_row(texts: dict) -> tuple:
    """The text row of a rendered record's text fields (name → value): the feed's HTML as None
    when it is the page's (most essays: no chart, whose feed form differs)."""
    from .content import TEXT_FIELDS
    body_md, html, feed_html, toc = (texts[name] for name in TEXT_FIELDS)
    return body_md, html, None if feed_html == html else feed_html, toc


def texts_of(row: tuple) -> dict:
    """text_row's tuple as the text fields of a record; ValueError when it is not one."""
    from .content import TEXT_FIELDS
    if type(row) is not tuple or len(row) != 4 or type(row[0]) is not str or \
            type(row[1]) is not str or type(row[2]) not in (str, type(None)) or \
            type(row[3]) is not tuple:
        raise ValueError("not a text row")
    body_md, html, feed_html, toc = row
    return dict(zip(TEXT_FIELDS, (body_md, html, html if feed_html is None else feed_html, toc),
                    strict=True))


def stored(table: str, key, value, bases: dict):
    """A row's value as the file keeps it. bases: essay key → rendered Essay of this memo."""
    if table == "essays":
        loaded, stats, rendered = value
        if loaded is not None and rendered is not None:
            loaded = (loaded[0], _changes(loaded[1], rendered[2]), *loaded[2:])
        if rendered is not None:
            rendered = (*rendered[:2], hollow(rendered[2]))
        return loaded, stats, rendered
    if table == "summaries" and key[0] in bases:  # key: (essay key, read time, URL)
        return _changes(value, bases[key[0]])
    return value


def whole_essays(essays: dict, texts) -> None:
    """The stored forms of the essays' rows read from the file (key → (stored key, (loaded,
    stats, rendered))), as the build sees them, in place. texts(essay key, source's hash): the
    `_stored` of a rendered record (see content._Text); a loaded record shares its rendered
    record's."""
    for key, (stored_key, (loaded, stats, rendered)) in essays.items():
        if rendered is not None:
            rendered[2].__dict__["_stored"] = texts(rendered[2].key, rendered[0][0])
        if loaded is not None and type(loaded[1]) is dict:
            loaded = (loaded[0], _whole(loaded[1], rendered[2]), *loaded[2:])
            essays[key] = (stored_key, (loaded, stats, rendered))


def whole_summaries(on_disk: dict) -> None:
    """The summaries read from the file, whole, in place (their essays' rows read and made
    whole first): one whose base is missing reads as None."""
    bases = {row[2][2].key: row[2][2] for _, row in on_disk["essays"].values()
             if row[2] is not None}
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
    essay), or whole when the two are not alike. A text field both lack (both read without
    their text, which they share) is the same, and so is one that essay lacks and reads from
    base's own text row (base read its text this build: an edit's search documents): it is
    not read to be compared. Saving calls this inside its write, where reading the file from
    another connection waits on that write (for good, once a large one holds the file's
    exclusive lock), and then renders the essay again."""
    mine, theirs = essay.__dict__, base.__dict__
    if type(essay) is not type(base) or mine.keys() - theirs.keys() - _text_fields() - {"_stored"}:
        return essay
    stored = mine.get("_stored")
    shared = _text_fields() if isinstance(stored, functools.partial) and stored.args and \
        stored.args[0] == theirs.get("key") else frozenset()
    changes = {}
    for name in _fields():
        if name in theirs:
            if name not in mine and name in shared:
                continue  # read from the row base's text came from: the same
            value = mine[name] if name in mine else getattr(essay, name)
            if not _same(value, theirs[name]):
                changes[name] = value
        elif name in mine:
            changes[name] = mine[name]
    return changes


def _same(a, b) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def _whole(changes: dict, base):
    essay = object.__new__(type(base))
    essay.__dict__.update(base.__dict__)
    essay.__dict__.update(changes)
    return essay

"""Split a file into frontmatter and body: YAML between `---` lines (Jekyll, Hugo) or TOML
between `+++` lines (Hugo), with errors that point at the writer's line."""

import functools
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

from .errors import ContentError

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]")


@functools.cache
def _loader():
    """Safe YAML, except that an impossible date (2025-02-30) stays text instead of raising
    ValueError, so the 'date' check can report it at its line. (Made at the first parse: a
    render worker imports this module with the essay record, and parses nothing.)"""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    return Loader


def _timestamp(loader, node):
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


def split(path: Path, text: str) -> tuple[dict, str, int]:
    """(metadata, body, line number of the body's first line)."""
    lines = text.split("\n")
    fence = lines[0].rstrip()
    if fence not in ("---", "+++"):
        raise ContentError(path, 1, "no frontmatter: start the file with a '---' line, then "
                                    "'title:' and 'date:', then another '---'")
    closers = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise ContentError(path, 1, f"the frontmatter opened here is never closed; add a "
                                    f"'{fence}' line after it")
    source = "\n".join(lines[1:end])
    meta = parse_yaml(path, source, 2) if fence == "---" else _parse_toml(path, source)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = "a list" if isinstance(meta, list) else "a single value"
        raise ContentError(path, 2, f"the frontmatter is {kind}; it must be 'key: value' lines "
                                    "such as 'title: My essay'")
    return {str(k): v for k, v in meta.items()}, "\n".join(lines[end + 1:]), end + 2


def parse_yaml(path: Path, source: str, first_line: int):
    import yaml
    try:
        return yaml.load(source, Loader=_loader())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = first_line + (mark.line if mark else 0)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ContentError(path, line, f"invalid YAML: {problem}; check quoting and "
                                       "indentation (quote values that contain ': ')") from None


def _parse_toml(path: Path, source: str) -> dict:
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        # "at end of document" carries no line: the problem is on the last one.
        line = 1 + (int(match.group(1)) if match else source.count("\n") + 1)
        raise ContentError(path, line, f"invalid TOML frontmatter: {err}") from None


def key_lines(text: str) -> dict[str, int]:
    """Top-level key → its line number in the file, for messages about a key's value."""
    found = {}
    for number, line in enumerate(text.split("\n")[1:], 2):
        if line.rstrip() in ("---", "...", "+++"):
            break
        match = _KEY.match(line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def as_date(value) -> date | None:
    """A date from YAML's date or datetime, or from text with an optional time and zone."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
                     r"\s*(Z|[+-]\d{2}:?\d{2})?)?$", text)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None

"""Set keys of one table in a TOML file as text, leaving every other line as the writer wrote it
(the standard library reads TOML but does not write it; `import` needs only this)."""

import json
import re
import tomllib


def toml_value(value) -> str:
    """A string, a list of strings or a table of them as TOML: basic strings, escaped as JSON
    escapes them (JSON's escapes are a subset of TOML's)."""
    if isinstance(value, str):
        # TOML, unlike JSON, forbids a raw DEL in a string.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table
        return "{" + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {value!r} here")


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def with_settings(text: str, table: str, settings: dict) -> str:
    """The TOML text with each key of settings set in [table]: replaced where the key is, else
    added after the table's last key (the table is added at the end if missing)."""
    lines = text.split("\n")
    start, end = _table_span(lines, table)
    if start is None:
        lines = _trimmed(lines) + ["", f"[{table}]"]
        start = end = len(lines)
    for key, value in settings.items():
        entry = f"{key} = {toml_value(value)}"
        found = _key_span(lines, start, end, key)
        if found:
            lines[found[0]:found[1]] = [entry]
            end -= found[1] - found[0] - 1
        else:
            at = _last_content(lines, start, end)
            lines.insert(at, entry)
            end += 1
    result = "\n".join(lines)
    return result if result.endswith("\n") else result + "\n"


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _table_span(lines: list[str], table: str) -> tuple[int | None, int]:
    """(first line after [table]'s header, first line of the next header) or (None, 0)."""
    start = None
    for number, line in enumerate(lines):
        header = _HEADER.match(line)
        if not header:
            continue
        name = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
        if start is not None:
            return start, number
        if name == table:
            start = number + 1
    return start, len(lines)


def _key_span(lines: list[str], start: int, end: int, key: str) -> tuple[int, int] | None:
    """(first line, line after the last) of key's entry in lines[start:end], values that
    span lines (arrays, multi-line strings) included."""
    pattern = re.compile(r"^\s*(?:" + re.escape(key) + r'|"' + re.escape(key) + r'")\s*=')
    for number in range(start, end):
        if pattern.match(lines[number]):
            last = number
            while last + 1 < end and not _complete(lines[number:last + 1]):
                last += 1
            return number, last + 1
    return None


def _complete(entry: list[str]) -> bool:
    try:
        tomllib.loads("\n".join(entry))
        return True
    except tomllib.TOMLDecodeError:
        return False


def _last_content(lines: list[str], start: int, end: int) -> int:
    """Where a new key goes: after the table's last non-blank line."""
    at = end
    while at > start and not lines[at - 1].strip():
        at -= 1
    return at

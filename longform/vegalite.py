"""Vega-Lite specs as charts: a spec file (`spec: charts/NAME.vl.json`) or an inline `spec:`
mapping, checked against the Vega-Lite schema with errors at the writer's line, data from
`data.values` or a `data.url` naming a file in charts/data/ or static/ (read at build time and
inlined, so the page never fetches it), and our theme under the spec's own config.

Specs come from anywhere (Observable, Jupyter, by hand), so they are checked against the schema
Altair ships (no network) before vl-convert draws them: its own errors name no line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from longform import chartspec
from longform.errors import display_path
from longform.fences import Block, BlockError

SPEC_KEYS = {"spec", "title", "caption", "alt"}
DATA_FOLDERS = ("charts/data", "static")
FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json"}
WEB = re.compile(r"^[a-zA-Z][\w+.-]*:")  # http:, https:, data: …
MESSAGE_LIMIT = 160


def spec_block(block: Block, root: Path) -> tuple[Block, tuple]:
    """The spec as a Block (so its errors find their lines) and where it sits in that Block:
    the chart block itself under "spec" for an inline mapping, or the spec file's own."""
    value = block.data["spec"]
    if isinstance(value, dict):
        return block, ("spec",)
    if not isinstance(value, str):
        raise block.error("spec: is a file such as charts/growth.vl.json or a Vega-Lite "
                          "mapping", "spec")
    return file_block(spec_path(block, value, root)), ()


def spec_path(block: Block, name: str, root: Path) -> Path:
    """A .json file below charts/, named relative to the project root."""
    path = (root / name).resolve()
    charts = (root / "charts").resolve()
    if not path.is_relative_to(charts) or not path.is_file():
        raise block.error(f"spec file {name} does not exist (specs live in charts/, such as "
                          "charts/growth.vl.json)", "spec")
    if path.suffix.lower() != ".json":
        raise block.error(f"spec file {name} is not a .json file", "spec")
    return path


def file_block(path: Path) -> Block:
    """A spec file read as JSON, with a YAML node tree of the same text for line numbers
    (JSON is YAML; tabs, which YAML refuses, can stand only between tokens in JSON)."""
    where = display_path(path)
    try:
        text = path.read_text("utf-8")
        spec = json.loads(text)
    except UnicodeDecodeError:
        raise BlockError(path, 1, f"{where} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BlockError(path, error.lineno, f"not valid JSON: {error.msg} "
                                             f"(column {error.colno})") from None
    if not isinstance(spec, dict):
        raise BlockError(path, 1, "this file holds no Vega-Lite spec (a JSON object with mark:, "
                                  "layer: or concat:)")
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        node = None  # errors then point at the file's first line
    return Block(path, 0, text, spec, node)


def reached(value: Any, where: tuple) -> Any:
    """The part of a spec at a path such as ("layer", 1, "data")."""
    for step in where:
        value = value[step]
    return value


def data_files(block: Block, root: Path) -> tuple[Path, ...]:
    """The spec file (if any) and every data file its data.url entries name."""
    source, where = spec_block(block, root)
    spec = reached(source.data, where)
    found = [data_path(source, (*where, *at), url, root) for at, url in data_urls(spec)]
    own = (source.path,) if source is not block else ()
    return (*own, *dict.fromkeys(found))


def data_urls(value: Any, at: tuple = ()):
    """(where, url) of every {"data": {"url": …}} in a spec, composed views included."""
    if isinstance(value, dict):
        data = value.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            yield (*at, "data", "url"), data["url"]
        for key, item in value.items():
            if key != "data":
                yield from data_urls(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from data_urls(item, (*at, index))


def data_path(source: Block, where: tuple, url: str, root: Path) -> Path:
    """The file a data.url names: relative to the spec's folder or the project root, or from
    the site root ("/x.csv") in static/; it must lie in charts/data/ or static/."""
    if WEB.match(url) or url.startswith("//"):
        raise source.error(f"data.url {url} is on the web, and a build fetches nothing; save "
                           "the file in charts/data/ and name it here", *where)
    folders = [(root / name).resolve() for name in DATA_FOLDERS]
    bases = [root / "static"] if url.startswith("/") else [source.path.parent, root]
    for base in bases:
        path = (base / url.lstrip("/")).resolve()
        if path.is_file() and any(path.is_relative_to(folder) for folder in folders):
            return path
    raise source.error(f"data.url {url}: no such file in charts/data/ or static/", *where)


def chart_spec(block: Block, root: Path) -> dict:
    """The spec, checked against the schema, with its data inlined and our theme added."""
    source, where = spec_block(block, root)
    spec = json.loads(json.dumps(reached(source.data, where)))  # a copy we may change
    check_schema(source, where, spec)
    for at, url in list(data_urls(spec)):
        path = data_path(source, (*where, *at), url, root)
        data = reached(spec, at[:-1])
        inlined = inline_data(source, (*where, *at), path, data.get("format") or {})
        name = {"name": data["name"]} if "name" in data else {}
        data.clear()
        data.update(name, **inlined)
    spec.pop("$schema", None)  # describes the version the writer used; vl-convert picks its own
    spec["config"] = merged(chartspec.THEME, spec.get("config") or {})
    return spec


def check_schema(source: Block, where: tuple, spec: dict) -> None:
    errors = list(schema_validator().iter_errors(spec))
    if not errors:
        return
    error = max(errors, key=relevance)
    while error.context:  # anyOf: the branch that came closest says what is wrong
        error = max(error.context, key=relevance)
    path = list(error.absolute_path)
    at = "/".join(str(step) for step in path) or "the top level"
    message = error.message if len(error.message) <= MESSAGE_LIMIT else (
        error.message[:MESSAGE_LIMIT].rstrip() + " …")
    raise source.error(f"the spec does not fit the Vega-Lite schema at {at}: {message}",
                       *where, *path)


def relevance(error) -> tuple:
    """Errors of the right kind of value first ('bars' is not one of …, an unexpected key),
    then the deepest, then a plain error before a list of alternatives: "is not of type
    'object'" only says that another branch was meant."""
    mismatch = error.validator in ("type", "const") or (
        error.validator == "enum" and not isinstance(error.instance, str | int | float))
    return (not mismatch, len(error.absolute_path), not error.context)


@cache
def schema_validator():
    """The Vega-Lite JSON schema Altair ships, as a validator (built once per process)."""
    from importlib.resources import files

    import altair
    import jsonschema

    major = altair.SCHEMA_VERSION.split(".")[0]
    schema = files(f"altair.vegalite.{major}.schema") / "vega-lite-schema.json"
    return jsonschema.Draft7Validator(json.loads(schema.read_text(encoding="utf-8")))


def inline_data(source: Block, where: tuple, path: Path, fmt: dict) -> dict:
    """{"values": rows} for a data file, keeping the spec's parse instructions."""
    kind = fmt.get("type") or FORMATS.get(path.suffix.lower())
    try:
        text = path.read_text("utf-8")
        if kind in ("csv", "tsv"):
            values = delimited_rows(text, "," if kind == "csv" else "\t")
        elif kind == "json":
            values = json.loads(text)
            for step in (fmt.get("property") or "").split(".") if fmt.get("property") else ():
                values = values[step]
        else:
            raise ValueError(f"a {path.suffix or 'plain'} file is not CSV, TSV or JSON")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, csv.Error) as error:
        raise source.error(f"data file {display_path(path)} could not be read: "
                           f"{str(error).splitlines()[0]}", *where) from None
    data: dict[str, Any] = {"values": values}
    if fmt.get("parse"):
        data["format"] = {"parse": fmt["parse"]}
    return data


def delimited_rows(text: str, delimiter: str) -> list[dict]:
    """Rows of a CSV or TSV file, numbers as numbers (as Vega's type inference would read)."""
    from longform.charts import csv_value

    lines = [line for line in text.splitlines() if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter, strict=True)
    return [{key: csv_value(value) for key, value in row.items()} for row in reader]


def merged(base: dict, mine: dict) -> dict:
    """base with mine on top, nested mappings merged key by key."""
    result = dict(base)
    for key, value in mine.items():
        both = isinstance(value, dict) and isinstance(result.get(key), dict)
        result[key] = merged(result[key], value) if both else value
    return result

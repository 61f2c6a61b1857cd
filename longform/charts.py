"""Chart blocks and chart modules → Chart records: Vega-Lite spec, static SVG, data table, alt text.

Altair and vl-convert each cost about a second on first use, so they are imported inside the
functions that need them, and results are cached by content hash: an unchanged chart never
imports either.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from longform import chartspec, vegalite
from longform.errors import display_path
from longform.fences import Block

# Bump when the spec or SVG we produce for the same input changes.
CACHE_VERSION = "2"
KINDS = ("bar", "line", "point", "area")
INLINE_KEYS = {"title", "kind", "x", "y", "color", "format", "caption", "alt", "data", "horizontal",
               "x_scale", "y_scale", "zero"}
SCALES = ("linear", "log")
MODULE_KEYS = {"name", "title", "caption", "alt"}
MODULE_NAME = re.compile(r"[A-Za-z_][\w-]*")
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")  # no nan or inf: JSON has neither
BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed;"


@dataclass(frozen=True)
class Chart:
    title: str
    caption: str | None
    alt: str
    spec_json: str  # the Vega-Lite spec, with our theme in its config
    svg: str  # rendered at build time, shown until (and unless) JavaScript upgrades it
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the "Show data" table, cells already formatted
    projected: bool  # some rows are projections, drawn lighter


def chart_from_block(block: Block, charts_dir: Path,
                     cache_dir: Path | None) -> tuple[Chart, tuple[Path, ...]]:
    """The chart a ```chart block describes (from the cache when nothing it depends on changed)
    and the files it was made from."""
    options = block_options(block)
    files = input_files(block, options, charts_dir)
    key = cache_key(block.source, *(p.name.encode() + p.read_bytes() for p in files))
    chart = cached_chart(cache_dir, key)
    if chart is None:
        chart = built_chart(block, options, charts_dir, key)
        store_chart(cache_dir, key, chart)
    return chart, files


def block_options(block: Block) -> dict[str, Any]:
    """The block's mapping, with unknown keys rejected at their line."""
    options = block.data
    if not isinstance(options, dict):
        raise block.error("a chart block is a YAML mapping (title:, kind:, x:, y:, data: …)")
    allowed = (MODULE_KEYS if "name" in options else
               vegalite.SPEC_KEYS if "spec" in options else INLINE_KEYS)
    for key in options:
        if key not in allowed:
            raise block.error(f"unknown chart key {key!r}; use {', '.join(sorted(allowed))}", key)
    return options


def input_files(block: Block, options: dict, charts_dir: Path) -> tuple[Path, ...]:
    """What the chart depends on besides its block: a module and every data file beside it
    (a module may read any of them), a spec file and the data files it names, or the block's
    own CSV file."""
    if "spec" in options:
        return vegalite.data_files(block, charts_dir.parent)
    if "name" in options:
        data_dir = charts_dir / "data"
        data = sorted(p for p in data_dir.rglob("*") if p.is_file()) if data_dir.is_dir() else []
        return (module_path(block, options, charts_dir), *data)
    data = options.get("data")
    return (data_file(block, data, charts_dir.parent),) if isinstance(data, str) else ()


def module_path(block: Block, options: dict, charts_dir: Path) -> Path:
    name = str(options["name"])
    path = charts_dir / f"{name}.py"
    if not MODULE_NAME.fullmatch(name) or not path.is_file():
        raise block.error(f"no chart module {display_path(path)}", "name")
    return path


def data_file(block: Block, name: str, root: Path) -> Path:
    """A CSV file named relative to the project root, which it may not leave."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise block.error(f"data file {name} does not exist", "data")
    if path.suffix.lower() != ".csv":
        raise block.error(f"data file {name} is not a .csv file", "data")
    return path


def cache_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, *tool_versions(), *parts):
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@cache
def tool_versions() -> tuple[str, str]:
    """Versions read from the packages' metadata folders, which does not import them."""
    from .cache import version
    return version("altair"), version("vl-convert-python")


def cached_chart(cache_dir: Path | None, key: str) -> Chart | None:
    """The cached chart, or None when missing or unreadable (a damaged file is simply rebuilt)."""
    if cache_dir is None:
        return None
    try:
        fields = json.loads((cache_dir / "charts" / f"{key}.json").read_text("utf-8"))
        fields["columns"] = tuple(fields["columns"])
        fields["rows"] = tuple(tuple(row) for row in fields["rows"])
        return Chart(**fields)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store_chart(cache_dir: Path | None, key: str, chart: Chart) -> None:
    if cache_dir is not None:
        write_atomic(cache_dir / "charts" / f"{key}.json", json.dumps(asdict(chart)).encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file so a crash or a parallel build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def built_chart(block: Block, options: dict, charts_dir: Path, key: str) -> Chart:
    if "name" in options or "spec" in options:
        if "name" in options:
            spec = module_spec(block, module_path(block, options, charts_dir))
        else:
            spec = vegalite.chart_spec(block, charts_dir.parent)
        rows, (kind, x, y, fmt) = spec_rows(spec), chartspec.spec_fields(spec)
        # The figure shows the title as text; drawn in the SVG too, it would show twice.
        title = options.get("title") or chartspec.spec_title(spec.pop("title", None))
    else:
        rows = inline_rows(block, options, charts_dir.parent)
        kind, x, y = options.get("kind", "bar"), options["x"], options["y"]
        fmt, title = options.get("format"), options.get("title")
        spec = chartspec.spec_from(chartspec.inline_chart(options, rows))
    if not title:
        raise block.error("a chart block needs a title:")
    alt = str(options.get("alt") or chartspec.alt_text(rows, kind, x, y, fmt))
    spec["description"] = alt
    return Chart(
        title=str(title),
        caption=str(options["caption"]) if options.get("caption") else None,
        alt=alt,
        spec_json=json.dumps(spec, ensure_ascii=False, sort_keys=True),
        svg=rendered_svg(block, spec, key),
        columns=table_columns(rows),
        rows=table_rows(rows, y, fmt),
        projected=any(row.get("projected") is True for row in rows),
    )


def module_spec(block: Block, path: Path) -> dict:
    """Import charts/NAME.py by path, call its chart(), and return the Altair chart's spec."""
    import altair

    where = display_path(path)
    found = importlib.util.spec_from_file_location(f"longform_chart_{path.stem}", path)
    module = importlib.util.module_from_spec(found)
    try:
        found.loader.exec_module(module)
    except Exception as error:
        raise block.error(f"{where} failed to import: {last_line(error)}", "name") from error
    make = getattr(module, "chart", None)
    if not callable(make):
        raise block.error(f"{where} has no chart() function", "name")
    try:
        result = make()
    except Exception as error:
        raise block.error(f"{where}: chart() raised {last_line(error)}", "name") from error
    if not isinstance(result, altair.TopLevelMixin):
        kind = type(result).__name__
        raise block.error(f"{where}: chart() returned {kind}, not an Altair chart", "name")
    try:
        return chartspec.spec_from(result)
    except Exception as error:
        raise block.error(f"{where}: chart() returned an invalid chart: {last_line(error)}",
                          "name") from error


def last_line(error: BaseException) -> str:
    """The exception as the last line of a traceback shows it, kept to one line."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def inline_rows(block: Block, options: dict, root: Path) -> list[dict]:
    """The block's rows, inline or from its CSV file, checked against the fields it names."""
    data = options.get("data")
    rows = csv_rows(data_file(block, data, root), block) if isinstance(data, str) else data
    if not isinstance(rows, list) or not rows:
        raise block.error("data: needs a list of rows or a CSV file such as charts/data/x.csv",
                          "data")
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise block.error("each data row is a mapping such as {step: 1B, gain: 0.4}",
                              "data", index)
    kind = options.get("kind", "bar")
    if kind not in KINDS:
        raise block.error(f"unknown kind {kind!r}; use {', '.join(KINDS)}", "kind")
    if options.get("horizontal") and kind != "bar":
        raise block.error("horizontal: applies to bar charts only", "horizontal")
    for channel in ("x", "y", "color"):
        field = options.get(channel)
        if field is None and channel != "color":
            raise block.error(f"a chart block needs {channel}: (a field of its data)")
        if field is not None and not any(field in row for row in rows):
            raise block.error(f"{channel}: no data row has a field {field!r}", channel)
    rows = [{str(key): json_value(value) for key, value in row.items()} for row in rows]
    check_scales(block, options, rows)
    return rows


def check_scales(block: Block, options: dict, rows: list[dict]) -> None:
    """x_scale/y_scale: log on positive numbers of a line or point chart; zero: true or false."""
    if not isinstance(options.get("zero", False), bool):
        raise block.error("zero: is true or false (false lets the value axis start near the "
                          "data instead of at zero)", "zero")
    for axis in ("x", "y"):
        key = f"{axis}_scale"
        scale = options.get(key, "linear")
        if scale not in SCALES:
            raise block.error(f"unknown {key} {scale!r}; use {' or '.join(SCALES)}", key)
        if scale != "log":
            continue
        if options.get("kind", "bar") not in ("line", "point"):
            raise block.error(f"{key}: log suits line and point charts; bars and areas are "
                              "measured from zero, which a log scale cannot show", key)
        field = options[axis]
        bad = next((row[field] for row in rows
                    if not (chartspec.is_number(row.get(field)) and row[field] > 0)), None)
        if bad is not None or any(field not in row for row in rows):
            raise block.error(f"{key}: log needs a positive number in every row's {field!r}, "
                              f"not {bad!r}", key)


# YAML 1.1 reads 1e21 (no dot) as text; a writer of scaling laws means the number.
EXPONENT = re.compile(r"[-+]?\d+(\.\d*)?[eE][-+]?\d+")


def json_value(value: Any) -> Any:
    """YAML reads 2024-05-01 as a date and 1e21 as text; Vega-Lite wants text and a number."""
    if isinstance(value, str) and EXPONENT.fullmatch(value):
        return float(value)
    return value.isoformat() if isinstance(value, date) else value


def csv_rows(path: Path, block: Block | None = None) -> list[dict]:
    """Rows of a CSV file with a header line; '#' lines are comments; numbers become numbers."""
    try:
        text = path.read_text("utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("#")]
        rows = list(csv.DictReader(io.StringIO("\n".join(lines)), strict=True))
    except (UnicodeDecodeError, csv.Error) as error:
        if block is None:
            raise
        raise block.error(f"data file {display_path(path)} is not CSV: {error}", "data") from None
    if block is not None and (not rows or any(None in row for row in rows)):
        raise block.error(f"data file {display_path(path)} is not CSV with a header row", "data")
    return [{key: csv_value(value) for key, value in row.items()} for row in rows]


def csv_value(text: str | None) -> Any:
    value = (text or "").strip()
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    if NUMBER.fullmatch(value):
        return float(value) if any(c in value for c in ".eE") else int(value)
    return value or None


def spec_rows(spec: dict) -> list[dict]:
    """The rows a module chart draws: its largest inline data set."""
    candidates = [spec.get("data", {}).get("values") or [], *spec.get("datasets", {}).values()]
    return max(candidates, key=len)


def table_columns(rows: list[dict]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for row in rows for key in row))


def table_rows(rows: list[dict], y: str | None, fmt: str | None) -> tuple[tuple[str, ...], ...]:
    columns = table_columns(rows)
    return tuple(
        tuple(chartspec.cell_text(row.get(c), fmt if c == y else None) for c in columns)
        for row in rows
    )


def rendered_svg(block: Block, spec: dict, key: str) -> str:
    """The static SVG, drawn without network access."""
    import vl_convert

    # vl-convert aborts the whole process (a Rust panic) on text that XML cannot hold.
    bad = next((m for text in spec_strings(spec) if (m := NOT_XML.search(text))), None)
    if bad:
        raise block.error(f"the chart's text holds the control character "
                          f"U+{ord(bad.group()):04X}, which an SVG cannot contain; remove it")
    try:
        svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    except ValueError as error:
        raise block.error(f"the chart could not be drawn: {last_line(error)}") from error
    return renamed_ids(svg, f"c{key[:8]}-")


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def spec_strings(value: Any):
    """Every string in a spec: keys, values, data."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from spec_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from spec_strings(item)


def renamed_ids(svg: str, prefix: str) -> str:
    """Ids numbered in order under this chart's prefix: vl-convert counts clip paths across
    the whole process, which would make output depend on build order and clash on a page."""
    names: dict[str, str] = {}
    for name in re.findall(r'\sid="([^"]+)"', svg):
        names.setdefault(name, f"{prefix}{len(names)}")

    def renamed(match: re.Match) -> str:
        return match[1] + names.get(match[2], match[2])

    return re.sub(r'(\sid="|url\(#|href="#)([^")]+)', renamed, svg)


def vega_bundle(cache_dir: Path | None) -> bytes:
    """vega-embed with Vega and Vega-Lite as one self-hosted script that sets window.vegaEmbed."""
    key = cache_key("vega-bundle", BUNDLE_SNIPPET)
    path = cache_dir / "vega" / f"{key}.js" if cache_dir is not None else None
    if path is not None and path.is_file():
        return path.read_bytes()
    import vl_convert

    bundle = vl_convert.javascript_bundle(snippet=BUNDLE_SNIPPET).encode()
    if path is not None:
        write_atomic(path, bundle)
    return bundle

"""How our charts look and read: theme, chart blocks as Altair charts, d3-style numbers, alt text.

Only `inline_chart` and `spec_from` import Altair; the text helpers are plain Python so a
cached build never pays for it.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# Mid-tone colours read on both the light and the dark page; text and axes use currentColor,
# so one static SVG follows the page's colour scheme without JavaScript.
# The accent sits between the theme's light (#b0401c) and dark (#f08c63) accents.
ACCENT = "#d0653c"
PALETTE = [ACCENT, "#4a7fc4", "#3a9a74", "#b58f2e", "#8c6bc9", "#c4567e", "#3f98ad"]
INK = "currentColor"
THEME: dict[str, Any] = {
    "font": FONT,
    "background": "transparent",
    "padding": 4,
    "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300,
             "discreteWidth": 560, "discreteHeight": {"step": 40}},
    "axis": {
        "labelColor": INK, "titleColor": INK, "domainColor": INK, "tickColor": INK,
        "gridColor": INK, "labelOpacity": 0.75, "titleOpacity": 0.75, "domainOpacity": 0.35,
        "tickOpacity": 0.35, "gridOpacity": 0.12, "labelFontSize": 12, "titleFontSize": 12,
        "titleFontWeight": "normal", "labelPadding": 6, "titlePadding": 10,
    },
    "axisXBand": {"labelAngle": 0, "labelLimit": 140},
    "axisXPoint": {"labelAngle": 0, "labelLimit": 140},  # a line over categories reads as bars
    "legend": {"labelColor": INK, "titleColor": INK, "labelOpacity": 0.8, "labelFontSize": 12,
               "titleFontSize": 12, "titleFontWeight": "normal", "orient": "top"},
    "title": {"color": INK, "anchor": "start", "fontSize": 15, "fontWeight": 600},
    "range": {"category": PALETTE},
    "bar": {"color": ACCENT, "cornerRadiusEnd": 2},
    "line": {"color": ACCENT, "strokeWidth": 2.5},
    "point": {"color": ACCENT, "filled": True, "size": 64},
    "area": {"color": ACCENT, "opacity": 0.6},
    "text": {"color": INK},
    "rule": {"color": INK},
}
KIND_NAMES = {"bar": "Bar chart", "line": "Line chart", "point": "Scatter plot",
              "circle": "Scatter plot", "area": "Area chart"}
STATUS = "datum.projected === true ? 'Projected' : 'Observed'"
ALT_ROWS = 12  # rows spelled out in a generated alt text; the table has them all
D3_FORMAT = re.compile(r"(?:.?[<>=^])?([-+( ])?([$#])?0?\d*(,)?(?:\.(\d+))?(~)?([a-zA-Z%])?")
SI_PREFIXES = "yzafpnµm kMGTPEZY"
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def spec_from(chart: Any) -> dict:
    """The chart's Vega-Lite spec with our theme under any config the chart sets itself."""
    import altair as alt

    if "longform" not in alt.theme.names():
        alt.theme.register("longform", enable=False)(lambda: {"config": THEME})
    with alt.theme.enable("longform"):
        return chart.to_dict()


def inline_chart(options: dict, rows: list[dict]) -> Any:
    """An Altair chart for a chart block: one mark, projected rows drawn lighter with a legend."""
    import altair as alt

    kind, x, y = options.get("kind", "bar"), options["x"], options["y"]
    fmt, color = options.get("format"), options.get("color")
    horizontal = bool(options.get("horizontal"))
    category = channel(alt.Y if horizontal else alt.X, rows, x, kind == "bar",
                       scale=scale_of(options, "x"))
    value = channel(alt.X if horizontal else alt.Y, rows, y, False, fmt, scale_of(options, "y"))
    fields = [f for f in (x, y, color) if f is not None]
    tips = [alt.Tooltip(field=escaped(f), type=field_type(rows, f, f == x and kind == "bar"),
                        title=f, **({"format": fmt} if fmt and f == y else {})) for f in fields]
    base = alt.Chart(alt.Data(values=rows)).encode(category, value)
    if color is not None:
        base = base.encode(color=alt.Color(field=escaped(color), type="nominal", title=color))
    if not any(row.get("projected") is True for row in rows):
        return mark(base, kind).encode(tooltip=tips)
    lighter = alt.Opacity("status:O", title=None, legend=alt.Legend(symbolFillColor=ACCENT),
                          scale=alt.Scale(domain=["Observed", "Projected"], range=[1, 0.38]))
    tips.append(alt.Tooltip("status:N", title="Status"))
    base = base.transform_calculate(status=STATUS)
    if kind == "line":  # a line is one mark, so its projected points carry the difference
        return base.mark_line() + base.mark_point().encode(lighter, tooltip=tips)
    return mark(base, kind).encode(lighter, tooltip=tips)


def mark(base: Any, kind: str) -> Any:
    if kind == "line":
        return base.mark_line(point=True)
    return getattr(base, f"mark_{kind}")()


def channel(kind: Any, rows: list[dict], field: str, category: bool, fmt: str | None = None,
            scale: dict | None = None):
    """An x or y encoding: categories keep the writer's row order; values take the format and
    the writer's scale (log, or not starting at zero)."""
    import altair as alt

    field_kind = field_type(rows, field, category)
    extra: dict[str, Any] = {"sort": None} if field_kind in ("nominal", "ordinal") else {}
    if fmt:
        extra["axis"] = alt.Axis(format=fmt)
    if scale and field_kind == "quantitative":
        extra["scale"] = alt.Scale(**scale)
        if scale.get("type") == "log" and not fmt:
            extra["axis"] = log_axis(alt, [row[field] for row in rows if is_number(row.get(field))])
    return kind(field=escaped(field), type=field_kind, title=field, **extra)


def log_axis(alt: Any, values: list[float]) -> Any:
    """Ticks at powers of ten labelled 10²¹, 10²² … (Vega's own log ticks read 1e+21, 2e+21 …),
    and at 2 and 5 between them when the data spans two decades or less."""
    low, high = (math.floor(math.log10(min(values))), math.ceil(math.log10(max(values))))
    step = max(1, math.ceil((high - low) / 8))
    steps = (1, 2, 5) if high - low <= 2 else (1,)
    ticks = [(m * 10.0**k, power_text(k, m)) for k in range(low, high + 1, step) for m in steps
             if m == 1 or (min(values) <= m * 10.0**k <= max(values) * 1.5)]
    labels = " : ".join(f"datum.value === {value!r} ? '{text}'" for value, text in ticks)
    return alt.Axis(values=[value for value, _ in ticks], labelExpr=f"{labels} : ''")


def power_text(exponent: int, multiple: int = 1) -> str:
    """multiple × 10**exponent as a reader writes it: 0.02, 5, 1000, 10⁶ or 2×10⁶."""
    if -2 <= exponent <= 3:
        return format(multiple * 10.0**exponent, "g")
    power = "10" + str(exponent).translate(SUPERSCRIPTS)
    return power if multiple == 1 else f"{multiple}×{power}"


def scale_of(options: dict, axis: str) -> dict:
    """The Vega-Lite scale properties a chart block asks for on one axis."""
    scale: dict[str, Any] = {}
    if options.get(f"{axis}_scale") == "log":
        scale["type"] = "log"
    elif options.get("zero") is False:
        scale["zero"] = False
    return scale


def field_type(rows: list[dict], field: str, category: bool) -> str:
    values = [row[field] for row in rows if row.get(field) is not None]
    if values and all(is_number(v) for v in values):
        return "ordinal" if category else "quantitative"
    if values and all(isinstance(v, str) and is_iso_date(v) for v in values):
        return "temporal"
    return "ordinal"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def escaped(field: str) -> str:
    """A field name as Vega-Lite reads it literally (dots and brackets otherwise mean nesting)."""
    return re.sub(r"([.\[\]\\])", r"\\\1", field)


def spec_title(title: str | list | dict | None) -> str | None:
    """The text of a Vega-Lite title, which may be a string, lines, or {text: …}."""
    text = title.get("text") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else text


def spec_fields(spec: dict) -> tuple[str, str | None, str | None, str | None]:
    """(mark, x field, y field, y format) of the first single-mark view in a composed spec."""
    unit = first_unit(spec) or {}
    mark_type = unit.get("mark", "")
    mark_type = mark_type.get("type", "") if isinstance(mark_type, dict) else mark_type
    encoding = unit.get("encoding", {})
    x, y = encoding.get("x", {}), encoding.get("y", {})
    fmt = y.get("format") or (y.get("axis") or {}).get("format")
    return mark_type, x.get("field"), y.get("field"), fmt


def first_unit(spec: dict) -> dict | None:
    if "mark" in spec:
        return spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key, []):
            if unit := first_unit(part):
                return unit
    return first_unit(spec["spec"]) if isinstance(spec.get("spec"), dict) else None


def alt_text(rows: list[dict], kind: str, x: str | None, y: str | None, fmt: str | None) -> str:
    """'Bar chart: 1B → 10B +42%, …' — the data in words for readers who cannot see the chart."""
    name = KIND_NAMES.get(kind, "Chart")
    if x is None or y is None or not rows:
        return f"{name} of {len(rows)} data points, listed in the table below."
    name = f"{name} of {y} by {x}"
    parts = [
        f"{cell_text(row.get(x))} {cell_text(row.get(y), fmt)}"
        + (" (projected)" if row.get("projected") is True else "")
        for row in rows[:ALT_ROWS]
    ]
    more = f", and {len(rows) - ALT_ROWS} more in the table below" if len(rows) > ALT_ROWS else ""
    return f"{name}: {', '.join(parts)}{more}."


def cell_text(value: Any, fmt: str | None = None) -> str:
    """A datum as the data table and alt text show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_number(value) and fmt:
        return d3_format(value, fmt)
    if is_number(value):
        return plain_number(value)
    return str(value)


def plain_number(value: float) -> str:
    """1.2, 175 or 6.6×10²²: exponents written as a reader would, not as 6.6e+22."""
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    mantissa, _, exponent = format(value, "g").partition("e")
    if not exponent:
        return mantissa
    return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPTS)}".replace("-", "\u2212")


def d3_format(value: float, spec: str) -> str:
    """The number as d3-format would print it, for the common specifiers (+.0%, ,.2f, .3s, d)."""
    match = D3_FORMAT.fullmatch(spec)
    if match is None:
        return format(value, "g")
    sign, symbol, comma, precision, trim, kind = match.groups()
    sign = "+" if sign == "+" else ""
    if kind == "s":
        text = si_format(value, int(precision or 6), sign)
    else:
        if kind in ("d", "x", "X", "o", "b", "c"):
            value, precision = round(value), None
        py_kind = {"r": "g", "p": "%", None: "g" if precision else ""}.get(kind, kind)
        py_spec = f"{sign}{comma or ''}{'.' + precision if precision else ''}{py_kind}"
        text = format(value, py_spec) if py_kind != "c" else chr(int(value))
    if trim:
        text = re.sub(r"\.?0+(?=\D*$)", "", text) if "." in text else text
    text = text.replace("-", "\u2212")  # d3 prints a true minus sign
    return f"{text[0]}${text[1:]}" if symbol == "$" and text[:1] in "+\u2212" else (
        f"${text}" if symbol == "$" else text
    )


def si_format(value: float, precision: int, sign: str) -> str:
    exponent = 0 if value == 0 else max(-8, min(8, math.floor(math.log10(abs(value)) / 3)))
    text = format(value / 1000**exponent, f"{sign}#.{precision}g").rstrip(".")
    return text + SI_PREFIXES[exponent + 8].strip()

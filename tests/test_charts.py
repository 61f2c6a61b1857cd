"""Chart blocks and chart modules: valid Vega-Lite, one SVG bar per row, projected rows drawn
differently, escaped text, errors at the writer's line, and a cache that skips Altair."""

import json
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import altair
import jsonschema
import pytest
from test_blocks import error_for, file_line, render

from longform import charts, chartspec

REPO = Path(__file__).resolve().parents[1]
SEED = """```chart
title: Performance gain per 10x compute increase
kind: bar
x: step
y: gain
format: "+.0%"
data:
  - {step: 1B → 10B, gain: 0.42}
  - {step: 10B → 100B, gain: 0.28}
  - {step: 100B → 1T, gain: 0.14}
  - {step: 1T → 10T, gain: 0.06, projected: true}
```
"""


@pytest.fixture
def project(make_project) -> Path:
    return make_project("components").root


def vega_lite_schema() -> dict:
    major = altair.SCHEMA_VERSION.split(".")[0]
    schema = files(f"altair.vegalite.{major}.schema") / "vega-lite-schema.json"
    return json.loads(schema.read_text(encoding="utf-8"))


VALIDATOR = jsonschema.Draft7Validator(vega_lite_schema())


def embedded_specs(html: str) -> list[dict]:
    scripts = re.findall(r'<script type="application/json" class="chart__spec">(.*?)</script>',
                         html, re.S)
    return [json.loads(text) for text in scripts]


def bars(svg: str) -> list[dict]:
    """The attributes of each bar the SVG draws."""
    tags = re.findall(r'<path [^>]*aria-roledescription="bar"[^>]*>', svg)
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in tags]


def test_every_embedded_spec_validates_against_the_vega_lite_schema(project):
    html, state = render(project)
    specs = embedded_specs(html)
    assert len(specs) == len(state.charts) == 2
    for spec in specs:
        VALIDATOR.validate(spec)
    assert [json.loads(chart.spec_json) for chart in state.charts] == specs


def test_seed_chart_has_one_bar_per_row_and_a_lighter_projected_bar(project):
    _, state = render(project, SEED)
    drawn = bars(state.charts[0].svg)
    assert len(drawn) == 4
    looks = [(bar.get("fill"), bar.get("opacity", "1"), bar.get("fill-opacity", "1"))
             for bar in drawn]
    assert looks[0] == looks[1] == looks[2]
    assert looks[3] != looks[0]
    assert float(drawn[3]["opacity"]) < float(drawn[0]["opacity"])
    assert "Projected" in state.charts[0].svg  # the legend says what the lighter bar means
    assert state.charts[0].projected


def test_figure_has_title_svg_caption_alt_table_and_spec(project):
    html, state = render(project)
    figure = re.search(r'<figure class="chart" id="chart-1">.*?</figure>', html, re.S)[0]
    assert '<figcaption class="chart__title">Performance gain per 10x' in figure
    alt = ("Bar chart of gain by step: 1B → 10B +42%, 10B → 100B +28%, 100B → 1T +14%, "
           "1T → 10T +6% (projected).")
    assert state.charts[0].alt == alt
    assert f'<div class="chart__view" role="img" aria-label="{alt}"><svg' in figure
    assert '<p class="chart__caption">Each tenfold step buys less' in figure
    assert "<summary>Show data</summary>" in figure
    assert "<tr><td>1T → 10T</td><td>+6%</td><td>yes</td></tr>" in figure
    assert embedded_specs(figure)[0]["description"] == alt


def test_module_chart(project):
    html, state = render(project)
    chart = state.charts[1]
    assert chart.title == "Score against compute"
    assert chart.alt == "Line chart of benchmark score rising with compute."
    assert chart.columns == ("model", "compute", "score")
    assert chart.rows[0] == ("small", "1×10²²", "40")
    assert embedded_specs(html)[1]["layer"]
    names = {path.name for path in state.files_read}
    assert {"growth.py", "growth.csv"} <= names


@pytest.mark.parametrize("options, mark", [
    ("kind: line", "line"), ("kind: point", "point"), ("kind: area", "area"),
    ("kind: bar\nhorizontal: true", "bar"),
])
def test_every_kind_gives_a_valid_spec_and_an_svg(project, options, mark):
    body = SEED.replace("kind: bar", options)
    html, state = render(project, body)
    spec = embedded_specs(html)[0]
    VALIDATOR.validate(spec)
    assert mark in json.dumps(spec)
    assert state.charts[0].svg.startswith("<svg")
    if "horizontal" in options:
        assert spec["encoding"]["y"]["field"] == "step"
        assert len(bars(state.charts[0].svg)) == 4


def test_csv_data_file(project):
    body = ("```chart\ntitle: From a file\nx: model\ny: score\ncolor: model\n"
            "data: charts/data/growth.csv\n```\n")
    html, state = render(project, body)
    assert len(bars(state.charts[0].svg)) == 3
    assert state.charts[0].rows == (("small", "1×10²²", "40"), ("medium", "1×10²³", "55"),
                                    ("large", "1×10²⁴", "68"))
    assert [p.name for p in state.files_read] == ["growth.csv"]
    VALIDATOR.validate(embedded_specs(html)[0])


def test_hostile_title_and_data_stay_text(project):
    hostile = "</script><img src=x onerror=alert(1)>"
    body = (f"```chart\ntitle: '{hostile}'\ncaption: '{hostile}'\nalt: '{hostile}'\nx: step\n"
            f"y: gain\ndata:\n  - {{step: '{hostile}', gain: 1}}\n```\n")
    html, _ = render(project, body)
    assert "<img" not in html
    assert html.count("</script>") == 1  # the end of the spec's own element
    spec = embedded_specs(html)[0]
    assert spec["data"]["values"][0]["step"] == hostile
    assert html.count("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") >= 4


def test_a_module_charts_own_title_moves_from_the_svg_to_the_figure(project):
    html, state = render(project, "```chart\nname: clipped\n```\n")
    assert state.charts[0].title == "Clipped"
    assert '<figcaption class="chart__title">Clipped</figcaption>' in html
    assert ">Clipped<" not in state.charts[0].svg
    assert "title" not in embedded_specs(html)[0]


def test_svg_ids_are_unique_across_charts(project):
    body = "```chart\nname: growth\ntitle: Growth\n```\n\n```chart\nname: clipped\n```\n"
    _, state = render(project, body)
    first, second = (set(re.findall(r'\sid="([^"]+)"', c.svg)) for c in state.charts)
    assert first and second and not first & second
    for chart in state.charts:
        for reference in re.findall(r"url\(#([^)]+)\)", chart.svg):
            assert f'id="{reference}"' in chart.svg


@pytest.mark.parametrize("body, needle, message", [
    (SEED.replace("kind: bar", "kind: [bar"), "kind: [bar", "YAML error"),
    (SEED.replace("kind: bar", "kind: pie"), "kind: pie", "unknown kind 'pie'"),
    (SEED.replace("x: step", "x: stage"), "x: stage", "x: no data row has a field 'stage'"),
    (SEED.replace("y: gain", "y: gains"), "y: gains", "y: no data row has a field 'gains'"),
    (SEED.replace("title:", "titel:"), "titel:", "unknown chart key 'titel'"),
    ("```chart\ntitle: T\nx: a\ny: b\ndata: charts/data/missing.csv\n```\n", "data:",
     "charts/data/missing.csv does not exist"),
    ("```chart\ntitle: T\nx: a\ny: b\ndata: charts/data/notes.txt\n```\n", "data:",
     "is not a .csv file"),
    ("```chart\ntitle: T\nx: a\ny: b\ndata: charts/data/binary.csv\n```\n", "data:",
     "is not CSV"),
    ("```chart\ntitle: T\nx: a\ny: b\ndata: ../../../../etc/passwd.csv\n```\n", "data:",
     "does not exist"),
    ("Text.\n\n```chart\nname: nowhere\n```\n", "name:", "no chart module"),
    ("```chart\nname: no_chart\n```\n", "name:", "no_chart.py has no chart() function"),
    ("```chart\nname: raises\n```\n", "name:",
     "charts/raises.py: chart() raised ValueError: the data has gone missing"),
    ("```chart\nname: not_altair\n```\n", "name:", "returned dict, not an Altair chart"),
    ("Text.\n\n```chart\nname: growth\n```\n", "```chart", "needs a title"),
    ("Text.\n\n```chart\n- just a list\n```\n", "```chart", "a chart block is a YAML mapping"),
])
def test_bad_charts_point_at_their_line(project, body, needle, message):
    error = error_for(project, f"Intro.\n\n{body}")
    assert error.line == file_line(project, needle)
    assert message in error.message


def test_an_unchanged_rebuild_imports_neither_altair_nor_vl_convert(project):
    first, _ = render(project)
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from pathlib import Path\n"
        "from test_blocks import render\n"
        f"html, state = render(Path({str(project)!r}))\n"
        "heavy = [name for name in ('altair', 'vl_convert') if name in sys.modules]\n"
        "print(json.dumps({'html': html, 'heavy': heavy, 'charts': len(state.charts)}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                         text=True, check=True)
    second = json.loads(run.stdout)
    assert second["heavy"] == []
    assert second["charts"] == 2
    assert second["html"] == first


def test_a_damaged_cache_file_is_rebuilt(project):
    first, _ = render(project)
    cached = sorted((project / ".cache" / "charts").glob("*.json"))
    assert len(cached) == 2
    cached[0].write_text("{not json")
    cached[1].write_text(json.dumps({"title": "only a title"}))
    second, _ = render(project)
    assert second == first
    assert json.loads(cached[0].read_text())["title"]


def test_a_changed_data_file_changes_the_chart(project):
    body = "```chart\ntitle: T\nx: model\ny: score\ndata: charts/data/growth.csv\n```\n"
    _, before = render(project, body)
    data = project / "charts" / "data" / "growth.csv"
    data.write_text(data.read_text().replace("large,1e24,68", "large,1e24,99"))
    _, after = render(project, body)
    assert before.charts[0].rows[-1][-1] == "68" and after.charts[0].rows[-1][-1] == "99"


def test_no_cache_dir_writes_nothing(project):
    render(project, SEED, cache_dir=False)
    assert not (project / ".cache").exists()


def test_vega_bundle_is_self_contained_and_cached(tmp_path):
    bundle = charts.vega_bundle(tmp_path)
    assert b"window.vegaEmbed" in bundle
    assert not re.search(rb"""(src|href)=["']https?://""", bundle)
    (cached,) = (tmp_path / "vega").glob("*.js")
    assert cached.read_bytes() == bundle == charts.vega_bundle(tmp_path)


@pytest.mark.parametrize("value, spec, text", [
    (0.42, "+.0%", "+42%"), (-0.5, ".0%", "\u221250%"), (1234.5, ",.1f", "1,234.5"),
    (1.8e12, ".2s", "1.8T"), (1500, "~s", "1.5k"), (42.4, "d", "42"), (0.5, "$.2f", "$0.50"),
    (0.125, ".3~f", "0.125"), (2.0, ".2~f", "2"), (3, "", "3"),
])
def test_numbers_read_as_d3_format_writes_them(value, spec, text):
    assert chartspec.d3_format(value, spec) == text


def test_example_module_chart_is_valid():
    """charts/pretraining_compute.py, the example site's module chart."""
    module = REPO / "charts" / "pretraining_compute.py"
    namespace: dict = {"__file__": str(module)}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    spec = chartspec.spec_from(namespace["chart"]())
    VALIDATOR.validate(spec)
    assert len(spec["layer"]) == 4


LOG_LOG = """```chart
title: Loss against compute
kind: line
x: compute
y: loss
x_scale: log
y_scale: log
data:
  - {compute: 1e19, loss: 3.9}
  - {compute: 1.0e+21, loss: 3.0}
  - {compute: 1e23, loss: 2.35}
  - {compute: 1e25, loss: 1.9}
```
"""


def test_log_scales_draw_powers_of_ten(project):
    html, state = render(project, LOG_LOG)
    spec = embedded_specs(html)[0]
    VALIDATOR.validate(spec)
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    assert x["scale"] == {"type": "log"} and y["scale"] == {"type": "log"}
    assert x["type"] == "quantitative"  # 1e19 (text to YAML) was read as a number
    assert x["axis"]["values"] == [10.0**k for k in range(19, 26)]
    assert y["axis"]["values"] == [1.0, 2.0, 5.0, 10.0]  # one decade: 2 and 5 between
    svg = state.charts[0].svg
    for label in ("10¹⁹", "10²²", "10²⁵", ">2<", ">5<"):
        assert label in svg
    assert not [text for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if "e+" in text]
    assert state.charts[0].rows[0] == ("1×10¹⁹", "3.9")
    points = re.findall(r'<path [^>]*aria-roledescription="point"[^>]*transform="translate'
                        r'\(([\d.]+),([\d.]+)\)"', svg)
    xs = [float(x) for x, _ in points]
    assert len(xs) == 4 and xs[1] - xs[0] == pytest.approx(xs[3] - xs[2], abs=0.5)  # evenly


def test_zero_false_lets_the_value_axis_start_near_the_data(project):
    seed = SEED.replace(", projected: true", "")
    body = seed.replace("kind: bar", "kind: line\nzero: false")
    html, _ = render(project, body)
    spec = embedded_specs(html)[0]
    VALIDATOR.validate(spec)
    assert spec["encoding"]["y"]["scale"] == {"zero": False}
    assert "scale" not in spec["encoding"]["x"]  # categories have no zero
    _, plain = render(project, seed.replace("kind: bar", "kind: line"))
    assert "scale" not in json.loads(plain.charts[0].spec_json)["encoding"]["y"]


@pytest.mark.parametrize("edit, needle, message", [
    (("kind: line", "kind: bar"), "x_scale:", "x_scale: log suits line and point charts"),
    (("y_scale: log", "y_scale: logarithmic"), "y_scale:", "unknown y_scale 'logarithmic'"),
    (("loss: 3.9", "loss: 0"), "y_scale:", "log needs a positive number in every row's 'loss'"),
    (("loss: 3.9", "loss: n/a"), "y_scale:", "not 'n/a'"),
    (("y_scale: log", "zero: no way"), "zero:", "zero: is true or false"),
])
def test_bad_scales_point_at_their_line(project, edit, needle, message):
    error = error_for(project, "Intro.\n\n" + LOG_LOG.replace(*edit))
    assert error.line == file_line(project, needle)
    assert message in error.message

"""Vega-Lite specs as charts: a stacked bar and a layered spec written by hand render like every
chart (static SVG, data table, alt text, the spec for charts.js, our theme), data.url files are
read at build time, and every broken spec or missing data file is reported at its line."""

import json
import re

import pytest
from test_blocks import error_for, file_line, render
from test_charts import VALIDATOR, bars, embedded_specs

from longform import chartspec

ESSAY = "essays/bringing-your-own-charts/"


@pytest.fixture
def project(make_project):
    return make_project("vegalite")


@pytest.fixture
def built(project, build):
    result = build(project)
    assert result.status == 0, result.err
    return project


def figures(html: str) -> list[str]:
    return re.findall(r'<figure class="chart".*?</figure>', html, re.S)


def table_rows(figure: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", figure, re.S)[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_a_stacked_bar_spec_renders_as_a_chart(built):
    html = built.page(ESSAY)
    figure = figures(html)[0]
    assert '<figcaption class="chart__title">Where a lab&#x27;s compute goes, by year' in figure
    svg = re.search(r'<div class="chart__view".*?</div>', figure, re.S)[0]
    drawn = bars(svg)
    assert len(drawn) == 9  # three years, three stages each
    assert len({bar["fill"] for bar in drawn}) == 3
    assert '<p class="chart__caption">Shares are illustrative.</p>' in figure
    assert len(table_rows(figure)) == 9
    assert ["2024", "Serving", "34%"] in table_rows(figure)  # the y axis format
    spec = embedded_specs(figure)[0]
    VALIDATOR.validate(spec)
    assert spec["encoding"]["y"]["stack"] == "zero"
    assert "title" not in spec and "$schema" not in spec  # the figure shows the title
    assert spec["config"]["axis"]["labelColor"] == "currentColor"  # our theme, light and dark
    assert spec["description"].startswith("Bar chart of share by year:")


def test_a_layered_spec_reads_its_csv_at_build_time(built):
    figure = figures(built.page(ESSAY))[1]
    assert '<figcaption class="chart__title">Accuracy against the human baseline' in figure
    spec = embedded_specs(figure)[0]
    VALIDATOR.validate(spec)
    assert "url" not in json.dumps(spec["data"])  # inlined: the page fetches no data
    assert [row["model"] for row in spec["data"]["values"]] == [f"Model {c}" for c in "ABCDE"]
    assert spec["data"]["values"][0]["accuracy"] == 0.31
    assert [layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]
            for layer in spec["layer"]] == ["line", "rule"]
    assert table_rows(figure)[-1] == ["Model E", "2024-09-10", "83%"]
    assert 'aria-roledescription="line mark"' in figure
    assert 'aria-roledescription="rule mark"' in figure
    assert spec["description"].startswith("Line chart of accuracy by released:")


def test_an_inline_spec_with_data_from_static(built):
    figure = figures(built.page(ESSAY))[2]
    spec = embedded_specs(figure)[0]
    assert spec["data"] == {"values": [{"year": 2020, "tokens": 300},
                                       {"year": 2022, "tokens": 1400},
                                       {"year": 2024, "tokens": 15000}]}
    assert '<figcaption class="chart__title">Training tokens per model' in figure


def test_an_edited_data_file_redraws_the_chart(project, build):
    assert build(project).status == 0
    data = project.root / "charts" / "data" / "eval_scores.csv"
    data.write_text(data.read_text().replace("Model E,2024-09-10,0.83", "Model E,2024-09-10,0.9"))
    assert build(project).status == 0
    assert table_rows(figures(project.page(ESSAY))[1])[-1] == ["Model E", "2024-09-10", "90%"]


SPEC_FILE = """{
  "data": {"values": [{"a": 1, "b": 2}]},
  "mark": "bar",
  "encoding": {
    "x": {"field": "a", "type": "quantitative"},
    "y": {"field": "b", "type": "quantitativ"}
  }
}
"""


@pytest.mark.parametrize("edit, line, message", [
    (lambda s: s, None, None),
    (lambda s: s.replace('"quantitativ"', '"quantitative"').replace('"bar"', '"bars"'), 3,
     "the spec does not fit the Vega-Lite schema at mark: 'bars' is not one of"),
    (lambda s: s, 6, "the spec does not fit the Vega-Lite schema at encoding/y/type"),
    (lambda s: s.replace('"mark": "bar",', '"mark": "bar"'), 4, "not valid JSON"),
    (lambda s: s.replace('{"values": [{"a": 1, "b": 2}]}', '{"url": "data/missing.csv"}'), 2,
     "data.url data/missing.csv: no such file in charts/data/ or static/"),
    (lambda s: s.replace('{"values": [{"a": 1, "b": 2}]}', '{"url": "https://x.org/a.csv"}'),
     2, "is on the web"),
    (lambda s: s.replace('{"values": [{"a": 1, "b": 2}]}', '{"url": "../pyproject.toml"}'),
     2, "no such file in charts/data/ or static/"),
])
def test_a_broken_spec_file_points_at_its_own_line(project, build, edit, line, message):
    if message is None:  # the fixed file builds
        SPEC = SPEC_FILE.replace('"quantitativ"', '"quantitative"')
    else:
        SPEC = edit(SPEC_FILE)
    project.write("charts/mine.vl.json", SPEC)
    project.write("content/mine.md", "---\ntitle: Mine\ndate: 2025-01-01\n---\n\nText.\n\n"
                                     "```chart\ntitle: Mine\nspec: charts/mine.vl.json\n```\n")
    assert build(project).status == 0 or message is not None
    before = project.files() if message is None else None
    result = build(project)
    if message is None:
        assert result.status == 0 and before == project.files()
        return
    assert result.status == 1
    assert result.err.strip().splitlines()[0].startswith(f"charts/mine.vl.json:{line}: "), \
        result.err
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("body, needle, message", [
    ("```chart\ntitle: T\nspec: charts/nowhere.vl.json\n```\n", "spec:",
     "spec file charts/nowhere.vl.json does not exist"),
    ("```chart\ntitle: T\nspec: content/essay.md\n```\n", "spec:", "does not exist"),
    ("```chart\ntitle: T\nspec: 3\n```\n", "spec:", "spec: is a file such as"),
    ("```chart\ntitle: T\nspec:\n  mark: bar\n  encoding:\n    x: {field: a, type: nominall}\n"
     "```\n", "nominall", "does not fit the Vega-Lite schema at encoding/x/type"),
    ("```chart\ntitle: T\nspec:\n  mark: line\n  data: {url: charts/data/gone.csv}\n```\n",
     "gone.csv", "data.url charts/data/gone.csv: no such file"),
    ("```chart\ntitle: T\nspec: {mark: bar}\nkind: bar\n```\n", "kind:",
     "unknown chart key 'kind'"),
    ("Text.\n\n```chart\nspec: {mark: bar, data: {values: [{a: 1}]}}\n```\n", "```chart",
     "needs a title"),
])
def test_inline_spec_errors_point_at_the_essays_line(make_project, body, needle, message):
    root = make_project("vegalite").root
    error = error_for(root, f"Intro.\n\n{body}")
    assert error.line == file_line(root, needle)
    assert message in error.message


def test_the_theme_sits_under_the_specs_own_config(make_project):
    root = make_project("vegalite").root
    body = ("```chart\ntitle: T\nspec:\n  config: {axis: {labelColor: '#123456'}}\n"
            "  data: {values: [{a: x, b: 1}]}\n  mark: bar\n"
            "  encoding: {x: {field: a, type: nominal}, y: {field: b, type: quantitative}}\n```\n")
    html, state = render(root, body)
    config = embedded_specs(html)[0]["config"]
    assert config["axis"]["labelColor"] == "#123456"
    assert config["axis"]["gridColor"] == chartspec.THEME["axis"]["gridColor"]
    assert config["font"] == chartspec.FONT
    assert state.charts[0].svg.startswith("<svg")

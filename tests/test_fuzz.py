"""Fuzzing: generated frontmatter, Markdown and component blocks thrown at the loader, the
renderer and the whole pipeline. The only outcomes allowed are a record (or a built site) and a
ContentError with a path and a line: never another exception, never a hang.

Examples per test are set below (2,150 in all); each runs under a time limit.
"""

import shutil
import signal
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SETTINGS, SITES, pyproject_text
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from longform import markdown
from longform.config import load_config
from longform.content import Essay, load_essay
from longform.errors import ContentError, Problems

CHARTS = SITES / "components" / "charts"
SOURCE = Path("content/fuzz.md")
EXAMPLE_TIME_LIMIT = 30  # seconds; far above any real example, so only a hang trips it
FUZZ = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@contextmanager
def time_limit(seconds: int = EXAMPLE_TIME_LIMIT):
    def hang(signum, frame):
        raise TimeoutError(f"no answer in {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def allowed(error: ContentError) -> None:
    """A ContentError must say where: a path and a line within the file."""
    event("content error")
    assert isinstance(error.line, int) and error.line >= 1
    assert str(error).split(":")[0], error
    assert error.message.strip()


# --- Strategies -------------------------------------------------------------------------------

words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
nasty = st.sampled_from(["", " ", ":", "- ", "---", "+++", "...", "#", "{", "[", "'", '"', "|",
                         "</script>", "<b>", "&amp;", "{{ x }}", "{% if %}", "\t", "\r", "\x00",
                         "\u2028", "🦜", "../..", "/", "\\", "%", "2024-02-30", "null", "~",
                         "yes", "no", "1e400", "-0", "0x1F", "*", "&a", "!!python/name:os"])
text = st.one_of(words, nasty, st.lists(st.one_of(words, nasty), max_size=4).map("".join))
scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                   st.floats(allow_nan=True, allow_infinity=True), text,
                   st.dates(min_value=date(1, 1, 1)), st.datetimes())
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) |
                     st.dictionaries(text, inner, max_size=3), max_leaves=6)
KEYS = ["title", "date", "dek", "subtitle", "description", "summary", "excerpt", "category",
        "categories", "tags", "author", "authors", "draft", "published", "slug", "related",
        "updated", "lastmod"]
good = {"title": words.filter(str.strip), "date": st.dates(date(1990, 1, 1), date(2030, 1, 1)),
        "tags": st.lists(words, max_size=3), "dek": words, "draft": st.booleans(),
        "slug": words, "category": words, "related": st.lists(words, max_size=2)}
extras = {k: v for k, v in good.items() if k not in ("title", "date")}
meta = st.one_of(
    st.dictionaries(st.sampled_from(KEYS) | text, value, max_size=8),
    st.fixed_dictionaries({}, optional={**{k: value for k in KEYS}, **good}),
    # Mostly valid: a title and a date, then anything.
    st.fixed_dictionaries({"title": good["title"], "date": good["date"]},
                          optional={**extras, "author": st.sampled_from(["ada", "nobody", ""]),
                                    **{k: value for k in ("updated", "categories", "excerpt")}}),
    st.fixed_dictionaries({"title": good["title"], "date": good["date"]}, optional=extras),
)


def dumped(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return "title: x\n"


raw_frontmatter = st.lists(st.one_of(text, st.builds("{}: {}".format, st.sampled_from(KEYS),
                                                     text)), max_size=6).map("\n".join)
frontmatter_text = st.one_of(meta.map(dumped), raw_frontmatter)
fences = st.one_of(st.just("---"), st.just("---"),
                   st.sampled_from(["---", "+++", "...", "", "--- ", "----"]))

inline = st.one_of(
    text,
    st.builds("*{}*".format, words), st.builds("**{}**".format, words),
    st.builds("`{}`".format, text),
    st.builds("[{}]({})".format, words, st.one_of(text, st.sampled_from([
        "second.md", "nowhere.md", "second.md#x", "#top", "#fn:1", "media/a.png", "../x",
        "/essays/second/", "https://example.net/", "mailto:a@b", "javascript:alert(1)",
        "first.md", "<>", "%zz", "a b.md", "?q=1", "#", "//host/x"]))),
    st.builds("![{}]({})".format, text, st.sampled_from(["media/a.png", "x.png", "", "#"])),
    st.builds("[^{}]".format, st.sampled_from(["1", "2", "x", "", " "])),
    st.sampled_from(["<span>", "</div>", "<script>alert(1)</script>", "<!--", "-->", "&#0;",
                     "{: #id .cls }", "{.pullquote}", "{{< shortcode >}}", "{% include x %}",
                     "<img src=x onerror=alert(1)>", "<h3>raw</h3>", "\\", "[x]: /y",
                     "<details><summary>s</summary>", "</details>"]),
)
line = st.lists(inline, min_size=1, max_size=5).map(" ".join)
block_yaml = st.one_of(
    meta.map(dumped), text,
    st.builds(lambda rows, kind, x, y, extra: dumped({
        "title": extra, "kind": kind, "x": x, "y": y, "data": rows}),
        st.lists(st.dictionaries(st.sampled_from(["a", "b", "projected"]), scalar, max_size=3),
                 max_size=4),
        st.sampled_from(["bar", "line", "point", "area", "pie", None]),
        st.sampled_from(["a", "b", "c"]), st.sampled_from(["a", "b", "c"]), words),
    st.builds(lambda title, kind, rows, fmt, horizontal: dumped({
        "title": title, "kind": kind, "x": "a", "y": "b", "format": fmt,
        "horizontal": horizontal, "data": rows}),
        words.filter(str.strip), st.sampled_from(["bar", "line", "point", "area"]),
        st.lists(st.fixed_dictionaries(
            {"a": words, "b": st.one_of(st.integers(-10**6, 10**6),
                                        st.floats(-1e6, 1e6, allow_nan=False))},
            optional={"projected": st.booleans()}), min_size=1, max_size=4),
        st.sampled_from([None, "+.0%", ".2f", "~s", "%%", "bad"]),
        st.sampled_from([False, True])),
    st.builds(lambda name, title: dumped({"name": name, "title": title}),
              st.sampled_from(["growth", "raises", "no_chart", "not_altair", "clipped",
                               "nothing", "../x"]), words),
    st.builds(lambda items: dumped(items), st.lists(st.dictionaries(
        st.sampled_from(["value", "label", "note", "other"]), scalar, max_size=3), max_size=3)),
    st.builds(lambda q, a: dumped({"question": q, "answer": a}), value, value),
)
valid_chart = st.builds(lambda title, kind, rows, fmt, horizontal: dumped({
    "title": title, "kind": kind, "x": "a", "y": "b", "format": fmt,
    "horizontal": horizontal and kind == "bar", "data": rows}),
    words.filter(str.strip), st.sampled_from(["bar", "line", "point", "area"]),
    st.lists(st.fixed_dictionaries(
        {"a": words, "b": st.one_of(st.integers(-10**6, 10**6),
                                    st.floats(-1e6, 1e6, allow_nan=False))},
        optional={"projected": st.booleans()}), min_size=1, max_size=4),
    st.sampled_from([None, "+.0%", ".2f", "~s"]), st.booleans())
well_formed = st.one_of(
    valid_chart.map("```chart\n{}```".format),
    st.sampled_from(["growth", "clipped"]).map("```chart\nname: {}\n```".format),
    st.lists(st.fixed_dictionaries({"value": words.filter(str.strip), "label": words},
                                   optional={"note": words}), min_size=1, max_size=3)
    .map(dumped).map("```stats\n{}```".format),
    st.builds(lambda q, a: dumped({"question": q, "answer": a}), words.filter(str.strip),
              words.filter(str.strip)).map("```insight\n{}```".format),
    line.map("```pullquote\n{}\n```".format),
)
component = st.builds("{}{}\n{}\n{}".format, st.sampled_from(["```", "~~~", "````", "> ```"]),
                      st.sampled_from(["chart", "stats", "insight", "pullquote", "python", ""]),
                      block_yaml, st.sampled_from(["```", "~~~", "", "````"]))
markdown_block = st.one_of(
    line,
    st.builds("{} {}".format, st.sampled_from(["#", "##", "###", "####", "######", "#######"]),
              line),
    st.builds("{}\n{}".format, line, st.sampled_from(["===", "---"])),
    st.builds("- {}\n- {}".format, line, line), st.builds("1. {}\n   > {}".format, line, line),
    st.builds("> {}".format, line),
    st.builds("| {} | {} |\n|---|:-:|\n| {} | {} |".format, text, text, text, text),
    st.builds("[^{}]: {}".format, st.sampled_from(["1", "2", "x"]), line),
    st.builds("    {}".format, line),
    st.builds("{}\n:   {}".format, words, line),
    st.builds("<div markdown=\"1\">\n{}\n</div>".format, line),
)
body = st.lists(st.one_of(markdown_block, well_formed, component), max_size=8).map(
    "\n\n".join)
essay_text = st.one_of(
    st.builds("---\n{}---\n{}".format, meta.map(dumped), body),
    st.builds("{}\n{}\n{}\n{}".format, fences, frontmatter_text, fences, body),
)


def loaded(text: str) -> Essay | None:
    try:
        essay = load_essay(SOURCE, text)
    except ContentError as error:
        allowed(error)
        return None
    assert isinstance(essay, Essay) and essay.slug and essay.title
    event("essay")
    assert "/" not in essay.slug and ".." not in essay.slug
    return essay


def plain_essay(body_md: str) -> Essay:
    return Essay(source=SOURCE, slug="fuzz", title="Fuzz", date=date(2024, 1, 1), dek=None,
                 category=None, tags=(), author=None, draft=False, body_md=body_md, body_line=7)


LINKS = markdown.Links({(SOURCE.parent / "second.md").resolve(): "/essays/second/"},
                       frozenset({(SOURCE.parent / "draft.md").resolve()}),
                       SOURCE.parent.resolve(), "/")


def render(essay: Essay) -> None:
    try:
        result, _ = markdown.rendered(essay, LINKS, CHARTS, None)
    except ContentError as error:
        allowed(error)
        return
    assert isinstance(result.html, str) and result.words >= 0
    event(f"rendered, {min(len(result.charts), 2)} charts")


# --- The tests --------------------------------------------------------------------------------

@settings(max_examples=800, **FUZZ)
@given(essay_text)
def test_loader_gives_an_essay_or_a_content_error(text):
    with time_limit():
        loaded(text)


@settings(max_examples=200, **FUZZ)
@given(st.binary(max_size=200))
def test_loader_on_arbitrary_bytes(data):
    with time_limit():
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        loaded("---\ntitle: x\ndate: 2024-01-01\n---\n" + text)
        loaded(text)


@settings(max_examples=600, **FUZZ)
@given(st.lists(markdown_block, max_size=10).map("\n\n".join))
def test_renderer_on_markdown(body_md):
    with time_limit():
        render(plain_essay(body_md))


@settings(max_examples=400, **FUZZ)
@given(body)
def test_renderer_on_components(body_md):
    with time_limit():
        render(plain_essay(body_md))


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz") / "project"
    shutil.copytree(SITES / "basic", root)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(CHARTS, root / "charts")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    return root


@settings(max_examples=150, **FUZZ)
@given(text=essay_text)
def test_whole_pipeline_builds_or_reports(fuzz_project, text):
    """One generated essay among the sample site's: every page renders, or a ContentError."""
    from longform.pipeline import build
    path = fuzz_project / "content" / "fuzz.md"
    path.write_text(text, "utf-8")
    config = load_config(fuzz_project)
    with time_limit():
        try:
            result = build(config)
        except ContentError as error:
            allowed(error)
            return
        except Problems as found:
            for problem in found.problems:
                allowed(problem)
            assert found.errors
            return
    assert "index.html" in result.files and "feed.xml" in result.files
    event("site built")
    assert all(not name.startswith(("/", "..")) for name in result.files)

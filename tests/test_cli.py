"""longform/cli.py and build.py: what a writer sees on the command line — the build summary, the
flags, and for every kind of bad input one `path:line: message` line, exit status 1, no
traceback, and the previously built site left byte for byte as it was."""

import contextlib
import io
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from conftest import REPO, SETTINGS, SITES, Project, broken_links, build_process, pyproject_text

from longform.cli import main


def test_build_is_the_default_command(make_project, build):
    project = make_project("basic")
    result = build(project)
    assert result.status == 0
    assert result.err == ""
    assert "3 essays" in result.out
    assert (project.out / "index.html").is_file()


@pytest.mark.parametrize("given, kept", [(None, "1"), ("3", "3")])
def test_a_build_keeps_numpys_blas_to_one_thread_unless_told(make_project, build, monkeypatch,
                                                               given, kept):
    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", given)
    assert build(make_project("basic")).status == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == kept


def test_out_flag_and_explicit_build_command(make_project, capsys, monkeypatch, tmp_path):
    project = make_project("basic")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--root", str(project.root), "--out", "public"]) == 0
    assert (tmp_path / "public/essays/first-light/index.html").is_file()
    assert not project.out.exists()


def test_build_py_with_drafts_and_a_sub_path(make_project):
    project = make_project("basic")
    result = build_process(project, "--drafts", "--base-url", "https://example.org/blog/")
    assert (result.status, result.err) == (0, "")
    assert "4 essays" in result.out
    assert broken_links(project.out, "https://example.org/blog/") == []


def test_a_project_without_templates_gets_one_line(make_project, build):
    project = make_project("basic")
    shutil.rmtree(project.root / "templates")
    result = build(project)
    assert result.status == 1
    assert result.err.splitlines()[1:] == ["1 error, 0 warnings. Nothing was published."]
    assert result.err.startswith("templates")
    assert "index.html" in result.err
    assert not project.out.exists()


def test_warnings_do_not_stop_the_build(make_project, build):
    result = build(make_project("jekyll"))
    assert result.status == 0
    assert result.err and all(": warning: " in line for line in result.err.splitlines())


# --- Bad input ---------------------------------------------------------------------------------
#
# Each case breaks a freshly built copy of tests/sites/basic and expects exactly one line on
# stderr that starts with `where: ` and contains `words`.

ESSAY = "---\ntitle: Broken\ndate: 2024-02-01\n{more}---\n\nBody text.\n"

TEMPLATE_EXTENDS = '{% extends "base.html" %}\n{% block content %}\n<h1>{{ essay.title }}</h1>\n'


@dataclass(frozen=True)
class Case:
    id: str
    where: str
    words: str
    write: dict = field(default_factory=dict)
    delete: tuple = ()


CASES = [
    Case("invalid-yaml", "content/zz-bad.md:3", "invalid YAML",
         {"content/zz-bad.md": "---\ndate: 2024-02-01\ntitle: Oops: a colon\n---\nBody\n"}),
    Case("yaml-error-deep-in-a-list", "content/zz-bad.md:6", "invalid YAML",
         {"content/zz-bad.md": "---\ntitle: T\ndate: 2024-02-01\ntags:\n  - a\n - b\n---\n"}),
    Case("no-closing-fence", "content/zz-bad.md:1", "never closed",
         {"content/zz-bad.md": "---\ntitle: Open\ndate: 2024-02-01\n\nBody text.\n"}),
    Case("frontmatter-is-a-list", "content/zz-bad.md:2", "a list",
         {"content/zz-bad.md": "---\n- title\n- date\n---\nBody\n"}),
    Case("frontmatter-is-a-scalar", "content/zz-bad.md:2", "a single value",
         {"content/zz-bad.md": "---\nBroken essay\n---\nBody\n"}),
    Case("missing-title", "content/zz-bad.md:1", "missing 'title'",
         {"content/zz-bad.md": "---\ndate: 2024-02-01\ndek: No title here\n---\nBody\n"}),
    Case("date-not-a-date", "content/zz-bad.md:3", "is not a date",
         {"content/zz-bad.md": "---\ntitle: T\ndate: next tuesday\n---\nBody\n"}),
    Case("impossible-date", "content/zz-bad.md:3", "is not a date",
         {"content/zz-bad.md": "---\ntitle: T\ndate: 2024-02-30\n---\nBody\n"}),
    Case("tags-a-mapping", "content/zz-bad.md:4", "'tags' must be",
         {"content/zz-bad.md": ESSAY.format(more="tags: {optics: yes}\n")}),
    Case("tags-with-a-number", "content/zz-bad.md:4", "'tags' must be",
         {"content/zz-bad.md": ESSAY.format(more="tags:\n  - optics\n  - 42\n")}),
    Case("two-essays-one-slug", "content/second-wind.md:1",
         "slug 'second-wind' is also used by aa-copy.md",
         {"content/aa-copy.md": ESSAY.format(more="slug: second-wind\n")}),
    Case("slug-with-slash", "content/zz-bad.md:4", "may not contain '/'",
         {"content/zz-bad.md": ESSAY.format(more="slug: essays/first-light\n")}),
    Case("slug-with-dots", "content/zz-bad.md:4", "'..'",
         {"content/zz-bad.md": ESSAY.format(more="slug: ../../escape\n")}),
    Case("not-utf8", "content/zz-bad.md:6", "not UTF-8",
         {"content/zz-bad.md": b"---\ntitle: T\ndate: 2024-02-01\n---\n\nCaf\xe9 au lait.\n"}),
    Case("link-to-missing-essay", "content/zz-bad.md:8", "no-such-essay.md",
         {"content/zz-bad.md": ESSAY.format(more="") + "\nSee [this](no-such-essay.md).\n"}),
    Case("linked-essay-deleted", "content/first-light.md:18", "second-wind.md",
         delete=("content/second-wind.md",)),
    Case("linked-essay-becomes-a-draft", "content/first-light.md:18", "a draft",
         {"content/second-wind.md": (SITES / "basic/content/second-wind.md").read_text("utf-8")
          .replace("author: bo\n", "author: bo\ndraft: true\n")}),
    Case("link-to-a-draft", "content/zz-bad.md:8", "draft",
         {"content/zz-bad.md": ESSAY.format(more="") + "\nSee [this](unfinished.md).\n"}),
    Case("authors-yaml-invalid", "content/authors.yaml:3", "invalid YAML",
         {"content/authors.yaml": "ada:\n  name: Ada\n  bio: Ada: Byron\n"}),
    Case("bad-setting", "pyproject.toml:10", "words_per_minute",
         {"pyproject.toml": pyproject_text({**SETTINGS, "words_per_minute": 0})}),
    Case("template-syntax-error", "templates/essay.html:4", "template",
         {"templates/essay.html": TEMPLATE_EXTENDS + "{% if %}\n{% endblock %}\n"}),
    Case("template-syntax-error-in-base", "templates/base.html:3", "template",
         {"templates/base.html": "<!doctype html>\n<title>x</title>\n{% block content %\n"}),
    Case("template-runtime-error", "templates/essay.html:4", "UndefinedError",
         {"templates/essay.html": TEMPLATE_EXTENDS + "<p>{{ essay.no_such_field }}</p>\n"
                                                     "{% endblock %}\n"}),
    Case("template-runtime-error-in-macro", "templates/_parts.html:3", "no_such_field",
         {"templates/_parts.html": "{% macro byline(essay) -%}\n<p>{{ essay.title }}</p>\n"
                                   "<p>{{ essay.no_such_field.upper() }}</p>\n"
                                   "{%- endmacro %}\n",
          "templates/essay.html": '{% extends "base.html" %}\n'
                                  '{% from "_parts.html" import byline %}\n'
                                  "{% block content %}{{ byline(essay) }}{% endblock %}\n"}),
]


@dataclass(frozen=True)
class Broken:
    project: Project
    before: dict
    result: object


@pytest.fixture(scope="module")
def broken_builds(tmp_path_factory):
    """For every case: the basic site built in its own folder (so the build cache is warm, as
    for a writer), then damaged and rebuilt by `python build.py`. The first builds run here one
    by one; the failing builds run as subprocesses side by side to keep the suite fast."""
    workers = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1))
    futures = {}
    for case in CASES:
        project = Project(tmp_path_factory.mktemp(case.id) / "basic")
        shutil.copytree(SITES / "basic", project.root)
        shutil.copytree(REPO / "templates", project.root / "templates")
        (project.root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--root", str(project.root)]) == 0
        before = project.files()
        for relative, data in case.write.items():
            project.write(relative, data)
        for relative in case.delete:
            (project.root / relative).unlink()
        futures[case.id] = workers.submit(
            lambda project=project, before=before: Broken(project, before,
                                                          build_process(project)))
    yield futures
    workers.shutdown(cancel_futures=True)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_its_line_exit_1_and_leaves_the_site(broken_builds, case):
    broken = broken_builds[case.id].result()
    result = broken.result
    assert "Traceback" not in result.err
    assert result.status == 1, result.err
    lines = result.err.splitlines()
    if lines[-1].endswith("Nothing was published."):
        assert lines.pop().startswith("1 error, " if case.id != "two-essays-one-slug" else
                                      "2 errors, ")
    errors = [line for line in lines if ": warning: " not in line]
    # Two essays with one slug: the page at that URL is the other essay's, so a link into the
    # lost essay's sections is dead too.
    assert len(errors) == (2 if case.id == "two-essays-one-slug" else 1), result.err
    assert any(line.startswith(case.where + ": ") and case.words in line for line in errors), \
        result.err
    assert broken.project.files() == broken.before
    assert [p.name for p in broken.project.root.iterdir() if p.name.startswith(".site")] == []


# --- Rebuilding after an edit ------------------------------------------------------------------
#
# The second build reuses what the first one cached; whatever the writer edited, the result
# must be exactly what a clean build of the edited project gives.

def _replace(relative: str, old: str, new: str):
    def edit(project: Project) -> None:
        path = project.root / relative
        text = path.read_text("utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), "utf-8")
    return edit


def _delete(relative: str):
    return lambda project: (project.root / relative).unlink()


def _partial_theme(marker: str):
    """An essay template that includes a partial from a sub-folder of templates/."""
    def edit(project: Project) -> None:
        project.write("templates/partials/sign-off.html", f"<p>{marker}</p>\n")
        if "sign-off" not in (project.root / "templates/essay.html").read_text("utf-8"):
            _replace("templates/essay.html", "{% block content %}",
                     '{% block content %}{% include "partials/sign-off.html" %}')(project)
    return edit


EDITS = {
    "essay-title": _replace("content/first-light.md", "title: First Light",
                            "title: First Light, Revised"),
    "essay-date": _replace("content/third-rail.md", "date: 2024-01-15", "date: 2024-05-15"),
    "essay-tags": _replace("content/third-rail.md", "tags: Weather", "tags: [Weather, Optics]"),
    "essay-body": _replace("content/third-rail.md", "The budget is", "The mirror budget is"),
    "linked-essay-new-slug": _replace("content/second-wind.md", "author: bo\n",
                                      "author: bo\nslug: second-breath\n"),
    "essay-deleted": _delete("content/third-rail.md"),
    "draft-published": _replace("content/unfinished.md", "draft: true", "draft: false"),
    "author-bio": _replace("content/authors.yaml", "Bo keeps the weather log.",
                           "Bo keeps the weather log, and the coffee."),
    "media-file": _replace("content/media/diagram.svg", 'fill="#ccc"', 'fill="#c00"'),
    "base-template": _replace("templates/base.html", "</body>", "<!-- edited --></body>"),
    "macro-template": _replace("templates/_macros.html", "min read", "minutes"),
    "site-title": _replace("pyproject.toml", 'title = "Sample Essays"', 'title = "Renamed"'),
    "partial-added": _partial_theme("Thanks for reading."),
    "partial-edited": _partial_theme("See you next week."),
    "stylesheet": lambda project: (project.root / "templates/static/style.css").open("a").write(
        "\n.edited { color: red }\n"),
}


def test_each_rebuild_after_an_edit_equals_a_clean_build(make_project, build, tmp_path):
    # One project edited step by step, as a writer works; after every step its incremental
    # build is compared with a clean build of a copy (a copy starts with no usable cache).
    project = make_project("basic")
    assert build(project).status == 0
    for name, edit in EDITS.items():
        edit(project)
        assert build(project).status == 0, name
        clean = Project(tmp_path / f"clean-{name}")
        shutil.copytree(project.root, clean.root,
                        ignore=shutil.ignore_patterns("site", ".longform-cache"))
        assert build(clean).status == 0, name
        assert project.files() == clean.files(), f"after the edit '{name}'"


@pytest.mark.parametrize("out", ["content", ".", "templates/static", "stranger"])
def test_an_output_folder_that_would_destroy_work_is_refused(make_project, build, out):
    project = make_project("basic")
    stranger = project.root / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine", "utf-8")
    before = {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()}
    result = build(project, "--out", out)
    assert result.status == 1
    assert result.err.count("\n") == 1 and ":1: the output folder" in result.err
    assert {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("argv, first", [
    (["--drafts"], "build"),
    ([], "build"),
    (["--root", "x", "serve", "--port", "9"], "serve"),
    (["--root", "serve"], "build"),  # a folder named serve is a value, not the command
    (["new", "A title", "--root", "x"], "new"),
])
def test_the_command_may_come_after_the_options(argv, first):
    from longform.cli import with_command_first
    assert with_command_first(argv)[0] == first


def test_default_base_url_reaches_the_pages_when_the_settings_name_none(make_project, build):
    project = make_project("basic")
    text = (project.root / "pyproject.toml").read_text()
    (project.root / "pyproject.toml").write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("base_url")))
    assert build(project, "--default-base-url", "https://x.github.io/blog").status == 0
    home = project.page("")
    assert '<link rel="canonical" href="https://x.github.io/blog/">' in home
    assert 'href="/blog/essays/first-light/"' in home


@pytest.mark.parametrize("argv", [
    ["build"],
    ["build", "--root", "x", "--out", "public", "--drafts"],
    ["build", "--base-url", "https://a.org/b/", "--default-base-url", "https://c.org/"],
    ["build", "--out", "a", "--out", "b"],  # the last one wins, as in argparse
    ["build", "--root", ""],
])
def test_a_plain_build_command_line_reads_as_argparse_reads_it(argv):
    from longform.cli import parser, plain_build
    assert vars(plain_build(argv)) == vars(parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["build", "--help"], ["build", "--root=x"], ["build", "--ro", "x"], ["build", "--out"],
    ["build", "--out", "-x"], ["build", "extra"], ["serve"], ["check", "--strict"],
])
def test_any_other_command_line_is_left_to_argparse(argv):
    from longform.cli import plain_build
    assert plain_build(argv) is None


def test_an_unknown_option_still_gets_argparse_usage_and_exit_2(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--root", ".", "--bogus"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_a_build_s_objects_go_to_keep_when_given(make_project, monkeypatch, capsys):
    """build.py hands main() a list for the build's objects and leaves by os._exit, so they are
    never torn down one by one; a build that changed nothing has none to hand."""
    project = make_project("basic")
    monkeypatch.chdir(project.root)
    kept: list = []
    assert main(["--root", str(project.root)], keep=kept) == 0
    assert len(kept) == 1
    result, previous = kept[0]
    assert {e.slug for e in result.site.essays} >= {"first-light", "third-rail"}
    assert "essays/third-rail/index.html" in result.files and previous.rendered == {}
    kept.clear()
    assert main(["--root", str(project.root)], keep=kept) == 0 and kept == []
    capsys.readouterr()

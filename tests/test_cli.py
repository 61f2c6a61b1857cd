"""longform/cli.py and build.py: what a writer sees on the command line — the build summary, the
flags, and for every kind of bad input one `path:line: message` line, exit status 1, no
traceback, and the previously built site left byte for byte as it was."""

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
    """Build the basic site once; then, for every case, a copy of that built project (site/
    and build cache included) with the case's damage, rebuilt by `python build.py` — the
    subprocesses run side by side to keep the suite fast."""
    good = Project(tmp_path_factory.mktemp("good") / "basic")
    shutil.copytree(SITES / "basic", good.root)
    shutil.copytree(REPO / "templates", good.root / "templates")
    (good.root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    assert main(["--root", str(good.root)]) == 0
    before = good.files()

    def run(case: Case) -> Broken:
        project = Project(tmp_path_factory.mktemp(case.id) / "basic")
        shutil.copytree(good.root, project.root, symlinks=True)
        for relative, data in case.write.items():
            project.write(relative, data)
        for relative in case.delete:
            (project.root / relative).unlink()
        return Broken(project, before, build_process(project))

    workers = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1))
    futures = {case.id: workers.submit(run, case) for case in CASES}
    yield futures
    workers.shutdown(cancel_futures=True)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_one_line_exit_1_and_leaves_the_site(broken_builds, case):
    broken = broken_builds[case.id].result()
    result = broken.result
    assert "Traceback" not in result.err
    assert result.status == 1, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(case.where + ": "), lines[0]
    assert case.words in lines[0]
    assert broken.project.files() == broken.before
    assert [p.name for p in broken.project.root.iterdir() if p.name.startswith(".site")] == []

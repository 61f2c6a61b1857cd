"""`python build.py new "Title"` (longform/cli.py): a new draft with its frontmatter filled in,
which builds as it is, and never a file written over."""

import subprocess
import sys
from datetime import date

import pytest
from conftest import REPO, Document, Result

from longform.cli import main
from longform.content import load_essay


@pytest.fixture
def new(capsys, monkeypatch):
    """new(project, "Title") runs `build.py new "Title" --root PROJECT` from the project folder."""

    def run(project, *args: str) -> Result:
        monkeypatch.chdir(project.root)
        capsys.readouterr()
        status = main(["new", *args, "--root", str(project.root)])
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return run


def test_new_writes_a_draft_with_title_date_and_default_author(make_project, new):
    project = make_project("drafting", default_author="ada")
    result = new(project, "Title of the Essay")
    assert result.status == 0, result.err
    path = project.root / "content/title-of-the-essay.md"
    assert "content/title-of-the-essay.md" in result.out
    essay = load_essay(path)
    assert (essay.title, essay.date, essay.draft, essay.author) == (
        "Title of the Essay", date.today(), True, "ada")
    assert essay.slug == "title-of-the-essay"
    assert "draft: true\n" in path.read_text("utf-8")


def test_without_a_default_author_there_is_no_author_line(make_project, new):
    project = make_project("drafting")
    assert new(project, "Unsigned").status == 0
    text = (project.root / "content/unsigned.md").read_text("utf-8")
    assert "author:" not in text
    assert load_essay(project.root / "content/unsigned.md").author is None


@pytest.mark.parametrize("title, slug", [
    ('Why "scale": a note \\ on C:\\path', "why-scale-a-note-on-c-path"),
    ("It's 50% done: #2 — maybe", "its-50-done-2-maybe"),
    ("Über café", "über-café"),
    ("key: value [list] {map} & *star", "key-value-list-map-star"),
])
def test_any_title_survives_the_frontmatter(make_project, new, title, slug):
    project = make_project("drafting")
    assert new(project, title).status == 0
    assert load_essay(project.root / f"content/{slug}.md").title == title


def test_the_new_draft_builds_with_a_draft_badge_and_stays_out_of_a_plain_build(
        make_project, new, build):
    project = make_project("drafting", default_author="ada")
    assert new(project, "Title of the Essay").status == 0
    result = build(project, "--drafts")
    assert result.status == 0, result.err
    page = Document(project.page("essays/title-of-the-essay/"))
    assert page.text_of("h1") == ["Title of the Essay"]
    assert page.text_of("span", class_="badge--draft") == ["Draft"]
    assert build(project).status == 0
    assert not (project.out / "essays/title-of-the-essay").exists()


def test_new_refuses_to_overwrite_an_existing_essay(make_project, new):
    project = make_project("drafting")
    assert new(project, "Title of the Essay").status == 0
    path = project.root / "content/title-of-the-essay.md"
    path.write_text("---\ntitle: Written already\ndate: 2024-01-01\n---\n\nMy words.\n", "utf-8")
    for title in ("Title of the Essay", "title of the essay!"):  # the same file name
        result = new(project, title)
        assert result.status == 1
        [line] = result.err.splitlines()
        assert line.startswith("content/title-of-the-essay.md:1: ") and "exists" in line
        assert "Traceback" not in result.err
    assert path.read_text("utf-8").endswith("My words.\n")


def test_new_refuses_an_existing_sample_essay(make_project, new):
    project = make_project("drafting")
    before = (project.root / "content/tide-tables.md").read_bytes()
    result = new(project, "Tide Tables")
    assert result.status == 1 and len(result.err.splitlines()) == 1
    assert (project.root / "content/tide-tables.md").read_bytes() == before


def test_a_title_without_letters_or_digits_is_one_line_and_no_file(make_project, new):
    project = make_project("drafting")
    before = sorted(p.name for p in (project.root / "content").iterdir())
    result = new(project, "?!")
    assert result.status == 1
    [line] = result.err.splitlines()
    assert "no letters or digits" in line
    assert sorted(p.name for p in (project.root / "content").iterdir()) == before


def test_new_from_the_command_line(make_project):
    project = make_project("drafting")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "new", "A First Essay",
                           "--root", str(project.root)], cwd=project.root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert load_essay(project.root / "content/a-first-essay.md").title == "A First Essay"
    again = subprocess.run([sys.executable, str(REPO / "build.py"), "new", "A First Essay",
                            "--root", str(project.root)], cwd=project.root, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 1 and len(again.stderr.splitlines()) == 1


def test_new_refuses_a_title_whose_slug_a_jekyll_post_already_has(make_project, new):
    project = make_project("drafting")
    project.write("content/2023-05-01-hello-jekyll.md", "---\ntitle: Hi\n---\nOld post.\n")
    result = new(project, "Hello Jekyll")
    assert result.status == 1
    assert result.err == ("content/2023-05-01-hello-jekyll.md:1: this essay already has the "
                          "slug 'hello-jekyll'; pick another title or edit it\n")
    assert not (project.root / "content/hello-jekyll.md").exists()

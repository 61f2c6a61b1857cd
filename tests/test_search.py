"""longform/search.py: the Pagefind index of the essays, the /search/ page and the header box,
`search = false`, and an index rebuilt only when an essay page changed."""

import json
import stat

from conftest import Document
from test_images import publishing



def test_the_index_covers_the_essays_and_the_search_page_is_there(make_project, build):
    project = publishing(make_project)
    assert build(project).status == 0
    entry = json.loads(project.page("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == 3  # the essays, not listings or tags
    bundle = {p.name for p in (project.out / "pagefind").iterdir()}
    assert "pagefind.js" in bundle and "wasm.en.pagefind" in bundle
    assert not {n for n in bundle if "-ui." in n}  # Pagefind's own UI: unused, not shipped
    search = Document(project.page("search/"))
    [form] = search.find_all("form", role="search")
    assert "hidden" in form.attrs and form.attrs["data-search-bundle"] == "/pagefind/"
    assert search.text_of("noscript")  # without JavaScript: a note, not a dead box
    assert "/search/" not in project.page("sitemap.xml")  # a results page, not for crawlers
    essay = Document(project.page("essays/tide-tables/"))
    [box] = essay.find_all("form", class_="site-search")
    assert "hidden" in box.attrs and box.attrs["action"] == "/search/"
    assert "data-pagefind" not in project.page("essays/tide-tables/")  # indexed from records


def test_search_false_leaves_out_the_index_the_page_and_the_box(make_project, build):
    project = publishing(make_project)
    text = (project.root / "pyproject.toml").read_text()
    (project.root / "pyproject.toml").write_text(text + "search = false\n")
    assert build(project).status == 0
    assert not (project.out / "pagefind").exists()
    assert not (project.out / "search").exists()
    page = project.page("essays/tide-tables/")
    assert "site-search" not in page and "search." not in page


def counting_pagefind(project, tmp_path, monkeypatch, exit_status=None):
    """PAGEFIND_BINARY_PATH set to a script that notes each run in a log (and then runs the
    real Pagefind, or fails with exit_status)."""
    from pagefind_bin import get_executable
    log = tmp_path / "pagefind-runs.log"
    script = tmp_path / "pagefind"
    tail = f"echo 'broken index' >&2; exit {exit_status}" if exit_status else \
        f'exec "{get_executable()}" "$@"'
    script.write_text(f"#!/bin/sh\necho run >> '{log}'\n{tail}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    return lambda: len(log.read_text().splitlines()) if log.exists() else 0


def test_the_index_is_rebuilt_only_when_an_essay_page_changes(make_project, build, tmp_path,
                                                               monkeypatch):
    project = publishing(make_project)
    runs = counting_pagefind(project, tmp_path, monkeypatch)
    assert build(project).status == 0 and runs() == 1
    assert build(project).status == 0 and runs() == 1  # nothing changed
    # A draft changes no published page: the pipeline runs, the index stays.
    project.write("content/notes-in-progress.md", "---\ntitle: Notes\ndate: 2024-06-01\n"
                                                  "draft: true\n---\n\nNot yet.\n")
    result = build(project)
    assert result.status == 0 and runs() == 1
    essay = project.root / "content/tide-tables.md"
    essay.write_text(essay.read_text().replace("chalk slate", "slate board"))
    assert build(project).status == 0 and runs() == 2
    assert "slate board" in project.page("essays/tide-tables/")


def test_a_failing_indexer_is_one_line_and_leaves_the_site(make_project, build, tmp_path,
                                                           monkeypatch):
    project = publishing(make_project)
    assert build(project).status == 0
    before = project.files()
    counting_pagefind(project, tmp_path, monkeypatch, exit_status=3)
    essay = project.root / "content/tide-tables.md"
    essay.write_text(essay.read_text().replace("chalk slate", "slate board"))
    result = build(project)
    assert result.status == 1
    assert result.err.splitlines()[0] == ("pyproject.toml:1: the search index could not be built "
                                  "(broken index); reinstall 'pagefind[bin]', or set search = "
                                  "false in [tool.longform]")
    assert project.files() == before


def test_results_carry_each_essay_s_own_address_under_a_permalink_pattern(make_project, build):
    import gzip
    project = publishing(make_project, permalink="/:year/:month/:slug.html")
    assert build(project).status == 0
    urls = {json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])["url"]
            for p in (project.out / "pagefind/fragment").iterdir()}
    assert urls == {"/2024/05/harbour-at-dusk.html", "/2024/03/tide-tables.html",
                    "/2024/01/lighthouse-keepers.html"}

"""longform/outputs.py: a page is rendered again whenever its inputs or its file in site/
changed, and taken as it is otherwise; page fingerprints follow every value a page shows."""

import os
import shutil
from dataclasses import replace

import pytest
from conftest import Project

from longform.content import Author
from longform.outputs import page_keys
from longform.site import summary


def cold_copy(project: Project, tmp_path, name: str) -> Project:
    clean = Project(tmp_path / name)
    shutil.copytree(project.root, clean.root,
                    ignore=shutil.ignore_patterns("site", ".longform-cache"))
    return clean


@pytest.mark.parametrize("tamper", ["edit", "same size", "delete", "add", "add below"])
def test_a_page_touched_in_site_beside_an_essay_edit_is_put_right(make_project, build,
                                                                   tmp_path, tamper):
    # The edit means a real rebuild (not the no-change check), which stats site/'s files by
    # name while no folder's mtime moved (else lists it) and takes each unchanged page from
    # there only while its size and mtime are the last build's.
    project = make_project("basic")
    assert build(project).status == 0
    page = project.out / "essays/first-light/index.html"
    if tamper == "edit":
        page.write_text("hand-edited", "utf-8")
    elif tamper == "same size":  # other bytes, the same size, a new mtime
        data = page.read_bytes()
        page.write_bytes(data.replace(b"<html", b"<HTML", 1))
        os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000))
    elif tamper == "delete":
        page.unlink()
    elif tamper == "add below":  # into a folder the last build left: its mtime moves
        (page.parent / "notes.txt").write_text("a stray file", "utf-8")
    else:
        (project.out / "essays/stray/index.html").parent.mkdir()
        (project.out / "essays/stray/index.html").write_text("<p>stray</p>", "utf-8")
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert build(project).status == 0
    clean = cold_copy(project, tmp_path, "clean")
    assert build(clean).status == 0
    assert project.files() == clean.files()


def test_an_edited_title_renders_every_listing_again(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8").replace("title: ", "title: Renamed ", 1), "utf-8")
    assert build(project).status == 0
    for page in ("index.html", "feed.xml"):
        assert "Renamed" in project.page(page), page


def _essay(project: Project):
    from longform.config import load_config
    from longform.pipeline import build as run
    return run(load_config(project.root)).site.essays


def test_page_keys_follow_each_essay_in_a_list_its_order_and_every_value(make_project):
    first, second, *_ = _essay(make_project("basic"))
    author = Author(key="ruby", name="Ruby")
    context = {"essay": first, "related": [summary(second), summary(first)], "author": author,
               "count": 2}
    same = {"count": 2, "author": Author(key="ruby", name="Ruby"), "essay": first,
            "related": [summary(second), summary(first)]}
    variants = [
        {**context, "related": [summary(first), summary(second)]},  # order
        {**context, "related": [summary(replace(second, title="Other"))]},  # an essay's key
        {**context, "essay": replace(first, key="changed")},
        {**context, "author": Author(key="ruby", name="Ruby Q.")},  # a plain object's repr
        {**context, "count": 3},
        {**context, "related": ([summary(second), summary(first)],)},  # nesting
    ]
    parts = ("shared", "template", "title", "")
    keys = page_keys([parts] * (2 + len(variants)), [context, same, *variants])
    assert keys[0] == keys[1]
    assert len(set(keys[1:])) == 1 + len(variants)
    assert page_keys([("shared", "template", "other title", "")], [context])[0] != keys[0]

"""longform/memorows.py: the cache file keeps each record in few objects, reads every one back
as the build left it, and an edit rewrites only the rows (buckets of entries) of what it
changed."""

import dataclasses
import pickle
import shutil
import sqlite3
from contextlib import closing

from conftest import Project

from longform import cache, pipeline, search
from longform.config import load_config

CACHE = ".longform-cache/cache.sqlite"
RECORD = ".longform-cache/last-build.marshal"


def rows(project: Project) -> dict:
    """(table, row key) → stored value, of every row in the project's cache file."""
    with closing(sqlite3.connect(project.root / CACHE)) as db:
        return {(tab, key): value
                for tab, key, value in db.execute("SELECT tab, key, value FROM entries")}


def entries(value: bytes) -> dict:
    """A bucketed table's row: entry key → stored value."""
    return dict(pickle.loads(value))


def fields(record) -> tuple:
    # An Essay as every field's type and value, `extra` (left out of ==) included, and its
    # text as a reader sees it (read from its own row when the record was read without it).
    return type(record), [(type(v), v) for v in
                          (getattr(record, f.name) for f in dataclasses.fields(record))]


def test_the_memo_reads_back_as_the_build_left_it(make_project, tmp_path):
    config = load_config(make_project("allfeatures").root)
    built = pipeline.build(config).memo
    cache.save_memo(tmp_path, built)
    read = cache.load_memo(tmp_path, built.version)
    # Read without their text (their own rows), which a reader of the record reads below.
    assert read.rendered and not any({"html", "body_md"} & essay.__dict__.keys()
                                     for _, _, essay in read.rendered.values())
    assert read.loaded.keys() == built.loaded.keys()
    assert read.summaries.keys() == built.summaries.keys()
    for path, (text_hash, essay, *rest) in built.loaded.items():
        assert read.loaded[path][::2] == (text_hash, *rest)
        assert fields(read.loaded[path][1]) == fields(essay)
    for path, (inputs, deps, essay) in built.rendered.items():
        assert read.rendered[path][:2] == (inputs, deps)
        assert fields(read.rendered[path][2]) == fields(essay)
    for key, essay in built.summaries.items():
        assert fields(read.summaries[key]) == fields(essay)
    assert read.stats == built.stats and read.scans == built.scans
    assert read.search == built.search and read.related == built.related
    # Stored small: the loaded record and the summary as what they change of the rendered one.
    with closing(sqlite3.connect(tmp_path / cache.DB_FILE)) as db:
        stored = {table: [value for (row,) in db.execute(
            "SELECT value FROM entries WHERE tab = ?", (table,))
            for value in entries(row).values()] for table in ("essays", "summaries")}
    rendered = [loaded for loaded, _, rendered in stored["essays"] if rendered is not None]
    assert len(rendered) > 1 and all(type(loaded[1]) is dict for loaded in rendered)
    assert stored["summaries"] and all(type(value) is dict for value in stored["summaries"])


def test_an_edit_rewrites_only_its_essays_rows_and_its_search_shard(make_project, build,
                                                                    monkeypatch):
    monkeypatch.setattr(search, "SHARD_SIZE", 1)  # a shard an essay: the edit's is one of them
    project = make_project("basic")
    assert build(project).status == 0
    before = rows(project)
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert " 1 rendered" in build(project).out
    after = rows(project)
    changed = {(table, key) for (table, key) in after if before.get((table, key)) !=
               after[table, key]}
    essay_rows = [after[table, key] for table, key in changed if table == "essays"]
    assert len(essay_rows) == 1 and essay in entries(essay_rows[0])
    others = {key for table, key in before if table == "essays"} - {
        key for table, key in changed}
    assert others  # the other essays' buckets, untouched
    shards = [key for table, key in after if table == "search"]
    assert len(shards) > 1 and len([1 for table, _ in changed if table == "search"]) == 1


def test_a_summary_whose_essay_row_is_gone_is_made_afresh(make_project, build, tmp_path):
    project = make_project("allfeatures")
    assert build(project).status == 0
    essay = project.root / "content/is-pretraining-over.md"
    with closing(sqlite3.connect(project.root / CACHE)) as db, db:
        (row, value), = [(key, value) for key, value in db.execute(
            "SELECT key, value FROM entries WHERE tab = 'essays'") if essay in entries(value)]
        left = [(key, stored) for key, stored in pickle.loads(value) if key != essay]
        db.execute("UPDATE entries SET value = ? WHERE tab = 'essays' AND key = ?",
                   (pickle.dumps(left), row))
    (project.root / RECORD).unlink()  # past the whole-build check
    rebuilt = build(project)
    assert rebuilt.status == 0 and " 1 rendered" in rebuilt.out
    clean = Project(tmp_path / "clean")
    shutil.copytree(project.root, clean.root,
                    ignore=shutil.ignore_patterns("site", ".longform-cache"))
    assert build(clean).status == 0
    assert project.files() == clean.files()

"""longform/cachedb.py: the tables the render workers write (converted math, drawn cards) only
ever cost time. A damaged file is made again; an unusable one means everything is made
afresh, to the same bytes."""

import shutil
import sqlite3
from contextlib import closing

import pytest
from conftest import Project

from longform import cachedb


def rows(path, table: str) -> int:
    with closing(sqlite3.connect(path)) as database:
        return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def cold_copy(project: Project, tmp_path) -> Project:
    clean = Project(tmp_path / "cold")
    shutil.copytree(project.root, clean.root,
                    ignore=shutil.ignore_patterns("site", ".longform-cache"))
    return clean


@pytest.mark.parametrize("name, table", [("cards.sqlite", "cards"), ("math.sqlite", "math")])
def test_a_damaged_table_file_is_made_again(make_project, build, build_process, tmp_path,
                                            name, table):
    project = make_project("allfeatures")
    # Processes of their own, as a writer's builds: this one's memory may know the math.
    assert build_process(project).status == 0
    cache = project.root / ".longform-cache"
    before = rows(cache / name, table)
    assert before > 0  # the site draws cards and converts math
    for suffix in ("-wal", "-shm"):
        (cache / f"{name}{suffix}").unlink(missing_ok=True)
    (cache / name).write_bytes(b"\x00not a database\xff" * 300)
    (cache / "cache.sqlite").unlink()  # every essay rendered again: every table row needed
    edited = next((project.root / "content").glob("*.md"))  # a change, so there is a build
    edited.write_text(edited.read_text("utf-8") + "\nA closing line.\n", "utf-8")
    result = build_process(project)
    assert result.status == 0 and "Traceback" not in result.err
    clean = cold_copy(project, tmp_path)
    assert build(clean).status == 0
    assert project.files() == clean.files()
    assert rows(cache / name, table) == before  # made again, and written to


def test_a_file_that_cannot_be_opened_gives_no_connection(tmp_path):
    (tmp_path / "cards.sqlite").mkdir()  # a folder where the file should be
    schema = "CREATE TABLE IF NOT EXISTS t (key TEXT PRIMARY KEY)"
    assert cachedb.connection(tmp_path, "cards.sqlite", schema) is None
    assert (tmp_path / "cards.sqlite").is_dir()  # left as it was


def test_a_connection_is_kept_until_forgotten_or_its_file_is_replaced(tmp_path):
    schema = "CREATE TABLE IF NOT EXISTS t (key TEXT PRIMARY KEY)"
    first = cachedb.connection(tmp_path, "t.sqlite", schema)
    assert first is not None and cachedb.connection(tmp_path, "t.sqlite", schema) is first
    cachedb.forget(tmp_path, "t.sqlite")  # after a failed query
    second = cachedb.connection(tmp_path, "t.sqlite", schema)
    assert second is not None and second is not first
    with second:
        second.execute("INSERT INTO t VALUES ('written')")
    shutil.rmtree(tmp_path)  # the cache deleted while serve runs
    third = cachedb.connection(tmp_path, "t.sqlite", schema)
    assert third is not None and third is not second
    assert third.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert (tmp_path / "t.sqlite").is_file()


def test_processes_opening_a_new_file_at_once_each_get_it(tmp_path):
    # Two render workers' first cards or expressions: one of them used to find the file
    # "locked" while the other set it up, and went without the cache for the whole build.
    import os
    schema = "CREATE TABLE IF NOT EXISTS cards (key TEXT PRIMARY KEY);"
    failed = 0
    for round_ in range(20):
        folder = tmp_path / str(round_)
        children = []
        for _ in range(2):
            pid = os.fork()
            if pid == 0:
                opened = cachedb.connection(folder, "cards.sqlite", schema)
                os._exit(0 if opened is not None else 1)
            children.append(pid)
        failed += sum(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0
                      for pid in children)
    assert failed == 0

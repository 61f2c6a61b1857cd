"""longform/cache.py: rebuilds reuse what did not change, and the cache can only cost time,
never correctness: a warm, a cold and a damaged cache all give the same site."""

import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from conftest import REPO, Project, imported_after

from longform import pipeline
from longform.config import load_config
from longform.errors import ContentError

CACHE = ".longform-cache/cache.sqlite"
RECORD = ".longform-cache/last-build.marshal"


def stats(project: Project) -> dict:
    return {p.relative_to(project.out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in project.out.rglob("*") if p.is_file()}


def cold_copy(project: Project, tmp_path, name: str) -> Project:
    clean = Project(tmp_path / name)
    shutil.copytree(project.root, clean.root,
                    ignore=shutil.ignore_patterns("site", ".longform-cache"))
    return clean


def test_a_cache_hit_gives_the_bytes_of_a_cold_build(make_project, build, tmp_path):
    project = make_project("allfeatures")
    assert build(project).status == 0
    warm = build(project)
    assert warm.status == 0 and " 0 rendered" in warm.out  # everything came from the cache
    clean = cold_copy(project, tmp_path, "cold")
    assert build(clean).status == 0
    assert project.files() == clean.files()


def test_editing_one_essay_rewrites_only_the_files_whose_bytes_change(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    before_files, before_stats = project.files(), stats(project)
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8").replace("The budget is", "The mirror budget is"),
                     "utf-8")
    assert build(project).status == 0
    after_files, after_stats = project.files(), stats(project)
    differ = {p for p in after_files if before_files.get(p) != after_files[p]}
    assert "essays/third-rail/index.html" in differ
    assert len(differ) < len(after_files) // 3  # not a rewrite of the whole site
    rewritten = {p for p in after_stats if before_stats.get(p) != after_stats[p]}
    assert rewritten == differ


def test_deleting_the_cache_changes_nothing_in_the_output(make_project, build):
    project = make_project("allfeatures")
    assert build(project).status == 0
    before_files, before_stats = project.files(), stats(project)
    shutil.rmtree(project.root / ".longform-cache")
    rebuilt = build(project)
    assert rebuilt.status == 0 and " 0 cached" in rebuilt.out
    assert project.files() == before_files
    assert stats(project) == before_stats  # not even rewritten: an rsync uploads nothing


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other-object"])
def test_a_damaged_cache_is_ignored_and_rebuilt(make_project, build, tmp_path, damage):
    project = make_project("basic")
    assert build(project).status == 0
    cache = project.root / CACHE
    data = cache.read_bytes()
    cache.write_bytes({"garbage": b"\x00not a pickle at all\xff" * 50,
                       "truncated": data[: len(data) // 2],
                       "empty": b"",
                       "other-object": b"\x80\x04K*."}[damage])  # pickle of the int 42
    edited = project.root / "content/first-light.md"
    edited.write_text(edited.read_text("utf-8") + "\nA closing line.\n", "utf-8")
    result = build(project)
    assert result.status == 0 and "Traceback" not in result.err
    assert " 0 cached" in result.out  # nothing was taken from the damaged file
    clean = cold_copy(project, tmp_path, f"cold-{damage}")
    assert build(clean).status == 0
    assert project.files() == clean.files()
    again = build(project)
    assert " 0 rendered" in again.out  # the cache was written anew and is used


def test_a_staged_load_reads_the_essays_first_and_then_the_same_rest(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    from longform import cache
    config = load_config(project.root)
    whole = cache.load_memo(config.cache_dir, cache.code_version())
    staged = cache.load_memo(config.cache_dir, cache.code_version(), staged=True)
    assert staged.loaded.keys() == whole.loaded.keys() and staged.stats == whole.stats
    assert staged.rendered.keys() == whole.rendered.keys()
    assert (staged.pages, staged.scans, staged.summaries, staged.search, staged.related) == \
        ({}, {}, {}, (), None)
    cache.rest_loaded(staged)
    assert staged.pending is None and staged.pages == whole.pages and whole.pages
    assert staged.scans == whole.scans and staged.summaries.keys() == whole.summaries.keys()
    assert staged.search == whole.search and whole.search
    assert pickle.dumps(staged.related) == pickle.dumps(whole.related)
    assert staged.on_disk.keys() == whole.on_disk.keys()


def test_a_cache_rewritten_by_other_code_between_the_stages_is_not_read(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    from longform import cache
    config = load_config(project.root)
    staged = cache.load_memo(config.cache_dir, cache.code_version(), staged=True)
    assert staged.loaded and staged.pending
    with closing(sqlite3.connect(project.root / CACHE)) as db, db:
        db.execute("UPDATE meta SET value = x'6f74686572' WHERE name = 'version'")
    cache.rest_loaded(staged)
    assert (staged.pages, staged.scans, staged.summaries, staged.search) == ({}, {}, {}, ())
    assert staged.on_disk is None  # so saved whole


@pytest.mark.parametrize("table", ["pages", "scans", "summaries", "search", "related"])
def test_damage_in_what_an_edit_reads_after_rendering_only_costs_time(make_project, build,
                                                                      tmp_path, table):
    # An edit reads the essays' entries, renders and starts its shard's Pagefind run, and only
    # then reads the rest of the cache file (cache.rest_loaded): damage found there must still
    # give a cold build's bytes.
    project = make_project("basic")
    assert build(project).status == 0
    with closing(sqlite3.connect(project.root / CACHE)) as db, db:
        if table == "related":
            db.execute("UPDATE meta SET value = x'00ff' WHERE name = 'related'")
        else:
            assert db.execute("UPDATE entries SET value = x'00ff' WHERE tab = ?",
                              (table,)).rowcount
    edited = project.root / "content/first-light.md"
    edited.write_text(edited.read_text("utf-8") + "\nA closing line.\n", "utf-8")
    result = build(project)
    assert result.status == 0 and "Traceback" not in result.err
    assert " 1 rendered" in result.out  # the essays' entries, read before the damage, served
    clean = cold_copy(project, tmp_path, f"cold-{table}")
    assert build(clean).status == 0
    assert project.files() == clean.files()
    from longform import cache
    saved = cache.load_memo(load_config(project.root).cache_dir, cache.code_version())
    assert saved.on_disk is not None and saved.pages and saved.search  # saved whole again


# A build whose process is killed (SIGKILL, as by the OOM killer or a closed laptop) while it
# writes its cache: when all its rows are in the file but the transaction is not committed,
# or when only some are (an essay's row without its summary's, which is stored against it).
KILLED_WHILE_SAVING = """
import itertools, os, signal, sys
sys.argv = ["build.py", "--root", sys.argv[1]]
sys.path.insert(0, {repo!r})
from longform import cache

class Dying:
    def __init__(self, db):
        self.db = db
        db.execute("PRAGMA cache_size = 1")  # spill the new rows into the file before COMMIT

    def execute(self, sql, *args):
        if sql == "COMMIT":
            os.kill(os.getpid(), signal.SIGKILL)
        return self.db.execute(sql, *args)

    def executemany(self, sql, rows):
        if {where!r} == "rows" and sql.startswith("INSERT"):
            self.db.executemany(sql, itertools.islice(rows, 1))
            os.kill(os.getpid(), signal.SIGKILL)
        return self.db.executemany(sql, rows)

write = cache._write_memo
# "search": killed as it commits the search shards' rows, the other rows saved before them.
cache._write_memo = lambda db, memo, previous, parts: write(
    Dying(db) if {where!r} != "search" or parts == ("search",) else db, memo, previous, parts)
from longform.cli import main
main()
"""


@pytest.mark.parametrize("where", ["commit", "rows", "search"])
def test_a_cache_half_written_by_a_killed_build_is_harmless(make_project, build, tmp_path,
                                                             where):
    project = make_project("allfeatures")
    assert build(project).status == 0
    essay = project.root / "content/is-pretraining-over.md"
    essay.write_text(essay.read_text("utf-8") + "\nA line the killed build rendered.\n", "utf-8")
    killed = subprocess.run([sys.executable, "-c",
                             KILLED_WHILE_SAVING.format(repo=str(REPO), where=where),
                             str(project.root)], cwd=project.root, capture_output=True,
                            text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    journal = project.root / (CACHE + "-journal")
    assert journal.exists() and journal.stat().st_size > 0  # the file is mid-transaction
    result = build(project)
    assert result.status == 0 and "Traceback" not in result.err
    # The cache as the build before left it, and used; or, killed saving the search's rows,
    # as the killed build left its other rows (its shards' keys no longer match: re-indexed).
    assert (" 0 rendered" if where == "search" else " 1 rendered") in result.out
    clean = cold_copy(project, tmp_path, f"cold-after-kill-{where}")
    assert build(clean).status == 0
    assert project.files() == clean.files()


def test_a_new_site_s_build_killed_saving_its_search_rows_leaves_a_cache_that_re_indexes(
        make_project, build, tmp_path, monkeypatch):
    # A cold build writes its entries while Pagefind finishes and the shards' rows after:
    # killed between, its file holds every essay and no shard.
    project = make_project("allfeatures")
    killed = subprocess.run([sys.executable, "-c",
                             KILLED_WHILE_SAVING.format(repo=str(REPO), where="search"),
                             str(project.root)], cwd=project.root, capture_output=True,
                            text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    runs = []
    from longform import search
    index = search.Indexing.index
    monkeypatch.setattr(search.Indexing, "index",
                        lambda self, name, *rest: runs.append(name) or index(self, name, *rest))
    result = build(project)
    monkeypatch.undo()
    assert result.status == 0 and " 0 rendered" in result.out and runs  # no essay rendered again
    clean = cold_copy(project, tmp_path, "cold-after-killed-first-build")
    assert build(clean).status == 0
    assert project.files() == clean.files()


def test_a_cache_from_other_code_is_not_trusted(make_project, build):
    # The memo records a hash of Longform's own source: a cache written by another version
    # of the code renders everything again.
    project = make_project("basic")
    assert build(project).status == 0
    import sqlite3
    with sqlite3.connect(project.root / CACHE) as db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'version'", (b"some-other-version",))
    (project.root / RECORD).unlink()  # past the whole-build check
    assert " 0 cached" in build(project).out


HEAVY = ("altair", "vl_convert", "pygments", "livereload", "numpy", "scipy")


def test_help_and_a_no_change_rebuild_import_nothing_heavy(make_project, build):
    project = make_project("allfeatures")  # charts, code blocks: every heavy import is needed
    assert build(project).status == 0      # once, on the cold build
    assert imported_after(["--help"], REPO, "usage:", HEAVY) == set()
    assert imported_after(["--root", str(project.root)], REPO, " 0 rendered", HEAVY) == set()


def test_a_no_change_rebuild_reads_neither_the_settings_nor_the_memo(make_project, build):
    # The record stands for them: Python's start and these imports were most of its time.
    project = make_project("basic")
    assert build(project).status == 0
    # Built from REPO's folder.
    imported_after(["--root", str(project.root)], REPO, "3 essays", HEAVY)
    unused = ("argparse", "tomllib", "dataclasses", "sqlite3", "pickle",
              "longform.config", "longform.cache", "longform.errors", "longform.publish")
    assert imported_after(["--root", str(project.root)], REPO, " 0 rendered", unused) == set()
    assert imported_after(["--root", str(project.root), "--drafts"], REPO, "4 essays",
                           unused) == set(unused) - {"argparse"}  # a build: they are needed


def test_changed_settings_are_built_even_though_the_check_does_not_read_them(make_project,
                                                                              build):
    project = make_project("basic")
    assert build(project).status == 0
    settings = project.root / "pyproject.toml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("Sample Essays", "Second Thoughts"), "utf-8")
    assert build(project).status == 0
    assert "Second Thoughts" in project.page("") and "Sample Essays" not in project.page("")
    settings.write_text(text.replace("[tool.longform]", "[tool.longform]\nwords = 3"), "utf-8")
    broken = build(project)
    assert broken.status == 1 and "unknown setting 'words'" in broken.err
    settings.unlink()  # no settings: the defaults
    assert build(project).status == 0
    assert "Second Thoughts" not in project.page("") and "Longform" in project.page("")


def test_another_command_line_is_another_build(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    assert "; 0 files changed" in build(project).out
    moved = build(project, "--base-url", "https://other.example.com/")
    assert moved.status == 0 and "; 0 files changed" not in moved.out
    assert 'href="https://other.example.com/">' in project.page("")
    drafts = build(project, "--base-url", "https://other.example.com/", "--drafts")
    assert drafts.status == 0 and "4 essays" in drafts.out


def test_the_check_looks_where_the_settings_put_the_inputs(make_project):
    from longform.lastbuild import CACHE_FOLDER, INPUT_FOLDERS
    config = load_config(make_project("basic").root)
    assert [config.root / name for name in INPUT_FOLDERS] == [
        config.content_dir, config.templates_dir, config.charts_dir, config.root / "static"]
    assert config.cache_dir == config.root / CACHE_FOLDER


def test_an_unchanged_project_is_not_built_again_but_its_warnings_are_repeated(
        make_project, build):
    project = make_project("basic")
    project.write("content/untagged.md", "---\ntitle: Untagged\ndate: 2024-02-01\n---\nText.\n")
    first = build(project)
    assert first.status == 0 and "no tags" in first.err
    (project.root / CACHE).unlink()  # the memo is not even needed when nothing changed
    again = build(project)
    assert again.status == 0 and " 0 rendered" in again.out
    assert again.err == first.err
    assert not (project.root / CACHE).exists()


@pytest.mark.parametrize("tamper", ["edit", "delete", "add", "add below"])
def test_a_touched_output_folder_is_built_again(make_project, build, tmp_path, tamper):
    """The no-change check stats the files and folders the last build left rather than
    listing them: a file added to a folder shows in the folder's mtime."""
    project = make_project("basic")
    assert build(project).status == 0
    good = project.files()
    page = project.out / "essays/first-light/index.html"
    if tamper == "edit":
        page.write_text("hand-edited", "utf-8")
    elif tamper == "delete":
        page.unlink()
    elif tamper == "add":
        (project.out / "stray.html").write_text("<p>stray</p>", "utf-8")
    else:
        (page.parent / "notes.txt").write_text("a stray file", "utf-8")
    assert build(project).status == 0
    assert project.files() == good


def test_the_cache_keeps_no_page_bytes_and_an_edit_takes_the_others_from_site(
        make_project, build):
    import pickle
    import sqlite3
    project = make_project("basic")
    assert build(project).status == 0
    with sqlite3.connect(project.root / CACHE) as db:
        rows = db.execute("SELECT value FROM entries WHERE tab = 'pages'").fetchall()
    # Each row a bucket of pages: (output path, (fingerprint, bytes)) pairs.
    assert rows and all(value[1] is None for (row,) in rows for _, value in pickle.loads(row))
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    edited = build(project)
    assert edited.status == 0 and " 1 rendered" in edited.out
    clean = Project(project.root.parent / "clean")
    shutil.copytree(project.root, clean.root,
                    ignore=shutil.ignore_patterns("site", ".longform-cache"))
    assert build(clean).status == 0
    assert project.files() == clean.files()


def test_a_damaged_record_of_the_last_build_is_ignored(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    good = project.files()
    (project.root / RECORD).write_bytes(b"{not marshal")
    (project.out / "index.html").write_text("stale", "utf-8")
    assert build(project).status == 0
    assert project.files() == good


# --- Reading only what changed --------------------------------------------------------------

LONG_AGO_NS = 1_600_000_000 * 10**9  # September 2020


def settled(project: Project):
    """The project's config, after making every essay look last saved long ago."""
    for path in (project.root / "content").rglob("*.md"):
        os.utime(path, ns=(LONG_AGO_NS, LONG_AGO_NS))
    return load_config(project.root)


def test_an_essay_unchanged_since_it_was_hashed_is_not_read_again(make_project, monkeypatch):
    project = make_project("basic")
    config = settled(project)
    first = pipeline.build(config)
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8").replace("The budget is", "The mirror budget is"),
                     "utf-8")
    reads, read_text = [], pipeline.read_text
    monkeypatch.setattr(pipeline, "read_text", lambda p: reads.append(p.name) or read_text(p))
    second = pipeline.build(config, first.memo)
    assert reads == ["third-rail.md"]
    assert b"The mirror budget is" in second.files["essays/third-rail/index.html"]


def test_an_edit_that_keeps_the_size_and_puts_the_old_mtime_back_is_still_seen(make_project):
    project = make_project("basic")
    config = settled(project)
    first = pipeline.build(config)
    essay = project.root / "content/third-rail.md"
    before = essay.stat()
    essay.write_text(essay.read_text("utf-8").replace("The budget is", "The BUDGET is"), "utf-8")
    os.utime(essay, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` or rsync would
    assert (essay.stat().st_size, essay.stat().st_mtime_ns) == (before.st_size,
                                                                before.st_mtime_ns)
    second = pipeline.build(config, first.memo)
    assert b"The BUDGET is" in second.files["essays/third-rail/index.html"]


def test_an_essay_saved_just_now_is_read_again_even_with_the_same_signature(make_project,
                                                                            monkeypatch):
    # Within the racy window a second save can keep every stat field the same on coarse
    # clocks: such files are never trusted by their signature.
    project = make_project("basic")
    for path in (project.root / "content").rglob("*.md"):
        os.utime(path)  # saved just now
    config = load_config(project.root)
    first = pipeline.build(config)
    reads, read_text = [], pipeline.read_text
    monkeypatch.setattr(pipeline, "read_text", lambda p: reads.append(p.name) or read_text(p))
    pipeline.build(config, first.memo)
    assert "third-rail.md" in reads


def test_the_no_change_check_hashes_only_inputs_whose_signature_changed(make_project,
                                                                         monkeypatch):
    from pathlib import Path

    from longform.lastbuild import input_fingerprint
    project = make_project("basic")
    config = settled(project)
    for path in project.root.rglob("*"):  # templates and charts too, not just the essays
        os.utime(path, ns=(LONG_AGO_NS, LONG_AGO_NS))
    out = project.root / "site"
    first, hashes = input_fingerprint(config.root, {}, out)
    assert str(project.root / "content/third-rail.md") in hashes
    essay = project.root / "content/third-rail.md"
    before = essay.stat()
    essay.write_text(essay.read_text("utf-8").replace("The budget is", "The BUDGET is"), "utf-8")
    os.utime(essay, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as before
    reads, read_bytes = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: (
        project.root in p.parents and reads.append(p.name)) or read_bytes(p))
    second, _ = input_fingerprint(config.root, {}, out, hashes)
    assert reads == ["third-rail.md"]  # its ctime moved; nothing else was read
    assert second != first
    assert input_fingerprint(config.root, {}, out, hashes)[0] == second


def test_a_build_without_a_record_is_fingerprinted_by_a_forked_process(make_project,
                                                                      monkeypatch):
    """The same fingerprint and hashes as worked out here, and worked out here all the same
    when the forked process fails."""
    from longform import lastbuild
    project = make_project("basic")
    out = project.root / "site"
    expected = lastbuild.input_fingerprint(project.root, {}, out)
    assert lastbuild.fingerprint_meanwhile(project.root, {}, out)() == expected
    parent, real = os.getpid(), lastbuild.input_fingerprint

    def failing_in_the_child(*args):
        if os.getpid() != parent:
            raise OSError("the child could not read")
        return real(*args)
    monkeypatch.setattr(lastbuild, "input_fingerprint", failing_in_the_child)
    assert lastbuild.fingerprint_meanwhile(project.root, {}, out)() == expected
    # With another thread at work, no fork: worked out here and now.
    import threading
    forks, real_fork, release = [], os.fork, threading.Event()
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        monkeypatch.setattr(lastbuild, "input_fingerprint", real)
        assert lastbuild.fingerprint_meanwhile(project.root, {}, out)() == expected
    finally:
        release.set()
        waiting.join()
    assert forks == []


def test_the_record_lists_exactly_what_publish_left_in_site(make_project, build):
    from longform.lastbuild import last_record, output_manifest
    project = make_project("basic")
    assert build(project).status == 0  # a first build: staged and swapped in
    assert last_record(project.root)["manifest"] == output_manifest(project.out)
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert build(project).status == 0  # a small change: written in place
    assert last_record(project.root)["manifest"] == output_manifest(project.out)
    again = build(project)
    assert again.status == 0 and " 0 rendered" in again.out and "0 files changed" in again.out


def test_inputs_hashed_in_their_racy_window_are_recorded_once_they_settle(make_project, build,
                                                                          monkeypatch):
    from pathlib import Path
    project = make_project("basic")
    assert build(project).status == 0  # every input saved just now: recorded without signature
    for path in project.root.rglob("*"):
        if ".longform-cache" not in path.parts and "site" not in path.parts:
            os.utime(path, ns=(LONG_AGO_NS, LONG_AGO_NS))
    assert " 0 rendered" in build(project).out  # read again, the same: the record takes them
    reads, read_bytes = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: (
        project.root / "content" in p.parents and reads.append(p.name)) or read_bytes(p))
    assert " 0 rendered" in build(project).out
    assert reads == []


# --- An essay's text, read only when a stage reads it ----------------------------------------

def text_keys(project: Project) -> list[str]:
    with closing(sqlite3.connect(project.root / CACHE)) as db:
        return [key for (key,) in db.execute("SELECT key FROM texts ORDER BY key")]


@pytest.mark.parametrize("damage", ["missing", "garbage", "not-a-text-row", "all-missing"])
def test_a_lost_or_damaged_text_row_only_costs_time(make_project, build, tmp_path, damage):
    project = make_project("allfeatures")
    assert build(project).status == 0
    keys = text_keys(project)
    assert len(keys) > 3
    with closing(sqlite3.connect(project.root / CACHE)) as db, db:
        if damage == "missing":
            db.execute("DELETE FROM texts WHERE key = ?", (keys[0],))
        elif damage == "all-missing":
            db.execute("DELETE FROM texts")
        else:  # not a pickle at all; a pickle of something else (the int 42)
            value = b"\x00not a pickle\xff" if damage == "garbage" else b"\x80\x04K*."
            db.execute("UPDATE texts SET value = ? WHERE key = ?", (value, keys[1]))
    # A template edit renders every page again, so every essay's text is read, and the
    # essay rows (which are fine) say that no essay needs rendering.
    template = project.root / "templates/essay.html"
    template.write_text(template.read_text("utf-8") + "\n<!-- edited -->\n", "utf-8")
    result = build(project)
    assert result.status == 0 and " 0 rendered" in result.out and "Traceback" not in result.err
    clean = cold_copy(project, tmp_path, f"cold-{damage}")
    assert build(clean).status == 0
    assert project.files() == clean.files()
    assert text_keys(project) == keys  # the lost rows were written again
    with closing(sqlite3.connect(project.root / CACHE)) as db:
        assert all(type(pickle.loads(value)) is tuple
                   for (value,) in db.execute("SELECT value FROM texts"))


def test_an_essay_changed_while_its_text_is_made_again_stops_the_build(make_project):
    # Its cached rendering was checked against the file as it was; the text made again from
    # the file as it is now would not be that rendering's.
    project = make_project("basic")
    config = load_config(project.root)
    with pytest.raises(ContentError, match="changed while the site was being built"):
        pipeline.text_again(project.root / "content/third-rail.md", "an older hash", None,
                            config)


def test_saving_reads_a_loaded_text_only_when_its_row_is_deleted(make_project, build,
                                                                 monkeypatch, tmp_path):
    """A loaded record read without its text shares its rendered record's text row. An edit's
    search documents read the unchanged essays' texts (their rendered records): saving must
    not read the same texts again for their loaded records, whose rows stay. A draft left out
    after a build with --drafts loses its row: its loaded record reads the text first."""
    from longform import cache
    # One bucket: the edited essay's row holds every essay, each compared with its rendered
    # record as the row is written (as a big site's bucket holds some of the edited shard's).
    monkeypatch.setattr(cache, "BUCKETS", 1)
    project = make_project("basic")
    assert build(project, "--drafts").status == 0
    reads, during = [], []
    texts, keep = cache.Texts._texts, cache._read_texts_to_keep
    monkeypatch.setattr(cache.Texts, "_texts", lambda self, key, source_hash, essay: (
        reads.append(essay.source.name), texts(self, key, source_hash, essay))[1])

    def watched(memo):
        before = len(reads)
        keep(memo)
        during.append(sorted(reads[before:]))

    monkeypatch.setattr(cache, "_read_texts_to_keep", watched)
    # Nor while the file is being written: another connection's read would wait on the write
    # (for good, once a big write holds the file's exclusive lock), then render the essay again.
    write, writing = cache._write_memo, []

    def watched_write(db, memo, previous, parts):
        before = len(reads)
        write(db, memo, previous, parts)
        writing.append(reads[before:])

    monkeypatch.setattr(cache, "_write_memo", watched_write)
    essay = project.root / "content/third-rail.md"
    essay.write_text(essay.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert build(project, "--drafts").status == 0
    assert len(reads) > 1 and during == [[]]  # the shard's documents read them; saving did not
    assert writing and not any(writing)
    assert build(project).status == 0
    assert during[-1] == ["unfinished.md"]
    assert build(project, "--drafts").status == 0
    clean = cold_copy(project, tmp_path, "clean")
    assert build(clean, "--drafts").status == 0
    assert project.files() == clean.files()

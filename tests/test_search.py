"""longform/search.py: the Pagefind index of the essays, the /search/ page and the header box,
`search = false`, and an index rebuilt only when an essay page changed."""

import json
import shutil
import stat

import pytest
from conftest import Document
from test_images import publishing

from longform.search import SHARD_SIZE, shard_count, sharded

# Field notes that, with the three essays of the publishing site, make a two-shard site.
NOTES = SHARD_SIZE + 6


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


def test_the_index_leaves_no_files_in_the_cache_and_an_undo_restores_it(make_project, build):
    project = publishing(make_project)
    assert build(project).status == 0
    # Pagefind's documents and bundle were scratch files in memory: the cache holds none.
    assert not (project.root / ".longform-cache/search").exists()
    before = project.files()
    essay = project.root / "content/tide-tables.md"
    essay.write_text(essay.read_text().replace("chalk slate", "slate board"))
    assert build(project).status == 0  # the shard's folder is made afresh; site/ keeps its
    after = project.files()
    assert [p for p in before if p.startswith("pagefind/") and p in after
            and before[p] != after[p]] == ["pagefind/pagefind-entry.json"]
    essay.write_text(essay.read_text().replace("slate board", "chalk slate"))
    assert build(project).status == 0 and project.files() == before


@pytest.mark.parametrize("change", ["one essay edited", "every page changed"])
def test_a_failing_indexer_is_one_line_and_leaves_the_site(make_project, build, tmp_path,
                                                           monkeypatch, change):
    # An edit updates site/ in place, a changed title rewrites it whole while Pagefind works:
    # either way nothing is written when the index fails.
    project = publishing(make_project)
    assert build(project).status == 0
    before = project.files()
    counting_pagefind(project, tmp_path, monkeypatch, exit_status=3)
    if change == "one essay edited":
        essay = project.root / "content/tide-tables.md"
        essay.write_text(essay.read_text().replace("chalk slate", "slate board"))
    else:
        settings = project.root / "pyproject.toml"
        settings.write_text(settings.read_text().replace('title = "', 'title = "The New '))
    result = build(project)
    assert result.status == 1
    assert result.err.splitlines()[0] == ("pyproject.toml:1: the search index could not be built "
                                  "(broken index); reinstall 'pagefind[bin]', or set search = "
                                  "false in [tool.longform]")
    assert project.files() == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site")] == []


def test_results_carry_each_essay_s_own_address_under_a_permalink_pattern(make_project, build):
    import gzip
    project = publishing(make_project, permalink="/:year/:month/:slug.html")
    assert build(project).status == 0
    urls = {json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])["url"]
            for p in (project.out / "pagefind/fragment").iterdir()}
    assert urls == {"/2024/05/harbour-at-dusk.html", "/2024/03/tide-tables.html",
                    "/2024/01/lighthouse-keepers.html"}


WORDS = ("granite", "orchard", "lantern", "meadow", "copper", "willow", "harvest", "quarry",
         "ember", "saddle", "thistle", "furrow", "kettle", "gravel", "hollow", "ledger")


def with_notes(project, count: int, start: int = 0):
    """The project with short field notes start… start+count-1 beside its essays: enough
    essays for the index to come in several shards (no note uses a sample essay's words)."""
    for n in range(start, start + count):
        words = " ".join(WORDS[(n * 7 + i) % len(WORDS)] for i in range(40))
        project.write(f"content/field-note-{n:03}.md",
                      f"---\ntitle: Field note {n}\ndate: 2023-{n % 12 + 1:02}-{n % 28 + 1:02}\n"
                      f"category: Field notes\ntags: [Walks]\nauthor: mira\n---\n\n"
                      f"Note {n}: {words}.\n")
    return project


def shard_files(project) -> dict[str, dict[str, bytes]]:
    """site/pagefind/'s index files by shard ("" for the one at the bundle's root)."""
    shards: dict[str, dict[str, bytes]] = {}
    for path, data in project.files(project.out / "pagefind").items():
        shard = path.split("/")[0] if path.startswith("shard-") else ""
        shards.setdefault(shard, {})[path] = data
    return shards


def test_a_large_site_s_index_comes_in_shards_that_cover_every_essay(make_project, build):
    project = with_notes(publishing(make_project), NOTES)
    assert build(project).status == 0
    merged = json.loads(project.page("pagefind/shards.json"))["shards"]
    assert shard_count(NOTES + 3) == 2 and len(merged) == 1
    assert sorted(merged) == sorted(f"{name}/" for name in shard_files(project) if name)
    pages = 0
    for folder in ["", *merged]:
        entry = json.loads(project.page(f"pagefind/{folder}pagefind-entry.json"))
        pages += entry["languages"]["en"]["page_count"]
    assert pages == NOTES + 3  # each essay in exactly one shard
    # The script and the WebAssembly once, at the root: merged shards share them.
    bundle = project.files(project.out / "pagefind")
    assert [p for p in bundle if p.endswith(("wasm.en.pagefind", "pagefind.js"))] == \
        ["pagefind.js", "wasm.en.pagefind"]
    # A cold build (no cache) makes the same bytes.
    before = project.files()
    shutil.rmtree(project.root / ".longform-cache")
    assert build(project).status == 0 and project.files() == before


def test_the_index_comes_a_shard_at_a_time_then_the_list_of_shards(make_project):
    """What publish writes into a new site as Pagefind finishes each shard: each part one
    shard's bundle, the list of shards last; together the index, as the memo keeps it."""
    from longform import pipeline
    from longform.config import load_config
    project = with_notes(publishing(make_project), NOTES)
    built = pipeline.build(load_config(project.root), search_later=True)
    try:
        parts = list(built.search.results())
    finally:
        built.search.cancel()
    *bundles, listing = parts
    merged = json.loads(listing.pop("pagefind/shards.json"))["shards"]
    assert listing == {} and len(bundles) == 2 == len(merged) + 1
    folders = sorted(sorted({path.split("/")[1] + "/" if path.startswith("pagefind/shard-")
                             else "" for path in bundle}) for bundle in bundles)
    assert folders == [[""], merged]  # the first shard's at the bundle's root
    assert sorted(map(sorted, bundles)) == sorted(sorted(files) for _, _, files in
                                                  built.memo.search)


def test_an_edit_re_indexes_one_shard_and_a_template_edit_none(make_project, build, tmp_path,
                                                                monkeypatch):
    project = with_notes(publishing(make_project), NOTES)
    runs = counting_pagefind(project, tmp_path, monkeypatch)
    assert build(project).status == 0 and runs() == 2
    before = shard_files(project)
    note = project.root / "content/field-note-007.md"
    note.write_text(note.read_text().replace("Note 7:", "Note 7, rewritten:"))
    assert build(project).status == 0 and runs() == 3
    after = shard_files(project)
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1 and after.keys() == before.keys()
    # The theme does not reach the index: a template edit changes pages, not the index.
    essay = project.root / "templates/essay.html"
    essay.write_text(essay.read_text().replace("<article ", "<article data-edited "))
    assert build(project).status == 0 and runs() == 3
    assert "data-edited" in project.page("essays/tide-tables/")
    assert shard_files(project) == after
    # One essay more moves no other: only its own shard is re-indexed.
    with_notes(project, 1, start=NOTES)
    assert build(project).status == 0 and runs() == 4
    added = shard_files(project)
    assert sum(added[name] != after[name] for name in after) == 1


def test_an_edit_s_shard_is_indexed_from_its_rendering_with_a_cold_build_s_bytes(
        make_project, build, tmp_path, monkeypatch):
    from longform import search
    project = with_notes(publishing(make_project), NOTES)
    runs = counting_pagefind(project, tmp_path, monkeypatch)
    assert build(project).status == 0 and runs() == 2
    taken = []
    take_over = search.Early.taken_over
    monkeypatch.setattr(search.Early, "taken_over",
                        lambda early, keys: taken.append(take_over(early, keys)) or taken[-1])
    note = project.root / "content/field-note-007.md"
    note.write_text(note.read_text().replace("Note 7:", "Note 7, rewritten:"))
    assert build(project).status == 0
    # Started before the site was put together, and taken over: one run, not a second.
    assert runs() == 3 and len(taken) == 1 and taken[0] is not None
    # Its documents made in two goes, the index is a cold build's, byte for byte.
    edited = project.files()
    shutil.rmtree(project.root / ".longform-cache")
    shutil.rmtree(project.out)
    assert build(project).status == 0 and project.files() == edited


def test_an_early_run_is_prepared_once_when_asked_twice(make_project, build, tmp_path,
                                                        monkeypatch):
    """The render worker's caller prepares the run while the worker renders; if the worker
    fails after that, the caller renders and asks again, which must not start over."""
    from longform import search
    project = with_notes(publishing(make_project), NOTES)
    runs = counting_pagefind(project, tmp_path, monkeypatch)
    assert build(project).status == 0 and runs() == 2
    prepare, kept_runs = search.Early.prepare, []

    def twice(early, kept, rendering):
        prepare(early, kept, rendering)
        first = early.runs
        prepare(early, kept, rendering)
        kept_runs.append(first is not None and early.runs is first)

    monkeypatch.setattr(search.Early, "prepare", twice)
    note = project.root / "content/field-note-007.md"
    note.write_text(note.read_text().replace("Note 7:", "Note 7, rewritten:"))
    assert build(project).status == 0
    assert kept_runs == [True] and runs() == 3


def test_an_early_run_whose_essay_fails_is_stopped_and_leaves_no_scratch_files(
        make_project, build):
    import glob
    project = with_notes(publishing(make_project), NOTES)
    assert build(project).status == 0
    before, scratch = project.files(), set(glob.glob("/dev/shm/longform-search-*"))
    note = project.root / "content/field-note-007.md"
    note.write_text(note.read_text().replace("Note 7:", "Note 7 ![gone](missing.png):"))
    result = build(project)
    assert result.status == 1 and "missing.png" in result.err
    assert project.files() == before
    assert set(glob.glob("/dev/shm/longform-search-*")) <= scratch


def test_shards_double_and_an_essay_keeps_its_shard_while_their_number_holds():
    assert [shard_count(n) for n in (0, 1, 32, 33, 64, 65, 128, 129, 256, 257, 1000, 5000)] == \
        [1, 1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 16]
    paths = [f"essays/note-{n}/index.html" for n in range(4 * SHARD_SIZE - 12)]
    four = {p: b for b, shard in sharded(paths).items() for p in shard}
    assert set(four.values()) == set(range(4))
    fewer = {p: b for b, shard in sharded(paths[:3 * SHARD_SIZE]).items() for p in shard}
    assert all(four[p] == b for p, b in fewer.items())
    # Doubling splits each shard in two: an essay goes to its shard or its shard + 4.
    doubled = {p: b for b, shard in sharded(paths + [f"x{n}" for n in range(100)]).items()
               for p in shard}
    assert set(doubled.values()) == set(range(8))
    assert all(doubled[p] % 4 == four[p] for p in paths)


def test_the_index_reads_title_dek_body_and_filters_from_the_essay(make_project, build):
    import gzip
    project = publishing(make_project)
    project.write("content/odd-title.md", "---\ntitle: Salt & <Brine>\ndate: 2024-02-02\n"
                                          "tags: [Tides]\n---\n\nA word on *brackish* water.\n")
    assert build(project).status == 0
    fragments = [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
                 for p in (project.out / "pagefind/fragment").iterdir()]
    by_url = {f["url"]: f for f in fragments}
    tide = by_url["/essays/tide-tables/"]
    assert tide["meta"]["title"] == "Reading Tide Tables"
    assert tide["meta"]["date"] == "18 March 2024"
    assert tide["content"].startswith("Reading Tide Tables. Two numbers a day, and why they "
                                      "drift. A tide table gives two high waters a day")
    assert "Mira Okafor" not in tide["content"] and "Tides" not in tide["content"]
    assert tide["filters"] == {"author": ["Mira Okafor"], "category": ["Notes"],
                               "tag": ["Tides"]}
    odd = by_url["/essays/odd-title/"]
    assert odd["meta"]["title"] == "Salt & <Brine>"
    assert odd["content"] == "Salt & <Brine> A word on brackish water."  # no "." after ">"
    assert odd["filters"] == {"tag": ["Tides"]}  # no author page, no author filter

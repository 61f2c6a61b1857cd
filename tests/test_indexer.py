"""longform/indexer.py: Pagefind's hash-map-ordered files re-encoded in one order, under any
shard's folder."""

import json

import pytest
from test_images import publishing

from longform.indexer import _cbor_bytes, _decoded, _encoded, steady


@pytest.mark.parametrize("base", ["pagefind/", "pagefind/shard-3/"])
def test_filters_and_metadata_come_out_in_one_order_whatever_order_pagefind_used(base):
    def filter_file(values):
        return _encoded(["tag", values])

    ordered = [["Harbours", [0, 2]], ["Light", [0]], ["Tides", [1]]]
    names = []
    for values in (ordered, ordered[::-1]):
        bundle = {f"{base}filter/en_1111111.pf_filter": filter_file(values),
                  f"{base}pagefind.en_aaaaaaaaaa.pf_meta": _encoded(
                      ["1.5.2", [], [], [["tag", "en_1111111"]], [], []]),
                  f"{base}pagefind-entry.json": b'{"languages":{"en":{"hash":'
                                                  b'"en_aaaaaaaaaa"}}}'}
        result = steady(bundle, base)
        names.append(result)
    assert names[0] == names[1]
    [filter_name] = [n for n in names[0] if n.endswith(".pf_filter")]
    assert _decoded(names[0][filter_name]) == ["tag", ordered]
    [meta] = [n for n in names[0] if n.endswith(".pf_meta")]
    assert _decoded(names[0][meta])[3] == [["tag", filter_name.split("/")[-1][:-10]]]
    entry = json.loads(names[0][f"{base}pagefind-entry.json"])
    assert f"{base}pagefind.{entry['languages']['en']['hash']}.pf_meta" == meta
    assert all(name.startswith(base) and "/" not in name[len(base):].removeprefix("filter/")
               for name in names[0])
    assert _cbor_bytes(300) == b"\x19\x01\x2c" and _cbor_bytes("é") == b"\x62\xc3\xa9"


# --- The shards' documents, kept in the cache between builds --------------------------------------

def documents_of(project):
    """Each shard's documents in .longform-cache/search: site path → (bytes, mtime)."""
    return {path.relative_to(project.root / ".longform-cache/search").as_posix():
            (path.read_bytes(), path.stat().st_mtime_ns)
            for path in (project.root / ".longform-cache/search").glob("shard-*/site/**/*.html")}


def test_an_edit_rewrites_one_document_and_a_removed_essay_takes_its_own(make_project, build):
    project = publishing(make_project)
    assert build(project).status == 0
    before = documents_of(project)
    assert len(before) == len(list((project.root / "content").glob("*.md")))
    essay = project.root / "content/tide-tables.md"
    essay.write_text(essay.read_text().replace("chalk slate", "slate board"))
    assert build(project).status == 0
    after = documents_of(project)
    changed = sorted(path for path in after if after[path] != before[path])
    assert [path.split("/site/")[1] for path in changed] == ["essays/tide-tables/index.html"]
    assert b"slate board" in after[changed[0]][0]
    essay.unlink()
    assert build(project).status == 0
    assert sorted(documents_of(project)) == sorted(set(before) - set(changed))
    assert not list((project.root / ".longform-cache/search").glob("*/site/essays/tide-tables"))


def test_a_damaged_listing_or_a_held_lock_still_gives_the_same_index(make_project, build):
    import fcntl
    project = publishing(make_project)
    assert build(project).status == 0
    index = {p: d for p, d in project.files().items() if p.startswith("pagefind/")}
    search = project.root / ".longform-cache/search"
    [listing] = search.glob("*/documents.json")
    listing.write_text("{not json")
    stray = listing.parent / "site/essays/left-over/index.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("<html><body><p>A document no essay has.</p></body></html>")
    essay = project.root / "content/tide-tables.md"
    essay.write_text(essay.read_text() + "\nOne more line.\n")
    assert build(project).status == 0
    assert not stray.exists()  # the folder was made afresh
    edited = {p: d for p, d in project.files().items() if p.startswith("pagefind/")}
    # Another build holding the workspace: this one indexes in a folder of its own.
    essay.write_text(essay.read_text().replace("\nOne more line.\n", "\n"))
    with open(search / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert build(project).status == 0
    assert {p: d for p, d in project.files().items() if p.startswith("pagefind/")} == index
    assert edited != index


@pytest.mark.parametrize("given", [None, "/opt/pagefind/bin/pagefind"])
def test_the_binary_is_the_one_pagefind_would_pick(monkeypatch, given):
    from pagefind.service import get_executable

    from longform.indexer import pagefind_executable
    if given:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", given)
    else:
        monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    assert pagefind_executable() == str(get_executable())
    assert given is None or pagefind_executable() == given

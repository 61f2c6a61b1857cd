"""longform/pipeline.py: a new site's essay files parsed in two processes give the records,
the pages and the errors that parsing them in one does."""

import shutil

from longform import pipeline


def start_cold(project) -> None:
    """The next build a cold one: no cache, no output."""
    shutil.rmtree(project.root / ".longform-cache")
    shutil.rmtree(project.out)


def test_a_new_site_parsed_in_two_processes_builds_the_same_site(make_project, build,
                                                                   monkeypatch):
    project = make_project("allfeatures")
    monkeypatch.setattr(pipeline, "LOAD_POOL_THRESHOLD", 10_000)
    assert build(project).status == 0
    alone = project.files()
    start_cold(project)
    forked = []
    parsed_in_two = pipeline._parsed_in_two
    monkeypatch.setattr(pipeline, "LOAD_POOL_THRESHOLD", 2)
    monkeypatch.setattr(pipeline, "_parsed_in_two",
                        lambda paths, meanwhile: forked.append(len(paths))
                        or parsed_in_two(paths, meanwhile))
    assert build(project).status == 0
    assert forked and forked[0] >= 2 and project.files() == alone


def test_an_essay_that_fails_to_parse_in_the_other_process_is_its_one_line(make_project,
                                                                          build, monkeypatch):
    project = make_project("allfeatures")
    bad = sorted((project.root / "content").glob("*.md"))[-1]  # in either process's slices
    bad.write_text("---\ntitle: [unclosed\ndate: 2024-01-01\n---\n\nText.\n", "utf-8")
    monkeypatch.setattr(pipeline, "LOAD_POOL_THRESHOLD", 10_000)
    alone = build(project)
    monkeypatch.setattr(pipeline, "LOAD_POOL_THRESHOLD", 2)
    forked = build(project)
    assert forked.status == alone.status == 1
    assert forked.err == alone.err and f"content/{bad.name}:" in forked.err
    assert not (project.out).exists()


def test_a_render_pool_leaves_every_card_in_the_cache_and_the_same_site(make_project, build,
                                                                        monkeypatch):
    # The pool draws its cards after the essays, as the generator it renders through ends:
    # were that end never reached, card_files would be left to draw them all. (A site without
    # charts: a child forked from this process, which may have drawn charts with vl-convert in
    # other tests, must not use its JavaScript runtime.)
    from longform import cards
    project = make_project("related")
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 10_000)
    assert build(project).status == 0
    alone = project.files()
    start_cold(project)
    left_over, drawn = [], cards.drawn
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(cards, "drawn", lambda jobs: left_over.extend(jobs) or drawn(jobs))
    assert build(project).status == 0
    assert left_over == [] and project.files() == alone
    assert sum(path.endswith("card.png") for path in alone) == 12

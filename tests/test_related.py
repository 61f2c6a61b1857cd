"""longform/related.py: "Related thinking", on a sample site built so that each list has exactly
one right answer (tests/sites/related/: anchor, its neighbours by tag and text, and twins that
differ only in date or slug)."""

import random
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO, SITES, Document, imported_after

from longform import related
from longform.content import load_essay
from longform.related import related_slugs, scores


def related_on_page(html: str) -> list[str]:
    """Slugs listed under "Related thinking", in order."""
    section = html.split("Related thinking", 1)[1].split("</section>", 1)[0]
    return [link.removeprefix("/essays/").rstrip("/") for link in Document(section).links()
            if link.startswith("/essays/")]


@pytest.fixture(scope="module")
def essays():
    return [load_essay(p) for p in sorted((SITES / "related/content").glob("*.md"))]


@pytest.fixture
def related_site(make_project, build):
    project = make_project("related")
    result = build(project)
    assert result.status == 0, result.err
    return project


def test_best_matches_in_order_and_unrelated_essays_left_out(related_site):
    # close shares both tags and most of the text; middle one tag and a little text; faint only
    # a word or two; far shares less still and is cut by the limit of three; stranger shares
    # nothing and never appears.
    assert related_on_page(related_site.page("essays/anchor/")) == ["close", "middle", "faint"]


def test_related_list_in_frontmatter_comes_first(related_site):
    # pinned names stranger and anchor, which share nothing with it; the last place is scored.
    assert related_on_page(related_site.page("essays/pinned/")) == ["stranger", "anchor", "far"]


def test_ties_go_to_the_newer_essay_then_the_slug(related_site):
    # tide-a and tide-b are identical and dated with tide: equal scores, so slug order. ebb and
    # flow are identical too, 30 days before and after tide: equal scores, so the newer (flow).
    assert related_on_page(related_site.page("essays/tide/")) == ["tide-a", "tide-b", "flow"]


def test_each_related_item_shows_title_dek_and_read_time(make_project, build):
    project = make_project("basic")
    build(project)
    html = project.page("essays/first-light/")
    section = html.split("Related thinking", 1)[1].split("</section>", 1)[0]
    assert "Second Wind" in section
    assert "A season of storms, logged by hand." in section
    assert "1 min read" in section


def test_an_essay_with_nothing_in_common_has_no_related_section(make_project, build):
    project = make_project("empty")
    project.write("content/a.md", "---\ntitle: Alpha\ndate: 2024-01-01\ntags: [x]\n---\n"
                                  "Sourdough starters.\n")
    project.write("content/b.md", "---\ntitle: Beta\ndate: 2024-01-02\ntags: [y]\n---\n"
                                  "Kitchen cabinets.\n")
    assert build(project).status == 0
    assert "Related thinking" not in project.page("essays/a/")


def test_result_does_not_depend_on_input_order(essays):
    expected = related_slugs(sorted(essays, key=lambda e: (-e.date.toordinal(), e.slug)))
    shuffled = list(essays)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert related_slugs(shuffled) == expected
    assert expected["anchor"] == ("close", "middle", "faint")
    assert expected["tide"] == ("tide-a", "tide-b", "flow")


def test_at_most_three_never_itself_and_unknown_pins_skipped(essays, tmp_path):
    path = tmp_path / "pins.md"
    path.write_text("---\ntitle: Pins\ndate: 2024-01-01\nrelated: [pins, nowhere, stranger]\n"
                    "---\nFlour.\n")
    result = related_slugs([*essays, load_essay(path)])
    assert result["pins"][0] == "stranger"
    assert "pins" not in result["pins"] and "nowhere" not in result["pins"]
    assert all(len(slugs) <= 3 and slug not in slugs for slug, slugs in result.items())


def test_no_essays():
    assert related_slugs([]) == {}


def test_a_first_essay_after_none_and_back_to_none(essays):
    essays = [replace(e, key=f"content {e.slug}") for e in essays]  # as the build gives them
    previous = scores([])
    previous = scores(essays, previous)
    assert previous.related == related_slugs(essays)
    assert scores([], previous).related == {}


# --- Rescoring after an edit ------------------------------------------------------------------

WORDS = ("tide harbour storm ledger glass orbit lantern quarry meadow cipher ember ferry "
         "granite hollow island juniper kettle marrow nectar oyster pylon quiver rampart "
         "saddle thimble umber vessel willow yarrow zephyr anvil bellows cobble dormer "
         "eyelet fathom gimlet hawser ingot jetty").split()


def made(slug: str, day: int, tags: list, words: list, pinned: tuple = ()):
    text = (f"---\ntitle: {slug}\ndate: 2024-01-{day:02d}\ntags: [{', '.join(tags)}]\n"
            f"related: [{', '.join(pinned)}]\n---\n{' '.join(words)}\n")
    return load_essay(Path(f"{slug}.md"), text)


def random_site(rng: random.Random) -> list:
    essays = []
    for i in range(rng.randint(8, 90)):
        if essays and rng.random() < 0.2:  # a twin: same words and tags, so ties to break
            twin = rng.choice(essays)
            essays.append(replace(twin, slug=f"e{i}", source=Path(f"e{i}.md")))
            continue
        essays.append(made(f"e{i}", rng.randint(1, 28), rng.sample(["a", "b", "c", "d"],
                           rng.randint(0, 2)), rng.choices(WORDS, k=rng.randint(0, 8))))
    return sorted(essays, key=lambda e: (-e.date.toordinal(), e.slug))


def edited(rng: random.Random, essays: list) -> list:
    i = rng.randrange(len(essays))
    essay, kind = essays[i], rng.random()
    if kind < 0.5:  # more of a word: usually only counts change, sometimes a new word
        essay = replace(essay, body_md=essay.body_md + " " + " ".join(rng.choices(WORDS, k=3)))
    elif kind < 0.7:  # words taken out
        essay = replace(essay, body_md=" ".join(essay.body_md.split()[: rng.randint(0, 5)]))
    elif kind < 0.85:
        essay = replace(essay, tags=tuple(rng.sample(["a", "b", "c", "e"], rng.randint(0, 3))))
    elif kind < 0.95:
        essay = replace(essay, date=essay.date.replace(day=rng.randint(1, 28)))
    else:
        essay = replace(essay, related_slugs=(rng.choice(essays).slug,))
    essays = essays[:i] + [essay] + essays[i + 1:]
    return sorted(essays, key=lambda e: (-e.date.toordinal(), e.slug))


def edits_rescored(rng: random.Random, essays: list, count: int) -> int:
    """Makes `count` random edits to essays, each scored from the last scoring and checked
    against a scoring afresh; how many of them scored some rows only."""
    previous, partial = scores(essays), 0
    for _ in range(count):
        essays = edited(rng, essays)
        current = scores(essays, previous)
        assert current.related == related_slugs(essays)
        partial += current.rescored < len(essays)
        previous = current
    return partial


def counting(monkeypatch) -> list:
    """Wraps related's call of rescoring.rescored; the list gets a True for each edit it
    rescored in Python, a False for each it gave way to numpy."""
    from longform.rescoring import GiveWay
    calls, rescored = [], related.rescored

    def counted(*args):
        try:
            result = rescored(*args)
        except GiveWay:
            calls.append(False)
            raise
        calls.append(True)
        return result

    monkeypatch.setattr(related, "rescored", counted)
    return calls


@pytest.mark.parametrize("dense_cells", [related.DENSE_CELLS, 0], ids=["dense", "sparse"])
def test_rescoring_after_edits_equals_scoring_afresh(monkeypatch, dense_cells):
    monkeypatch.setattr(related, "DENSE_CELLS", dense_cells)  # large vocabularies stay sparse
    calls = counting(monkeypatch)
    rng = random.Random(20261125)
    partial = sum(edits_rescored(rng, random_site(rng), 6) for _ in range(150))
    assert partial >= 50  # the shortcut is taken often enough for this to test it
    # Most edits rescore in plain Python; some reweigh too many rows and numpy takes them.
    assert calls.count(True) >= 400 and calls.count(False) >= 5


def test_an_edit_to_one_body_rescores_only_the_rows_it_can_move():
    essays = [made(f"e{i:02d}", 1 + i % 28, [("a", "b", "c")[i % 3]],
                   [WORDS[i % 20], WORDS[(i * 7) % 20], "ledger"]) for i in range(80)]
    essays = sorted(essays, key=lambda e: (-e.date.toordinal(), e.slug))
    first = scores(essays)
    assert first.rescored == 80
    target = next(i for i, e in enumerate(essays) if e.slug == "e05")
    essays[target] = replace(essays[target], body_md=essays[target].body_md + " ledger")
    again = scores(essays, first)
    assert again.related == related_slugs(essays)
    assert 1 <= again.rescored < 20
    assert scores(essays, again) is again  # nothing changed: nothing scored


@pytest.mark.parametrize("dense", [True, False])
def test_the_width_foreseen_is_the_width_of_the_matrices(dense):
    from longform.relatedness import body_terms, matrix_width, tag_matrix, text_matrix
    texts = ["", "scale scale power", "power grids and water", "water water everywhere"]
    tag_docs = [(), ("energy",), ("energy", "water"), ("water",)]
    term_docs = [body_terms(text) for text in texts]
    width = tag_matrix(tag_docs, dense)[0].shape[1] + text_matrix(term_docs, dense)[0].shape[1]
    assert matrix_width(len(texts), tag_docs, term_docs) == width
    assert matrix_width(2, [(), ()], [body_terms(""), body_terms("")]) == 2  # a column each


def wide_site(rng: random.Random, count: int) -> list:
    """A site with a wide vocabulary, long and short essays, and twins."""
    vocabulary = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "klmnprst"]
    essays = []
    for i in range(count):
        if essays and rng.random() < 0.1:
            twin = rng.choice(essays)
            essays.append(replace(twin, slug=f"w{i}", source=Path(f"w{i}.md")))
            continue
        words = rng.choices(vocabulary[:rng.randint(20, len(vocabulary))], k=rng.randint(0, 120))
        essays.append(made(f"w{i}", rng.randint(1, 28), rng.sample("abcdefgh", rng.randint(0, 3)),
                           words))
    return sorted(essays, key=lambda e: (-e.date.toordinal(), e.slug))


def test_rescoring_a_wide_vocabulary_equals_scoring_afresh(monkeypatch):
    calls = counting(monkeypatch)
    rng = random.Random(7)
    for _ in range(4):
        edits_rescored(rng, wide_site(rng, rng.randint(150, 300)), 12)
    assert calls.count(True) >= 20


def test_a_key_too_close_to_call_is_left_to_numpy(monkeypatch):
    # With a bound on rounding error this loose every key is a half step from the next: the
    # Python rescoring gives way each time, and the numpy one gives the same lists.
    from longform import rescoring
    monkeypatch.setattr(rescoring, "ERROR_PER_TERM", 1.0)
    calls = counting(monkeypatch)
    rng = random.Random(3)
    edits_rescored(rng, random_site(rng), 20)
    assert calls.count(False) >= 10  # of 12 edits rescored (the others scored no pair at all)


def test_an_edit_rebuild_does_not_import_numpy(related_site, build):
    anchor = related_site.root / "content/anchor.md"
    anchor.write_text(anchor.read_text("utf-8") + "\nOne more line about the harbour.\n",
                      "utf-8")
    assert imported_after(["--root", str(related_site.root)], REPO, " 1 rendered",
                          ("numpy", "scipy")) == set()
    edited_page = related_on_page(related_site.page("essays/anchor/"))
    assert build(related_site).status == 0
    assert edited_page == ["close", "middle", "faint"]


def test_the_index_holds_each_essays_columns_as_an_edit_reads_them():
    # Built with numpy for a whole site, read and updated per essay in plain Python.
    from longform.rescoring import essay_columns
    essays = wide_site(random.Random(11), 120)
    essays.append(made("w-dup", 3, ["a", "a"], ["kettle", "kettle", "anvil"]))
    index = scores(essays).index
    for i, inputs in enumerate(scores(essays).inputs):
        held = {column: weights[list(users).index(i)]
                for column, (users, weights) in index.columns.items() if i in users}
        assert held == pytest.approx(essay_columns(inputs), rel=1e-15)
        assert set(held) == set(essay_columns(inputs))
    assert all(list(users) == sorted(users) for users, _ in index.columns.values())

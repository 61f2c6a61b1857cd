"""longform/related.py: "Related thinking", on a sample site built so that each list has exactly
one right answer (tests/sites/related/: anchor, its neighbours by tag and text, and twins that
differ only in date or slug)."""

import random

import pytest
from conftest import SITES, Document

from longform.content import load_essay
from longform.related import related_slugs


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

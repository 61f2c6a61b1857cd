"""longform/site.py: the site as data — read times, taxonomies, authors, drafts — checked on the
pages a reader sees."""

import re

import pytest
from conftest import Document, photo_bytes

from longform.site import read_time


@pytest.mark.parametrize("words, images, wpm, minutes", [
    (0, 0, 230, 1),  # never "0 min read"
    (230, 0, 230, 1),
    (231, 0, 230, 2),
    (1150, 0, 230, 5),
    (1151, 0, 230, 6),
    (0, 1, 230, 1),  # 12 s
    (207, 1, 230, 2),  # 54 s + 12 s
    (0, 6, 230, 1),  # 12+11+10+9+8+7 = 57 s
    (0, 7, 230, 2),  # … +6 = 63 s
    (0, 45, 230, 3),  # 12+11+…+3 = 75 s, then 35 more at 3 s = 180 s
    (0, 46, 230, 4),  # 183 s: the floor is 3 s, not 0
    (100, 0, 100, 1),
    (101, 0, 100, 2),
])
def test_read_time(words, images, wpm, minutes):
    assert read_time(words, images, wpm) == minutes


def prose(n: int, word: str = "lorem") -> str:
    """n words, ten to a line."""
    lines = [" ".join([word] * 10) for _ in range(n // 10)]
    if n % 10:
        lines.append(" ".join([word] * (n % 10)))
    return "\n".join(lines)


def minutes_on(html: str) -> int:
    return int(re.search(r"(\d+) min read", html).group(1))


READ_TIME_BODIES = {
    "exact-230": (prose(230), 1),
    "one-over": (prose(231), 2),
    "dek-not-counted": (prose(230), 1),  # its frontmatter carries 60 more words (see below)
    "code-counts": (prose(200) + "\n\n```text\n" + prose(31, "code") + "\n```\n", 2),
    "code-at-limit": (prose(200) + "\n\n```text\n" + prose(30, "code") + "\n```\n", 1),
    "tags-not-counted": (prose(229) + '\n\n<div class="one two three" data-a="b c d e f g">'
                                      '<span title="h i j k">word</span></div>\n', 1),
    "dashes-not-words": (prose(115) + " -- " + prose(114) + " --- end &amp; &#8617;\n", 1),
    "image": (prose(200) + "\n\n![a chart](media/plot.png)\n", 2),  # 52 s + 12 s
    "no-image": (prose(200), 1),
    "empty-body": ("", 1),
}


def test_read_time_on_the_page_for_known_word_counts(make_project, build):
    project = make_project("empty")
    project.write("content/media/plot.png", photo_bytes(300, 200))  # images.py reads it
    for slug, (body, _) in READ_TIME_BODIES.items():
        dek = " ".join(["dek"] * 60) if slug == "dek-not-counted" else "Short."
        project.write(f"content/{slug}.md", f"---\ntitle: {slug}\ndate: 2024-01-01\n"
                                            f"dek: {dek}\n---\n\n{body}\n")
    assert build(project).status == 0
    shown = {slug: minutes_on(project.page(f"essays/{slug}/")) for slug in READ_TIME_BODIES}
    assert shown == {slug: minutes for slug, (_, minutes) in READ_TIME_BODIES.items()}
    assert project.page("").count(" min read") >= len(READ_TIME_BODIES)  # on the home page too


def test_words_per_minute_setting(make_project, build):
    project = make_project("empty", words_per_minute=100)
    project.write("content/slow.md", f"---\ntitle: Slow\ndate: 2024-01-01\n---\n{prose(230)}\n")
    build(project)
    assert minutes_on(project.page("essays/slow/")) == 3


# --- Taxonomies, authors and drafts on the basic sample site -----------------------------------

def titles_linked(html: str) -> list[str]:
    """Titles of the essays a listing page links to, in page order (each once)."""
    found = []
    for a in Document(html).find_all("a", href="/essays/"):
        if a.text.strip() and a.text.strip() not in found:
            found.append(a.text.strip())
    return found



def test_home_lists_published_essays_newest_first(basic):
    home = basic.page("")
    assert titles_linked(home) == ["Second Wind", "First Light", "The Third Rail"]
    # deks given as subtitle, dek and description, and the meta line
    for dek in ("A season of storms, logged by hand.", "What the telescope saw on its first "
                "night.", "Nobody wants to talk about the budget."):
        assert dek in home
    assert "Field Notes" in home and "1 min read" in home


def test_tag_category_and_author_pages(basic):
    assert titles_linked(basic.page("tags/optics/")) == ["Second Wind", "First Light"]
    assert titles_linked(basic.page("tags/weather/")) == ["Second Wind", "The Third Rail"]
    assert titles_linked(basic.page("tags/contrarian/")) == ["First Light"]
    assert titles_linked(basic.page("categories/field-notes/")) == ["Second Wind",
                                                                    "First Light"]
    assert titles_linked(basic.page("categories/dispatches/")) == ["The Third Rail"]
    ada = basic.page("authors/ada/")
    assert "Ada Byron" in ada and "Ada writes about instruments" in ada
    assert titles_linked(ada) == ["First Light"]
    assert titles_linked(basic.page("authors/bo/")) == ["Second Wind"]


def test_essay_page_links_its_tags_category_and_author(basic):
    page = Document(basic.page("essays/first-light/"))
    hrefs = set(page.links())
    assert {"/tags/contrarian/", "/tags/optics/", "/categories/field-notes/",
            "/authors/ada/"} <= hrefs


def test_author_card_with_bio_and_avatar(basic):
    page = Document(basic.page("essays/first-light/"))
    assert "Ada writes about instruments and the people who build them." in \
        " ".join(page.text_of("p"))
    assert "/media/ada.svg" in [img.attrs.get("src") for img in page.find_all("img")]


def test_author_missing_from_authors_yaml_is_shown_by_name_without_bio(basic):
    html = basic.page("essays/third-rail/")
    page = Document(html)
    assert "Grace Hopper" in page.text_of("a", href="/authors/grace-hopper/")
    assert not [e for e in page.elements if any("bio" in c for c in e.classes)]
    assert "Ada writes" not in html and "Bo keeps" not in html
    author_page = basic.page("authors/grace-hopper/")
    assert "Grace Hopper" in author_page
    assert titles_linked(author_page) == ["The Third Rail"]


def badge_classes(html: str, tag: str) -> list[list[str]]:
    return [a.classes for a in Document(html).find_all("a", href=f"/tags/{tag.lower()}/")]


def test_stance_tag_gets_its_own_badge(basic):
    html = basic.page("essays/first-light/")
    stance = badge_classes(html, "Contrarian")
    plain = badge_classes(html, "Optics")
    assert stance and plain
    assert all(any("stance" in c for c in classes) for classes in stance)
    assert not any("stance" in c for classes in plain for c in classes)
    assert set(map(tuple, stance)).isdisjoint(set(map(tuple, plain)))


def test_stances_come_from_the_settings(make_project, build):
    project = make_project("basic", stances=["Optics"])
    build(project)
    html = project.page("essays/first-light/")
    assert all(any("stance" in c for c in classes) for classes in badge_classes(html, "Optics"))
    assert not any("stance" in c for classes in badge_classes(html, "Contrarian")
                   for c in classes)


def test_drafts_are_left_out_by_default(basic):
    for path, data in basic.files().items():
        assert b"Unfinished Business" not in data, path
        assert b"essays/unfinished" not in data, path
    assert not (basic.out / "essays/unfinished").exists()


def test_drafts_are_built_with_the_drafts_flag(make_project, build):
    project = make_project("basic")
    assert build(project, "--drafts").status == 0
    assert "Unfinished Business" in project.page("essays/unfinished/")
    assert "Unfinished Business" in titles_linked(project.page(""))
    assert "Unfinished Business" in titles_linked(project.page("tags/optics/"))
    assert "Unfinished Business" in titles_linked(project.page("authors/ada/"))


def test_tags_differing_only_in_case_share_one_page(make_project, build):
    project = make_project("empty")
    project.write("content/a.md", "---\ntitle: A\ndate: 2024-01-02\ntags: [AI]\n---\nA\n")
    project.write("content/b.md", "---\ntitle: B\ndate: 2024-01-01\ntags: [ai]\n---\nB\n")
    build(project)
    assert titles_linked(project.page("tags/ai/")) == ["A", "B"]

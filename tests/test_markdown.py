"""longform/markdown.py: what the Markdown of an essay becomes on its built page."""

import re
import shutil
from html import unescape

import pytest
from conftest import REPO, SETTINGS, SITES, Document, broken_links, pyproject_text
from hypothesis import given, settings
from hypothesis import strategies as st

from longform.cli import main
from longform.markdown import word_count


@pytest.fixture(scope="module")
def first_light(tmp_path_factory):
    """The basic site's richest essay, built once for this module."""
    root = tmp_path_factory.mktemp("markdown") / "basic"
    shutil.copytree(SITES / "basic", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    assert main(["--root", str(root)]) == 0
    return (root / "site/essays/first-light/index.html").read_text("utf-8")


def test_footnote_references_are_numbered_and_resolve(first_light):
    page = Document(first_light)
    refs = [a for a in page.find_all("a") if a.attrs.get("href", "").startswith("#fn:")]
    assert [a.text for a in refs] == ["1", "2"]
    for ref in refs:
        assert ref.attrs["href"][1:] in page.ids


def test_footnote_back_links_return_to_their_references(first_light):
    page = Document(first_light)
    refs = [a for a in page.find_all("a") if a.attrs.get("href", "").startswith("#fn:")]
    backs = [a.attrs["href"][1:] for a in page.find_all("a")
             if a.attrs.get("href", "").startswith("#fnref")]
    assert len(backs) == len(refs) == 2
    assert set(backs) <= page.ids
    # each footnote's back-link goes to the element holding the reference that points at it
    ref_holders = {e.attrs["id"] for e in page.elements
                   if e.attrs.get("id", "").startswith("fnref")}
    assert set(backs) == ref_holders
    assert "Ask any astronomer." in first_light and "Grinding glass is slow work." in first_light


def test_every_same_page_fragment_resolves(first_light):
    page = Document(first_light)
    fragments = [link[1:] for link in page.links() if link.startswith("#") and len(link) > 1]
    assert fragments
    assert [f for f in fragments if f not in page.ids] == []


def test_link_to_another_essay_file_becomes_its_url(first_light):
    links = Document(first_light).links()
    assert "/essays/second-wind/" in links
    assert "/essays/second-wind/#storms" in links
    assert not [link for link in links if ".md" in link]


def test_links_and_images_follow_a_sub_path_base_url(make_project, build):
    project = make_project("basic", base_url="https://example.org/blog/")
    assert build(project).status == 0
    links = Document(project.page("essays/first-light/")).links()
    assert "/blog/essays/second-wind/#storms" in links
    assert "/blog/media/diagram.svg" in links
    assert "/blog/essays/first-light/" in Document(project.page("essays/second-wind/")).links()


def test_smart_quotes_and_dashes(first_light):
    text = unescape(first_light)
    assert "“three years”" in text
    assert "grind – longer" in text


def test_tables(first_light):
    page = Document(first_light)
    assert page.text_of("th") == ["Night", "Seeing"]
    assert page.text_of("td") == ["1", "1.2"]


def test_fenced_code_is_highlighted_by_pygments(first_light):
    page = Document(first_light)
    assert page.find_all("div", class_="highlight")
    keywords = [s.text for s in page.find_all("span") if "k" in s.classes]
    assert keywords == ["def", "return"]


def test_headings_get_ids_and_permalinks(first_light):
    page = Document(first_light)
    headings = {h.attrs.get("id") for h in page.find_all("h2")}
    assert {"the-mirror", "the-sky"} <= headings
    links = page.links()
    assert "#the-mirror" in links and "#the-sky" in links


def test_raw_html_and_attribute_lists_pass_through(first_light):
    assert '<div class="raw-block" data-note="kept"><span>Raw HTML stays.</span></div>' \
        in first_light
    assert Document(first_light).text_of("p", class_="lead-in") == [
        "A paragraph with an attribute list."]


def test_table_of_contents_and_extra_keys_reach_templates(make_project, build):
    project = make_project("basic")
    project.write("templates/essay.html",
                  "{% for t in essay.toc %}[{{ t.id }}|{{ t.name }}|{{ t.level }}]{% endfor %}\n"
                  "mood={{ essay.extra.get('mood') }}\n{{ essay.html|safe }}\n")
    assert build(project).status == 0
    page = project.page("essays/first-light/")
    assert "[the-mirror|The mirror|2][the-sky|The sky|2]" in page
    assert "mood=hopeful" in page


def test_escaped_text_stays_escaped(make_project, build):
    project = make_project("empty")
    project.write("content/x.md", "---\ntitle: 'Tags <b>in</b> titles'\ndate: 2024-01-01\n"
                                  "dek: 'A & B'\n---\nText with 5 < 6 and `<script>`.\n")
    assert build(project).status == 0
    page = project.page("essays/x/")
    assert "<b>in</b>" not in page and "&lt;b&gt;in&lt;/b&gt;" in page
    assert "5 &lt; 6" in page and "<code>&lt;script&gt;</code>" in page


@pytest.mark.parametrize("html, words", [
    ("<p>one two three</p>", 3),
    ('<p class="a b c" data-x="d e">one</p>', 1),
    ("<p>one &ndash; two &mdash; three &amp; four</p>", 4),
    ("<p>don&rsquo;t stop</p>", 2),
    ('<pre><code><span class="k">def</span> <span class="nf">f</span>():</code></pre>', 2),
    ('<p>x<sup><a href="#fn:1">1</a></sup></p><p>Note.&#160;<a href="#r">&#8617;</a></p>', 3),
    ("", 0),
])
def test_word_count(html, words):
    assert word_count(html) == words


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "é", "7", "_", "-", "–", ".", "'", " ", "\n", "\t",
                                 "\xa0", "\u2003", "\x1c", "<p>", "</p>", "&amp;"])).map("".join))
def test_word_count_counts_the_whitespace_separated_runs_holding_a_letter_or_digit(text):
    plain = text.replace("<p>", " ").replace("</p>", " ").replace("&amp;", "&")
    assert word_count(text) == sum(1 for run in plain.split() if re.search(r"\w", run))


def test_essay_links_from_sub_folders_references_and_footnotes(make_project, build):
    project = make_project("basic")
    project.write("content/2024/deep essay.md",
                  "---\ntitle: Deep\ndate: 2024-02-02\ntags: [Optics]\n---\n\n"
                  "See [first](../first-light.md), [the storms][r] and "
                  "![a diagram](../media/diagram.svg).[^n]\n\n"
                  "[r]: ../second-wind.md#storms\n\n[^n]: Compare [third](../third-rail.md).\n")
    project.write("content/third-rail.md", (project.root / "content/third-rail.md")
                  .read_text("utf-8") + "\nBack to [deep](2024/deep%20essay.md).\n")
    assert build(project).status == 0
    links = Document(project.page("essays/deep-essay/")).links()
    for link in ("/essays/first-light/", "/essays/second-wind/#storms", "/media/diagram.svg",
                 "/essays/third-rail/"):
        assert link in links
    assert "/essays/deep-essay/" in Document(project.page("essays/third-rail/")).links()
    assert broken_links(project.out) == []

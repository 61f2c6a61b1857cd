"""longform/dialects/kramdown.py: kramdown's attribute lists, {:toc}, {::…} extensions,
<!--more--> and markdown="1", as Jekyll posts write them."""

from conftest import Document
from dialect_helpers import BODY_LINE, rendered
from hypothesis import given, settings
from hypothesis import strategies as st


def test_attribute_lists_after_blocks_and_spans():
    html, problems, _ = rendered(
        "## Heading\n{: #custom .wide}\n\nA paragraph.\n{: .lead}\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n{: .numbers}\n\nAfter the table.\n\n"
        '*word*{: .note} and [link](https://example.com/){: target="_blank"}\n')
    assert problems == []
    document = Document(html)
    assert document.find_all("h2", id="custom", class_="wide")
    assert document.find_all("p", class_="lead")
    assert document.find_all("table", class_="numbers")
    assert document.find_all("em", class_="note")
    assert document.find_all("a", target="_blank")
    assert "After the table." in document.text_of("p") and "{:" not in html


def test_toc_placeholder_becomes_the_contents_list():
    for placeholder in ("* TOC\n{:toc}", "1. TOC\n{:toc}", "{:toc}"):
        html, problems, _ = rendered(f"{placeholder}\n\n## One\n\n## Two\n")
        assert problems == []
        toc = Document(html).find_all("div", class_="toc")
        assert toc and "One" in toc[0].text and "Two" in toc[0].text, placeholder
        assert "TOC" not in html.replace('class="toc"', "")


def test_options_and_comments_are_dropped_and_nomarkdown_kept():
    html, _, _ = rendered('{::options parse_block_html="true" /}\n\nKept.\n\n{::comment}\n'
                          "A note to self.\n{:/comment}\n\n{::nomarkdown}<b>*as is*</b>"
                          "{:/nomarkdown}\n")
    assert "A note to self" not in html and "{:" not in html
    assert "<p>Kept.</p>" in html and "<b>*as is*</b>" in html


def test_lines_after_a_comment_keep_their_numbers():
    _, problems, _ = rendered("{::comment}\none\ntwo\n{:/comment}\n\n{% nope %}\n")
    assert [p.split(":")[0] for p in problems] == [str(BODY_LINE + 5)]


def test_markdown_inside_html_blocks():
    html, _, _ = rendered('<div class="callout" markdown="1">\n**Bold** here.\n</div>\n')
    assert '<div class="callout">' in html and "<strong>Bold</strong>" in html


def test_more_marks_the_listing_summary():
    _, _, essay = rendered("The **opening** paragraph.\n\n<!--more-->\n\nThe rest.\n")
    assert essay.excerpt == "The opening paragraph."
    _, _, essay = rendered("No marker.\n\n```\n<!--more-->\n```\n")
    assert essay.excerpt is None


def test_attribute_lists_in_code_are_left_alone():
    html, _, _ = rendered("```\n## H\n{: .x}\n* TOC\n{:toc}\n```\n")
    assert "{: .x}" in html and "{:toc}" in html and 'class="toc"' not in html


def test_a_placed_contents_list_is_the_only_one():
    _, _, essay = rendered("{:toc}\n\n## One\n\n## Two\n\n## Three\n")
    assert essay.toc == ()  # the theme shows its own list only when the writer placed none
    _, _, essay = rendered("## One\n\n## Two\n\n## Three\n")
    assert len(essay.toc) == 3


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["```", "~~~~", "    ", "\t", "> ", "- ", "1. ", "`", "``",
                                 "$", "$$", "x", "{: .c }", "\n", "\n\n", " "]), max_size=30)
       .map("".join))
def test_the_lines_found_in_code_are_those_whose_start_is_protected(text):
    from longform.dialects.kramdown import _code_lines
    from longform.dialects.text import Protected
    protected, offset, expected = Protected(text), 0, set()
    for index, line in enumerate(text.split("\n")):
        if protected.span_at(offset):
            expected.add(index)
        offset += len(line) + 1
    assert _code_lines(text) == expected

"""longform/inline.py: skipping the inline patterns that cannot match gives Python-Markdown's
own HTML, byte for byte."""

import re
from pathlib import Path

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from longform import inline
from longform.content import load_essay
from longform.markdown import Links, _markdown, rendered

REPO = Path(__file__).resolve().parents[1]
EXTENSIONS = ["footnotes", "tables", "attr_list", "def_list", "abbr", "md_in_html", "smarty",
              "toc", "pymdownx.highlight", "pymdownx.superfences", "pymdownx.tilde"]

# What each inline pattern reacts to, and plain text between: links and images (inline,
# reference, short), footnotes, code, escapes, emphasis, strike-through, raw HTML, entities,
# autolinks, line breaks, abbreviations, smart quotes; nested in each other by chance.
PIECES = ["[", "]", "(", ")", "!", "[a](b)", "![i](p.png)", "[r][ref]", "[ref]", "[^1]",
          "\n\n[ref]: http://x.org/", "\n\n[^1]: note *em*", "`", "``", "\\", "\\*", "\\`", "*",
          "**", "_", "__", "~", "~~", "<b>", "</b>", "<span class='x'>", "&amp;", "&#42;",
          "&x", "<http://a.b/c>", "<me@x.org>", "  \n", "\n", "\n\n", "\n\n*[HTML]: Hyper",
          "HTML", " ", "word", "'", '"', "--", "...", "{: .c }", "\n\n# ", "\n\n- ", "$", "x"]


def html(text: str, *extensions) -> str:
    return markdown.markdown(text, extensions=[*extensions, *EXTENSIONS], output_format="html")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_same_html_as_python_markdowns_inline_pass(text):
    assert html(text, inline.SkippingInline()) == html(text)


def test_the_example_essays_render_as_with_python_markdowns_inline_pass():
    essays = [load_essay(path, path.read_text("utf-8"))
              for path in sorted((REPO / "content").rglob("*.md"))]
    links = Links({e.source: f"/essays/{e.slug}/" for e in essays}, frozenset(),
                  REPO / "content", "/")
    md = _markdown()
    skipping = md.treeprocessors["inline"]
    assert isinstance(skipping, inline.SkippingInlineProcessor)

    def pages() -> list[str]:
        return [rendered(e, links, REPO / "charts", None)[0].html for e in essays]

    ours = pages()
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    try:
        theirs = pages()
    finally:
        md.treeprocessors.register(skipping, "inline", 20)
    assert len(ours) > 3 and ours == theirs


def test_first_characters_of_the_patterns_in_use():
    firsts = inline.first_characters
    assert firsts(re.compile(r"(?<!\!)\[")) == {"["}
    assert firsts(re.compile(r"\*|_")) == {"*", "_"}
    assert firsts(re.compile(r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)")) == {"\\", "`"}
    assert firsts(re.compile(r"a?[b-d]x")) == {"a", "b", "c", "d"}
    assert firsts(re.compile(r"(?:ab)*c")) == {"a", "c"}


def test_no_first_characters_when_a_match_can_start_anywhere():
    firsts = inline.first_characters
    assert firsts(re.compile(r"\w+")) is None  # a category
    assert firsts(re.compile(r"[^a]b")) is None  # a negated class
    assert firsts(re.compile(r".x")) is None
    assert firsts(re.compile(r"a*")) is None  # matches the empty string
    assert firsts(re.compile(r"(a)?\1")) is None  # a back-reference
    assert firsts(re.compile(r"abc", re.IGNORECASE)) is None
    assert firsts(re.compile(r"(?i:a)b")) is None
    assert firsts(re.compile(r"^(.*?)\[(.*)$")) is None  # an old-style Pattern's wrapping


def test_a_fixed_start_of_two_characters_or_more_is_looked_for_whole():
    assert inline.literal_start(re.compile(r"  \n")) == "  \n"
    assert inline.literal_start(re.compile(r"(?<!\\)\[\^x")) == "[^x"
    assert inline.literal_start(re.compile(r"a*b")) == ""
    assert inline.precondition(re.compile(r"  \n")).pattern == re.escape("  \n")
    assert inline.precondition(re.compile(r"\*|_")).search("a_b")
    assert not inline.precondition(re.compile(r"\*|_")).search("plain text")
    assert inline.precondition(re.compile(r"\w+")) is None

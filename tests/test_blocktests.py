"""longform/blocktests.py: answering the block processors' searches with substring tests first
gives Python-Markdown's own HTML, byte for byte."""

from pathlib import Path

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from longform import blocktests
from longform.content import load_essay
from longform.markdown import Links, _markdown, rendered

REPO = Path(__file__).resolve().parents[1]
EXTENSIONS = ["footnotes", "tables", "attr_list", "def_list", "abbr", "md_in_html", "toc",
              "pymdownx.superfences"]

# What each block processor reacts to, and plain text between: headings (# and underlined),
# rules, quotes, definition lists, tables, footnote, reference and abbreviation definitions,
# lists, indented code, fences, raw HTML; lines, blank lines, lines of spaces and tabs, and
# carriage returns joining them by chance.
PIECES = ["#", "## Title", "#x#", "\n", "\n\n", "===", "---", "Title\n---", "Title\n===",
          "- - -", "***", "* * *", "___", "-", "*", "_", ">", "> quote", "   >",
          "Term\n: Definition", ":", ":   def", "|", "a | b", "|---|---|", "| 1 | 2 |",
          "[^1]: note", "[^1]", "[ref]: http://x.org/", "[ref]", "]:", "*[HTML]: Hyper", "*[",
          "HTML", "1. one", "- item", "    code", "```\nfenced\n```", "<div>", "</div>",
          "<div markdown>", " ", "   ", "\t", "\r\n", "\r", "\x02", "word", "x"]


def html(text: str, *extensions) -> str:
    return markdown.markdown(text, extensions=[*EXTENSIONS, *extensions], output_format="html")


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_same_html_as_python_markdowns_block_parser(text):
    assert html(text, blocktests.SkippingBlockTests()) == html(text)


def test_every_search_it_answers_is_in_place():
    # A Python-Markdown that renamed or replaced a processor would leave it unwrapped: the
    # HTML would not change, only the time it takes. Say so here instead.
    processors = _markdown().parser.blockprocessors
    for name, (kind, method, _) in blocktests.NEEDS.items():
        assert type(processors[name]) is kind, name
        assert getattr(processors[name], method).__name__ == "skipping", name
    assert type(_markdown().preprocessors["normalize_whitespace"]).__module__ == \
        "longform.blocktests"


def test_the_example_essays_render_as_with_python_markdowns_block_tests():
    essays = [load_essay(path, path.read_text("utf-8"))
              for path in sorted((REPO / "content").rglob("*.md"))]
    links = Links({e.source: f"/essays/{e.slug}/" for e in essays}, frozenset(),
                  REPO / "content", "/")
    processors = _markdown().parser.blockprocessors

    def pages() -> list[str]:
        return [rendered(e, links, REPO / "charts", None)[0].html for e in essays]

    ours = pages()
    wrapped = {name: getattr(processors[name], method)
               for name, (_, method, _) in blocktests.NEEDS.items()}
    for name, (_, method, _) in blocktests.NEEDS.items():
        delattr(processors[name], method)  # the class's own method again
    try:
        theirs = pages()
    finally:
        for name, (_, method, _) in blocktests.NEEDS.items():
            setattr(processors[name], method, wrapped[name])
    assert len(ours) > 3 and ours == theirs

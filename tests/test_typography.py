"""longform/typography.py: our smart quotes give exactly the HTML of Python-Markdown's smarty."""

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from longform import typography

EXTENSIONS = ["footnotes", "tables", "attr_list", "toc"]

# Texts made of what smarty reacts to, what shields text from it (code, raw HTML, escapes)
# and what splits a paragraph into many texts (emphasis, links, footnotes).
PIECES = ["'", '"', "-", "--", "---", "...", "..", ".", " ", "\n", "word", "80s", "'80s", "s",
          "*", "_", "`", "``", "\\'", '\\"', "<b>", "</b>", "&nbsp;", "&mdash;", "–", "[a](b)",
          "[^1]", "\n\n[^1]: note", "\n\n# ", "\n\n> ", "\n\n- ", "(", ")", "!", "?", "x"]


def html(text: str, smarty) -> str:
    return markdown.markdown(text, extensions=[*EXTENSIONS, smarty], output_format="html")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_same_html_as_smarty(text):
    assert html(text, typography.Smarty()) == html(text, "smarty")


def test_quotes_dashes_and_ellipses_are_educated_and_code_is_not():
    text = 'She said "it\'s the \'80s" -- wait... `"raw"` --- done.'
    got = html(text, typography.Smarty())
    assert got == html(text, "smarty")
    assert "&ldquo;it&rsquo;s the &rsquo;80s&rdquo; &ndash; wait&hellip;" in got
    assert '<code>"raw"</code> &mdash; done.' in got

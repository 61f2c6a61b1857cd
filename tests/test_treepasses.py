"""longform/treepasses.py: toc, attr_list, unescape and prettify passing over what they cannot
change give Python-Markdown's own HTML and contents entries (and the contents list where a
[TOC] marker asks for it), with or without a marker, attribute lists, escapes or nested blocks
in the essay."""

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from longform.treepasses import SkippingTreePasses, Toc

OPTIONS = {"permalink": "#", "permalink_title": "Link to this section"}
PIECES = ["[TOC]", "\n\n[TOC]\n\n", "# Title", "## Part", "\n\n", "\n", "text", " ", "*",
          "`[TOC]`", "    [TOC]", "> [TOC]", "- [TOC]", "[TOC] and more", "<div>[TOC]</div>",
          "{: .note }", "{#id}", "{", "}", "\n{: #x }", "[a](b){: .c}", "- item\n{: .d }",
          "\\*", "\\{", "\\`", "`\\*`", "\\", "<div markdown>\\_x\\_</div>", "Term\n: def",
          "- a\n    - b\n", "1. one\n", "> quote\n> > deeper", "line  \nbreak", "    code\n",
          "{{ not a tag }} stays", "x {: .k }  ", "*e*{: .f }", "## Head {: #h }", "{.g}",
          "[l](m) {: .n }", "text {: .o }\n", "} {"]


def html(text: str, *extensions) -> str:
    md = markdown.Markdown(extensions=["md_in_html", "attr_list", "def_list", *extensions],
                           output_format="html")
    page = md.convert(text)
    # The list as HTML (md.toc) is built only where a marker shows it: the theme reads the
    # entries.
    return page + repr(md.toc_tokens) + (md.toc if '<div class="toc">' in page else "")


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_the_same_html_as_python_markdowns_own_passes(text):
    assert html(text, Toc(**OPTIONS), SkippingTreePasses()) == html(
        text, markdown.extensions.toc.TocExtension(**OPTIONS))


def test_the_marker_still_becomes_the_contents_list():
    page = html("# One\n\n[TOC]\n\n## Two\n", Toc(), SkippingTreePasses())
    assert '<div class="toc">' in page and "[TOC]" not in page


def test_no_contents_list_is_built_without_a_marker():
    md = markdown.Markdown(extensions=[Toc(), SkippingTreePasses()])
    page = md.convert("# One\n\n## Two\n")
    assert [entry["id"] for entry in md.toc_tokens] == ["one"]  # Two nests under One
    assert md.toc_tokens[0]["children"][0]["name"] == "Two"
    assert md.toc == "<div></div>" and "toc" not in page


def test_attribute_lists_and_escapes_still_apply():
    md = markdown.Markdown(extensions=["attr_list", SkippingTreePasses()])
    assert md.treeprocessors["attr_list"].run.__name__ == "skipping"
    assert md.treeprocessors["unescape"].unescape.__name__ == "skipping"
    assert type(md.treeprocessors["prettify"]).__module__ == "longform.treepasses"
    page = html("A paragraph \\*not emphasis\\*.\n{: .note }\n", Toc(), SkippingTreePasses())
    assert '<p class="note">A paragraph *not emphasis*.</p>' in page

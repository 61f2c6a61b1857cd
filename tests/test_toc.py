"""longform/toc.py: toc skipping its marker walk gives Python-Markdown's own HTML, contents list
and all, whether or not the essay asks for the list where it stands."""

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from longform import toc

PIECES = ["[TOC]", "\n\n[TOC]\n\n", "# Title", "## Part", "\n\n", "\n", "text", " ", "*",
          "`[TOC]`", "    [TOC]", "> [TOC]", "- [TOC]", "[TOC] and more", "<div>[TOC]</div>"]


def html(text: str, extension) -> str:
    md = markdown.Markdown(extensions=[extension, "md_in_html"], output_format="html")
    return md.convert(text) + md.toc


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_the_same_html_as_python_markdowns_toc(text):
    options = {"permalink": "#", "permalink_title": "Link to this section"}
    assert html(text, toc.Toc(**options)) == html(text, markdown.extensions.toc.TocExtension(
        **options))


def test_the_marker_still_becomes_the_contents_list():
    page = html("# One\n\n[TOC]\n\n## Two\n", toc.Toc())
    assert '<div class="toc">' in page and "[TOC]" not in page

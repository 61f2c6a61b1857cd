"""longform/htmlscan.py: what the link review finds on a page is the same whether htmlscan or
html.parser reads it, and htmlscan reads every page we build."""

from hypothesis import given, settings
from hypothesis import strategies as st

from longform import htmlscan, links


def parsed(html: str) -> tuple:
    """links._Scan's findings with html.parser reading the whole document."""
    scan = links._Scan()
    scan.feed(html)
    scan.close()
    return scan.links, scan.ids, scan.images, scan.headings


def scanned(html: str) -> tuple | None:
    """The same with htmlscan reading it; None when htmlscan leaves it to html.parser."""
    scan = links._Scan()
    if not htmlscan.feed(scan, html, links._SCANNED_TAGS):
        assert (scan.links, scan.ids, scan.images, scan.headings) == ([], set(), [], [])
        return None
    return scan.links, scan.ids, scan.images, scan.headings


# Markup as we write it and as writers might: quoting styles, case, spacing, entities, ids on
# any tag, valueless attributes, self-closing tags, headings holding markup, comments, script
# and style bodies, a doctype; and what htmlscan leaves to html.parser: processing
# instructions, CDATA, "<" or ">" in values, bare values with slashes, odd whitespace,
# attributes run together, markup inside script bodies.
PIECES = ["<p>", "</p>", "<a href=\"/x/#y\">", "<a href='/q?a=1&amp;b=2'>", "</a>",
          "<A HREF=\"/UP/\" ID=Top>", "<img src=\"m.png\" alt=\"\" />", "<img src=x.png alt>",
          "<h2 id=\"h\">", "</h2>", "<H3>", "</h3 >", "<h4/>", "<br/>", "<hr />", "<a/>",
          "<abbr id=\"ab\">", "<div data-id=\"no\" title=\"x id=y\">", "<sup id=fnref:1>",
          "<a name=\"n\">", "<source srcset=\"a.webp 1x, b.webp 2x\">", "<object data=\"o\">",
          "<span class=\"a\"\n  data-x = \"1\">", "</span>", "<!-- a -->", "<!-- <a href=x> -->",
          "<!-- x --!>", "<!---->", "<!DOCTYPE html>", "<script>var a = 1 > 0;</script>",
          "<script>if (a<b) {}</script>", "<style>p>a{}</style >", "<SCRIPT>x</script>",
          "<script>&amp;</SCRIPT>", "<style>&lt;</style>",
          "<script src=\"/s.js\"></script>", "<script/>", "<?php x ?>", "<![CDATA[x]]>",
          "<a href=/a/b>", "<a\u00a0href=\"x\">", "<a href=\"x\"title=\"t\">", "<a title=\"<\">",
          "<a href=x/>", "<br/ >", "<a b==c>", "<a =b>", "<a_b>", "< ", "<", "<1", "</>",
          "</ a>", "<!x>", "&amp;", "&lt;", "&#8617;", "&copy", "&", "text", " ", "\n", "é",
          "\u00a0", "'", "\"", "=", ">", "/"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_the_findings_of_html_parser_whenever_htmlscan_reads_a_document(html):
    found = scanned(html)
    assert found is None or found == parsed(html)


def test_it_reads_markup_as_we_write_it():
    html = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<script>document.documentElement.classList.add("js")</script></head>'
            '<body><!-- main --><h2 id="a-b">Caf&eacute; <em>au</em> lait <a class="headerlink" '
            'href="#a-b" title="Link to this section">#</a></h2><p>x<sup id="fnref:1">'
            '<a class="footnote-ref" href="#fn:1">1</a></sup> &amp; y</p><section id="s">'
            '<img alt="A &quot;map&quot;" src="/m.png" loading="lazy" width="3"></section>'
            '</body></html>')
    found = scanned(html)
    assert found == parsed(html)
    links_found, ids, images, headings = found
    assert [link.url for link in links_found] == ["#a-b", "#fn:1", "/m.png"]
    assert ids == {"a-b", "fnref:1", "s"}
    assert images == [("/m.png", 'A "map"')]
    assert headings == [(2, "Café au lait #")]


def test_it_leaves_other_markup_to_html_parser():
    for html in ["<?xml version='1.0'?>", "<a href=/a/b>", "<p\u00a0class=x>", "<![CDATA[x]]>",
                 "<script>never closed", "<a href=\"x\"title=\"t\">", "<a title='a>b'>",
                 "<script>if (a<b) {}</script>"]:
        assert scanned(html) is None, html


def test_scan_finds_the_same_whichever_reads():
    ours = ('<h1>T</h1><a href="/a/">a</a><img src="/i.png" alt="i">'
            '<a name="n"></a><source srcset="a.webp 1x, b.webp 2x">')
    theirs = ours + "<?pi?>"  # a processing instruction: html.parser reads the page
    assert scanned(ours) is not None and scanned(theirs) is None
    assert links.scan(ours) == links.scan(theirs)


def test_every_page_we_build_is_read_by_htmlscan(make_project, build):
    project = make_project("allfeatures")
    assert build(project).status == 0
    pages = [page for page in project.out.rglob("*.html")]
    assert len(pages) > 10
    for page in pages:
        html = page.read_text("utf-8")
        assert scanned(html) == parsed(html), page

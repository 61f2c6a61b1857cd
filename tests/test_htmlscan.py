"""longform/htmlscan.py: on every document it reads, the events html.parser gives; on our own
pages, it reads them all."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from longform import htmlscan, links


class Events:
    """The events a tokenizer reports, adjacent texts joined (html.parser may split them)."""

    def __init__(self):
        self.seen: list = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(("start", tag, attrs))

    def handle_endtag(self, tag):
        self.seen.append(("end", tag))

    def handle_data(self, data):
        if self.seen and self.seen[-1][0] == "text":
            self.seen[-1] = ("text", self.seen[-1][1] + data)
        else:
            self.seen.append(("text", data))


class Recorder(Events, HTMLParser):
    def __init__(self):
        Events.__init__(self)
        HTMLParser.__init__(self, convert_charrefs=True)


def parser_events(html: str) -> list:
    recorder = Recorder()
    recorder.feed(html)
    recorder.close()
    return recorder.seen


# Markup as we write it and as writers might: quoting styles, case, spacing, entities, empty
# and valueless attributes, self-closing tags, comments, script and style bodies holding
# markup, a doctype, and what this scanner leaves to html.parser (processing instructions,
# CDATA, unquoted values with slashes, odd whitespace, attributes run together).
PIECES = ["<p>", "</p>", "<a href=\"/x/#y\">", "<a href='/q?a=1&amp;b=2'>", "</a>",
          "<A HREF=\"/UP/\" ID=Top>", "<img src=\"m.png\" alt=\"\" />", "<img src=x.png alt>",
          "<h2 id=\"h\">", "</h2>", "<H3>", "</h3 >", "<br/>", "<br>", "<hr />",
          "<input disabled/>", "<source srcset=\"a.webp 1x, b.webp 2x\">",
          "<span class=\"a\"\n  data-x = \"1\">", "</span>", "<!-- a <a href=x> -->",
          "<!-- x --!>", "<!---->", "<!DOCTYPE html>", "<script>if (a<b) '<a href=s>'</script>",
          "<style>p>a{}</style >", "<script src=\"/s.js\"></SCRIPT>", "<?php x ?>",
          "<![CDATA[x]]>", "<a href=/a/b>", "<a\u00a0href=\"x\">", "<a href=\"x\"title=\"t\">",
          "<a href=x/>", "<br/ >", "<a b==c>", "<a =b>", "<a_b>", "< ", "<", "<1", "</>",
          "</ a>", "<!x>", "&amp;", "&lt;", "&#8617;", "&copy", "&", "text", " ", "\n", "é",
          "\u00a0", "'", "\"", "=", ">", "/"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_the_events_of_html_parser_whenever_it_reads_a_document(html):
    events = Events()
    if htmlscan.feed(events, html):
        assert events.seen == parser_events(html)


def test_it_reads_markup_as_we_write_it():
    html = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<script>document.documentElement.classList.add("js")</script></head>'
            '<body><!-- main --><h2 id="a-b">Caf&eacute; <a class="headerlink" href="#a-b" '
            'title="Link to this section">#</a></h2><p>x<sup id="fnref:1">'
            '<a class="footnote-ref" href="#fn:1">1</a></sup> &amp; y</p>'
            '<img alt="A &quot;map&quot;" src="/m.png" loading="lazy" width="3"></body></html>')
    events = Events()
    assert htmlscan.feed(events, html)
    assert events.seen == parser_events(html)
    assert ("start", "img", [("alt", 'A "map"'), ("src", "/m.png"), ("loading", "lazy"),
                             ("width", "3")]) in events.seen


def test_it_gives_up_on_markup_outside_its_form():
    for html in ["<?xml version='1.0'?>", "<a href=/a/b>", "<p\u00a0class=x>", "<![CDATA[x]]>",
                 "<script>never closed", "<a href=\"x\"title=\"t\">"]:
        assert not htmlscan.feed(Events(), html), html


def test_scan_finds_the_same_whichever_tokenizer_reads(first_page_html="<p>"):
    fast = ('<h1>T</h1><a href="/a/">a</a><img src="/i.png" alt="i">'
            '<a name="n"></a><source srcset="a.webp 1x, b.webp 2x">')
    slow = fast + "<?pi?>"  # the processing instruction sends scan() to html.parser
    assert not htmlscan.feed(Events(), slow)
    assert links.scan(fast) == links.scan(slow)
    found = links.scan(fast)
    assert [link.url for link in found.links] == ["/a/", "/i.png", "a.webp", "b.webp"]
    assert found.ids == {"n"} and found.headings == ((1, "T"),)
    assert found.images == (("/i.png", "i"),)

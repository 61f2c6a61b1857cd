"""What the link review needs of a page, read with a few regular expressions instead of
html.parser: the same findings for the HTML we write, in a fraction of the time.

The review reads every built page for its links, ids, images and headings. html.parser calls
back Python for each of the page's tags (36,000 on a thousand-essay home page) and spends
most of its time on generality our pages never need. Our pages are Markdown's and Jinja's
output, and Jinja and Markdown escape < and > in attribute values. So:

1. One regular expression checks that the whole document is made only of text and markup in
   that narrow form: tags written the plain way (values quoted, or bare and simple), end tags,
   comments, a doctype, script and style bodies free of "<". In such a document every "<"
   before a letter opens a tag that ends at the next ">", exactly where html.parser sees it.
2. A second one then finds only the tags the review listens to (see feed) and leaves the rest
   to the regex engine.

A document outside that form (a writer's unusual raw HTML) makes feed() return False before
any callback, and the caller lets html.parser read it: the findings are the same for any input.
"""

import re
from functools import cache
from html import unescape

_SPACE = "[ \t\n\r\f]"  # where html.parser's tag name ends; other whitespace: not our form
_NAME = "[a-zA-Z][a-zA-Z0-9-]*"
# name, then = and a value in double quotes, single quotes or bare (ending where html.parser's
# does); values hold no < or >
_ATTRIBUTE = (rf"{_SPACE}+([a-zA-Z_:][a-zA-Z0-9_.:-]*)(?:{_SPACE}*={_SPACE}*"
              rf"(?:\"([^\"<>]*)\"|'([^'<>]*)'|([a-zA-Z0-9_.:-]+)(?={_SPACE}|>|\Z)))?")
_PLAIN_ATTRIBUTE = re.sub(r"\((?!\?)", "(?:", _ATTRIBUTE)  # the same, without groups
_SCRIPT, _STYLE = "[sS][cC][rR][iI][pP][tT]", "[sS][tT][yY][lL][eE]"
_RAW = f"{_SCRIPT}|{_STYLE}"  # elements whose bodies html.parser does not parse
# Possessive: a document that is not in our form fails at its first odd "<", no backtracking.
# (No capturing groups inside: Python 3.11's possessive repeats mishandle them.)
_DOCUMENT = re.compile(
    r"(?:[^<]++"
    rf"|<(?!(?:{_RAW})[ \t\n\r\f/>]){_NAME}(?:{_PLAIN_ATTRIBUTE})*{_SPACE}*/?>"
    rf"|</{_NAME}{_SPACE}*>"
    r"|<!--[^<>]*?--\s*>"  # html.parser ends a comment at the first --\s*>
    r"|<![dD][oO][cC][tT][yY][pP][eE][^<>]*>"
    rf"|<{_SCRIPT}(?:{_PLAIN_ATTRIBUTE})*{_SPACE}*>[^<]*</\s*{_SCRIPT}\s*>"
    rf"|<{_STYLE}(?:{_PLAIN_ATTRIBUTE})*{_SPACE}*>[^<]*</\s*{_STYLE}\s*>"
    r"|<(?=[^a-zA-Z/!?]))*+")  # a lone "<" before a space or digit is text
_ATTRIBUTES = re.compile(_ATTRIBUTE)
# Markup inside a heading, in our form: a script's or style's body is text, not unescaped.
_IN_TEXT = re.compile(rf"<{_SCRIPT}(?:{_PLAIN_ATTRIBUTE})*{_SPACE}*>([^<]*)</\s*{_SCRIPT}\s*>"
                      rf"|<{_STYLE}(?:{_PLAIN_ATTRIBUTE})*{_SPACE}*>([^<]*)</\s*{_STYLE}\s*>"
                      r"|<[a-zA-Z/!][^<>]*>")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@cache
def _wanted(tags: frozenset) -> re.Pattern:
    """Start tags named in tags or holding an id (or something like one), heading end tags."""
    # Longest first, then by name: the same pattern in every process (a set's order is not),
    # or regexcache would keep another copy of it after every build.
    names = "|".join(sorted(tags, key=lambda tag: (-len(tag), tag)))
    return re.compile(
        rf"<(?:(?P<tag>{names})(?P<attributes>(?:[ \t\n\r\f/][^<>]*)?)>"
        rf"|/(?P<end>h[1-6]){_SPACE}*>"
        rf"|(?P<other>{_NAME})(?P<with_id>{_SPACE}[^<>]*?{_SPACE}*id\b[^<>]*)>)"
        , re.I | re.A)


def feed(handler, html: str, tags: frozenset) -> bool:
    """Call handler.handle_starttag(tag, attrs) for each start tag named in tags or holding an
    id, handle_endtag(tag) for each heading's end and each of those tags written <x/>, and
    handle_data(text) with the text inside each heading; all as html.parser gives them. False,
    having called nothing, when html is not in the form this module reads."""
    if not _DOCUMENT.fullmatch(html):
        return False
    heading_text_from = None
    for found in _wanted(tags | frozenset(HEADINGS)).finditer(html):
        tag, end = found.group("tag") or found.group("other"), found.group("end")
        if heading_text_from is not None and (end or tag.lower() in HEADINGS):
            handler.handle_data(_text(html[heading_text_from:found.start()]))
            heading_text_from = None
        if end:
            handler.handle_endtag(end.lower())
            continue
        tag = tag.lower()
        written = found.group("attributes") or found.group("with_id") or ""
        handler.handle_starttag(tag, [(m.group(1).lower(), _value(*m.group(2, 3, 4)))
                                      for m in _ATTRIBUTES.finditer(written)])
        if written.rstrip(" \t\n\r\f").endswith("/"):
            handler.handle_endtag(tag)
        elif tag in HEADINGS:
            heading_text_from = found.end()
    return True


def _text(html: str) -> str:
    """The text inside a heading (a stretch of our-form HTML), as html.parser hands it over."""
    if "<" not in html:
        return unescape(html)
    pieces, last = [], 0
    for markup in _IN_TEXT.finditer(html):
        pieces += [unescape(html[last:markup.start()]), markup.group(1) or markup.group(2) or ""]
        last = markup.end()
    return "".join(pieces) + unescape(html[last:])


def _value(double: str | None, single: str | None, bare: str | None) -> str | None:
    """An attribute's value as html.parser gives it: None without "=", else unescaped."""
    if double is None and single is None and bare is None:
        return None
    value = double or single or bare or ""
    return unescape(value) if value else value

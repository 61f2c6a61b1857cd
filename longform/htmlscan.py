"""html.parser's events for the HTML we write, at a fraction of its cost.

The link review reads every built page for its links, ids, images and headings. Python's
html.parser spends most of its time on generality we never produce (buffering for partial
input, line counting, malformed markup). Our pages are Markdown's and Jinja's output: tags
written one way, attribute values in quotes. feed() walks such a document with a few regular
expressions and calls the handler's handle_starttag / handle_endtag / handle_data exactly as
html.parser would (tags and attribute names lower-cased, values unescaped, text unescaped,
script and style bodies passed on raw). At the first markup outside that narrow form (a
processing instruction, a CDATA section, an unquoted value with odd characters, a tag split by
unusual whitespace) it gives up and says so; the caller then lets html.parser read the whole
document, so the result is the same for any input.
"""

import re
from html import unescape

_SPACE = "[ \t\n\r\f]"  # where html.parser's tag name ends; other whitespace: give up
_NAME = "[a-zA-Z][a-zA-Z0-9-]*"
# name, then = and a value in double quotes, single quotes or none (ending where html.parser's)
_ATTRIBUTE = (rf"{_SPACE}+([a-zA-Z_:][a-zA-Z0-9_.:-]*)(?:{_SPACE}*={_SPACE}*"
              rf"(?:\"([^\"]*)\"|'([^']*)'|([a-zA-Z0-9_.:-]+)(?={_SPACE}|>|\Z)))?")
_TOKEN = re.compile(
    rf"<(?:(?P<start>{_NAME})(?P<attributes>(?:{_ATTRIBUTE})*){_SPACE}*(?P<empty>/?)>"
    rf"|/(?P<end>{_NAME}){_SPACE}*>"
    r"|!--.*?--\s*>"  # a comment ends at the first --> (html.parser: --\s*>)
    r"|![dD][oO][cC][tT][yY][pP][eE][^>]*>"
    r"|(?P<lone>)(?=[^a-zA-Z/!?]))",  # a lone "<" before a space or digit: text
    re.S)
_ATTRIBUTES = re.compile(_ATTRIBUTE)
_RAW_TEXT_END = {name: re.compile(rf"</\s*{name}\s*>", re.I) for name in ("script", "style")}


def feed(handler, html: str) -> bool:
    """Call handler's handle_starttag(tag, attrs), handle_endtag(tag) and handle_data(text) as
    html.parser would for html. False when html holds markup this scanner does not read: the
    handler then saw only part of the document."""
    position, length = 0, len(html)
    while position < length:
        lt = html.find("<", position)
        if lt < 0:
            lt = length
        if lt > position:
            handler.handle_data(unescape(html[position:lt]))
        if lt == length:
            return True
        token = _TOKEN.match(html, lt)
        if token is None:
            return False
        position = token.end()
        tag = token.group("start")
        if tag is not None:
            position = _start_tag(handler, html, token, tag.lower(), position)
            if position < 0:
                return False
        elif token.group("end") is not None:
            handler.handle_endtag(token.group("end").lower())
        elif token.group("lone") is not None:
            handler.handle_data("<")
    return True


def _start_tag(handler, html: str, token: re.Match, tag: str, position: int) -> int:
    """Report a start tag; where reading goes on (past a script's or style's body), or -1."""
    attrs = [(found.group(1).lower(), _value(*found.group(2, 3, 4)))
             for found in _ATTRIBUTES.finditer(token.group("attributes"))]
    handler.handle_starttag(tag, attrs)
    if token.group("empty"):
        handler.handle_endtag(tag)
    elif tag in _RAW_TEXT_END:  # its body is text up to its end tag, markup or not
        end = _RAW_TEXT_END[tag].search(html, position)
        if end is None:
            return -1
        if end.start() > position:
            handler.handle_data(html[position:end.start()])
        handler.handle_endtag(tag)
        return end.end()
    return position


def _value(double: str | None, single: str | None, bare: str | None) -> str | None:
    """An attribute's value as html.parser gives it: None without "=", else unescaped."""
    if double is None and single is None and bare is None:
        return None
    value = double or single or bare or ""
    return unescape(value) if value else value

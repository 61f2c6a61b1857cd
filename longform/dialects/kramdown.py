"""kramdown, Jekyll's Markdown, where it differs from ours: attribute lists on the line after a
block, {:toc} and `* TOC` placeholders, {::options}, {::comment} and {::nomarkdown}, and
<!--more--> (the listing summary). Python-Markdown's attr_list already reads spans' lists
(`*x*{: .c}`) and a paragraph's last line; md_in_html reads markdown="1"."""

import bisect
import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from html import unescape

from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.treeprocessors import Treeprocessor

from .text import Context, protected_spans

_IAL = re.compile(r"^[ \t]*\{:(?![:/])[ \t]*([^}\n]*?)[ \t]*\}[ \t]*$")
_LEADING_IAL = re.compile(r"^[ \t]*\{:(?![:/])[ \t]*([^}\n]*?)[ \t]*\}[ \t]*(?:\n|$)")
_ALD = re.compile(r"^[ \t]*\{:[\w-]+:[^}\n]*\}[ \t]*$")
_TOC_ITEM = re.compile(r"^[ \t]*(?:[*+-]|\d+\.)[ \t]+TOC[ \t]*$")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_ATX_LINE = re.compile(r" {0,3}#{1,6}(?:[ \t\n]|$)")  # _ATX, at a line's start in a text
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_FENCE_CLOSE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$")
_EXTENSION = re.compile(r"\{::(comment|nomarkdown)\}(.*?)\{:/(?:\1)?\}|\{::options[^}]*/\}",
                        re.S)
MORE_MARK = "<!--more-->"
_LINE_BREAK = re.compile("\n")


def translated(text: str, ctx: Context) -> str:
    text = _extensions(text, ctx)
    if "{:" not in text:
        return text
    lines = text.split("\n")
    code = _code_lines(text)
    for index in range(len(lines)):
        here = lines[index] + (lines[index + 1] if index + 1 < len(lines) else "")
        if "{:" in here and index not in code:
            lines[index:index + 2] = _block_list(lines, index)
    return "\n".join(lines)


@lru_cache(maxsize=4)
def _code_lines(text: str) -> frozenset[int]:
    """The indices of text's lines that start inside code or math: where Protected.span_at
    finds a span for the line's first offset. Worked out from the few spans rather than by
    asking for each of an essay's hundred-odd lines; remembered, as the text is often the same
    for both of kramdown's looks."""
    spans = protected_spans(text).spans
    line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    code: set[int] = set()
    for index, (start, end) in enumerate(spans):
        # span_at picks the last span starting at or before a position: this one holds the
        # positions up to the next span's start (none when the next starts where it does).
        if index + 1 < len(spans):
            end = min(end, spans[index + 1][0])
        code.update(range(bisect.bisect_left(line_starts, start),
                          bisect.bisect_left(line_starts, end)))
    return frozenset(code)


def _block_list(lines: list[str], index: int) -> list[str]:
    """This line (and the next) with a kramdown block list put where Markdown reads it."""
    line = lines[index]
    after = lines[index + 1] if index + 1 < len(lines) else None
    before = lines[index - 1] if index else ""
    following = [] if after is None else [after]
    if re.fullmatch(r"[ \t]*\{:[ \t]*toc[ \t]*\}[ \t]*", line):
        return ["" if _TOC_ITEM.match(before) else "[TOC]", *following]
    if _TOC_ITEM.match(line) and after is not None and "toc" in after and _IAL.match(after):
        return ["[TOC]", ""]
    if _ALD.match(line):
        return ["", *following]
    ial = _IAL.match(line)
    if not ial:
        return [line, *following]
    if _ATX.match(before):
        return ["", *following]  # joined onto the heading by _headings_with_lists
    if (_TABLE_ROW.match(before) or _FENCE_CLOSE.match(before)) and after is not None \
            and not after.strip():
        return ["", line]  # a paragraph of its own after the block: see BlockLists
    return [line, *following]


def _extensions(text: str, ctx: Context) -> str:
    """{::comment} and {::options} leave blank lines; {::nomarkdown} leaves its HTML."""
    text = _headings_with_lists(text)
    protected = protected_spans(text) if "{::" in text else None

    def replaced(match: re.Match) -> str:
        if protected.span_at(match.start()):
            return match.group(0)
        breaks = "\n" * match.group(0).count("\n")
        if match.group(1) == "nomarkdown":
            return ctx.store(match.group(2).strip()) + breaks
        return breaks
    return _EXTENSION.sub(replaced, text) if "{::" in text else text


def _headings_with_lists(text: str) -> str:
    """`# Heading` then `{: #id .c}` on the next line: the list joins the heading's line (where
    attr_list reads it) and its own line stays, blank."""
    if not _after_a_heading(text):
        return text
    lines = text.split("\n")
    code = _code_lines(text)
    for index in range(1, len(lines)):
        ial = _IAL.match(lines[index])
        if ial and _ATX.match(lines[index - 1]) and "toc" != ial.group(1).strip() \
                and index not in code:
            lines[index - 1] = f"{lines[index - 1].rstrip()} {{: {ial.group(1)}}}"
            lines[index] = ""
    return "\n".join(lines)


def _after_a_heading(text: str) -> bool:
    """Whether some "{:" sits on a line after a heading's: most texts' is a {:toc} or a span's
    list, and reading every line for a heading's costs more than finding each "{:"."""
    at = text.find("{:")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if start and _ATX_LINE.match(text, text.rfind("\n", 0, start - 1) + 1):
            return True
        at = text.find("{:", at + 2)
    return False


class BlockLists(Treeprocessor):
    """A paragraph that starts with a `{: …}` line gives those attributes to the block before it
    (a table, a list); after code, whose HTML Markdown keeps aside, the list is dropped."""

    def run(self, root: etree.Element) -> None:
        assign = AttrListTreeprocessor(self.md)
        for parent in list(root.iter()):
            previous = None
            for child in list(parent):
                match = _LEADING_IAL.match(child.text or "") if child.tag == "p" else None
                if match:
                    if previous is not None and previous.tag != "p":
                        assign.assign_attrs(previous, match.group(1))
                    child.text = child.text[match.end():]
                    if not child.text.strip() and not len(child):
                        parent.remove(child)
                        continue
                previous = child


def excerpt(html: str) -> str | None:
    """The text above <!--more--> (Jekyll's and Hugo's summary divider), as plain text."""
    above, found, _ = html.partition(MORE_MARK)
    if not found:
        return None
    above = re.sub(r"<pre[ >].*?</pre>|<table[ >].*?</table>|<a class=\"headerlink\".*?</a>",
                   " ", above, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", above)).split()) or None

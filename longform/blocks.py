"""Essay components: ```chart, ```stats, ```insight and ```pullquote fences (YAML bodies, through
pymdown-extensions' superfences), pull quotes marked {.pullquote}, and the feed's version of them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from longform.errors import ContentError
from longform.fences import Block, BlockError, fence_line, parsed_block
from longform.pymdown import SuperFencesException

if TYPE_CHECKING:
    from longform.charts import Chart
    from longform.content import Essay

NUMBER = re.compile(r"\d")  # a value worth counting up has a digit in it
STAT_KEYS = {"value", "label", "note"}


@dataclass(frozen=True)
class Insight:
    question: str
    answer: str  # plain text; blank lines separate paragraphs
    id: str  # the card's anchor in its essay, e.g. "insight-1"


@dataclass
class BlockState:
    """What the fences of one essay share while it converts: where to look, what they made."""

    essay: Essay
    charts_dir: Path
    cache_dir: Path | None
    charts: list[Chart] = field(default_factory=list)
    insights: list[Insight] = field(default_factory=list)
    files_read: list[Path] = field(default_factory=list)  # chart modules and data files
    fences_seen: set[int] = field(default_factory=set)  # so identical blocks get their own lines
    error: ContentError | None = None


def custom_fences() -> list[dict]:
    """The superfences entries for our four blocks."""
    renderers = {"chart": chart_html, "stats": stats_html, "insight": insight_html,
                 "pullquote": pullquote_html}
    return [{"name": name, "class": name, "format": formatter(name, render)}
            for name, render in renderers.items()]


def formatter(name: str, render):
    def format_fence(source, language, css_class, options, md, **kwargs) -> str:
        state: BlockState = md.longform
        line = fence_line(state.essay, state.fences_seen, name, source)
        try:
            return render(source, line, state, md)
        except BlockError as error:
            state.error = state.error or error
            raise
        except Exception as error:
            # A bug of ours; superfences would quietly show the block as code instead.
            raise SuperFencesException(f"{name} block at line {line} failed") from error

    return format_fence


def raise_pending(state: BlockState) -> None:
    """Raise a block error that something between superfences and us may have swallowed."""
    if state.error is not None:
        raise state.error


def chart_html(source: str, line: int, state: BlockState, md) -> str:
    # Here, not at the top: an edit's render worker imports this module before its job
    # comes, and most essays have no chart (charts.py and its YAML and Vega-Lite code: 5 ms).
    from longform import charts
    block = parsed_block(source, line, state.essay.source, "chart")
    chart, files = charts.chart_from_block(block, state.charts_dir, state.cache_dir)
    state.charts.append(chart)
    state.files_read.extend(files)
    return figure_html(chart, f"chart-{len(state.charts)}")


def figure_html(chart: Chart, anchor: str) -> str:
    """The chart as a figure: title, static SVG, caption, data table, and the spec for charts.js."""
    caption = f'<p class="chart__caption">{escape(chart.caption)}</p>' if chart.caption else ""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in chart.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in chart.rows)
    return (
        f'<figure class="chart" id="{anchor}">'
        f'<figcaption class="chart__title">{escape(chart.title)}</figcaption>'
        f'<div class="chart__view" role="img" aria-label="{escape(chart.alt)}">{chart.svg}</div>'
        f"{caption}"
        f'<details class="chart__data"><summary>Show data</summary><div class="chart__table">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
        f'<script type="application/json" class="chart__spec">{script_json(chart.spec_json)}'
        "</script></figure>"
    )


def script_json(text: str) -> str:
    """JSON that cannot end its <script> element early: < > & become \\u escapes."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def stats_html(source: str, line: int, state: BlockState, md) -> str:
    block = parsed_block(source, line, state.essay.source, "stats")
    items, where = block.data, ()
    if isinstance(items, dict) and "items" in items:
        items, where = items["items"], ("items",)
    if not isinstance(items, list) or not items:
        raise block.error("a stats block is a list of {value:, label:, note:} items", *where)
    return '<dl class="stats">' + "".join(
        stat_html(block, item, (*where, index)) for index, item in enumerate(items)) + "</dl>"


def stat_html(block: Block, item: Any, where: tuple) -> str:
    if not isinstance(item, dict) or item.get("value") in (None, ""):
        raise block.error("a stats item needs a value: such as 175B or +42%", *where)
    for key in item:
        if key not in STAT_KEYS:
            raise block.error(f"a stats item takes value:, label: and note:, not {key}:",
                              *where, key)
    if item.get("label") in (None, ""):
        raise block.error("a stats item needs a label:", *where)
    value = str(item["value"])
    count = " data-count" if NUMBER.search(value) else ""
    note = f'<dd class="stat__note">{escape(str(item["note"]))}</dd>' if item.get("note") else ""
    return (f'<div class="stat"><dt class="stat__label">{escape(str(item["label"]))}</dt>'
            f'<dd class="stat__value"{count}>{escape(value)}</dd>{note}</div>')


def insight_html(source: str, line: int, state: BlockState, md) -> str:
    block = parsed_block(source, line, state.essay.source, "insight")
    if not isinstance(block.data, dict):
        raise block.error("an insight block is a mapping with question: and answer:")
    for key in ("question", "answer"):
        if not str(block.data.get(key) or "").strip():
            raise block.error(f"an insight needs an {key}:", *([key] if key in block.data else []))
    insight = Insight(question=str(block.data["question"]).strip(),
                      answer=str(block.data["answer"]).strip(),
                      id=f"insight-{len(state.insights) + 1}")
    state.insights.append(insight)
    answer = "".join(f"<p>{escape(p.strip())}</p>" for p in insight.answer.split("\n\n")
                     if p.strip())
    return (
        f'<details class="insight" id="{insight.id}"><summary>'
        '<span class="insight__label">Key Insight</span>'
        f'<span class="insight__question">{escape(insight.question)}</span>'
        '<span class="insight__hint"><span class="insight__hint-closed">Tap to reveal</span>'
        '<span class="insight__hint-open">Hide answer</span></span></summary>'
        f'<div class="insight__answer">{answer}</div></details>'
    )


def pullquote_html(source: str, line: int, state: BlockState, md) -> str:
    """The quote's Markdown through this essay's own block parser and inline patterns."""
    if not source.strip():
        raise BlockError(state.essay.source, line, "a pullquote block needs the quote's text")
    root = etree.Element("blockquote", {"class": "pullquote"})
    md.parser.parseChunk(root, source)
    for processor in md.treeprocessors:
        if isinstance(processor, InlineProcessor):
            processor.run(root)
    return md.serializer(root)


class PullQuoteExtension(Extension):
    """Makes `> quote` + `{.pullquote}` the same <blockquote class="pullquote"> as the fence."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(PullQuotes(md), "longform_pullquotes", 7)  # after attr_list


class PullQuotes(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        # attr_list puts the class on the quote's last paragraph; it belongs on the quote.
        marked = [(parent, child) for parent in root.iter() for child in parent
                  if child.tag == "p" and "pullquote" in child.get("class", "").split()]
        for parent, paragraph in marked:
            classes = [c for c in paragraph.attrib.pop("class").split() if c != "pullquote"]
            if classes:
                paragraph.set("class", " ".join(classes))
            quote = parent if parent.tag == "blockquote" else wrapped_in_quote(parent, paragraph)
            quote.set("class", " ".join(dict.fromkeys([*quote.get("class", "").split(),
                                                       "pullquote"])))


def wrapped_in_quote(parent: etree.Element, paragraph: etree.Element) -> etree.Element:
    """A pull quote marked on a bare paragraph: wrap it so both forms give the same markup."""
    quote = etree.Element("blockquote")
    quote.tail, paragraph.tail = paragraph.tail, None
    parent.insert(list(parent).index(paragraph), quote)
    parent.remove(paragraph)
    quote.append(paragraph)
    return quote


def feed_html(html: str) -> str:
    """The essay's HTML for the Atom feed: no pull quotes (they repeat the text), no scripts,
    insight cards open; charts keep their static SVG and data table."""
    if not _feed_edited(html):
        return html  # most essays: nothing to drop or open, no need to parse
    edits = FeedEdits(html)
    out, last = [], 0
    for start, end, insert in sorted(edits.edits):
        out += [html[last:start], insert]
        last = end
    return "".join(out) + html[last:]


# Every tag FeedEdits changes holds one of these (parsed tags are lower-cased: any case here).
_FEED_EDITED = re.compile(r"<script|<details|pullquote|insight__hint", re.I)


def _feed_edited(html: str) -> bool:
    """Whether _FEED_EDITED finds something. A case-blind regex search costs 0.7 ms an essay;
    lower-casing ASCII and looking for plain strings gives the same answer in a tenth. Beyond
    ASCII only four letters fold to the ASCII ones a case-blind regex compares (İ ı ſ K): any
    other character, in bytes.lower()'s UTF-8, can neither make nor break a match."""
    if not html.isascii() and any(letter in html for letter in _FOLDING_TO_ASCII):
        return bool(_FEED_EDITED.search(html))
    lowered = html.encode().lower()  # str.lower() of a non-ASCII text costs as much again
    return any(word in lowered for word in (b"<script", b"<details", b"pullquote",
                                            b"insight__hint"))


_FOLDING_TO_ASCII = "\u0130\u0131\u017f\u212a"


class FeedEdits(HTMLParser):
    """(start, end, replacement) offsets that turn page HTML into feed HTML."""

    DROP_CLASSES = {"pullquote", "insight__hint"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.edits: list[tuple[int, int, str]] = []
        self.dropping: tuple[str, int, int] | None = None  # (tag, depth, start offset)
        self.feed(html)
        self.close()

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.dropping:
            name, depth, start = self.dropping
            self.dropping = (name, depth + (tag == name), start)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "script" or classes & self.DROP_CLASSES:
            self.dropping = (tag, 1, self.position())
        elif tag == "details" and "insight" in classes and "open" not in dict(attrs):
            at = self.position() + len("<details")
            self.edits.append((at, at, " open"))

    def handle_endtag(self, tag: str) -> None:
        if not self.dropping or tag != self.dropping[0]:
            return
        name, depth, start = self.dropping
        if depth > 1:
            self.dropping = (name, depth - 1, start)
            return
        end = self.html.index(">", self.position()) + 1
        self.edits.append((start, end, ""))
        self.dropping = None

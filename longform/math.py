"""Math in essays: find it in the Markdown, shield it from the rest of Markdown, and turn it
into MathML at build time (mathml.py), each distinct expression once.

Syntax: `$…$` and `\\(…\\)` inline; `$$…$$` is display math when it is alone in its paragraph and
inline inside a sentence (kramdown's rule, which Jekyll blogs rely on); `\\[…\\]`,
`\\begin{env}…\\end{env}` and ```` ```math ```` fences are display math. A dollar sign opens
math only when no letter or digit stands before it and no space after it, and closes it only
when no space stands before it and no digit after it: "$5 and $10" and "US$3" stay text.
`\\$` is a dollar sign. Code spans and code blocks are parsed first, so they never hold math.
"""

import re
import sqlite3
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path

from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from .cache import digest
from .cachedb import connection, forget, store
from .errors import ContentWarning

INLINE = re.compile(
    r"(?<![\\\w$])\$\$(?!\$)(?P<double>.+?)(?<!\\)\$\$"
    r"|(?<![\\\w$])\$(?![\s$])(?P<single>(?:\\.|[^\\$])+?)(?<![\s\\])\$(?![\d$])"
    r"|\\\((?P<round>.+?)\\\)"
    r"|\\\[(?P<square>.+?)\\\]", re.S)
_OPENERS = re.compile(r"^ {0,3}(\$\$|\\\[|\\begin\{([A-Za-z]+\*?)\})")


@dataclass
class MathState:
    """What the math of one essay shares while it converts: where it is, what went wrong."""

    essay: object  # content.Essay
    cache_dir: Path | None
    warnings: list[ContentWarning] = field(default_factory=list)
    fresh: dict = field(default_factory=dict)  # cache key → (html, reason): new this time
    failed: dict = field(default_factory=dict)  # source text → failures so far, for its line


def math_html(latex: str, display: bool, raw: str, state: MathState) -> str:
    """The expression's MathML (display math in a box that scrolls on its own), or, when it
    cannot convert, its source as code and a warning at its line."""
    html, reason = _converted(latex, display, state)
    if reason is None:
        # Focusable: a keyboard reader must be able to scroll an equation wider than the column.
        return f'<div class="math-display" tabindex="0">{html}</div>' if display else html
    state.warnings.append(ContentWarning(
        state.essay.source, _line(raw, state),
        f"math '{_quoted(raw)}' cannot be converted ({reason}); it is shown as code"))
    if display:
        return f'<pre class="math-error"><code>{escape(raw)}</code></pre>'
    return f'<code class="math-error">{escape(raw)}</code>'


def _quoted(raw: str) -> str:
    text = " ".join(raw.split())
    return text if len(text) <= 60 else text[:57] + "…"


def _line(raw: str, state: MathState) -> int:
    """The body line where this text stands: its nth occurrence for its nth failure. Inside a
    list or a quote its lines carry prefixes, so then its first line with a letter is sought."""
    body = state.essay.body_md
    nth = state.failed[raw] = state.failed.get(raw, 0) + 1
    lines = [line.strip() for line in raw.splitlines() if re.search(r"\w", line)] or [raw]
    for needle in (raw, lines[0]):
        start = -1
        for _ in range(nth):
            start = body.find(needle, start + 1)
            if start < 0:
                break
        if start >= 0:
            return state.essay.body_line + body.count("\n", 0, start)
    return state.essay.body_line


# --- Markdown ------------------------------------------------------------------------------------


class MathExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.ESCAPED_CHARS.append("$")
        # After code spans (190), before backslash escapes (180) and everything else.
        md.inlinePatterns.register(InlineMath(INLINE.pattern, md), "longform_math", 185)
        # After indented code (80), before headings, lists and paragraphs.
        md.parser.blockprocessors.register(DisplayMath(md.parser), "longform_math", 75)


class InlineMath(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        latex = m.group("double") or m.group("single") or m.group("round")
        display = latex is None
        latex = m.group("square") if display else latex
        html = math_html(latex, display, m.group(0), self.md.longform_math)
        return self.md.htmlStash.store(html), m.start(0), m.end(0)


class DisplayMath(BlockProcessor):
    """Display math alone in its paragraph, however many blank lines it holds."""

    def test(self, parent, block) -> bool:
        return bool(_OPENERS.match(block))

    def run(self, parent, blocks):
        opener = _OPENERS.match(blocks[0])
        closer = {"$$": "$$", "\\[": "\\]"}.get(opener.group(1)) or f"\\end{{{opener.group(2)}}}"
        text, used = blocks[0], 1
        end = _closing(text, opener, closer)
        while end is None and used < len(blocks):
            text, used = text + "\n\n" + blocks[used], used + 1
            end = _closing(text, opener, closer)
        if end is None or text[end:].strip():
            return False  # unclosed, or text follows in the paragraph: inline math, if any
        raw = text.strip()
        latex = raw if opener.group(2) else text[opener.end():end - len(closer)]
        del blocks[:used]
        paragraph = etree.SubElement(parent, "p")  # unwrapped when the stash is put back
        # Atomic: inline patterns have nothing to look for in a placeholder.
        paragraph.text = AtomicString(self.parser.md.htmlStash.store(
            math_html(latex, True, raw, self.parser.md.longform_math)))
        return True


def _closing(text: str, opener: re.Match, closer: str) -> int | None:
    """Where the math that opener starts ends (just past its closer), if it does."""
    if not opener.group(2):
        at = text.find(closer, opener.end())
        return None if at < 0 else at + len(closer)
    depth, position = 0, opener.start(1)
    pattern = re.compile(r"\\(begin|end)\{" + re.escape(opener.group(2)) + r"\}")
    for found in pattern.finditer(text, position):
        depth += 1 if found.group(1) == "begin" else -1
        if depth == 0:
            return found.end()
    return None


def fence_format(source, language, css_class, options, md, **kwargs) -> str:
    """```math fences (superfences' custom fence): display math."""
    return math_html(source, True, source.strip("\n"), md.longform_math)


def custom_fences() -> list[dict]:
    return [{"name": "math", "class": "math", "format": fence_format}]


# --- The cache: each distinct expression converted once -------------------------------------------
# In memory for the process; in .longform-cache/math.sqlite for the next build. Workers of a
# process pool each read it and write what they converted when their essay is done.

CACHE_FILE = "math.sqlite"
SCHEMA = "CREATE TABLE IF NOT EXISTS math (key TEXT PRIMARY KEY, html TEXT NOT NULL, reason TEXT)"
_memory: dict[str, tuple[str, str | None]] = {}


def _converted(latex: str, display: bool, state: MathState) -> tuple[str, str | None]:
    key = digest(_code_version(), "block" if display else "inline", latex)
    known = _memory.get(key) or _stored(key, state.cache_dir)
    if known is None:
        # Imported for the first expression to convert: latex2mathml's import (its symbol
        # table, urllib.request by way of xml.sax) is a fifth of a rebuild's start-up.
        from . import mathml
        try:
            known = (mathml.mathml(latex, display), None)
        except mathml.MathError as error:
            known = ("", str(error))
        state.fresh[key] = known
    _memory[key] = known
    return known


@lru_cache(maxsize=1)
def _code_version() -> str:
    from .cache import version
    here = Path(__file__).parent
    sources = [(here / name).read_bytes() for name in ("mathml.py", "mathfast.py")]
    return digest(version("latex2mathml"), *sources)


def store_new(state: MathState) -> None:
    """Write the expressions this essay converted for the first time to the cache file."""
    database = connection(state.cache_dir, CACHE_FILE, SCHEMA) if state.fresh else None
    if database is None:
        return
    try:
        store(database, "INSERT OR REPLACE INTO math VALUES (?, ?, ?)",
              [(key, html, reason) for key, (html, reason) in state.fresh.items()])
    except sqlite3.Error:
        forget(state.cache_dir, CACHE_FILE)
    state.fresh.clear()


def _stored(key: str, cache_dir: Path | None) -> tuple[str, str | None] | None:
    database = connection(cache_dir, CACHE_FILE, SCHEMA)
    if database is None:
        return None
    try:
        row = database.execute("SELECT html, reason FROM math WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        forget(cache_dir, CACHE_FILE)
        return None
    return (row[0], row[1]) if row else None

"""What every dialect pass shares: where code and math sit (never touched), and the essay the
pass works on, with its problems at the writer's lines.

Every pass returns text with exactly as many line breaks before each position as the input had,
so a line number counted in the translated text is the writer's line."""

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..content import Essay
from ..errors import ContentError, ContentWarning

_FENCE = re.compile(r"^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})", re.M)
# Each pattern starts with the character it needs and looks behind that, not before it: a
# leading look-behind makes the regex engine try every position of the text, not just those
# holding a backtick or a dollar. (Group 1 holds the code span's opening backticks but one.)
_CODE_SPAN = re.compile(r"`(?<!``)(`*)(?!`)(?:[^`\n]|`(?!`\1)|\n(?![ \t]*\n))+?(?<!`)`\1(?!`)")
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"\$(?<![\\$]\$)(?![\s$])[^$\n]*?(?<![\s\\])\$(?![\d$])")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]")


class Protected:
    """The character spans of fenced and indented code, code spans and math in a text."""

    def __init__(self, text: str):
        spans = _code_blocks(text)
        spans += _spans_outside(_CODE_SPAN, text, spans)
        spans += _spans_outside(_DISPLAY_MATH, text, spans)
        spans += _spans_outside(_INLINE_MATH, text, spans)
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.spans = spans

    def span_at(self, position: int) -> tuple[int, int] | None:
        """The protected span holding position, if any."""
        index = bisect.bisect_right(self.starts, position) - 1
        if index >= 0 and self.spans[index][0] <= position < self.spans[index][1]:
            return self.spans[index]
        return None


@lru_cache(maxsize=8)
def protected_spans(text: str) -> Protected:
    """Protected(text), made once for a text that several passes read unchanged (Liquid's raw
    tags and tags, kramdown's two looks: up to five an essay). Read only, so it can be shared."""
    return Protected(text)


def _code_blocks(text: str) -> list[tuple[int, int]]:
    """Fenced blocks (to their closing fence, or the end) and indented code blocks (not the
    indented paragraphs of a list item)."""
    reading = _CodeReading()
    position = 0  # where the lines not read yet start
    for start in _code_line_starts(text):
        if start > position:  # some other lines: no code starts or ends there
            reading.others(text, position, start - 1)
        position = reading.line(text, start)
    if position <= len(text):  # split("\n")'s last line, even an empty one
        reading.others(text, position, len(text))
    if reading.fence:
        reading.spans.append((reading.start, len(text)))
    return reading.spans


# A line _FENCE or _INDENTED matches: only these are read one by one. Between them, a run of
# other lines can only end an indented block and give the last line of prose.
_CODE_LINE = re.compile(r"[ \t]*(?:>[ \t]*)*(?:`{3}|~{3})| {4}|\t")
_NOT_SPACE = re.compile(r"\S")


def _code_line_starts(text: str) -> list[int]:
    """Where the lines _CODE_LINE matches start, in order: found by str.find of a character
    they must hold (a backtick, a tilde, a tab) or of a line break and four spaces. A regex
    with ^ and re.M would be tried at every position of the text."""
    starts = {0} if _CODE_LINE.match(text) else set()
    for mark, skip in (("`", 1), ("~", 1), ("\t", 1), ("\n    ", 0)):
        at = text.find(mark)
        while at >= 0:
            line = text.rfind("\n", 0, at + 1 - skip) + 1
            if line not in starts and _CODE_LINE.match(text, line):
                starts.add(line)
            line_break = text.find("\n", at + 1)  # the next line's: this one is read
            at = text.find(mark, line_break + skip) if line_break >= 0 else -1
    return sorted(starts)


class _CodeReading:
    """Where _code_blocks is in a text: an open fence, an indented block still open (the last
    span), whether the line before was blank, and the last line of prose (a list item's
    indented paragraph is no code)."""

    def __init__(self):
        self.spans: list[tuple[int, int]] = []
        self.fence, self.start = None, 0
        self.indented, self.blank, self.last_prose = False, True, ""

    def line(self, text: str, offset: int) -> int:
        """Read the line at offset (a fence's or an indented one); where the next one starts."""
        stop = text.find("\n", offset)
        line = text[offset:] if stop < 0 else text[offset:stop]
        end = offset + len(line) + 1
        opener = _FENCE.match(line)
        if self.fence:
            if opener and opener.group(1)[0] == self.fence[0] and \
                    len(opener.group(1)) >= len(self.fence):
                self.spans.append((self.start, end))
                self.fence = None
        elif self.indented and (not line.strip() or _INDENTED.match(line)):
            self.spans[-1] = (self.spans[-1][0], end)
        else:
            self.indented = False
            if opener:
                self.fence, self.start = opener.group(1), offset
            elif line.strip() and _INDENTED.match(line) and self.blank and not (
                    _LIST_ITEM.match(self.last_prose) or _INDENTED.match(self.last_prose)):
                self.spans.append((offset, end))
                self.indented = True
            elif line.strip():
                self.last_prose = line
        self.blank = not line.strip()
        return end

    def others(self, text: str, offset: int, stop: int) -> None:
        """Read the lines of text[offset:stop], none a fence's nor indented, all at once:
        blank ones extend an open indented block, the first other one ends it, and the last
        non-blank one is the last line of prose."""
        first = _NOT_SPACE.search(text, offset, stop)
        if not self.fence:
            if self.indented:
                # Each blank line's end is where the next line starts.
                reach = stop + 1 if first is None else text.rfind("\n", offset, first.start()) + 1
                if reach > offset:
                    self.spans[-1] = (self.spans[-1][0], reach)
                self.indented = first is None
            if first is not None:
                last = len(text[offset:stop].rstrip()) + offset - 1
                line_stop = text.find("\n", last, stop)
                self.last_prose = text[max(offset, text.rfind("\n", offset, last) + 1):
                                       stop if line_stop < 0 else line_stop]
        last_line = text.rfind("\n", offset, stop) + 1
        self.blank = _NOT_SPACE.search(text, max(last_line, offset), stop) is None


def _spans_outside(pattern: re.Pattern, text: str, taken: list) -> list[tuple[int, int]]:
    found = []
    inside = _Within(taken)
    for match in pattern.finditer(text):
        if not inside(match.start()):
            found.append(match.span())
    return found


class _Within:
    def __init__(self, spans):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def __call__(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and self.spans[index][0] <= position < self.spans[index][1]


@dataclass
class Context:
    """One essay's translation: its record, what it can link to, and what the passes found."""

    essay: Essay
    links: object  # markdown.Links
    stash: object  # Python-Markdown's HtmlStash: HTML that Markdown puts back untouched
    problems: list = field(default_factory=list)
    deps: list = field(default_factory=list)  # ("link", path, url) and ("file", path, hash)
    text: str = ""  # the text the current pass reads, for line numbers

    def line(self, position: int) -> int:
        return self.essay.body_line + self.text.count("\n", 0, position)

    def warn(self, position: int, message: str) -> None:
        self.problems.append(ContentWarning(self.essay.source, self.line(position), message))

    def fail(self, position: int, message: str) -> None:
        """An error that does not stop the essay: the run goes on to find the rest."""
        self.problems.append(ContentError(self.essay.source, self.line(position), message))

    def dead_link(self, position: int, message: str) -> None:
        """A link to no essay: an error, or a warning on a site that set broken_links = "warn"."""
        config = self.links.config
        if config is not None and config.broken_links == "warn":
            self.warn(position, message)
        else:
            self.fail(position, message)

    def store(self, html: str) -> str:
        """A placeholder that becomes html in the page (a block when alone on its line)."""
        return self.stash.store(html)

    def unstashed(self, text: str) -> str:
        """text with the placeholders of store() replaced by their HTML."""
        return _PLACEHOLDER.sub(lambda m: self.stash.rawHtmlBlocks[int(m.group(1))], text)

    def essay_url(self, position: int, name: str, what: str) -> str | None:
        """The URL of the essay `name` names (with its #fragment), or None after noting why
        there is none."""
        from .essays import essay_named, names_digest
        path = essay_named(self.links, name)
        fragment = "#" + name.split("#", 1)[1] if "#" in name else ""
        if path is None:
            self.deps.append(("names", "", names_digest(self.links)))
            self.dead_link(position, f"{what} names '{name}', but there is no such essay in "
                                     "content/; check the name")
            return None
        url = self.links.essay_urls.get(path)
        self.deps.append(("link", str(path), url))
        if url is None:
            self.dead_link(position, f"{what} names '{name}', a draft left out of this build; "
                                     "build with --drafts or remove the link")
            return None
        return url + fragment


def replaced_outside_code(text: str, token: re.Pattern, replaced, ctx: Context) -> str:
    """text with each match of token outside code and math replaced: replaced(text, match, ctx)
    gives the replacement and the position where reading goes on."""
    ctx.text = text
    spans = protected_spans(text)
    out, position = [], 0
    while match := token.search(text, position):
        span = spans.span_at(match.start())
        if span:
            out.append(text[position:span[1]])
            position = span[1]
            continue
        out.append(text[position:match.start()])
        replacement, position = replaced(text, match, ctx)
        out.append(replacement)
    out.append(text[position:])
    return "".join(out)


def padded(replacement: str, original: str) -> str:
    """replacement with line breaks added so it spans as many lines as original did."""
    missing = original.count("\n") - replacement.count("\n")
    return replacement + "\n" * max(missing, 0)


def fenced(code: str, language: str, options: str, indent: str) -> str:
    """A fenced block that superfences highlights as it does any fence; code keeps its lines."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    body = code if code.startswith("\n") else "\n" + code
    body = body if body.endswith("\n") else body + "\n"
    header = " ".join(part for part in (language, options) if part)
    return f"{fence}{header}{body}{indent}{fence}"


def alone_on_line(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is the only thing on its line(s)."""
    before = text[text.rfind("\n", 0, start) + 1:start]
    after_end = text.find("\n", end)
    after = text[end:after_end if after_end >= 0 else len(text)]
    return not before.strip() and not after.strip()


def indent_of(text: str, start: int) -> str:
    before = text[text.rfind("\n", 0, start) + 1:start]
    return before if not before.strip() else ""

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
    spans: list[tuple[int, int]] = []
    offset, fence, start = 0, None, 0
    indented, blank, last_prose = False, True, ""
    for line in text.split("\n"):
        end = offset + len(line) + 1
        opener = _FENCE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                spans.append((start, end))
                fence = None
        elif indented and (not line.strip() or _INDENTED.match(line)):
            spans[-1] = (spans[-1][0], end)
        else:
            indented = False
            if opener:
                fence, start = opener.group(1), offset
            elif line.strip() and _INDENTED.match(line) and blank and not (
                    _LIST_ITEM.match(last_prose) or _INDENTED.match(last_prose)):
                spans.append((offset, end))
                indented = True
            elif line.strip():
                last_prose = line
        blank = not line.strip()
        offset = end
    if fence:
        spans.append((start, len(text)))
    return spans


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

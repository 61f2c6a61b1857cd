"""Python-Markdown's inline pass, minus the pattern tries that cannot match.

The pass tries every inline pattern (links, emphasis, code, footnotes, math, …) on every text
of the tree, in order, and each try costs several Python calls even when the pattern's regex
finds nothing. Every pattern we use must start with one of a few characters ([ for a link,
* or _ for emphasis, ` for code) or a fixed string (two spaces and a newline for a line
break): on a text holding none of them the try can only fail, so we skip it and carry on
exactly as the failed try would have. The HTML stays the same, byte for byte; about a third
of the Markdown time goes.
"""

import re
import re._parser as sre  # the standard library's regex parser: what a pattern can start with
import xml.etree.ElementTree as etree
from collections import deque
from functools import cache

from markdown import util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_WIDEST_RANGE = 256  # a class of more characters than this tells us nothing worth checking
_PLACEHOLDER = util.INLINE_PLACEHOLDER_PREFIX  # an inline pass's stand-in for a node it made


@cache
def first_characters(regex: re.Pattern) -> frozenset | None:
    """Every character a match of regex can start with, or None when that is not known: the
    regex can match any character or nothing at all, or ignores case."""
    if regex.flags & re.IGNORECASE:
        return None
    try:
        firsts, can_be_empty = _firsts(sre.parse(regex.pattern, regex.flags))
    except (re.error, TypeError, ValueError):  # a bytes pattern, a construct we do not know
        return None
    return None if firsts is None or can_be_empty else frozenset(firsts)


def _firsts(items) -> tuple[set | None, bool]:
    """(the characters a sequence of regex items can start with or None, whether it can match
    the empty string)."""
    found: set = set()
    for op, value in items:
        if op in _ZERO_WIDTH:  # anchors and look-arounds consume nothing: look further
            continue
        if op is sre.LITERAL:
            return found | {chr(value)}, False
        if op is sre.IN:
            inside = _class_characters(value)
            return (None if inside is None else found | inside), False
        if op is sre.SUBPATTERN:
            added_flags, sub = value[1], value[3]
            firsts, empty = (None, False) if added_flags & re.IGNORECASE else _firsts(sub)
        elif op is sre.ATOMIC_GROUP:
            firsts, empty = _firsts(value)
        elif op is sre.BRANCH:
            firsts, empty = _branch_firsts(value[1])
        elif op in _REPEATS:
            least, _, sub = value
            firsts, empty = _firsts(sub)
            empty = empty or least == 0
        else:  # any character, a negated one, a category, a back-reference, a condition
            return None, False
        if firsts is None:
            return None, False
        found |= firsts
        if not empty:
            return found, False
    return found, True


def _branch_firsts(branches) -> tuple[set | None, bool]:
    found, can_be_empty = set(), False
    for branch in branches:
        firsts, empty = _firsts(branch)
        if firsts is None:
            return None, False
        found |= firsts
        can_be_empty = can_be_empty or empty
    return found, can_be_empty


def _class_characters(items) -> set | None:
    """The characters of a [class]; None for a negated class or a category (\\w, \\s)."""
    found = set()
    for op, value in items:
        if op is sre.LITERAL:
            found.add(chr(value))
        elif op is sre.RANGE and value[1] - value[0] < _WIDEST_RANGE:
            found.update(chr(c) for c in range(value[0], value[1] + 1))
        else:
            return None
    return found


@cache
def need(regex: re.Pattern) -> str | frozenset | None:
    """What every text regex can match in holds: its fixed start when that is two characters
    or more (a string), else one of its first characters (a set); None when unknown."""
    start = literal_start(regex)
    if len(start) > 1:
        return start
    return first_characters(regex)


def precondition(regex: re.Pattern) -> re.Pattern | None:
    """need(regex) as a regex that finds something in every text regex can match in."""
    needed = need(regex)
    if needed is None:
        return None
    if isinstance(needed, str):
        return re.compile(re.escape(needed))
    return _class_of(needed)


def _class_of(characters) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(characters)) + "]")


def literal_start(regex: re.Pattern) -> str:
    """The characters every match of regex starts with ("" when none is fixed)."""
    if regex.flags & re.IGNORECASE:
        return ""
    try:
        items = sre.parse(regex.pattern, regex.flags)
    except (re.error, TypeError, ValueError):
        return ""
    start = ""
    for op, value in items:
        if op is sre.LITERAL:
            start += chr(value)
        elif op not in _ZERO_WIDTH:
            break
    return start


class SkippingInlineProcessor(InlineProcessor):
    """InlineProcessor that skips a pattern on a text its precondition finds nothing in, and
    leaves alone a text no pattern can change."""

    def run(self, tree, ancestors=None):
        # The patterns in their order and what each needs, once a document. A regex search
        # costs a microsecond or more even when it finds nothing, an alternation of many
        # ten: so one search for all the characters any pattern starts with, and plain
        # substring tests for the fixed starts that hold none of them (a line break's "  \n").
        self._patterns = list(self.inlinePatterns)
        self._needs = [need(p.getCompiledRegExp()) for p in self._patterns]
        starts = frozenset().union(*(n for n in self._needs if isinstance(n, frozenset)))
        self._starts = _class_of(starts) if starts else None
        self._fixed = [n for n in self._needs if isinstance(n, str) and starts.isdisjoint(n)]
        self._known = None not in self._needs
        return self._walked(tree, ancestors)

    def _walked(self, tree, ancestors):
        """Python-Markdown's InlineProcessor.run, in its order (footnotes are numbered as they
        are met), but a text the pass cannot change is not taken out, searched for placeholders
        and put back; and no map of parents is built: its only reader looked up the root."""
        self.stashed_nodes = {}
        process = self._InlineProcessor__processPlaceholders
        handle = self._InlineProcessor__handleInline
        stack = deque([(tree, [*(ancestors or ()), tree.tag.lower()])])
        while stack:
            current, parents = stack.popleft()
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            inserts = []
            for child in current:
                text = child.text
                if text and not isinstance(text, util.AtomicString) and not self._inert(text):
                    self.ancestors.append(child.tag.lower())
                    child.text = None
                    found = process(handle(text), child)
                    stack.extend(found)
                    inserts.append((child, found))
                    self.ancestors.pop()
                tail = child.tail
                if tail and not self._inert(tail):
                    holder = etree.Element("d")
                    child.tail = None
                    found = process(handle(tail), holder, False)
                    if holder.tail:
                        child.tail = holder.tail
                    at = list(current).index(child) + 1
                    for node, _ in reversed(found):
                        current.insert(at, node)
                if len(child):
                    stack.append((child, self.ancestors[:]))
            for element, found in inserts:
                for at, (node, _) in enumerate(found):
                    element.insert(at, node)
        return tree

    def _inert(self, text) -> bool:
        """Whether the pass hands the text back as it is: a plain string with no placeholder
        in it that no pattern can match in."""
        return type(text) is str and _PLACEHOLDER not in text and self._unmatched(text)

    def _unmatched(self, text: str) -> bool:
        # Called for every text of the tree: a loop, not any() over a generator, is the
        # cheaper way through one or two fixed starts.
        if not self._known or (self._starts is not None and self._starts.search(text)):
            return False
        for fixed in self._fixed:
            if fixed in text:
                return False
        return True

    # InlineProcessor calls its private __handleInline for every text and for the texts of the
    # nodes its patterns make; overriding it under its mangled name covers both. Same loop as
    # Python-Markdown's, plus the skip: a failed try returns (data, False, 0). The characters
    # found at the start are all the text can hold: a match only swaps text for a placeholder.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString):
            return data
        present = set(self._starts.findall(data)) if self._starts else set()
        patterns, needs = self._patterns, self._needs
        start = 0
        while patternIndex < len(patterns):
            needed = needs[patternIndex]
            if needed is not None and (needed.isdisjoint(present) if type(needed) is frozenset
                                       else needed not in data):
                patternIndex, start = patternIndex + 1, 0
                continue
            data, matched, start = self._InlineProcessor__applyPattern(
                patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class SkippingInline(Extension):
    """Puts the skipping inline pass in place of Python-Markdown's own, at the same priority."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)

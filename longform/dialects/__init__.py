"""The foreign syntax that migrated posts carry, translated as Markdown starts reading an essay:
Jekyll's Liquid (liquid.py), Hugo's shortcodes (shortcodes.py) and kramdown (kramdown.py).

Each is a text pass that keeps every line where the writer wrote it, so problems point at the
writer's lines, and that never touches code blocks, code spans or math."""

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from . import kramdown, liquid, shortcodes
from .text import Context


def context(essay, links, md) -> Context:
    """What translating one essay reads and finds; md.longform_dialects for the preprocessor."""
    return Context(essay, links, md.htmlStash)


def translated(text: str, ctx: Context) -> str:
    """The Markdown with every dialect translated; problems and reads go into ctx."""
    if "{%" in text or "{{" in text:
        text = liquid.translated(text, ctx)
    if "{{<" in text or "{{%" in text:
        text = shortcodes.translated(text, ctx)
    if "{:" in text or "TOC" in text:
        text = kramdown.translated(text, ctx)
    return text


class _Translate(Preprocessor):
    # After Markdown's whitespace normalising (which would drop the HTML placeholders the
    # passes leave), before fenced code (which must see the fences {% highlight %} becomes).
    def run(self, lines: list[str]) -> list[str]:
        ctx = getattr(self.md, "longform_dialects", None)
        if ctx is None:
            return lines
        return translated("\n".join(lines), ctx).split("\n")


class DialectExtension(Extension):
    """The dialect passes, and the kramdown attribute lists on a line of their own."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_Translate(md), "longform_dialects", 29)
        md.treeprocessors.register(kramdown.BlockLists(md), "kramdown_block_lists", 7)

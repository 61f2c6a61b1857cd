"""The foreign syntax that migrated posts carry, translated before Markdown reads the essay:
Jekyll's Liquid (liquid.py), Hugo's shortcodes (shortcodes.py) and kramdown (kramdown.py).

Each is a text pass that keeps every line where the writer wrote it, so problems point at the
writer's lines, and that never touches code blocks, code spans or math."""

from markdown.extensions import Extension

from . import kramdown, liquid, shortcodes
from .text import Context


def translated(essay, links, stash) -> tuple[str, Context]:
    """The essay's Markdown with every dialect translated, and what translating found: its
    problems (errors and warnings at their lines) and what it read (links, templates)."""
    ctx = Context(essay, links, stash)
    text = essay.body_md
    if "{%" in text or "{{" in text:
        text = liquid.translated(text, ctx)
    if "{{<" in text or "{{%" in text:
        text = shortcodes.translated(text, ctx)
    if "{:" in text:
        text = kramdown.translated(text, ctx)
    return text, ctx


class DialectExtension(Extension):
    """Gives a kramdown attribute list on its own line to the block above it."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(kramdown.BlockLists(md), "kramdown_block_lists", 7)

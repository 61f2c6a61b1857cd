"""Python-Markdown's tree passes, minus work that cannot change anything.

After parsing, several passes walk the whole tree of every essay, each looking for something
most essays do not have. Where what a pass looks for needs one character (or the marker text)
to be present, a text lacking it is passed over, or the walk skipped when no text has it. The
HTML stays the same, byte for byte:

- toc puts the contents list where a paragraph reads just "[TOC]" (kramdown's {:toc} becomes
  one), and to find it walked the tree joining every element's text with its descendants'
  (here the walk happens only when some text holds the marker, and joins nothing); it also
  built that list as a tree, and serialized and post-processed it as `md.toc`, for every
  essay: only a marker uses the list (the theme's comes from `md.toc_tokens`);
- attr_list reads a list only where a text or tail ends with "}" (before spaces and a line
  break) or a tail starts with "{": literal braces elsewhere in prose ({{ page.title }} kept
  as text) do not make it walk;
- unescape puts back backslash-escaped characters, which the inline pass left as STX, code, ETX;
- prettify asks of every element whether it is a block, each time searching a list of fifty
  names: here a set made once a run answers.
"""

import xml.etree.ElementTree as etree

from markdown import util
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.treeprocessors import PrettifyTreeprocessor, UnescapeTreeprocessor


class _MarkerSkippingToc(TocTreeprocessor):
    def run(self, doc) -> None:
        # Headings' ids and permalinks add no text, so a marker is there now or never.
        self._marked = bool(self.marker) and any(self.marker in element.text
                                                 for element in doc.iter() if element.text)
        super().run(doc)

    def replace_marker(self, root, elem) -> None:
        """Python-Markdown's, minus joining the text of every element and its descendants to
        pass over the empty ones: a paragraph holding just the marker is never empty."""
        if not self._marked:
            return
        # Python-Markdown walks with a recursive generator (a frame an element); the same
        # elements (none inside a heading, pre or code) are looked at here, from a list.
        parents = [root]
        while parents:
            parent = parents.pop()
            for index, child in enumerate(parent):
                if self.header_rgx.match(child.tag) or child.tag in ("pre", "code"):
                    continue
                if child.text and child.text.strip() == self.marker and len(child) == 0:
                    parent[index] = elem
                else:
                    parents.append(child)

    def build_toc_div(self, toc_list: list) -> etree.Element:
        # Without a marker the list is never shown: md.toc is then an empty <div>.
        return super().build_toc_div(toc_list) if self._marked else etree.Element("div")


class Toc(TocExtension):
    """toc, with its configuration, walking for the marker (and building the list) only when
    some text holds it."""

    TreeProcessorClass = _MarkerSkippingToc


def _may_hold_attr_list(root) -> bool:
    """Whether some text or tail could hold an attribute list where attr_list looks for one:
    its block patterns end in `}[ ]*$` ($ also before a last line break), its inline one starts
    the tail of an element with `{`."""
    for element in root.iter():
        for text in (element.text, element.tail):
            if text and "{" in text and (text[0] == "{" or text.rstrip(" \n").endswith("}")):
                return True
    return False


def _attr_lists_if_any(run):
    def skipping(root):
        return run(root) if _may_hold_attr_list(root) else None
    return skipping


def _unescape_if_escaped(unescape):
    def skipping(text: str) -> str:
        return unescape(text) if util.STX in text else text
    return skipping


class _Prettify(PrettifyTreeprocessor):
    def run(self, root) -> None:
        self._blocks = frozenset(self.md.block_level_elements)  # extensions may have added some
        super().run(root)

    def _is_block(self, tag) -> bool:  # Markdown.is_block_level, against the set
        return isinstance(tag, str) and tag.lower().rstrip("/") in self._blocks

    def _prettifyETree(self, elem) -> None:  # noqa: N802 (Python-Markdown's name)
        # Python-Markdown's, line for line, but for the block test.
        if self._is_block(elem.tag) and elem.tag not in ("code", "pre"):
            if (not elem.text or not elem.text.strip()) and len(elem) and \
                    self._is_block(elem[0].tag):
                elem.text = "\n"
            for child in elem:
                if self._is_block(child.tag):
                    self._prettifyETree(child)
        if not elem.tail or not elem.tail.strip():
            elem.tail = "\n"


class SkippingTreePasses(Extension):
    """attr_list's walk only for a tree with a "{"; unescape's regex only on a text with an
    escape; prettify's block test against a set. Listed after attr_list; a pass another
    extension replaced is left as it is."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        passes = md.treeprocessors
        if "attr_list" in passes and type(passes["attr_list"]) is AttrListTreeprocessor:
            passes["attr_list"].run = _attr_lists_if_any(passes["attr_list"].run)
        if "unescape" in passes and type(passes["unescape"]) is UnescapeTreeprocessor:
            passes["unescape"].unescape = _unescape_if_escaped(passes["unescape"].unescape)
        if "prettify" in passes and type(passes["prettify"]) is PrettifyTreeprocessor:
            passes.register(_Prettify(md), "prettify", 10)

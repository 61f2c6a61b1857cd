"""Python-Markdown's toc extension, minus its walk for a [TOC] marker the essay does not have.

toc puts the contents list where a paragraph reads just "[TOC]" (kramdown's {:toc} becomes
one), and to find it walks the whole tree joining every element's text, descendants and all,
for every essay. A paragraph that reads the marker holds it in its own text, so when no text
of the tree holds it the walk cannot find anything and is skipped; the HTML stays the same.
"""

from markdown.extensions.toc import TocExtension, TocTreeprocessor


class _MarkerSkippingToc(TocTreeprocessor):
    def replace_marker(self, root, elem) -> None:
        if any(self.marker in element.text for element in root.iter() if element.text):
            super().replace_marker(root, elem)


class Toc(TocExtension):
    """toc, with its configuration, walking for the marker only when some text holds it."""

    TreeProcessorClass = _MarkerSkippingToc

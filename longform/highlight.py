"""Code highlighting (pymdownx.highlight with Pygments) without its setup cost per code block.

For every block, pymdownx.highlight looks its lexer up by name among Pygments' five hundred
and builds a new HtmlFormatter, which works out the colour style's whole CSS table again:
about 1.5 ms a block, more than highlighting a short snippet itself. Both depend only on
their options, so we keep each lexer and each style's table once per process. The HTML is the
same, byte for byte.
"""

from functools import cache

from markdown.extensions import Extension


class ReusedHighlighting(Extension):
    """Makes pymdownx.highlight reuse lexers and style tables (its module-level names are its
    only seam for that; what it writes does not change)."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        import pymdownx.highlight as module  # loads Pygments: only with a Markdown instance
        if getattr(module, "pygments", False) and \
                not issubclass(module.BlockHtmlFormatter, _StyledOnce):
            module.BlockHtmlFormatter = type("BlockHtmlFormatter",
                                             (_StyledOnce, module.BlockHtmlFormatter), {})
            module.get_lexer_by_name = _lexer(module.get_lexer_by_name)


class _StyledOnce:
    """An HtmlFormatter whose style table (token type → class → CSS) is built once a style."""

    _tables: dict = {}

    def _create_stylesheet(self):
        key = (self.style, self.classprefix)
        if key not in self._tables:
            super()._create_stylesheet()
            self._tables[key] = (self.ttype2class, self.class2style)
        ttype2class, class2style = self._tables[key]
        self.ttype2class, self.class2style = dict(ttype2class), dict(class2style)


def _lexer(get_lexer_by_name):
    """get_lexer_by_name, remembering each lexer made (a lexer keeps no state between uses)."""

    @cache
    def made(name: str, options: tuple):
        return get_lexer_by_name(name, **dict(options))

    def lexer(name, **options):
        try:
            return made(name, tuple(sorted(options.items())))
        except TypeError:  # an unhashable option: make it afresh
            return get_lexer_by_name(name, **options)

    return lexer

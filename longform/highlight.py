"""Code highlighting (pymdownx.highlight with Pygments) without its setup cost per code block.

For every block, pymdownx.highlight looks its lexer up by name among Pygments' five hundred
and builds a new HtmlFormatter, which works out the colour style's whole CSS table again:
about 1.5 ms a block, more than highlighting a short snippet itself. Both depend only on
their options, so we keep each lexer and each style's table once per process. The HTML is the
same, byte for byte. And a block highlighted once is not highlighted again in the process:
Pygments tries its lexer's rules at every position of the code, some 0.5 ms for a few lines,
and the same snippet often comes back (a site's install command, a corpus's example).
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
            module.highlight = _remembered(module.highlight)


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


def _remembered(highlight, most: int = 512):
    """Pygments' highlight(code, lexer, formatter), remembered by everything its output is a
    function of: the code, the lexer (each made once, see _lexer), and the formatter's kind and
    options (a title's HTML placeholder included); pymdownx's formatter also notes whether its
    line numbers were asked for as "pymdownx-inline" before it rewrites that option."""
    made: dict = {}

    def remembered(code, lexer, formatter):
        key = (code, lexer, type(formatter), getattr(formatter, "pymdownx_inline", None),
               repr(sorted(formatter.options.items())))  # repr: hl_lines is a list
        if key not in made:
            if len(made) >= most:  # a site's every block need not stay: only the recurring
                made.clear()
            made[key] = highlight(code, lexer, formatter)
        return made[key]

    return remembered

"""latex2mathml, faster, with the same output: patches applied on import (by mathml.py).

latex2mathml spends most of its time on the commonest tokens: a letter, a digit, \\alpha. Its
tokenizer filters 30 regex groups per match, its walker compares each token with some forty
commands (rebuilding a tuple of them on the way) before deciding it is just a symbol, and its
converter looks each symbol up in several tables every time it meets it. Here those tokens take
a short path to exactly what the long one gives: tests/test_mathfast.py converts the ML test set
and thousands of generated expressions with and without these patches and compares the markup.
"""

import copy
import linecache
import re
import string
import textwrap
from xml.etree.ElementTree import SubElement

from latex2mathml import commands, converter, symbols_parser, tokenizer, walker

ORIGINAL = {"tokenize": walker.tokenize, "walk": walker._walk,
            "symbol": converter.Converter._convert_symbol, "copy": converter.copy,
            "group": converter.Converter._convert_group}

# --- Tokenizer ----------------------------------------------------------------------------------
# Most expressions hold only letters, digits, symbols and commands that latex2mathml yields as
# they are. Unless one of its other alternatives may match somewhere (_OTHER: \\begin{…},
# \\frac12, \\mathbf{x}, \\text{…}, a dimension such as 3pt or -1.5em, a decimal .5, a comment,
# "\\ "), these few alternatives find the same tokens in one pass; else its own tokenizer does, with
# the commonest matches (a letter, a number, a symbol, a command: one group holds them whole)
# yielded at once.

_UNITS = "|".join(tokenizer.UNITS)
_OTHER = re.compile(
    r"\\(?:begin|end|operatorname|cla|color|emph|fbox|hbox|href|llap|mbox|rlap|style|tag|text"
    rf"|underbar|[cdt]?frac\s*[.\d]|verb)|\d\s*(?:{_UNITS})|\.\d|%|\\\s|\\_\d")
_SIMPLE = re.compile(r"\\math(?!ring|bin|close|inner|op|open|ord|punct|rel|strut)[a-z]+\{[a-zA-Z]\}"
                     r"|\\[a-zA-Z]+|\\[\\\[\]{}!,:>;|_%#$&]|(?<=[_^])\d|\d+(?:\.\d+)?|\S")
_WHOLE = frozenset(("letter", "number", "escaped", "command", "char"))


def tokens(latex: str, skip_comments: bool = True):
    """latex2mathml.tokenizer.tokenize's tokens, at several times its speed (the walker takes
    them with next() as well as in a loop: an iterator either way)."""
    if _OTHER.search(latex) is None:
        found = _SIMPLE.findall(latex)
        if "\\math" in latex:  # \mathbb{R} may be one symbol: latex2mathml decides
            found = [piece for token in found for piece in (
                tokenizer.tokenize(token) if token.startswith("\\math") else (token,))]
        return iter(found)
    return _tokens(latex, skip_comments)


def _tokens(latex: str, skip_comments: bool):
    for match in tokenizer.PATTERN.finditer(latex):
        token = match.group()
        if match.lastgroup in _WHOLE and token[0] != "%" and not token.startswith(
                ("\\math", "\\begin", "\\end", "\\operatorname", "\\verb")):
            yield token
        else:
            yield from tokenizer.tokenize(token, skip_comments)


# --- Walker -------------------------------------------------------------------------------------
# A token that no branch of the walker names becomes Node(token) at the end of its chain. The
# set below holds letters, digits and symbol commands that no latex2mathml command list holds;
# a line put at the top of the walker's loop sends them straight to that end.


def _command_tokens() -> frozenset:
    """Every string that latex2mathml's commands module or walker names: what a branch tests."""
    found = set()
    for module in (commands, walker):
        for value in vars(module).values():
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, (tuple, list, set, frozenset, dict)):
                found.update(item for item in value if isinstance(item, str))
    return frozenset(found)


def _plain_tokens() -> frozenset:
    named = _command_tokens()
    candidates = set(string.ascii_letters + string.digits + "+-=,;:.!?*/<>|()")
    candidates.update(s for s in symbols_parser.SYMBOLS if s[:1] == "\\" and s[1:].isalpha())
    return frozenset(t for t in candidates if t not in named and not t.startswith(
        (commands.MATH, commands.BEGIN, commands.END, commands.OPERATORNAME)))


_PLAIN = _plain_tokens()
_ANCHOR = "        has_available_tokens = True\n"
_SHORT_PATH = """\
        if token in _PLAIN and token != terminator and token not in _macros:
            group.append(Node(token=token))
            if limit and len(group) >= limit:
                break
            continue
"""


def _walk_with_short_path():
    """latex2mathml's _walk with the short path first in its loop; None if its source is not
    as expected (another version): then the walker stays as it is, slower but right."""
    return _with_short_path(ORIGINAL["walk"], walker, _ANCHOR, _SHORT_PATH)


def _with_short_path(function, module, anchor: str, short_path: str):
    """function, compiled again from its source with short_path put after anchor; None if its
    source is not as expected (another version of latex2mathml)."""
    source = _source(function)
    if source is None or source.count(anchor) != 1:
        return None
    namespace = dict(vars(module), _PLAIN=_PLAIN)
    exec(compile(source.replace(anchor, anchor + short_path), module.__file__, "exec"),
         namespace)
    return namespace[function.__name__]


def _source(function) -> str | None:
    """The function's source, dedented: its lines from the first to the last its code was
    compiled from (inspect.getsource would tokenize the whole file to find the end, which cost
    each rendering worker some 40 ms at its first expression)."""
    code = function.__code__
    last = max((end for _, end, _, _ in code.co_positions() if end), default=0)
    lines = linecache.getlines(code.co_filename)
    if not lines or last < code.co_firstlineno:
        return None
    return textwrap.dedent("".join(lines[code.co_firstlineno - 1:last]))


# --- Converter ----------------------------------------------------------------------------------
# A symbol (a node with a token and nothing else) becomes the same single element every time in
# the same font: remembered as (tag, attributes, text) after its first conversion.

_FONTS = {id(font): font for table in (commands.LOCAL_FONTS, commands.GLOBAL_FONTS)
          for font in table.values() if font is not None}
_BARE = (None,) * 6  # a Node's fields after its token
_symbols: dict = {}


def _convert_symbol(self, node, parent, font=None) -> None:
    if node[1:] != _BARE or (font is not None and id(font) not in _FONTS):
        return ORIGINAL["symbol"](self, node, parent, font)
    key = (node.token, id(font))
    known = _symbols.get(key, False)
    if known:
        tag, attributes, text = known
        SubElement(parent, tag, dict(attributes)).text = text
        return None
    count = len(parent)
    ORIGINAL["symbol"](self, node, parent, font)
    made = parent[count:]
    if len(made) == 1 and len(made[0]) == 0 and made[0].tail is None:
        _symbols[key] = (made[0].tag, dict(made[0].attrib), made[0].text)
    return None


# The converter's loop over a group's nodes asks some ten questions of each node (building a
# tuple of style commands for the first) before it sends a bare symbol to _convert_symbol, where
# every plain token ends up: the same short path goes first in that loop.

_GROUP_ANCHOR = "        token = node.token\n"  # as the method reads once dedented
_GROUP_SHORT_PATH = """\
        if token in _PLAIN and node.children is None:
            self._convert_symbol(node, parent, _font)
            continue
"""


# The converter deep-copies a (tag or text, attributes) pair from its tables for each command;
# every pair is two strings deep, so a new dict of the attributes is the same copy.


def _flat(pair) -> bool:
    return (type(pair) is tuple and len(pair) == 2 and type(pair[0]) is str
            and type(pair[1]) is dict and all(type(v) is str for v in pair[1].values()))


_FLAT_PAIRS = all(_flat(pair) for table in (commands.CONVERSION_MAP, commands.DIACRITICS)
                  for pair in table.values())


class _Copy:
    """Stands in for the copy module inside latex2mathml's converter (which uses only deepcopy)."""

    @staticmethod
    def deepcopy(value):
        return (value[0], dict(value[1])) if _flat(value) else copy.deepcopy(value)


def apply() -> None:
    walker.tokenize = tokens
    walk = _walk_with_short_path()
    if walk is not None:
        walker._walk = walk
    converter.Converter._convert_symbol = _convert_symbol
    group = _with_short_path(ORIGINAL["group"], converter, _GROUP_ANCHOR, _GROUP_SHORT_PATH)
    if group is not None:
        converter.Converter._convert_group = group
    if _FLAT_PAIRS:
        converter.copy = _Copy

"""One LaTeX expression → MathML Core markup, through latex2mathml.

latex2mathml covers most of what machine-learning writing uses, but it writes some commands in
ways browsers ignore (mathvariant="bold" on a letter, named spaces), leaves unknown commands in
the output as text, and lacks a few environments. Here the LaTeX is rewritten before it goes in,
the tree is fixed on its way out, and what cannot be made right is a MathError.
"""

import re
import unicodedata
from functools import lru_cache
from html import escape, unescape
from xml.etree.ElementTree import Element

from latex2mathml.converter import convert_to_element

from . import mathfast

mathfast.apply()  # latex2mathml's own output, faster


class MathError(Exception):
    """An expression that cannot be shown as math; the message says why, for the writer."""


def mathml(latex: str, display: bool) -> str:
    """The expression as a <math> element (display="block" for display math), with the LaTeX
    kept in an annotation for copying and screen readers."""
    source, table_in_display = rewritten(latex)
    try:
        tree = convert_to_element(source, display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001 — latex2mathml's errors have no common base
        raise MathError(_reason(error)) from None
    if table_in_display:
        first = next(tree.iter("mtable"), None)
        if first is not None:
            first.set("displaystyle", "true")
    try:
        row = _children(tree)
    except RecursionError:
        raise MathError("nested too deeply") from None
    attributes = ' display="block"' if display else ""
    return (f"<math{attributes}><semantics>{row}<annotation encoding=\"application/x-tex\">"
            f"{escape(latex.strip(), quote=False)}</annotation></semantics></math>")


def _reason(error: Exception) -> str:
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__).lower().removesuffix(" error")
    detail = str(error).strip()
    return f"{name}{': ' + detail if detail else ''}"


# --- Before: LaTeX that latex2mathml lacks, said in LaTeX it has --------------------------------

_REWRITES = [
    (re.compile(r"\\label\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])"), ""),
    (re.compile(r"\\arg\s*\\(max|min)(?![A-Za-z])"), r"\\arg\1"),
    (re.compile(r"\\operatorname\*?\s*\{\s*arg\s*(?:\\[,;:! ]\s*)?(max|min)\s*\}"), r"\\arg\1"),
    (re.compile(r"\\arg(?![A-Za-z])"), r"\\operatorname{arg}"),
    (re.compile(r"\\mathop\s*\{\s*\\(?:mathrm|text|operatorname)\s*\{([A-Za-z ]+)\}\s*\}"),
     r"\\operatorname{\1}"),
    (re.compile(r"\\mathop\s*\{([A-Za-z ]+)\}"), r"\\operatorname{\1}"),
    (re.compile(r"\\mathop\s*\{"), "{"),
    (re.compile(r"\\(?:mathds|mathbbm)\s*\{"), r"\\mathbb{"),
    (re.compile(r"\\bm\s*\{"), r"\\boldsymbol{"),
    (re.compile(r"\\(begin|end)\{(?:aligned|align|alignat\*?|eqnarray\*?|flalign\*?)\}"
                r"(?:\{\d+\})?"), r"\\\1{align*}"),
    (re.compile(r"\\(?:begin|end)\{equation\*?\}"), ""),
]
_REWRITTEN_COMMANDS = re.compile(r"\\(?:label|nonumber|notag|arg|operatorname|mathop|mathds|"
                                 r"mathbbm|bm|begin|end)(?![A-Za-z])")
_OPERATORNAME_SPACE = re.compile(r"(\\operatorname\*?\s*\{[^{}]*?)\\[,;:! ]")
_STACKED = re.compile(r"\\(begin|end)\{(?:gather|gathered|multline)\*?\}")


def rewritten(latex: str) -> tuple[str, bool]:
    """The LaTeX as latex2mathml reads it, and whether its first table is displayed lines
    (gather and multline, written here as a matrix of one column)."""
    source = latex
    if _REWRITTEN_COMMANDS.search(latex):  # most expressions hold none: skip ten passes
        for pattern, replacement in _REWRITES:
            source = pattern.sub(replacement, source)
    while _OPERATORNAME_SPACE.search(source):
        source = _OPERATORNAME_SPACE.sub(r"\1 ", source)
    stacked = _STACKED.sub(r"\\\1{matrix}", source)
    return stacked, stacked != source


# --- After: the tree as markup browsers lay out --------------------------------------------------

_NAMED_SPACES = {"veryverythinmathspace": 1, "verythinmathspace": 2, "thinmathspace": 3,
                 "mediummathspace": 4, "thickmathspace": 5, "verythickmathspace": 6,
                 "veryverythickmathspace": 7}
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "mover": 2, "munder": 2,
          "munderover": 3, "mroot": 2}
_ARITY_NAMES = {"mfrac": "a fraction", "msub": "a subscript", "msup": "a superscript",
                "msubsup": "a sub- or superscript", "mover": "an accent or overset",
                "munder": "an underset", "munderover": "a limit", "mroot": "a root"}
_STYLE_OF_TEXT = {"bold": "font-weight:bold", "italic": "font-style:italic",
                  "bold-italic": "font-weight:bold;font-style:italic"}


_FENCES = frozenset("()[]{}|‖⟨⟩⌊⌋⌈⌉")
_OPENING = frozenset("([{⟨⌊⌈")
_SCRIPTED = frozenset(("msub", "msup", "msubsup", "munder", "mover", "munderover"))
_ROWS = frozenset(("math", "mrow", "mtd", "mstyle", "msqrt", "mpadded", "mphantom", "menclose"))
_THIN_SPACE = '<mspace width="0.167em"></mspace>'


def _children(element: Element) -> str:
    """The children's markup, with the thin space TeX puts after log, max or softmax unless a
    bracket follows; and brackets that TeX would not stretch told not to (a bare "(" stretches
    to its row in MathML), except around a matrix, where they must."""
    children = list(element)
    if not children:
        return ""
    row = element.tag in _ROWS
    last = len(children) - 1
    parts = []
    for index, child in enumerate(children):
        beside_table = (index and children[index - 1].tag == "mtable") or (
            index < last and children[index + 1].tag == "mtable")
        parts.append(_serialized(child, not beside_table))
        if row and index < last and _is_function(child) and not _opens(children[index + 1]):
            parts.append(_THIN_SPACE)
    return "".join(parts)


def _is_function(element: Element) -> bool:
    tag = element.tag
    if tag in _SCRIPTED:
        return len(element) > 0 and _is_function(element[0])
    return (tag == "mi" or tag == "mo") and _is_name(_text(element.text or ""))


@lru_cache(maxsize=4096)
def _is_name(text: str) -> bool:
    return len(text) > 1 and text.replace("\u2009", "").replace("\u2006", "").isalpha()


def _opens(element: Element) -> bool:
    if element.tag in _SCRIPTED or element.tag == "mrow":
        return len(element) > 0 and _opens(element[0])
    return element.tag == "mo" and _text(element.text or "") in _OPENING


@lru_cache(maxsize=8192)
def _text(raw: str) -> str:
    """latex2mathml's text, whose characters are mostly references like &#x003B8;."""
    return unescape(raw) if "&" in raw else raw


@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    return escape(text, quote=False)


# Relations and brackets latex2mathml writes as identifiers (no operator spacing), and \sim as
# a plain tilde.
_OPERATORS = {"~": "∼", **{char: char for char in "⟂⟺⟹⟸⨁⨂⟨⟩⌊⌋⌈⌉‖"}}
_TOKENS = frozenset(("mi", "mn", "mo", "mtext"))


_leaves: dict[tuple, str] = {}  # a leaf's markup by all it is made of: most leaves recur


def _serialized(element: Element, fixed_fences: bool = True) -> str:
    if len(element):
        return _markup(element, fixed_fences)
    key = (element.tag, element.text, fixed_fences, *element.attrib.items())
    known = _leaves.get(key)
    if known is None:
        if len(_leaves) > 50_000:  # \text{…} leaves rarely recur: keep the memory bounded
            _leaves.clear()
        known = _leaves[key] = _markup(element, fixed_fences)
    return known


def _markup(element: Element, fixed_fences: bool) -> str:
    tag = element.tag
    text = _text(element.text) if element.text else ""
    if tag in _TOKENS:
        if tag == "mi" and text in _OPERATORS:
            tag, text = "mo", _OPERATORS[text]
        if len(element):
            tag = "mrow"  # \mathop{\mathbb{E}}: a token holding markup is a row
        elif text:
            _check_token(tag, text)
    elif len(element) < _ARITY.get(tag, 0):
        raise MathError(f"{_ARITY_NAMES[tag]} is missing a part")
    opened = ""
    if element.attrib or tag == "mo":
        opened, text = _attributes(element, tag, text, fixed_fences)
    inner = _escaped(text) + _children(element)
    return f"<{tag}{opened}>{inner}</{tag}>"


def _attributes(element: Element, tag: str, text: str, fixed_fences: bool) -> tuple[str, str]:
    """The element's attributes as markup, and its text: both change for what Core ignores."""
    attributes = dict(element.attrib)
    variant = attributes.pop("mathvariant", None)
    if variant and variant != "normal":
        if tag == "mtext":
            if variant in _STYLE_OF_TEXT:
                attributes["style"] = _STYLE_OF_TEXT[variant]
        else:
            text = styled(text, variant)
    elif variant:
        attributes["mathvariant"] = variant
    width = attributes.get("width", "")
    if width.removeprefix("negative") in _NAMED_SPACES:
        em = _NAMED_SPACES[width.removeprefix("negative")] / 18
        attributes["width"] = f"{'-' if width.startswith('negative') else ''}{em:.3f}em"
    if attributes.get("columnspacing") == "":
        del attributes["columnspacing"]
    attributes.pop("linebreak", None)
    if tag == "mtd" and attributes.get("columnalign") in ("left", "right"):
        # MathML Core has no columnalign; CSS does it.
        attributes["style"] = f"text-align:{attributes['columnalign']}"
    if tag == "mo" and _is_name(text):
        attributes.update(lspace="0em", rspace="0em")
    elif tag == "mo" and fixed_fences and text in _FENCES and not (
            attributes.keys() & {"stretchy", "minsize"}):
        attributes["stretchy"] = "false"
    return "".join(f' {k}="{escape(v)}"' for k, v in attributes.items()), text


def _check_token(tag: str, text: str) -> None:
    command = _UNKNOWN_COMMAND.search(text) if "\\" in text else None
    if command:
        raise MathError(f"unknown command {command.group(0)}")
    if text == "&" and tag != "mtext":
        raise MathError("'&' outside a table (align*, cases, matrix)")


_ALPHABETS = {"bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC",
              "double-struck": "DOUBLE-STRUCK", "script": "SCRIPT", "bold-script": "BOLD SCRIPT",
              "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR", "sans-serif": "SANS-SERIF",
              "bold-sans-serif": "SANS-SERIF BOLD", "sans-serif-italic": "SANS-SERIF ITALIC",
              "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC", "monospace": "MONOSPACE"}
# Letters the mathematical alphabets leave out because older blocks already had them.
_LETTERLIKE = {"SCRIPT": "SCRIPT", "FRAKTUR": "BLACK-LETTER", "DOUBLE-STRUCK": "DOUBLE-STRUCK"}
_KINDS = {"LATIN CAPITAL LETTER ": "CAPITAL ", "LATIN SMALL LETTER ": "SMALL ",
          "GREEK CAPITAL LETTER ": "CAPITAL ", "GREEK SMALL LETTER ": "SMALL ", "DIGIT ": "DIGIT "}


@lru_cache(maxsize=4096)
def styled(text: str, variant: str) -> str:
    """Letters, digits and Greek in the Unicode mathematical alphabet that mathvariant names:
    MathML Core only honours mathvariant="normal", so \\mathbf{W} must carry a bold W itself."""
    alphabet = _ALPHABETS.get(variant)
    return "".join(_styled_char(c, alphabet) for c in text) if alphabet else text


def _styled_char(char: str, alphabet: str) -> str:
    name = unicodedata.name(char, "")
    kind = next((k for k in _KINDS if name.startswith(k)), None)
    if kind is None:
        return char
    rest = _KINDS[kind] + name[len(kind):]
    for candidate in (f"MATHEMATICAL {alphabet} {rest}", f"{_LETTERLIKE.get(alphabet)} {rest}",
                      "PLANCK CONSTANT" if (alphabet, rest) == ("ITALIC", "SMALL H") else ""):
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return char

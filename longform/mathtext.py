"""Math in HTML already made (math.py makes it): shielded from the passes that must not touch
its many small tags, and read as a reader reads it, by the search index, word counts and the
table of contents. Apart from math.py so that the stages after rendering (links, search) do
not import Python-Markdown, which math.py's extensions need.
"""

import re
from html import escape, unescape

WORDS_PER_EXPRESSION = 3  # what an expression costs a reader, for read times

# "<math…</math>" as an unrolled loop: a lazy .*? tries "</math>" at every character, and these
# passes run over every page of math (about twice as fast on 1–2 kB of MathML an expression).
_MATH_ELEMENT = re.compile(r"<math\b[^<]*(?:<(?!/math>)[^<]*)*</math>")
_ANNOTATION = re.compile(r"<annotation\b.*?</annotation>", re.S)
_TAG = re.compile(r"<[^>]+>")
_MARKER = re.compile("\ue000(\\d+)\ue001")


def shielded(html: str) -> tuple[str, list[str]]:
    """The HTML with each <math> element replaced by a marker, and the elements: passes that
    parse HTML tag by tag (the feed's) then skip math's many small tags."""
    found: list[str] = []

    def marker(match: re.Match) -> str:
        found.append(match.group(0))
        return f"\ue000{len(found) - 1}\ue001"

    return _MATH_ELEMENT.sub(marker, html), found


def unshielded(html: str, found: list[str]) -> str:
    return _MARKER.sub(lambda m: found[int(m.group(1))], html) if found else html


def toc_names(tokens: list[dict]) -> list[dict]:
    """Table-of-contents entries whose heading holds math, named by the math as it reads
    (the toc extension's name would also spell out each expression's LaTeX)."""
    return [{**token, "children": toc_names(token.get("children", [])),
             **({"name": _read_text(token["html"])} if "<math" in token.get("html", "") else {})}
            for token in tokens]


def _read_text(html: str) -> str:
    text = _TAG.sub("", _ANNOTATION.sub("", html))
    return escape(unescape(text), quote=False)


_MATH_BYTES = re.compile(_MATH_ELEMENT.pattern.encode())


def searchable(page: bytes) -> bytes:
    """The page as the search index reads it: each expression an ellipsis. MathML's symbols
    and the LaTeX kept for copying are not what a reader searches for, read as symbol soup in
    result excerpts, and their many small tags tripled Pagefind's time on pages of math."""
    return _MATH_BYTES.sub("…".encode(), page) if b"<math" in page else page


def counted_as_words(html: str) -> str:
    """The HTML with each <math> element standing as a few words, not one a symbol."""
    return _MATH_ELEMENT.sub(" " + " ".join(["x"] * WORDS_PER_EXPRESSION) + " ", html)

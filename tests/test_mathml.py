"""One expression to MathML (longform/mathml.py): what MathML Core lays out, what is refused, and
the faster tokenizer giving latex2mathml's own tokens."""

import random
import re

import pytest
from latex2mathml import tokenizer
from test_math import ml_expressions

from longform.mathfast import tokens
from longform.mathml import MathError, mathml


@pytest.mark.parametrize("latex, expected", [
    (r"\mathbf{W}", "<mi>𝐖</mi>"),
    (r"\mathcal{L}", "<mi>ℒ</mi>"),
    (r"\mathbb{R}", "<mi>ℝ</mi>"),
    (r"\log x", '<mi>log</mi><mspace width="0.167em"></mspace><mi>x</mi>'),
    (r"a < b", "<mo>&lt;</mo>"),
    (r"\text{a & b}", "<mtext>a\u00a0&amp;\u00a0b</mtext>"),
    (r"\arg\max_x", "arg\u2009max</mo>"),
])
def test_mathml_writes_what_mathml_core_lays_out(latex, expected):
    assert expected in mathml(latex, False)


@pytest.mark.parametrize("latex, reason", [
    (r"\ReLU(x)", "unknown command \\ReLU"),
    (r"\frac{a}", "a fraction is missing a part"),
    (r"x^", "missing"),
    (r"\left( x", "left"),
    (r"a & b", "'&' outside a table"),
    ("{" * 3000 + "x" + "}" * 3000, "recursion"),
])
def test_mathml_refuses_what_it_cannot_show(latex, reason):
    with pytest.raises(MathError, match=re.escape(reason)):
        mathml(latex, False)


def test_the_faster_tokenizer_gives_latex2mathmls_own_tokens():
    pieces = list("ab12 .,{}[]()_^%&$\\\n") + [
        r"\frac", r"\mathbf", r"\mathbf{x}", r"\text{a b}", r"\begin{matrix}", r"\end{matrix}",
        r"\verb|x|", "3pt", r"\operatorname{x}", "1.5", r"\math", "%c", r"\,", r"\\"]
    rng = random.Random(7)
    samples = ml_expressions() + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 16)))
                                  for _ in range(3000)]
    assert [s for s in samples if list(tokens(s)) != list(tokenizer.tokenize(s))] == []

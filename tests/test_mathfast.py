"""latex2mathml's patches (longform/mathfast.py): the same MathML, or the same refusal, as
latex2mathml alone gives, for the ML test set and thousands of generated expressions."""

import random

from latex2mathml import converter, tokenizer, walker
from test_math import ml_expressions

from longform import mathfast
from longform.mathml import MathError, mathml

PIECES = list("xyzWNab12 .,+-=<>|()[]{}{}_^'&") + [
    r"\alpha", r"\theta", r"\sum", r"\prod", r"\int", r"\infty", r"\nabla", r"\partial",
    r"\mathbf{W}", r"\mathbf", r"\mathcal{L}", r"\mathbb{E}", r"\boldsymbol{\mu}", r"\hat{y}",
    r"\tilde", r"\vec{v}", r"\frac", r"\frac{1}{2}", r"\sqrt", r"\sqrt[3]{x}", r"\left(",
    r"\right)", r"\left\|", r"\right\|", r"\text{ if }", r"\operatorname{softmax}", r"\top",
    r"\odot", r"\cdot", r"\log", r"\max", r"\lim", r"\limits", r"\to", r"\leq", r"\mid",
    r"\begin{pmatrix}", r"\end{pmatrix}", r"\begin{cases}", r"\end{cases}", r"\\", r"\,",
    r"\quad", r"\not", r"\over", r"\color{red}", r"\rm", r"\bf", r"\displaystyle", "0.05",
    "3pt", r"\hspace{3pt}", "x_12", "^23", "_1.5", "1.5", ".5", "-2", " em", r"\_", r"\^", r"\ ",
    "%", r"\mathrm{d}x", r"\frac12", r"\dfrac 1", r"\tfrac.5", r"\_12",
    r"\mathbb{R}", r"\mathring{a}", r"\mathbfA{x}", r"\mathit {x}", r"\tag{1}", r"\textbf{b}",
    r"\newcommand{\R}{\mathbb{R}}", r"\R", r"\arg\max", r"\mathrm{d}"]


def outcome(latex: str, display: bool) -> str:
    try:
        return mathml(latex, display)
    except MathError as error:
        return f"MathError: {error}"


def test_the_patches_give_latex2mathmls_own_output(monkeypatch):
    rng = random.Random(12)
    samples = [(s, d) for s in ml_expressions() for d in (False, True)] + [
        ("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))), rng.random() < 0.5)
        for _ in range(4000)]
    fast = [outcome(latex, display) for latex, display in samples]
    # The patches are in place.
    assert walker._walk is not mathfast.ORIGINAL["walk"] and converter.copy is mathfast._Copy
    assert converter.Converter._convert_group is not mathfast.ORIGINAL["group"]
    monkeypatch.setattr(walker, "tokenize", mathfast.ORIGINAL["tokenize"])
    monkeypatch.setattr(walker, "_walk", mathfast.ORIGINAL["walk"])
    monkeypatch.setattr(converter.Converter, "_convert_symbol", mathfast.ORIGINAL["symbol"])
    monkeypatch.setattr(converter.Converter, "_convert_group", mathfast.ORIGINAL["group"])
    monkeypatch.setattr(converter, "copy", mathfast.ORIGINAL["copy"])
    slow = [outcome(latex, display) for latex, display in samples]
    assert [s for s, f, o in zip(samples, fast, slow, strict=True) if f != o] == []
    assert sum(not o.startswith("MathError") for o in slow) > 1500  # many samples convert


def test_the_short_tokenizer_finds_latex2mathmls_own_tokens():
    rng = random.Random(7)
    samples = ml_expressions() + ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
                                  for _ in range(20000)]
    short = [s for s in samples if mathfast._OTHER.search(s) is None]
    assert len(short) > 5000  # the short path is taken, by the test set's expressions too
    assert [s for s in samples if list(mathfast.tokens(s)) != list(tokenizer.tokenize(s))] == []

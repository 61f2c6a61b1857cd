"""Math in essays (longform/math.py, longform/mathml.py): LaTeX found in the Markdown, shielded
from the rest of Markdown, and written as MathML at build time; failures are warnings."""

import re
from pathlib import Path

from conftest import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from longform import math as longform_math
from longform import mathtext
from longform.content import load_essay
from longform.errors import ContentError, ContentWarning
from longform.markdown import Links, rendered

EXPRESSIONS = Path(__file__).parent / "data" / "ml_expressions.tex"
ESSAY = "essays/attention-by-hand/"
FRONT = "---\ntitle: {title}\ndate: 2025-01-0{day}\ntags: [Math]\n---\n"


def ml_expressions() -> list[str]:
    lines = EXPRESSIONS.read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("%")]


def test_the_expression_set_is_large_and_covers_what_ml_writing_uses():
    expressions = ml_expressions()
    assert len(expressions) >= 300
    assert len(set(expressions)) == len(expressions)
    text = "\n".join(expressions)
    for needle in (r"\mathbf", r"\mathcal", r"\mathbb", r"\hat", r"\tilde", r"\vec",
                   r"\overrightarrow", r"\sum_", r"\prod_", r"\int_", r"\frac", r"\sqrt", r"\|",
                   r"\lVert", r"\left", r"\right", "pmatrix", "bmatrix", "cases", "align*",
                   r"\text", r"\operatorname", r"\mathbb{E}", r"\top", r"\odot", r"\nabla",
                   r"\arg\max", "substack", "^{(t)}"):
        assert needle in text, needle


def test_every_expression_of_the_set_builds_without_a_warning(make_project, build):
    expressions = ml_expressions()
    project = make_project("math")
    body = "\n\n".join(f"$$\n{latex}\n$$" for latex in expressions)
    project.write("content/expressions.md", FRONT.format(title="Expressions", day=5) + body)
    result = build(project)
    assert result.status == 0, result.err
    assert "warning: math" not in result.err
    page = project.page("essays/expressions/")
    assert page.count('<math display="block">') == len(expressions)
    assert "math-error" not in page
    annotations = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', page,
                             re.S)
    assert len(annotations) == len(expressions)


def test_display_and_inline_math_in_every_syntax(make_project, build):
    project = make_project("math")
    assert build(project).status == 0
    page = project.page(ESSAY)
    prose = page[page.index('class="prose'):]
    displays = re.findall(r'<div class="math-display" tabindex="0"><math display="block">', prose)
    # $$ alone (2 + the list's), \[ \], align*, ```math, and the wide one.
    assert len(displays) == 6
    inline = re.findall(r"<math><semantics>", prose)
    assert len(inline) >= 10
    # kramdown's rule: $$ inside a sentence is inline math.
    assert re.search(r"reads <math><semantics>.*?s_\{ij\} = q_i\^\\top k_j", prose)
    assert r"w_{ij} = e^{s_{ij}} / \sum_k e^{s_{ik}}</annotation>" in prose  # \( \)
    assert "<mfrac>" in prose and "<mtable" in prose
    assert "\\operatorname{Attention}(Q, K, V) = " in prose  # the source kept for copying


def test_dollars_underscores_and_code_stay_as_written(make_project, build):
    project = make_project("math")
    assert build(project).status == 0
    page = project.page(ESSAY)
    assert "roughly $5 and $10 an hour" in page
    assert "as US$3 quotes go" in page
    assert "such as a_i and b_j in prose" in page
    assert "an escaped $20." in page
    assert "<code>echo $HOME</code>" in page
    code = Document(page).text_of("pre")
    assert any("cost=$((5 * 10)) # $5 times $10" in block for block in code), code


def test_math_is_shielded_from_emphasis_quotes_abbreviations_and_links(make_project, build):
    project = make_project("math")
    project.write("content/shielded.md", FRONT.format(title="Shielded", day=6) + (
        "Bold vectors $\\mathbf{x}_i + \\mathbf{y}_j$ and $a * b * c$, a quoted "
        "$\\text{\"x\" and 'y'}$, the divergence $D_{KL}$, and $[a](missing.md)$.\n\n"
        "*[KL]: Kullback-Leibler\n"))
    result = build(project)
    assert result.status == 0, result.err  # the link-like text in math is not a link
    page = project.page("essays/shielded/")
    maths = re.findall(r"<math>.*?</math>", page, re.S)
    assert len(maths) == 5
    for element in maths:
        assert "<em>" not in element and "<strong>" not in element
        assert "<abbr" not in element and "<a " not in element
        assert "&ldquo;" not in element and "“" not in element and "’" not in element
    assert r"\mathbf{x}_i + \mathbf{y}_j</annotation>" in maths[0]


def test_math_that_cannot_convert_is_a_warning_at_its_line_and_shows_as_code(make_project,
                                                                           build, check):
    project = make_project("math")
    project.write("content/broken.md", FRONT.format(title="Broken", day=7) + (
        "First line.\n\nThe activation $\\ReLU(x)$ is not a LaTeX command.\n\n"
        "$$\n\\frac{a}\n$$\n"))
    result = build(project)
    assert result.status == 0, result.err
    lines = [line for line in result.err.splitlines() if "warning: math" in line]
    assert lines == [
        "content/broken.md:8: warning: math '$\\ReLU(x)$' cannot be converted (unknown command "
        "\\ReLU); it is shown as code",
        "content/broken.md:10: warning: math '$$ \\frac{a} $$' cannot be converted (a fraction "
        "is missing a part); it is shown as code",
    ]
    page = project.page("essays/broken/")
    assert '<code class="math-error">$\\ReLU(x)$</code>' in page
    assert '<pre class="math-error"><code>$$\n\\frac{a}\n$$</code></pre>' in page
    status, printed, _ = check(project, "--strict")
    assert status == 1
    assert any("content/broken.md:8: warning: math" in line for line in printed)
    assert check(project)[0] == 0


def test_the_feed_carries_the_mathml(make_project, build):
    project = make_project("math")
    assert build(project).status == 0
    feed = project.page("feed.xml")
    assert "&lt;math display=&#34;block&#34;&gt;" in feed or \
        "&lt;math display=&quot;block&quot;&gt;" in feed
    assert "&lt;mfrac&gt;" in feed


def test_read_time_counts_an_expression_as_a_few_words():
    essay = load_essay(Path("/tmp/words.md"), FRONT.format(title="Words", day=1)
                       + "Ten words of prose sit here, and then a formula: "
                       + " ".join([r"$\sum_{i=1}^{n} \alpha_i \hat{y}_i^2 + \frac{a}{b}$"] * 20))
    result, _ = rendered(essay, Links({}, frozenset(), Path("/tmp"), "/"), Path("/tmp"), None)
    assert result.words == 10 + 20 * mathtext.WORDS_PER_EXPRESSION


def test_a_heading_with_math_is_named_by_the_math_in_the_table_of_contents():
    essay = load_essay(Path("/tmp/toc.md"), FRONT.format(title="Toc", day=1)
                       + "## The exponent $\\alpha_C$ & its fit\n\nText.\n")
    result, _ = rendered(essay, Links({}, frozenset(), Path("/tmp"), "/"), Path("/tmp"), None)
    assert result.toc[0]["name"] == "The exponent αC &amp; its fit"
    assert "<math>" in result.html


def test_a_rebuild_converts_only_new_math(make_project, build, monkeypatch):
    import latex2mathml.converter
    project = make_project("math")
    monkeypatch.setattr(longform_math, "_memory", {})  # a fresh process: nothing converted yet
    assert build(project).status == 0
    assert (project.root / ".longform-cache" / longform_math.CACHE_FILE).is_file()
    # Noted in a file: the edited essay may be rendered in a forked worker (renderworker.py).
    calls = project.root.parent / "conversions.txt"
    real = latex2mathml.converter.convert_to_element

    def counted(latex, **kw):
        with calls.open("a", encoding="utf-8") as log:
            log.write(latex + "\n")
        return real(latex, **kw)

    monkeypatch.setattr("longform.mathml.convert_to_element", counted)
    monkeypatch.setattr(longform_math, "_memory", {})  # the next build: another process
    source = project.root / "content" / "attention-by-hand.md"
    source.write_text(source.read_text("utf-8") + "\nOne new symbol: $\\zeta_{new}$.\n", "utf-8")
    assert build(project).status == 0
    assert calls.read_text("utf-8").splitlines() == ["\\zeta_{new}"]
    assert "zeta_{new}</annotation>" in project.page(ESSAY)


# --- Any mixture of prose, math and code: a page or one path:line line, never a traceback -------

_PROSE = st.sampled_from(["The loss", "falls", "$5 and $10", "US$3", "a_i and b_j", "*so*",
                          "**bold**", '"quoted"', "it's", "\\$", "$", "$$", "\\(", "\\[", "_",
                          "[link](https://example.org/)", "<b>", "&", "\n", "\n\n", "- ", "> "])
_LATEX = st.sampled_from(ml_expressions() + [r"\ReLU", r"\frac{a}", "x^", r"\left(", "a & b",
                                             "$", r"\$", "{", "}", "\\", r"\begin{cases}", ""])
_CODE = st.sampled_from(["`$x$`", "`a_i`", "``$$ `$` $$``", "\n```\n$$x$$\n```\n",
                         "\n    $indented$\n"])


@st.composite
def _mixed(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.integers(0, 6))
        latex = draw(_LATEX)
        parts.append([draw(_PROSE), f"${latex}$", f"$${latex}$$", f"\n\n$$\n{latex}\n$$\n\n",
                      f"\\({latex}\\)", f"\n\n\\begin{{align*}}\n{latex}\n\\end{{align*}}\n\n",
                      draw(_CODE)][kind])
    return " ".join(parts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_mixed())
def test_prose_mixed_with_math_and_code_never_raises_a_traceback(body):
    text = FRONT.format(title="Mixed", day=2) + body + "\n"
    essay = load_essay(Path("/tmp/content/mixed.md"), text)
    try:
        result, _ = rendered(essay, Links({}, frozenset(), Path("/tmp/content"), "/"),
                             Path("/tmp/charts"), None)
    except ContentError as error:
        assert "\n" not in str(error) and str(error).startswith("/tmp/content/mixed.md:")
        return
    assert result.html.count("<math") == result.html.count("</math>")
    last_line = text.count("\n") + 1
    for warning in result.warnings:
        assert isinstance(warning, ContentWarning)
        assert 1 <= warning.line <= last_line and "\n" not in str(warning)


def test_the_search_index_reads_each_expression_as_an_ellipsis(make_project, build):
    import gzip
    import json
    project = make_project("math")
    assert build(project).status == 0
    [fragment] = [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
                  for p in (project.out / "pagefind/fragment").iterdir()]
    text = fragment["content"]
    assert "running averages" in text and "…" in text  # the prose, and where math stood
    assert "\\frac" not in text and "\\sqrt" not in text  # no LaTeX
    assert "√" not in text  # nor MathML's symbols

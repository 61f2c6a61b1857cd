"""longform/templating.py: each short path gives what Jinja's own long path gives."""

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2.filters import do_striptags
from markupsafe import Markup

from longform.templating import Environment, striptags

# Text as a contents entry carries it: words, spaces of every kind, tags, entities, comments.
PIECES = st.sampled_from(["word", " ", "\t", "\n", "\u00a0", "\u2003", "<code>", "</code>",
                          "&amp;", "&lt;", "&#8220;", "&", "<", ">", "<!--", "-->", "é", ""])


@given(st.lists(PIECES, max_size=12).map("".join), st.booleans())
def test_striptags_is_jinjas_striptags(text, markup):
    value = Markup(text) if markup else text
    assert striptags(value) == do_striptags(value)
    assert type(striptags(value)) is type(do_striptags(value))


def test_striptags_of_a_contents_entry_and_of_other_values():
    # A no-break space is whitespace too.
    assert striptags(Markup("Why  <code>x</code>\u00a0&amp; y")) == "Why x & y"
    assert striptags("  Plain   words\n") == "Plain words"
    assert striptags(42) == do_striptags(42)


MACROS = """\
{% macro pair(a, b="B") %}<{{ a }}|{{ b }}>{% endmacro %}
{% macro rest() %}[{{ varargs|join(",") }}{{ kwargs|dictsort|join(",") }}]{% endmacro %}
{% macro framed(x) %}({{ caller(x) }}){% endmacro %}
{% macro nested(t) %}{% for c in t %}{{ pair(c) }}{% endfor %}{% endmacro %}
"""
CALLS = """{% from "m.html" import pair, rest, framed, nested %}\
{{ pair("a & b", "<c>") }}{{ pair("one") }}{{ pair(b="x", a="y") }}{{ rest(1, 2, k="v") }}\
{% call(v) framed("f") %}{{ v }}!{% endcall %}{{ nested("xy") }}\
{% for i in [1, 2] %}{{ pair(i, i * 2) }}{% endfor %}{% set s %}{{ pair("in a set") }}{% endset %}\
{{ s }}{{ pair }}"""


@pytest.mark.parametrize("autoescape", [True, False])
def test_macros_called_on_the_short_path_give_what_jinja_gives(autoescape):
    templates = {"m.html": MACROS, "page.html": CALLS}
    ours = Environment(loader=jinja2.DictLoader(templates), autoescape=autoescape)
    theirs = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=autoescape)
    page = ours.get_template("page.html").render()
    assert page == theirs.get_template("page.html").render()
    assert "<a &amp; b|&lt;c&gt;>" in page if autoescape else "<a & b|<c>>" in page


def test_a_macro_given_too_many_arguments_fails_as_in_jinja():
    templates = {"m.html": MACROS, "page.html": '{% from "m.html" import pair %}'
                                               '{{ pair(1, 2, 3) }}'}
    for env in (Environment, jinja2.Environment):
        with pytest.raises(TypeError, match="macro 'pair' takes not more than 2 argument"):
            env(loader=jinja2.DictLoader(templates)).get_template("page.html").render()

"""Essay components through a real Markdown instance: stats, insight cards, pull quotes, the feed
version of the HTML, and errors that point at the writer's line."""

import re
from functools import cache
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from longform import blocks
from longform.content import load_essay
from longform.errors import ContentError

FRONTMATTER = "---\ntitle: Test essay\ndate: 2024-05-01\n---\n"


@cache
def converter() -> markdown.Markdown:
    """The extensions markdown.py uses, with our fences and pull quotes."""
    return markdown.Markdown(
        extensions=["footnotes", "tables", "attr_list", "smarty", "toc", "pymdownx.highlight",
                    "pymdownx.superfences", blocks.PullQuoteExtension()],
        extension_configs={"pymdownx.superfences": {"custom_fences": blocks.custom_fences()},
                           "pymdownx.highlight": {"use_pygments": True}},
        output_format="html",
    )


def render(project: Path, body: str | None = None, *, cache_dir: bool = True):
    """(html, state) for content/essay.md holding `body` (or the sample essay as it is)."""
    path = project / "content" / "components.md"
    if body is not None:
        path = project / "content" / "essay.md"
        path.write_text(FRONTMATTER + body, encoding="utf-8")
    essay = load_essay(path)
    md = converter()
    md.reset()
    md.longform = blocks.BlockState(essay=essay, charts_dir=project / "charts",
                                    cache_dir=project / ".cache" if cache_dir else None)
    html = md.convert(essay.body_md)
    blocks.raise_pending(md.longform)
    return html, md.longform


def file_line(project: Path, needle: str) -> int:
    """The 1-based line of content/essay.md that holds `needle`."""
    lines = (project / "content" / "essay.md").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def error_for(project: Path, body: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        render(project, body)
    return caught.value


@pytest.fixture
def project(make_project) -> Path:
    """tests/sites/components as a project of its own."""
    return make_project("components").root


def test_stats_hold_the_real_values(project):
    html, _ = render(project)
    values = re.findall(r'<dd class="stat__value" data-count>([^<]*)</dd>', html)
    assert values == ["175B", "1.8T (est.)", "+42%"]
    assert '<dt class="stat__label">GPT-4 parameters</dt>' in html
    assert '<dd class="stat__note">estimated</dd>' in html


def test_stats_accept_a_mapping_with_items(project):
    html, _ = render(project, "```stats\nitems:\n  - {value: 3 of 4, label: Labs}\n```\n")
    assert '<dd class="stat__value" data-count>3 of 4</dd>' in html


def test_a_value_without_digits_is_not_counted(project):
    html, _ = render(project, "```stats\n- {value: Most, label: Labs}\n```\n")
    assert '<dd class="stat__value">Most</dd>' in html


def test_insight_is_a_details_card_and_collected(project):
    html, state = render(project)
    assert [(i.question, i.id) for i in state.insights] == [("Is pre-training over?",
                                                             "insight-1")]
    assert state.insights[0].answer.startswith("No, but each 10x")
    card = re.search(r'<details class="insight" id="insight-1">.*?</details>', html, re.S)
    assert card is not None
    assert "<summary>" in card[0] and "Key Insight" in card[0] and "Tap to reveal" in card[0]
    assert "Is pre-training over?</span>" in card[0]
    assert '<div class="insight__answer"><p>No, but each 10x' in card[0]


def test_insight_answer_paragraphs(project):
    _, state = render(project, "```insight\nquestion: Q?\nanswer: |\n  One.\n\n  Two.\n```\n"
                               "\n```insight\nquestion: R?\nanswer: Three.\n```\n")
    assert [i.id for i in state.insights] == ["insight-1", "insight-2"]
    html, _ = render(project, "```insight\nquestion: Q?\nanswer: |\n  One.\n\n  Two.\n```\n")
    assert '<div class="insight__answer"><p>One.</p><p>Two.</p></div>' in html


def test_both_pull_quote_forms_give_the_same_markup(project):
    marked, _ = render(project, "Text.\n\n> A *quote*.\n{.pullquote}\n")
    fenced, _ = render(project, "Text.\n\n```pullquote\nA *quote*.\n```\n")
    expected = '<blockquote class="pullquote"><p>A <em>quote</em>.</p></blockquote>'
    assert re.sub(r"\s+", "", marked) == re.sub(r"\s+", "", fenced)
    assert expected in fenced


def test_a_plain_quote_stays_plain(project):
    html, _ = render(project, "> Just quoting.\n")
    assert "<blockquote>" in html and "pullquote" not in html


def test_feed_drops_pull_quotes_and_scripts_and_opens_insights(project):
    html, _ = render(project)
    feed = blocks.feed_html(html)
    assert html.count('class="pullquote"') == 2
    assert "pullquote" not in feed
    assert "<script" not in feed and "<script" in html
    assert '<details open class="insight" id="insight-1">' in feed
    assert "Tap to reveal" not in feed
    assert feed.count("<svg") == 2 and "Show data" in feed
    assert re.findall(r'data-count>([^<]*)<', feed) == ["175B", "1.8T (est.)", "+42%"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["<script", "<SCRIPT", "<ſcript", "<details", "<DeTails",
                                 "pullquote", "PULLQUOTE", "insight__hint", "insight_", "<",
                                 "script", "details", "hint", "é", " ", "x", "α", "·",
                                 "<scrıpt", "İnsight__hint", "detailſ", "\u212a"]), max_size=8)
       .map("".join))
def test_the_quick_look_for_feed_edits_answers_as_the_regex(html):
    assert blocks._feed_edited(html) == bool(blocks._FEED_EDITED.search(html))


def test_feed_keeps_everything_else_byte_for_byte(project):
    html, _ = render(project, "Para with <b>bold</b> &amp; <br> text.\n\n> quote\n")
    assert blocks.feed_html(html) == html


def test_hostile_text_is_escaped(project):
    hostile = "</script><img src=x onerror=alert(1)>"
    body = (f"```stats\n- {{value: '{hostile}', label: '{hostile}'}}\n```\n\n"
            f"```insight\nquestion: '{hostile}'\nanswer: '{hostile}'\n```\n")
    html, state = render(project, body)
    assert "<img" not in html and "</script>" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 4
    assert state.insights[0].answer == hostile


@pytest.mark.parametrize("body, needle, message", [
    ("Intro.\n\n```stats\n- {value: 1, label: a}\n- [oops\n```\n", "[oops", "YAML error"),
    ("Intro.\n\n```stats\n- {value: 1, label: a}\n- {label: No value}\n```\n",
     "No value", "needs a value"),
    ("```stats\n- {value: 1, label: a, colour: red}\n```\n", "colour", "not colour:"),
    ("```stats\n- {value: 1}\n```\n", "{value: 1}", "needs a label"),
    ("Text.\n\n```insight\nquestion: Why?\n```\n", "```insight", "needs an answer"),
    ("```insight\nquestion: Why?\nanswer: ''\n```\n", "answer:", "needs an answer"),
    ("Text.\n\n```pullquote\n\n```\n", "```pullquote", "needs the quote"),
])
def test_bad_blocks_point_at_their_line(project, body, needle, message):
    error = error_for(project, body)
    assert error.path.name == "essay.md"
    assert error.line == file_line(project, needle)
    assert message in error.message


def test_identical_blocks_get_their_own_lines(project):
    example = "````markdown\n```insight\nquestion: Why?\n```\n````\n"
    block = "```insight\nquestion: Why?\n```\n"
    error = error_for(project, f"Shown as code:\n\n{example}\nUsed:\n\n{block}")
    assert error.line == 15  # not 8: the example inside the ````markdown fence is not a block
    good = "```insight\nquestion: Why?\nanswer: A.\n```\n"
    error = error_for(project, f"{good}\n{block}")
    assert error.line == 10


def test_errors_inside_quotes_and_lists_point_at_their_line(project):
    error = error_for(project, "Text.\n\n- An item\n\n    ```stats\n    - {label: x}\n    ```\n")
    assert error.line == file_line(project, "{label: x}")
    error = error_for(project, "Text.\n\n> ```stats\n> - {label: y}\n> ```\n")
    assert error.line == file_line(project, "{label: y}")


def test_an_error_is_a_content_error_that_prints_path_and_line(project):
    error = error_for(project, "```insight\nquestion: Why?\n```\n")
    assert str(error).endswith("essay.md:5: an insight needs an answer:")

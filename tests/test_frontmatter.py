"""longform/frontmatter.py: splitting a file into metadata and body, with the writer's lines."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from longform.errors import ContentError
from longform.frontmatter import as_date, key_lines, split

PATH = Path("content/essay.md")


def test_yaml_frontmatter_gives_metadata_body_and_the_body_line():
    text = "---\ntitle: Hello\ndate: 2024-01-02\n---\n\nFirst paragraph.\n"
    meta, body, body_line = split(PATH, text)
    assert meta == {"title": "Hello", "date": date(2024, 1, 2)}
    assert body == "\nFirst paragraph.\n"
    assert text.split("\n")[body_line - 1] == ""  # the line right after the closing ---
    assert text.split("\n")[body_line] == "First paragraph."


def test_yaml_document_end_marker_closes_the_frontmatter():
    meta, body, _ = split(PATH, "---\ntitle: Dots\n...\nBody\n")
    assert meta == {"title": "Dots"}
    assert body == "Body\n"


def test_hugo_toml_frontmatter():
    meta, body, body_line = split(PATH, '+++\ntitle = "Hugo"\ndate = 2024-05-06\n+++\nBody\n')
    assert meta == {"title": "Hugo", "date": date(2024, 5, 6)}
    assert body == "Body\n"
    assert body_line == 5


def test_windows_line_endings():
    meta, body, _ = split(PATH, "---\r\ntitle: Crlf\r\n---\r\nBody\r\n")
    assert meta == {"title": "Crlf"}
    assert body.strip() == "Body"


def test_empty_frontmatter_is_an_empty_mapping():
    meta, body, _ = split(PATH, "---\n---\nBody\n")
    assert meta == {}
    assert body == "Body\n"


@pytest.mark.parametrize("text, line, words", [
    ("No frontmatter at all\n", 1, "no frontmatter"),
    ("---\ntitle: Open\n\nBody\n", 1, "never closed"),
    ("---\n- one\n- two\n---\n", 2, "a list"),
    ("---\njust words\n---\n", 2, "a single value"),
    ("---\ndate: 2024-01-01\ntitle: Oops: a colon\n---\n", 3, "invalid YAML"),
    ("---\ntitle: Fine\ntags: [a, b\ndek: x\n---\n", 4, "invalid YAML"),
    ('+++\ntitle = "Fine"\nnot toml at all\n+++\n', 3, "invalid TOML"),
])
def test_malformed_frontmatter_points_at_the_line(text, line, words):
    with pytest.raises(ContentError) as caught:
        split(PATH, text)
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{PATH}:{line}: ")


def test_impossible_calendar_date_is_left_as_text_for_the_date_check():
    # YAML reads 2024-02-30 as a timestamp and fails to build it; that must not escape as a
    # ValueError, and the value should reach the 'date' check, which names its line.
    meta, _, _ = split(PATH, "---\ntitle: Leap\ndate: 2024-02-30\n---\n")
    assert meta["date"] == "2024-02-30"
    assert as_date(meta["date"]) is None


def test_key_lines_stop_at_the_closing_fence():
    text = "---\ntitle: A\n# comment\ntags:\n  - x\ndate: 2024-01-01\n---\nbody: not a key\n"
    assert key_lines(text) == {"title": 2, "tags": 4, "date": 6}


@pytest.mark.parametrize("value, expected", [
    (date(2024, 3, 4), date(2024, 3, 4)),
    (datetime(2024, 3, 4, 23, 30, tzinfo=UTC), date(2024, 3, 4)),
    ("2024-03-04", date(2024, 3, 4)),
    ("2024-03-04 10:30", date(2024, 3, 4)),
    ("2024-03-04 10:30:00 +0100", date(2024, 3, 4)),
    ("2024-03-04T10:30:00.123+01:00", date(2024, 3, 4)),
    ("2024-03-04T10:30:00Z", date(2024, 3, 4)),
    ("2024-02-30", None),
    ("next tuesday", None),
    ("04/03/2024", None),
    (20240304, None),
    (None, None),
])
def test_as_date(value, expected):
    assert as_date(value) == expected


def test_yaml_dates_with_times_and_zones_keep_the_written_day():
    meta, _, _ = split(PATH, "---\ndate: 2024-03-04T23:30:00-05:00\n---\n")
    assert as_date(meta["date"]) == date(2024, 3, 4)

"""tomltable.py: import sets keys of [tool.longform] as text, every other line kept as written."""

import tomllib

import pytest

from longform.tomltable import toml_value, with_settings

PYPROJECT = """[project]
name = "blog"
description = "not the site's"  # [project] has a description too

[tool.longform]
# the writer's comment stays
title = "Old"
stances = [
    "Contrarian",  # a comment ] with a bracket
    "Bet",
]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""


def test_keys_are_replaced_in_place_and_new_keys_added_to_the_table():
    new = with_settings(PYPROJECT, "tool.longform", {"title": "New", "stances": ["One"],
                                                     "description": "Mine"})
    assert new == PYPROJECT.replace('title = "Old"', 'title = "New"').replace(
        'stances = [\n    "Contrarian",  # a comment ] with a bracket\n    "Bet",\n]',
        'stances = ["One"]\ndescription = "Mine"')
    data = tomllib.loads(new)
    assert data["project"]["description"] == "not the site's"
    assert data["tool"]["longform"] == {"title": "New", "stances": ["One"], "description": "Mine"}


def test_a_missing_table_is_added_at_the_end():
    new = with_settings('[project]\nname = "x"\n\n\n', "tool.longform", {"title": "T"})
    assert new == '[project]\nname = "x"\n\n[tool.longform]\ntitle = "T"\n'


@pytest.mark.parametrize("value", ['quote " and \\ backslash', "tab\tnewline\n", "é — 日本",
                                   "del \x7f and \x01", ["/:year/:title.html", "/a b/"],
                                   {"posts": "/:year/", "*": ["/a/", "/b/"], "a b": "c"}])
def test_values_read_back_as_written(value):
    assert tomllib.loads("key = " + toml_value(value))["key"] == value

"""longform/config.py: settings from [tool.longform], defaults for everything, errors at the
line of pyproject.toml that is wrong."""

import pytest

from longform.config import SiteConfig, load_config
from longform.errors import ContentError


def write(tmp_path, text: str):
    (tmp_path / "pyproject.toml").write_text(text, "utf-8")


def test_defaults_without_pyproject(tmp_path):
    config = load_config(tmp_path)
    assert config == SiteConfig(root=tmp_path.resolve())
    assert (config.title, config.words_per_minute, config.language) == ("Longform", 230, "en")
    assert config.stances == ("Contrarian",)
    assert config.base_url.endswith("/") and config.base_path == "/"
    assert not config.include_drafts


def test_defaults_without_a_longform_table(tmp_path):
    write(tmp_path, '[project]\nname = "x"\n')
    assert load_config(tmp_path) == SiteConfig(root=tmp_path.resolve())


def test_settings_are_read(tmp_path):
    write(tmp_path, '[tool.longform]\ntitle = "Notes"\ndescription = "D"\n'
                    'base_url = "https://me.github.io/blog"\nlanguage = "de"\n'
                    'default_author = "ada"\nwords_per_minute = 200\nstances = ["Hot take"]\n')
    config = load_config(tmp_path)
    assert (config.title, config.description, config.language, config.default_author) == \
        ("Notes", "D", "de", "ada")
    assert config.words_per_minute == 200
    assert config.stances == ("Hot take",)
    assert config.base_url == "https://me.github.io/blog/"
    assert config.base_path == "/blog/"


def test_command_line_overrides_win(tmp_path):
    write(tmp_path, '[tool.longform]\nbase_url = "https://example.org/"\n')
    config = load_config(tmp_path, base_url="https://example.org/a/b", include_drafts=True)
    assert (config.base_url, config.base_path, config.include_drafts) == \
        ("https://example.org/a/b/", "/a/b/", True)
    assert load_config(tmp_path, base_url=None).base_url == "https://example.org/"


@pytest.mark.parametrize("base_url, base_path", [
    ("https://example.org", "/"),
    ("https://example.org/", "/"),
    ("https://user.github.io/project", "/project/"),
    ("http://localhost:8000/docs/site/", "/docs/site/"),
])
def test_base_path(tmp_path, base_url, base_path):
    assert load_config(tmp_path, base_url=base_url).base_path == base_path


# [project] comes first and has its own `description`: errors must point into [tool.longform].
PYPROJECT = '''[project]
name = "site"
description = "The package, not the site"

[tool.longform]
language = "en"
{line}
'''


@pytest.mark.parametrize("line, words", [
    ('colour = "blue"', "unknown setting 'colour'"),
    ("title = 3", "'title' must be str"),
    ("description = 3", "'description' must be str"),
    ('words_per_minute = "fast"', "'words_per_minute' must be int"),
    ("words_per_minute = true", "'words_per_minute' must be int"),
    ("words_per_minute = 0", "'words_per_minute' must be"),
    ("words_per_minute = -50", "'words_per_minute' must be"),
    ('stances = "Contrarian"', "'stances' must be"),
    ('stances = ["Contrarian", 3]', "'stances' must be"),
    ('broken_links = "ignore"', "'broken_links' must be \"error\" (the default) or \"warn\""),
    ("broken_links = false", "'broken_links' must be str"),
    ('search = "no"', "'search' must be bool"),
    ("search = 0", "'search' must be bool"),
])
def test_wrong_settings_name_their_line(tmp_path, line, words):
    write(tmp_path, PYPROJECT.format(line=line))
    with pytest.raises(ContentError) as caught:
        load_config(tmp_path)
    assert caught.value.path.name == "pyproject.toml"
    assert caught.value.line == 7
    assert words in caught.value.message


def test_invalid_toml_names_its_line(tmp_path):
    write(tmp_path, '[tool.longform]\ntitle = "Notes"\nbase_url = https://x\n')
    with pytest.raises(ContentError) as caught:
        load_config(tmp_path)
    assert caught.value.line == 3
    assert "not valid TOML" in caught.value.message


def test_search_is_on_unless_turned_off(tmp_path):
    assert load_config(tmp_path).search
    write(tmp_path, "[tool.longform]\nsearch = false\n")
    assert not load_config(tmp_path).search


def test_a_default_base_url_applies_only_when_the_settings_have_none(tmp_path):
    # What CI passes: GitHub Pages' address, without the trailing slash.
    pages = "https://x.github.io/blog"
    config = load_config(tmp_path, default_base_url=pages)
    assert (config.base_url, config.base_path) == ("https://x.github.io/blog/", "/blog/")
    write(tmp_path, '[tool.longform]\nbase_url = "https://essays.example.com/"\n')
    assert load_config(tmp_path, default_base_url=pages).base_url == \
        "https://essays.example.com/"
    assert load_config(tmp_path, default_base_url=pages,
                       base_url="https://y.example/").base_url == "https://y.example/"

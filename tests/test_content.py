"""longform/content.py: essay files → Essay records, with Hugo/Jekyll compatibility and errors
that name the file and line. The Jekyll sample site is also built end to end."""

from datetime import date

import pytest
from conftest import broken_links

from longform.content import (
    essay_files,
    load_authors,
    load_essay,
    slugify,
)
from longform.errors import ContentError


def essay(tmp_path, text: str, name: str = "essay.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_essay(path)


def test_a_plain_essay(tmp_path):
    e = essay(tmp_path, "---\ntitle: '  Scale  '\ndate: 2024-01-02\ndek: Less each time.\n"
                        "category: Research\ntags: [Scaling, Data]\nauthor: ruby\n---\n\nBody.\n")
    assert (e.slug, e.title, e.date, e.dek) == ("essay", "Scale", date(2024, 1, 2),
                                                "Less each time.")
    assert (e.category, e.tags, e.author, e.draft) == ("Research", ("Scaling", "Data"), "ruby",
                                                       False)
    assert e.body_md == "\nBody.\n"
    assert e.body_line == 9  # the blank line after the closing ---


@pytest.mark.parametrize("key", ["dek", "subtitle", "description", "summary", "excerpt"])
def test_dek_aliases(tmp_path, key):
    assert essay(tmp_path, f"---\ntitle: T\ndate: 2024-01-01\n{key}: The dek\n---\n").dek == \
        "The dek"


def test_jekyll_file_name_supplies_date_and_slug(tmp_path):
    e = essay(tmp_path, "---\ntitle: Hello\n---\nHi\n", name="2023-11-05-hello-world.md")
    assert (e.date, e.slug) == (date(2023, 11, 5), "hello-world")


def test_frontmatter_date_and_slug_win_over_the_file_name(tmp_path):
    e = essay(tmp_path, "---\ntitle: Hi\ndate: 2023-12-25 08:00:00 +0100\nslug: Merry Day\n---\n",
              name="2023-12-24-eve.markdown")
    assert (e.date, e.slug) == (date(2023, 12, 25), "merry-day")


def test_a_name_that_only_looks_dated_keeps_its_whole_stem(tmp_path):
    e = essay(tmp_path, "---\ntitle: T\ndate: 2024-01-01\n---\n", name="2023-13-45-odd.md")
    assert e.slug == "2023-13-45-odd"


@pytest.mark.parametrize("tags, expected", [
    ("[a, b]", ("a", "b")),
    ("alpha beta gamma", ("alpha", "beta", "gamma")),  # Jekyll
    ("machine learning, data", ("machine learning", "data")),  # Pelican
    ("solo", ("solo",)),
    ("[a, a, b]", ("a", "b")),
    ("", ()),
])
def test_tags(tmp_path, tags, expected):
    assert essay(tmp_path, f"---\ntitle: T\ndate: 2024-01-01\ntags: {tags}\n---\n").tags == \
        expected


def test_categories_list_gives_the_first_as_category(tmp_path):
    e = essay(tmp_path, "---\ntitle: T\ndate: 2024-01-01\ncategories: [notes, jekyll]\n---\n")
    assert e.category == "notes"


def test_jekyll_published_false_is_a_draft(tmp_path):
    assert essay(tmp_path, "---\ntitle: T\ndate: 2024-01-01\npublished: false\n---\n").draft


def test_unknown_keys_are_kept_as_extra(tmp_path):
    e = essay(tmp_path, "---\ntitle: T\ndate: 2024-01-01\nlayout: post\nhero: x.png\n---\n")
    assert e.extra == {"layout": "post", "hero": "x.png"}


def test_related_and_updated(tmp_path):
    e = essay(tmp_path, "---\ntitle: T\ndate: 2024-01-01\nrelated: [b, a]\nupdated: 2024-02-01\n"
                        "---\n")
    assert e.related_slugs == ("b", "a")
    assert e.updated == date(2024, 2, 1)


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff---\ntitle: Bom\ndate: 2024-01-01\n---\n".encode())
    assert load_essay(path).title == "Bom"


@pytest.mark.parametrize("lines, line, words", [
    ("date: 2024-01-01", 1, "missing 'title'"),
    ("title: T", 1, "missing 'date'"),
    ("title: [a, b]\ndate: 2024-01-01", 2, "'title' must be text"),
    ("title: T\ndate: soon", 3, "is not a date"),
    ("title: T\ndate: 2024-02-30", 3, "is not a date"),
    ("title: T\ndate: 2024-01-01\ntags: {a: 1}", 4, "'tags' must be"),
    ("title: T\ndate: 2024-01-01\ntags:\n  - a\n  - 3", 4, "'tags' must be"),
    ("title: T\ndate: 2024-01-01\ntags: [a, '']", 4, "'tags' must be"),
    ("title: T\ndate: 2024-01-01\nslug: a/b", 4, "may not contain"),
    ("title: T\ndate: 2024-01-01\nslug: ../up", 4, "may not contain"),
    ("title: T\ndate: 2024-01-01\nslug: '!!!'", 4, "no letters or digits"),
    ("title: T\ndate: 2024-01-01\ndraft: maybe", 4, "'draft' must be true or false"),
    ("title: T\ndate: 2024-01-01\nupdated: later", 4, "is not a date"),
    ("title: T\ndate: 2024-01-01\nrelated: {a: b}", 4, "'related' must be"),
    ("title: T\ndate: 2024-01-01\nauthor: {name: x}", 4, "'author' must be"),
    ("title: T\ndate: 2024-01-01\ndek: [x]", 4, "'dek' must be text"),
])
def test_wrong_values_name_their_line(tmp_path, lines, line, words):
    with pytest.raises(ContentError) as caught:
        essay(tmp_path, f"---\n{lines}\n---\nBody\n")
    assert (caught.value.line, caught.value.path.name) == (line, "essay.md")
    assert words in caught.value.message


def test_a_file_that_is_not_utf8_names_the_line_of_the_first_bad_byte(tmp_path):
    path = tmp_path / "latin.md"
    path.write_bytes(b"---\ntitle: T\ndate: 2024-01-01\n---\n\nCaf\xe9 au lait\n")
    with pytest.raises(ContentError) as caught:
        load_essay(path)
    assert caught.value.line == 6
    assert "not UTF-8" in caught.value.message


@pytest.mark.parametrize("text, slug", [
    ("Hello, World!", "hello-world"),
    ("GPT-4.5 and the wall", "gpt-4-5-and-the-wall"),
    ("Don't panic", "dont-panic"),
    ("Ünïcode Straße", "ünïcode-straße"),
    ("snake_case words", "snake-case-words"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_essay_files_skip_hidden_underscored_and_readme(tmp_path):
    for name in ["a.md", "b.markdown", "sub/c.md", "README.md", "_drafts/d.md", ".git/e.md",
                 "notes.txt", "media/f.png"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in essay_files(tmp_path)] == \
        ["a.md", "b.markdown", "sub/c.md"]
    assert essay_files(tmp_path / "missing") == []


def test_authors_yaml(tmp_path):
    (tmp_path / "authors.yaml").write_text(
        "ada:\n  name: Ada Byron\n  bio: Writes.\n  avatar: media/ada.svg\nbo: Bo Lindgren\n")
    authors = load_authors(tmp_path)
    assert (authors["ada"].name, authors["ada"].bio, authors["ada"].avatar) == \
        ("Ada Byron", "Writes.", "media/ada.svg")
    assert (authors["bo"].name, authors["bo"].bio) == ("Bo Lindgren", None)
    assert load_authors(tmp_path / "nowhere") == {}


def test_authors_yaml_errors_name_the_line(tmp_path):
    (tmp_path / "authors.yaml").write_text("ada:\n  name: Ada\nbo:\n  name: [1, 2]\n")
    with pytest.raises(ContentError) as caught:
        load_authors(tmp_path)
    assert caught.value.line == 3
    (tmp_path / "authors.yaml").write_text("ada:\n  name: Ada: Byron\n")
    with pytest.raises(ContentError) as caught:
        load_authors(tmp_path)
    assert caught.value.line == 2


# --- The Jekyll sample site, built -------------------------------------------------------------

def test_jekyll_posts_build_unchanged(make_project, build):
    project = make_project("jekyll")
    result = build(project)
    assert result.status == 0, result.err
    hello = project.page("essays/hello-jekyll/")
    assert "Hello from Jekyll" in hello
    assert "5 November 2023" in hello  # the date came from the file name
    assert '<aside class="jekyll-raw"><p>Raw <em>HTML</em> passes through.</p></aside>' in hello
    for tag in ("alpha", "beta", "gamma"):
        assert (project.out / f"tags/{tag}/index.html").is_file()
    assert (project.out / "categories/notes/index.html").is_file()
    assert "1 December 2023" in project.page("essays/timed/")  # .markdown, date with a time
    assert "25 December 2023" in project.page("essays/christmas-eve/")
    assert broken_links(project.out) == []

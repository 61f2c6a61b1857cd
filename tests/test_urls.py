"""urls.py: permalink patterns, an essay's own permalink/url, old addresses (aliases,
redirect_from, legacy_permalinks), redirect pages and _redirects, and the errors when URLs clash."""

from pathlib import Path

import pytest
from conftest import Document, broken_links

from longform.config import load_config
from longform.content import load_essay
from longform.tomltable import with_settings
from longform.urls import expand, page_path

POST = "---\ntitle: {title}\ndate: {date}\n{extra}---\n\nSome text.\n"


def essay_file(root: Path, name: str, title: str = "Post", date: str = "2024-01-02",
               extra: str = "") -> Path:
    path = root / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST.format(title=title, date=date, extra=extra), "utf-8")
    return path


def old_address(root: Path, pattern: str, name: str, **fields) -> str:
    essay = load_essay(essay_file(root, name, **fields))
    return expand(pattern, essay, root / "content")


def test_title_comes_from_a_jekyll_file_name_not_from_the_title(tmp_path):
    assert old_address(tmp_path, "/:year/:month/:day/:title.html", "2022-12-01-Some-post.md",
                       title="Something else entirely", date="2022-12-01") == \
        "2022/12/01/Some-post.html"
    # Jekyll's `slug:` overrides the name; :slug is always Longform's (lower-case) slug.
    assert old_address(tmp_path, "/:title/", "2022-12-01-a.md", extra="slug: chosen\n") == \
        "chosen/"
    assert old_address(tmp_path, "/:slug/", "2022-12-01-Some-post.md") == "some-post/"


def test_title_without_a_dated_file_name_is_the_title_as_a_path(tmp_path):
    assert old_address(tmp_path, "/notes/:title/", "ueber.md", title="Über die Größe") == \
        "notes/über-die-größe/"
    assert old_address(tmp_path, "/:title.html", "2019-06-20-äpfel-und-birnen.md",
                       title="Äpfel") == "äpfel-und-birnen.html"


@pytest.mark.parametrize("written", ["2019-03-01 23:30:00 -0800", "'2019-03-01 23:30:00 -08:00'",
                                     "2019-03-01T23:30:00-08:00", "2019-03-01 23:30:00 -08:00"])
def test_a_date_keeps_its_day_as_written_not_shifted_to_utc(tmp_path, written):
    assert old_address(tmp_path, "/:year/:month/:day/:title/", "2019-03-01-frost.md",
                       date=written) == "2019/03/01/frost/"


def test_every_variable(tmp_path):
    essay = load_essay(essay_file(tmp_path, "posts/bundle/index.md", title="A Bundle",
                                  date="2021-02-03", extra="categories: [Big News, b]\n"))
    pattern = ("/:year/:short_year/:i_month/:i_day/:y_day/:slug/:title/:filename/"
               ":slugorfilename/:category/:categories/:section:output_ext")
    assert expand(pattern, essay, tmp_path / "content") == \
        "2021/21/2/3/034/bundle/a-bundle/bundle/bundle/big-news/big news/b/posts.html"
    # Empty parts collapse: no categories, no section.
    top = load_essay(essay_file(tmp_path, "2021-02-03-top.md"))
    assert expand("/:categories/:section/:title:output_ext", top, tmp_path / "content") == \
        "top.html"


def test_page_paths():
    assert page_path("a/b/") == "a/b/index.html"
    assert page_path("a/b.html") == "a/b.html"
    assert page_path("a/b") == "a/b.html"  # as Jekyll writes an extension-less permalink
    assert page_path("feed.php") is None  # only _redirects can answer that


def test_a_permalink_pattern_places_every_essay(make_project, build):
    project = make_project("basic", permalink="/:year/:month/:title.html")
    result = build(project)
    assert result.status == 0, result.err
    assert Document(project.page("2024/03/first-light.html")).text_of("h1") == ["First Light"]
    assert "https://example.org/2024/03/first-light.html" in project.page("sitemap.xml")
    assert 'href="/2024/03/first-light.html"' in project.page("")
    assert not (project.out / "essays").exists()
    assert broken_links(project.out) == []


def test_an_essays_own_permalink_or_url_sets_its_url(make_project, build):
    project = make_project("basic")
    essay_file(project.root, "jekyll-own.md", title="Own", extra="permalink: /about/own/\n")
    essay_file(project.root, "hugo-own.md", title="Hugo", extra="url: /hugo/page\n")
    assert build(project).status == 0
    assert Document(project.page("about/own/")).text_of("h1") == ["Own"]
    assert Document(project.page("hugo/page/")).text_of("h1") == ["Hugo"]


def test_two_essays_on_one_url_name_both_files_and_lines(make_project, build):
    project = make_project("basic")
    essay_file(project.root, "a.md", extra="tags: [x]\npermalink: /same/\n")
    essay_file(project.root, "b.md", extra="url: /same/\n")
    result = build(project)
    assert result.status == 1
    first = result.err.splitlines()[0]
    assert first == ("content/b.md:4: this essay's URL /same/ is also the URL of "
                                  "a.md:5; give one of them its own 'permalink:' or 'slug:'")


def test_legacy_patterns_by_section(make_project, build):
    project = make_project("basic")
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(with_settings(pyproject.read_text("utf-8"), "tool.longform", {
        "legacy_permalinks": {"posts": "/:year/:title/", "*": ["/old/:slug.html",
                                                               "/older/:slug/"]}}), "utf-8")
    essay_file(project.root, "posts/in-posts.md", title="In posts", extra="tags: [x]\n")
    assert build(project).status == 0
    redirects = (project.out / "_redirects").read_text("utf-8")
    assert "/2024/in-posts/ /essays/in-posts/ 301\n" in redirects
    assert "/old/in-posts.html" not in redirects  # its section has a pattern of its own
    assert "/old/first-light.html /essays/first-light/ 301\n" in redirects
    assert "/older/first-light/ /essays/first-light/ 301\n" in redirects
    assert "/2024/first-light/" not in redirects


def test_an_old_address_of_no_essay_is_a_broken_link(make_project, build):
    project = make_project("basic", legacy_permalinks=["/:year/:month/:day/:title.html"])
    essay_file(project.root, "linker.md", extra="tags: [x]\n")
    project.write("content/linker.md", project.root.joinpath("content/linker.md").read_text()
                  + "\nSee [the lost one](/2020/01/01/lost.html).\n")
    result = build(project)
    assert result.status == 1
    first = result.err.splitlines()[0]
    assert first == ("content/linker.md:9: link to '/2020/01/01/lost.html' leads "
                                  "nowhere: the site has no 2020/01/01/lost.html")


@pytest.mark.parametrize("key, value, message", [
    ("permalink", '"/:year/:nonsense/"', "setting 'permalink': '/:year/:nonsense/' has the "
                                         "unknown variable :nonsense"),
    ("permalink", '"/essays/:slug"', "must end in '/' (a folder) or '.html' (a file)"),
    ("legacy_permalinks", '["2019/:title.html"]', "must start with '/'"),
    ("legacy_permalinks", '"/:title/"', "setting 'legacy_permalinks' must be a list of "
                                        "patterns"),
    ("legacy_permalinks", '{posts = ["/:title/", 3]}', "or a table of them by section"),
    ("legacy_permalinks", '{posts = "/:bad/"}', "has the unknown variable :bad"),
])
def test_a_bad_pattern_is_an_error_at_its_line(tmp_path, key, value, message):
    from longform.errors import ContentError
    (tmp_path / "pyproject.toml").write_text(f'[tool.longform]\ntitle = "t"\n{key} = {value}\n')
    with pytest.raises(ContentError) as caught:
        load_config(tmp_path)
    assert caught.value.line == 3
    assert message in caught.value.message


def test_a_pattern_that_puts_two_essays_on_one_url_names_both(make_project, build):
    project = make_project("basic", permalink="/:year/")
    result = build(project)
    assert result.status == 1
    first = result.err.splitlines()[0]
    assert first == ("content/first-light.md:2: this essay's URL /2024/ is also "
                                  "the URL of second-wind.md:2; give one of them its own "
                                  "'permalink:' or 'slug:'")


def test_jekylls_own_spelling_of_a_file_url(make_project, build):
    project = make_project("basic", permalink="/:categories/:year/:title:output_ext")
    assert build(project).status == 0
    assert Document(project.page("field notes/2024/first-light.html")).text_of("h1") == \
        ["First Light"]

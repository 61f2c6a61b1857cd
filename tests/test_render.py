"""longform/render.py: every page of the site — feed, sitemap, robots.txt, 404, canonical URLs —
and the guarantees a whole build makes: links resolve, markup is balanced, output is repeatable."""

import os
import xml.etree.ElementTree as ET
from datetime import date

import feedparser
import pytest
from conftest import BASE_URL, Document, broken_links, build_process

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"



def test_the_site_has_every_kind_of_page(basic):
    for path in ("index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt",
                 "essays/first-light/index.html", "tags/optics/index.html",
                 "categories/field-notes/index.html", "authors/ada/index.html",
                 "media/diagram.svg"):
        assert (basic.out / path).is_file(), path


def test_every_internal_link_resolves(basic):
    assert broken_links(basic.out) == []


def test_every_internal_link_resolves_under_a_sub_path(make_project, build):
    project = make_project("basic", base_url="https://example.org/blog/")
    assert build(project, "--drafts").status == 0
    assert broken_links(project.out, "https://example.org/blog/") == []
    home = Document(project.page(""))
    assert "/blog/essays/first-light/" in home.links()
    assert not [link for link in home.links() if link.startswith("/") and
                not link.startswith("/blog/")]
    feed = feedparser.parse((project.out / "feed.xml").read_bytes())
    sitemap = ET.fromstring((project.out / "sitemap.xml").read_bytes())
    absolute = [e.link for e in feed.entries] + [u.findtext(f"{SITEMAP}loc") for u in sitemap]
    for url in absolute:
        assert url.startswith("https://example.org/blog/"), url
        assert (project.out / url.removeprefix("https://example.org/blog/") / "index.html"
                ).is_file(), url


def test_a_sub_path_given_on_the_command_line(make_project, build):
    project = make_project("basic")
    assert build(project, "--base-url", "https://me.github.io/notes").status == 0
    assert broken_links(project.out, "https://me.github.io/notes/") == []
    assert "https://me.github.io/notes/sitemap.xml" in project.page("robots.txt")


def test_pages_have_balanced_markup_one_h1_and_a_language(basic):
    for path in sorted(basic.out.rglob("*.html")):
        page = Document(path.read_text("utf-8"))
        name = path.relative_to(basic.out).as_posix()
        assert page.problems == [], name
        assert len(page.find_all("h1")) == 1, name
        assert page.find_all("html")[0].attrs.get("lang") == "en", name
        assert page.text_of("title") and page.text_of("title")[0], name


def test_canonical_and_social_meta_use_the_clean_absolute_url(basic):
    page = Document(basic.page("essays/first-light/"))
    canonical = [e.attrs["href"] for e in page.find_all("link") if e.attrs.get("rel") ==
                 "canonical"]
    assert canonical == [BASE_URL + "essays/first-light/"]
    meta = {e.attrs.get("property") or e.attrs.get("name"): e.attrs.get("content")
            for e in page.find_all("meta")}
    assert meta["og:url"] == BASE_URL + "essays/first-light/"
    assert meta["og:title"] == "First Light"
    assert meta["og:description"] == "What the telescope saw on its first night."
    assert meta["twitter:card"]
    home = Document(basic.page(""))
    assert [e.attrs["href"] for e in home.find_all("link") if e.attrs.get("rel") ==
            "canonical"] == [BASE_URL]


def test_feed_parses_with_full_content_and_dates(basic):
    feed = feedparser.parse((basic.out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Sample Essays"
    assert [e.title for e in feed.entries] == ["Second Wind", "First Light", "The Third Rail"]
    dates = [date(*e.published_parsed[:3]) for e in feed.entries]
    assert dates == [date(2024, 4, 2), date(2024, 3, 10), date(2024, 1, 15)]
    assert [e.link for e in feed.entries] == [BASE_URL + "essays/second-wind/",
                                              BASE_URL + "essays/first-light/",
                                              BASE_URL + "essays/third-rail/"]
    assert len({e.id for e in feed.entries}) == 3
    first_light = feed.entries[1]
    content = first_light.content[0].value
    # the whole body, footnotes included, not a summary
    for text in ("never its best", "The mirror", "A paragraph with an attribute list.",
                 "Grinding glass is slow work."):
        assert text in content
    assert first_light.author == "Ada Byron"
    assert {t.term for t in first_light.tags} == {"Contrarian", "Optics"}
    assert date(*feed.feed.updated_parsed[:3]) == date(2024, 4, 2)


def test_feed_leaves_drafts_out_and_has_them_with_the_flag(make_project, build):
    project = make_project("basic")
    build(project)
    assert len(feedparser.parse(str(project.out / "feed.xml")).entries) == 3
    build(project, "--drafts")
    assert "Unfinished Business" in [e.title for e in
                                     feedparser.parse(str(project.out / "feed.xml")).entries]


def test_sitemap_lists_every_page_by_its_absolute_url(basic):
    root = ET.fromstring((basic.out / "sitemap.xml").read_bytes())
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    assert BASE_URL in urls
    assert urls[BASE_URL + "essays/first-light/"] == "2024-03-10"
    for page in ("tags/optics/", "categories/field-notes/", "authors/grace-hopper/"):
        assert BASE_URL + page in urls
    for url in urls:
        relative = url.removeprefix(BASE_URL)
        assert url.startswith(BASE_URL) and (basic.out / relative / "index.html").is_file(), url
    assert not [u for u in urls if "unfinished" in u]


def test_robots_txt_points_at_the_sitemap(basic):
    robots = basic.page("robots.txt")
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots


def test_404_page_links_work_from_any_address(make_project, build):
    # The server shows 404.html at whatever URL was asked for: no relative links.
    project = make_project("basic", base_url="https://example.org/blog/")
    build(project)
    page = Document(project.page("404.html"))
    assert page.links()
    assert [link for link in page.links() if not link.startswith(("/blog/", "#", "https:"))] == []


def test_assets_are_fingerprinted(basic):
    page = Document(basic.page(""))
    sheets = [e.attrs["href"] for e in page.find_all("link") if e.attrs.get("rel") ==
              "stylesheet"]
    assert sheets
    for href in sheets:
        name = href.rsplit("/", 1)[1]
        stem, digest, suffix = name.rsplit(".", 2)
        assert len(digest) == 10 and suffix == "css", href


def test_highlight_styles_in_the_theme_for_light_and_dark(basic):
    css = "".join(p.read_text("utf-8") for p in (basic.out / "static").glob("*.css"))
    assert ".highlight" in css
    assert "prefers-color-scheme: dark" in css or "prefers-color-scheme:dark" in css


def test_empty_content_builds_a_valid_empty_home_page(make_project, build):
    project = make_project("empty")
    result = build(project)
    assert result.status == 0, result.err
    home = Document(project.page(""))
    assert home.problems == []
    assert home.find_all("h1")
    assert not [link for link in home.links() if "/essays/" in link]
    assert broken_links(project.out) == []
    feed = feedparser.parse(str(project.out / "feed.xml"))
    assert not feed.bozo and feed.entries == []
    ET.fromstring((project.out / "sitemap.xml").read_bytes())


def test_missing_content_folder_builds_like_an_empty_one(make_project, build):
    project = make_project("empty")
    (project.root / "content/.gitkeep").unlink()
    (project.root / "content").rmdir()
    assert build(project).status == 0
    assert (project.out / "index.html").is_file()


def test_two_builds_are_byte_identical(make_project):
    # Separate copies, separate processes, different hash seeds: nothing may depend on where
    # the project sits, on set order or on the clock.
    first, second = make_project("basic"), make_project("basic")
    for project, seed in ((first, "1"), (second, "2")):
        result = build_process(project, "--drafts", env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.status == 0, result.err
    assert first.files() == second.files()


def test_rebuilding_in_place_changes_nothing(make_project, build):
    project = make_project("basic")
    build(project)
    before = project.files()
    build(project)
    assert project.files() == before


def test_a_second_build_in_the_same_process_shows_what_changed_in_the_listings(make_project,
                                                                                build):
    # serve rebuilds in one process, where templates stay loaded between builds: the macros of
    # _macros.html (a listing's bylines) must see this build's site, not the first one's.
    project = make_project("basic")
    assert build(project).status == 0
    assert "<span>Ada Byron</span>" in project.page("")
    authors = project.root / "content/authors.yaml"
    authors.write_text(authors.read_text("utf-8").replace("Ada Byron", "Ada Lovelace"), "utf-8")
    assert build(project).status == 0
    home = project.page("")
    assert "<span>Ada Lovelace</span>" in home and "Ada Byron" not in home


def test_special_characters_survive_in_pages_feed_and_sitemap(make_project, build):
    project = make_project("empty", title="Notes & <Queries>")
    project.write("content/q-and-a.md", "---\ntitle: \"Q&A: <b>bold</b> \\\"quotes\\\"\"\n"
                                        "date: 2024-01-01\ndek: Fish & chips < caviar\n"
                                        "tags: [R&D, Straße]\n---\nBody & more.\n")
    assert build(project).status == 0
    page = Document(project.page("essays/q-and-a/"))
    assert page.text_of("h1") == ['Q&A: <b>bold</b> "quotes"']
    assert page.problems == []
    feed = feedparser.parse((project.out / "feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Notes & <Queries>"
    assert feed.entries[0].title == 'Q&A: <b>bold</b> "quotes"'
    assert feed.entries[0].summary == "Fish & chips < caviar"
    assert {t.term for t in feed.entries[0].tags} == {"R&D", "Straße"}
    assert "Body &amp; more." in feed.entries[0].content[0].value
    ET.fromstring((project.out / "sitemap.xml").read_bytes())
    assert broken_links(project.out) == []


def _with_many_essays(project, count: int):
    """The project with `count` more essays: enough pages for render.py's page pool."""
    for n in range(count):
        project.write(f"content/many-{n:03}.md",
                      f"---\ntitle: Note {n}\ndate: 2023-0{n % 9 + 1}-1{n % 10}\n"
                      f"tags: [Batch {n % 7}]\n---\n\n## First\n\nNote {n} on the batch.\n\n"
                      "## Second\n\nMore.\n\n## Third\n\nThe end.\n")
    return project


def test_pages_rendered_by_the_pool_are_the_ones_one_process_renders(make_project, build,
                                                                    monkeypatch):
    pooled = _with_many_essays(make_project("basic"), 230)
    alone = _with_many_essays(make_project("basic"), 230)
    assert build(pooled).status == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # one core: no pool
    assert build(alone).status == 0
    assert pooled.files() == alone.files()
    assert '<a href="#first">First</a>' in pooled.page("essays/many-007/")


@pytest.mark.parametrize("slug", ["many-000", "many-150", "many-229"])
def test_a_template_error_on_one_page_of_many_names_that_page(make_project, build, slug):
    # Whichever process renders the page (a worker or the build's own), the error is the same.
    project = _with_many_essays(make_project("basic"), 230)
    essay = project.root / "templates/essay.html"
    essay.write_text(essay.read_text("utf-8").replace(
        "{% block content %}\n",
        "{% block content %}\n{% if essay.slug == '" + slug + "' %}{{ 1 // 0 }}{% endif %}\n", 1),
        "utf-8")
    result = build(project)
    assert result.status == 1
    assert result.err.startswith(f"templates/essay.html:38: template error while rendering "
                                 f"essays/{slug}/index.html: ZeroDivisionError: integer "
                                 "division or modulo by zero\n")
    assert not project.out.exists()


def test_pages_rendered_in_worker_processes_are_the_same_and_name_a_broken_template(
        make_project, build, monkeypatch):
    import shutil

    from longform import render
    project = make_project("basic")
    assert build(project).status == 0
    alone = project.files()
    # Every page through the pool, from a cold cache: the workers use the templates the
    # main process loaded, the macros and base.html they import and extend included.
    monkeypatch.setattr(render, "PAGE_POOL_THRESHOLD", 1)
    shutil.rmtree(project.root / ".longform-cache")
    assert build(project).status == 0
    assert project.files() == alone
    macros = project.root / "templates/_macros.html"
    macros.write_text(macros.read_text() + "\n{% if %}\n")
    result = build(project)
    assert result.status == 1 and "templates/_macros.html:" in result.err
    assert project.files() == alone

"""`python build.py import PATH`: a whole Jekyll or Hugo site (tests/sites/import-jekyll and
import-hugo, written for these tests) brought into a project and built, with every old address
still leading to its essay; a second import refuses and changes nothing."""

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from conftest import SITES, Document, broken_links

JEKYLL_OLD = [  # the addresses Jekyll gave these posts (permalink: date, baseurl /blog)
    "journal/2019/03/01/Frost-Night.html",  # :title from the file name, not `title:`
    "journal/tools/2019/04/12/grafting-day.html",  # categories: "journal tools"
    "2019/06/20/äpfel-und-birnen.html",
    "2019/09/02/cider-pressing.html", "cider/", "2019/cider-pressing-day.html",
    "2020/01/15/pruning-in-winter.html",
    "2021/02/10/the-old-tree.html",
    "journal/2021/08/30/harvest-ledger.html",
    "journal/2022/11/11/first-snow.html",
]
HUGO_OLD = [  # posts = "/:year/:month/:day/:filename/", notes = "/notes/:slug/", uglyURLs
    "2019/03/01/first-shavings.html",  # dated 2019-03-01T23:30:00-08:00: the day as written
    "2019/05/18/sharpening.html", "sharpening/", "posts/old-sharpening",
    "2020/05/09/workbench.html", "2020/05/workbench.html",
    "2021/09/14/2021-09-14-the-shop-in-autumn.html",
    "notes/hide-glue.html", "notes/über-die-hobelbank.html", "notes/clamps.html",
]


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def imported(make_project, build, tmp_path):
    """import_site("import-jekyll") → (project, result of import, source copy)."""

    def run(name: str):
        source = tmp_path / name
        shutil.copytree(SITES / name, source)
        project = make_project("empty")
        return project, build(project, "import", str(source)), source

    return run


def redirect_target(html: str) -> str:
    refresh = next(e for e in Document(html).elements if e.attrs.get("http-equiv") == "refresh")
    return refresh.attrs["content"].split("url=", 1)[1]


def test_a_jekyll_site_imports_and_builds_with_every_old_address_redirecting(imported, build):
    project, result, source = imported("import-jekyll")
    before = tree_hash(source)
    assert result.status == 0, result.err
    assert 'setting base_url: "https://example.org/" → "https://x.github.io/blog/"' in result.out
    assert ('setting legacy_permalinks: (not set) → '
            '["/:categories/:year/:month/:day/:title:output_ext"]') in result.out
    assert "Brought over: 9 posts, 1 drafts, 4 static files." in result.out
    for line in ("theme: minima", "layouts: _layouts/, _includes/", "plugins: jekyll-archives",
                 "data files: _data/", "pages: about.md, index.html", "collections: _projects/"):
        assert f"Left behind: {line}" in result.out
    assert (project.root / "static/images/ladder.svg").is_file()
    assert "Gemfile" not in {p.name for p in project.root.rglob("*")}
    draft = (project.root / "content/a-hedge-for-the-north-side.md").read_text("utf-8")
    assert draft.startswith("---\ndraft: true\ndate: ")

    built = build(project)
    assert built.status == 0, built.err
    redirects = (project.out / "_redirects").read_text("utf-8").splitlines()
    for old in JEKYLL_OLD:
        page = old + "index.html" if old.endswith("/") else old
        target = redirect_target(project.page(page))
        assert target.startswith("/blog/essays/") or target == "/blog/bees/", old
        assert (project.out / target.removeprefix("/blog/") / "index.html").is_file()
        assert any(line.split()[0] == "/blog/" + quote_path(old) for line in redirects), old
    assert all(line.startswith("/blog/") and " /blog/" in line and line.endswith(" 301")
               for line in redirects)
    assert broken_links(project.out, "https://x.github.io/blog/") == []
    assert tree_hash(source) == before  # the source is only read


def quote_path(path: str) -> str:
    from urllib.parse import quote
    return quote(path)


def test_links_written_as_old_addresses_point_at_the_new_urls(imported, build):
    project, _, _ = imported("import-jekyll")
    assert build(project).status == 0
    ledger = Document(project.page("essays/harvest-ledger/"))
    # In the text's order; "Äpfel und Birnen" may come again among the related essays.
    body = list(dict.fromkeys(e.attrs["href"] for e in ledger.find_all("a") if e.text in (
        "frost", "pruning", "cider", "bees", "old tree", "Äpfel und Birnen")))
    assert body == ["/blog/essays/frost-night/", "/blog/essays/pruning-in-winter/",
                    "/blog/essays/cider-pressing/", "/blog/bees/", "/blog/essays/the-old-tree/",
                    "/blog/essays/äpfel-und-birnen/"]


def test_importing_twice_refuses_and_changes_nothing(imported, build):
    project, first, source = imported("import-jekyll")
    assert first.status == 0
    before = tree_hash(project.root)
    again = build(project, "import", str(source))
    assert again.status == 1
    lines = again.err.splitlines()
    assert "content/2019-03-01-Frost-Night.md:1: already exists, and import never overwrites;" \
           in lines[0]
    assert len(lines) == 15 and lines[-1] == "Nothing imported: 14 clashes."
    assert tree_hash(project.root) == before


def test_one_clash_stops_the_whole_import_before_anything_is_written(imported, make_project,
                                                                     build, tmp_path):
    project = make_project("empty")
    project.write("static/images/ladder.svg", "<svg/>")
    before = tree_hash(project.root)
    result = build(project, "import", str(SITES / "import-jekyll"))
    assert result.status == 1
    assert result.err.splitlines() == [
        "static/images/ladder.svg:1: already exists, and import never overwrites; move it away "
        "(to clear out the example essays, see the README)", "Nothing imported: 1 clashes."]
    assert tree_hash(project.root) == before


def test_a_hugo_site_imports_with_sections_bundles_and_ugly_urls(imported, build):
    project, result, _ = imported("import-hugo")
    assert result.status == 0, result.err
    assert ('setting legacy_permalinks: (not set) → {posts = "/:year/:month/:day/:filename.html"'
            ', notes = "/notes/:title.html"}') in result.out
    assert "Brought over: 9 posts, 1 drafts, 3 static files." in result.out
    assert "Left behind: pages (no date): about.md" in result.out
    assert "Left behind: section pages: _index.md, posts/_index.md" in result.out
    assert "Left behind: theme: plain, themes/" in result.out
    assert "Left behind: files Longform makes itself: robots.txt" in result.out
    built = build(project)
    assert built.status == 0, built.err
    for old in HUGO_OLD:
        page = old + "index.html" if old.endswith("/") else old
        page = page if page.endswith(".html") else page + ".html"
        target = redirect_target(project.page(page))
        assert (project.out / target.lstrip("/") / "index.html").is_file(), old
    assert redirect_target(project.page("2019/03/01/first-shavings.html")) == \
        "/essays/first-shavings/"
    # Each section's pattern makes addresses for that section's essays only, as Hugo did.
    assert not (project.out / "notes/first-shavings.html").exists()
    assert not (project.out / "2020/02/02/glue.html").exists()
    assert len((project.out / "_redirects").read_text("utf-8").splitlines()) == 12
    # The page bundle's image sits beside its essay's text, and the link to it works.
    assert (project.out / "posts/workbench/sketch.svg").is_file()
    assert "/posts/workbench/sketch.svg" in project.page("essays/workbench/")
    clamps = Document(project.page("essays/clamps/"))
    assert "/essays/ueber-die-hobelbank/" in [e.attrs.get("href") for e in clamps.find_all("a")]
    assert broken_links(project.out) == []


def test_a_folder_that_is_no_site_is_refused(make_project, build, tmp_path):
    project = make_project("empty")
    result = build(project, "import", str(tmp_path))
    assert result.status == 1
    assert re.search(r":1: this is neither a Jekyll site \(no _config.yml\) nor a Hugo site",
                     result.err)


def test_hugo_settings_split_over_config_default(make_project, build, tmp_path):
    source = tmp_path / "split"
    (source / "config/_default").mkdir(parents=True)
    (source / "config/_default/hugo.toml").write_text('baseURL = "https://x.github.io/blog/"\n'
                                                      'title = "Split"\n')
    (source / "config/_default/params.yaml").write_text("description: Settings in two files\n")
    (source / "content/posts").mkdir(parents=True)
    (source / "content/posts/one.md").write_text("---\ntitle: One\ndate: 2020-01-01\n---\nHi.\n")
    project = make_project("empty")
    result = build(project, "import", str(source))
    assert result.status == 0, result.err
    assert 'setting description: "Essays used by the test suite." → "Settings in two files"' \
        in result.out
    # No [permalinks]: Hugo's own /SECTION/NAME/ for every section.
    assert 'setting legacy_permalinks: (not set) → {* = "/:section/:slugorfilename/"}' \
        in result.out
    assert build(project).status == 0
    assert (project.out / "posts/one/index.html").is_file()
    assert (project.out / "_redirects").read_text() == "/blog/posts/one/ /blog/essays/one/ 301\n"


def test_a_config_that_is_not_a_table_is_an_error_at_its_file(make_project, build, tmp_path):
    (tmp_path / "_config.yml").write_text("- just\n- a list\n")
    result = build(make_project("empty"), "import", str(tmp_path))
    assert result.status == 1
    assert result.err.strip().endswith("_config.yml:1: this file must hold settings as "
                                       "'key: value' lines")

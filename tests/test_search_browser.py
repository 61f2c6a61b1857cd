"""Search and a project-pages address in Chromium: the site built for
https://x.github.io/blog/ and served from /blog/, where every link, asset, feed entry and
search result resolves; the header box finds a word from one essay's body and puts that essay
first; no Pagefind file loads until the box gets focus; without JavaScript, no box."""

import shutil
import xml.etree.ElementTree as etree
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import (
    REPO,
    SETTINGS,
    SITES,
    Project,
    build_process,
    photo_bytes,
    pyproject_text,
    static_host,
)
from test_search import NOTES, shard_count, with_notes

pytestmark = pytest.mark.browser

BASE_URL = "https://x.github.io/blog/"
WAIT_MS = 15_000
LINKS = """() => [...document.querySelectorAll(
    "a[href], link[href], img[src], script[src], img[srcset]")]
  .flatMap(e => e.srcset ? e.srcset.split(",").map(c => new URL(c.trim().split(" ")[0],
                                                              location.href).href)
                         : [e.href || e.src])"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The publishing sample site built for BASE_URL, served from /blog/."""
    yield from served(tmp_path_factory)


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """The same with NOTES field notes more: an index in two shards."""
    yield from served(tmp_path_factory, notes=NOTES)


def served(tmp_path_factory, notes: int = 0):
    project = Project(tmp_path_factory.mktemp("blog") / "project")
    shutil.copytree(SITES / "publishing", project.root)
    shutil.copytree(REPO / "templates", project.root / "templates")
    project.write("pyproject.toml", pyproject_text({**SETTINGS, "base_url": BASE_URL}))
    project.write("content/media/harbour.png", photo_bytes(1600, 1200))
    project.write("content/media/logbook.jpg", photo_bytes(400, 300, "JPEG"))
    with_notes(project, notes)
    result = build_process(project)
    assert result.status == 0, result.err
    with static_host(project.out, "/blog/") as url:
        yield project, url


@pytest.fixture
def reader(browser):
    contexts = []

    def open_page(**options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        contexts.append(context)
        page = context.new_page()
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        return page

    yield open_page
    for context in contexts:
        context.close()


def pagefind_requests(page) -> list[str]:
    return [url for url in page.requested if "/pagefind/" in url]


def test_a_word_from_one_essay_body_finds_that_essay_first(reader, site):
    _, url = site
    page = reader()
    page.goto(url, wait_until="networkidle")
    box = page.get_by_role("searchbox", name="Search the essays")
    assert box.is_visible()
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(300)
    assert pagefind_requests(page) == []  # no focus, no Pagefind
    box.click()
    page.wait_for_load_state("networkidle")
    assert any(u.endswith("/blog/pagefind/pagefind.js") for u in pagefind_requests(page))
    box.fill("barnacle")  # in one essay's body only
    first = page.locator(".site-search__results .search-result__title a").first
    first.wait_for(timeout=WAIT_MS)
    assert first.text_content() == "Reading Tide Tables"
    assert first.get_attribute("href") == "/blog/essays/tide-tables/"
    assert "barnacle" in page.locator(".site-search__results mark").first.text_content()
    first.click()
    page.wait_for_url(url + "essays/tide-tables/")


def test_the_search_page_reads_the_query_from_its_address(reader, site):
    _, url = site
    page = reader(viewport={"width": 390, "height": 844})
    page.goto(url + "search/?q=keeper", wait_until="networkidle")
    titles = page.locator(".search-results .search-result__title a")
    titles.first.wait_for(timeout=WAIT_MS)
    # "keeper" is in one title and in another essay's body: the title weighs more.
    assert titles.all_text_contents()[0] == "Lighthouse Keepers"
    assert page.locator(".search-page__status").text_content().endswith("found.")
    page.get_by_role("searchbox").fill("nothingmatchesthis")
    page.get_by_text("No essay mentions").wait_for(timeout=WAIT_MS)


def test_without_javascript_there_is_no_box(reader, site):
    _, url = site
    page = reader(java_script_enabled=False)
    page.goto(url + "essays/tide-tables/")
    assert page.locator("form.site-search").is_hidden()
    page.goto(url + "search/")
    assert page.locator("form[data-search-page]").is_hidden()
    note = page.locator(".search-page__note")
    assert note.is_visible() and "needs JavaScript" in note.text_content()
    assert pagefind_requests(page) == []


def test_every_link_asset_feed_entry_and_search_result_resolves_under_the_sub_path(reader,
                                                                                    site):
    project, url = site
    page = reader()
    statuses, failures = {}, []
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))

    def status(link: str) -> int:
        if link not in statuses:
            statuses[link] = page.request.get(link).status
        return statuses[link]

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    pages = sorted(p.relative_to(project.out).as_posix().removesuffix("index.html")
                   for p in project.out.rglob("*.html"))
    for relative in pages:
        page.goto(url + relative, wait_until="networkidle")
        for link in page.evaluate(LINKS):
            if link.startswith(origin):
                assert urlsplit(link).path.startswith("/blog/"), f"{relative}: {link}"
                assert status(link.split("#")[0]) == 200, f"{relative}: {link}"
    assert failures == []
    # The feed's links name the public address: each must exist under /blog/ here.
    feed = etree.fromstring(page.request.get(url + "feed.xml").body())
    entries = [e.get("href") for e in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert len(entries) >= 4
    for link in entries:
        assert link.startswith(BASE_URL)
        assert status(urljoin(url, link[len(BASE_URL):])) == 200, link
    # Search results, from Pagefind itself, with the filters it read from the essays.
    page.goto(url + "search/?q=tide", wait_until="networkidle")
    found = page.locator(".search-results .search-result__title a")
    found.first.wait_for(timeout=WAIT_MS)
    hrefs = [a.get_attribute("href") for a in found.all()]
    assert len(hrefs) >= 2
    for href in hrefs:
        assert href.startswith("/blog/essays/") and status(urljoin(url, href)) == 200
    filters = page.evaluate("""async () => {
        const pagefind = await import("/blog/pagefind/pagefind.js");
        return await pagefind.filters();
    }""")
    assert filters["tag"] == {"Harbours": 2, "Light": 1, "Tides": 1}
    assert filters["author"] == {"Mira Okafor": 2}
    assert filters["category"] == {"Notes": 2, "Photographs": 1}


def test_a_sharded_index_finds_across_shards_and_loads_its_webassembly_once(reader, large_site):
    _, url = large_site
    page = reader()
    page.goto(url, wait_until="networkidle")
    assert pagefind_requests(page) == []  # no focus, no Pagefind
    box = page.get_by_role("searchbox", name="Search the essays")
    box.click()
    box.fill("barnacle")  # in one essay's body only, in one of the two shards
    first = page.locator(".site-search__results .search-result__title a").first
    first.wait_for(timeout=WAIT_MS)
    assert first.text_content() == "Reading Tide Tables"
    assert first.get_attribute("href") == "/blog/essays/tide-tables/"
    box.fill("lantern")  # in the field notes only, in every shard
    page.get_by_text(f"All results ({NOTES} essays)").wait_for(timeout=WAIT_MS)
    loaded = [u.split("/blog/pagefind/")[1].split("?")[0] for u in pagefind_requests(page)]
    assert loaded.count("wasm.en.pagefind") == 1 and loaded.count("pagefind.js") == 1
    assert len([u for u in loaded if u.endswith(".pf_meta")]) == shard_count(NOTES + 3) == 2
    filters = page.evaluate("""async () => {
        const pagefind = await import("/blog/pagefind/pagefind.js");
        return await pagefind.filters();
    }""")
    assert filters["tag"] == {"Harbours": 2, "Light": 1, "Tides": 1, "Walks": NOTES}
    assert filters["author"] == {"Mira Okafor": NOTES + 2}

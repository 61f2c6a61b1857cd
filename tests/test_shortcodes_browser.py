"""The Hugo sample site's video cards in Chromium: nothing is requested from the video host
until the reader clicks; a click swaps in the player; without JavaScript the card is a link."""

import functools
import shutil
import threading
from http.server import ThreadingHTTPServer

import pytest
from conftest import REPO, SETTINGS, SITES, Project, build_process, pyproject_text
from playwright.sync_api import expect
from test_components_browser import QuietHandler

pytestmark = pytest.mark.browser

ESSAY = "essays/learning-rate-warmup/"


@pytest.fixture(scope="module")
def hugo_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("hugo") / "project"
    shutil.copytree(SITES / "hugo", root)
    shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    assert build_process(Project(root)).status == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def opened(browser, url: str, **options):
    """A page at url whose requests outside the site are recorded and never sent."""
    context = browser.new_context(viewport={"width": 1000, "height": 800}, **options)
    outside: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(url.split("/essays/")[0]):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page, outside


def test_nothing_loads_from_the_video_host_until_the_reader_clicks(browser, hugo_url):
    context, page, outside = opened(browser, hugo_url + ESSAY)
    try:
        assert outside == []
        assert page.locator("iframe").count() == 0
        page.get_by_role("link", name="Warm-up, explained in ten minutes").click()
        player = page.locator("figure.video-card--youtube iframe")
        expect(player).to_have_count(1)
        assert player.get_attribute("src") == \
            "https://www.youtube-nocookie.com/embed/a1B2c3D4e5F?autoplay=1"
        assert player.get_attribute("title") == "Warm-up, explained in ten minutes"
        assert page.locator("figure.video-card--vimeo a").count() == 1  # the other stays a card
        assert outside and all(u.startswith("https://www.youtube-nocookie.com/") for u in outside)
    finally:
        context.close()


def test_without_javascript_the_card_is_a_link_to_the_video(browser, hugo_url):
    context, page, outside = opened(browser, hugo_url + ESSAY, java_script_enabled=False)
    try:
        link = page.get_by_role("link", name="Warm-up, explained in ten minutes")
        assert link.get_attribute("href") == "https://www.youtube.com/watch?v=a1B2c3D4e5F"
        with page.expect_event("requestfailed") as blocked:  # our route aborts it
            link.click()
        assert blocked.value.url == "https://www.youtube.com/watch?v=a1B2c3D4e5F"
        assert outside == [blocked.value.url]
    finally:
        context.close()


def test_line_numbered_code_scrolls_inside_its_box_on_a_phone(browser, hugo_url):
    context, page, _ = opened(browser, hugo_url + "essays/gradient-noise/")
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        assert page.locator("td.linenos").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") == 360
        code = page.locator("td.code pre")
        assert code.evaluate("e => e.scrollWidth > e.clientWidth")  # the long line scrolls here
    finally:
        context.close()

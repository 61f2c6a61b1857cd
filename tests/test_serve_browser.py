"""The drafting loop in Chromium: `python build.py serve` on a copy of the drafting sample site,
an essay open in the browser, and the files edited on disk as a writer's editor saves them."""

import re

import pytest
from playwright.sync_api import Page, expect
from test_serve import Served, edit, start_server, stop_server

pytestmark = pytest.mark.browser

WAIT_MS = 5000  # how long a save may take to show in the browser



@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def served(make_project):
    server = start_server(make_project("drafting"))
    try:
        yield server
    finally:
        stop_server(server)


def connections(served: Served) -> int:
    """How many times a page's livereload client has said hello (once per page load)."""
    return sum(1 for line in served.err if "Browser Connected:" in line)


def wait_for_connection(served: Served, more_than: int) -> None:
    served.wait_for(lambda: connections(served) > more_than, "livereload.js to connect")


def open_page(page: Page, served: Served, path: str) -> None:
    """Open a page and wait until its livereload client listens, so no save goes unseen."""
    before = connections(served)
    page.goto(served.url + path)
    wait_for_connection(served, before)


def test_a_title_edit_shows_without_a_manual_reload(page, served):
    open_page(page, served, "essays/long-view/")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("The Long View")
    edit(served.project, "content/long-view.md", "title: The Long View", "title: The Longer View")
    expect(title).to_have_text("The Longer View", timeout=WAIT_MS)
    expect(page).to_have_title(re.compile("^The Longer View"))
    assert page.errors == []


def test_broken_frontmatter_shows_the_overlay_and_the_fix_brings_the_page_back(page, served):
    open_page(page, served, "essays/long-view/")
    before = connections(served)
    edit(served.project, "content/long-view.md", "date: 2024-02-01", "date: someday")
    overlay = page.locator("#longform-error-overlay")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text("content/long-view.md:3: date 'someday' is not a date")
    expect(overlay.locator(".bad")).to_have_text("3date: someday")  # the offending line
    wait_for_connection(served, before)  # the overlay listens for the fix too
    edit(served.project, "content/long-view.md", "date: someday", "date: 2024-02-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Long View", timeout=WAIT_MS)
    expect(overlay).to_have_count(0)
    assert page.errors == []


def scroll_to(page: Page, y: int) -> int:
    assert page.evaluate("document.documentElement.scrollHeight") > y + 1000
    page.evaluate(f"window.scrollTo(0, {y})")
    page.wait_for_function(f"window.scrollY === {y}")
    return y


def test_the_scroll_position_is_kept_across_a_reload(page, served):
    open_page(page, served, "essays/long-view/")
    loads = []
    page.on("load", lambda _: loads.append(1))
    y = scroll_to(page, 2400)
    before = connections(served)
    edit(served.project, "content/long-view.md", "Paragraph 8.5:", "Paragraph 8.5 (revised):")
    expect(page.get_by_text("Paragraph 8.5 (revised):")).to_be_attached(timeout=WAIT_MS)
    page.wait_for_function(f"Math.abs(window.scrollY - {y}) <= 2", timeout=WAIT_MS)
    assert loads == [1]  # one reload, not a manual one
    # Chromium keeps the position across a plain reload by itself; the page's own script is
    # what keeps it through a broken build and its fix, where the overlay (a short page
    # without that script) comes in between.
    wait_for_connection(served, before)
    before = connections(served)
    edit(served.project, "content/long-view.md", "date: 2024-02-01", "date: someday")
    expect(page.locator("#longform-error-overlay")).to_be_visible(timeout=WAIT_MS)
    wait_for_connection(served, before)
    edit(served.project, "content/long-view.md", "date: someday", "date: 2024-02-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Long View", timeout=WAIT_MS)
    page.wait_for_function(f"Math.abs(window.scrollY - {y}) <= 2", timeout=WAIT_MS)
    assert page.errors == []


def test_a_draft_shows_a_visible_draft_badge(page, served):
    page.goto(served.url + "essays/night-shift/")
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    page.goto(served.url)
    entries = page.get_by_role("listitem")
    draft = entries.filter(has_text="Night Shift").get_by_text("Draft", exact=True)
    expect(draft).to_be_visible()
    expect(entries.filter(has_text="Tide Tables").get_by_text("Draft", exact=True)).to_have_count(0)
    assert page.errors == []

"""charts.js in Chromium: the Vega bundle waits for a reader's first contact with a chart (a
pointer over it, keyboard focus inside it), is fetched once, and the interactive view then
answers hover with a tooltip, in the static chart's exact box: no layout shift."""

import re

import pytest
from playwright.sync_api import Page, expect

# site_url is the module-scoped fixture serving the built example site.
from test_components_browser import ESSAY, FRAMES, WAIT_MS, reader, site_url  # noqa: F401

pytestmark = pytest.mark.browser

VEGA = re.compile(r"/static/vega\.\w+\.js$")
# Every layout shift from the first paint on, inputs or not: the swap must move nothing.
RECORD_SHIFTS = """
window.shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.shifts.push(entry.value);
}).observe({ type: "layout-shift", buffered: true });
"""


def vega_requests(page: Page) -> list[str]:
    return page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                         ".filter(name => /\\/static\\/vega\\.\\w+\\.js$/.test(name))")


def settle(page: Page) -> None:
    """Load, then a second of idle time and frames: anything lazy that does not wait for
    the reader would have started by now."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)
    page.evaluate(FRAMES, 10)


def test_the_bundle_waits_for_a_pointer_then_tooltips_answer(browser, site_url):  # noqa: F811
    with reader(browser, site_url, ESSAY) as page:
        settle(page)
        page.locator("#chart-2").scroll_into_view_if_needed()  # near and in view: not enough
        settle(page)
        assert vega_requests(page) == []
        expect(page.locator("figure.chart--interactive")).to_have_count(0)
        view = page.locator("#chart-2 .chart__view")
        with page.expect_response(lambda r: VEGA.search(r.url) is not None) as response:
            view.hover()
        assert response.value.status == 200
        expect(page.locator("#chart-2.chart--interactive")).to_have_count(1, timeout=WAIT_MS)
        bars = view.locator(".chart__interactive path[aria-roledescription='bar']")
        bars.first.hover()
        tooltip = page.locator("#vg-tooltip-element")
        expect(tooltip).to_be_visible(timeout=WAIT_MS)
        expect(tooltip).to_contain_text("1B → 10B")
        expect(tooltip).to_contain_text("+42%")
        # The other chart stays static until touched, and then reuses the loaded bundle.
        expect(page.locator("#chart-1.chart--interactive")).to_have_count(0)
        page.locator("#chart-1 .chart__view").hover()
        expect(page.locator("#chart-1.chart--interactive")).to_have_count(1, timeout=WAIT_MS)
        assert len(vega_requests(page)) == 1
        assert page.problems == []


def test_keyboard_focus_inside_a_chart_loads_it(browser, site_url):  # noqa: F811
    with reader(browser, site_url, ESSAY) as page:
        settle(page)
        assert vega_requests(page) == []
        summary = page.locator("#chart-1 .chart__data > summary")
        summary.focus()
        expect(page.locator("#chart-1.chart--interactive")).to_have_count(1, timeout=WAIT_MS)
        assert len(vega_requests(page)) == 1
        assert page.problems == []


def test_a_touch_on_a_chart_loads_it(browser, site_url):  # noqa: F811
    with reader(browser, site_url, ESSAY, has_touch=True, is_mobile=True,
                viewport={"width": 390, "height": 800}) as page:
        settle(page)
        assert vega_requests(page) == []
        page.locator("#chart-1 .chart__view").tap()
        expect(page.locator("#chart-1.chart--interactive")).to_have_count(1, timeout=WAIT_MS)
        assert page.problems == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_interactive_view_takes_the_static_charts_exact_box(browser, site_url, width):  # noqa: F811
    with reader(browser, site_url, ESSAY, RECORD_SHIFTS,
                viewport={"width": width, "height": 800}) as page:
        settle(page)
        for anchor in ("#chart-1", "#chart-2"):
            figure = page.locator(anchor)
            figure.scroll_into_view_if_needed()
            page.evaluate(FRAMES, 2)
            before = [figure.bounding_box(), figure.locator(".chart__view").bounding_box()]
            figure.locator(".chart__view").hover()
            expect(page.locator(f"{anchor}.chart--interactive")).to_have_count(
                1, timeout=WAIT_MS)
            page.evaluate(FRAMES, 5)
            after = [figure.bounding_box(), figure.locator(".chart__view").bounding_box()]
            assert after == before, anchor
        assert page.evaluate("window.shifts") == []  # cumulative layout shift: exactly 0
        assert page.problems == []

"""The example site's essay components in Chromium, as readers get them: the chart upgraded to
the interactive view with tooltips, everything readable with JavaScript off, the insight card
from the keyboard, stat counters with and without motion, and phones without sideways scroll."""

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page, expect
from test_output_urls import build_example

pytestmark = pytest.mark.browser

WAIT_MS = 10_000  # generous: vega-embed compiles the spec after an 0.9 MB script loads
ESSAY = "essays/diminishing-returns-of-scale/"  # stats, a log–log line chart, the seed bar chart,
#                                                 a pull quote, an insight
CHARTS = {ESSAY: 2, "essays/is-pretraining-over/": 1, "essays/gpt-4-5-and-the-scaling-wall/": 0}
MODULE_ESSAY = "essays/is-pretraining-over/"  # a chart from charts/pretraining_compute.py
PLAIN_ESSAY = "essays/gpt-4-5-and-the-scaling-wall/"
STATS = ["175B", "1.8T (est.)", "+6%"]  # as the writer typed them, and as the HTML holds them

# Every text each stat value shows: the parsed HTML's own value (recorded once parsing ends,
# before deferred scripts run), then each change a script makes, such as a count-up's frames.
RECORD_STATS = """
window.statTexts = [];
function recordStats() {
  document.querySelectorAll(".stat__value").forEach((value, index) => {
    const seen = window.statTexts[index] || (window.statTexts[index] = []);
    if (seen[seen.length - 1] !== value.textContent) seen.push(value.textContent);
  });
}
document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive") return;
  recordStats();
  new MutationObserver(recordStats)
    .observe(document.body, { subtree: true, childList: true, characterData: true });
});
"""
FRAMES = """n => new Promise(done => {
  const step = () => (n-- > 0 ? requestAnimationFrame(step) : done());
  step();
})"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name http.server uses
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory) -> Iterator[str]:
    """The example site, built into a temporary folder and served as a static host would."""
    site = build_example(tmp_path_factory.mktemp("example"))
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()



@contextmanager
def reader(browser: Browser, site_url: str, path: str, init_script: str = "",
           **options) -> Iterator[Page]:
    """A page open at path in a fresh context (options: java_script_enabled, reduced_motion,
    viewport …), init_script run before the page's own; page.problems lists console errors,
    uncaught exceptions, failed requests, responses of 400 and above, and any request that
    leaves the site."""
    options.setdefault("viewport", {"width": 1000, "height": 700})
    context = browser.new_context(**options)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    problems: list[str] = []
    page.problems = problems
    page.on("console", lambda m: problems.append(f"console {m.text} at {m.location}")
            if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"exception {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}: {r.failure}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("request", lambda r: problems.append(f"outside request {r.url}")
            if not r.url.startswith((site_url, "data:")) else None)
    try:
        page.goto(site_url + path)
        yield page
    finally:
        context.close()


def wait_for_interactive_charts(page: Page, count: int) -> None:
    """Charts turn interactive on a reader's first contact (charts.js): point at each one."""
    for view in page.locator("figure.chart .chart__view").all():
        view.hover()
    expect(page.locator("figure.chart.chart--interactive")).to_have_count(count, timeout=WAIT_MS)


def stat_texts(page: Page) -> list[str]:
    return page.locator("dd.stat__value").all_text_contents()


# --- With JavaScript --------------------------------------------------------------------------

def test_the_chart_becomes_interactive_and_a_bar_shows_its_tooltip(browser, site_url):
    with reader(browser, site_url, ESSAY) as page:
        wait_for_interactive_charts(page, 2)
        view = page.locator("#chart-2 .chart__view")
        expect(view.locator(":scope > .chart__interactive svg.marks")).to_have_count(1)
        expect(view.locator(":scope > svg")).to_have_count(0)  # the static SVG was swapped out
        bars = view.locator("path[aria-roledescription='bar']")
        expect(bars).to_have_count(4)
        tooltip = page.locator("#vg-tooltip-element")
        for index, (step, gain) in enumerate([("1B → 10B", "+42%"), ("1T → 10T", "+6%")]):
            bars.nth(index * 3).hover()
            expect(tooltip).to_be_visible(timeout=WAIT_MS)
            expect(tooltip).to_contain_text(step)
            expect(tooltip).to_contain_text(gain)
        expect(tooltip).to_contain_text("Projected")
        page.mouse.move(1, 1)
        expect(tooltip).to_be_hidden(timeout=WAIT_MS)
        assert page.problems == []


def test_the_module_chart_becomes_interactive_with_tooltips(browser, site_url):
    with reader(browser, site_url, MODULE_ESSAY) as page:
        wait_for_interactive_charts(page, 1)
        points = page.locator(".chart__interactive path[aria-roledescription='point']")
        expect(points).to_have_count(7)
        points.last.hover()
        tooltip = page.locator("#vg-tooltip-element")
        expect(tooltip).to_be_visible(timeout=WAIT_MS)
        expect(tooltip).to_contain_text("GPT-4.5")
        assert page.problems == []


@pytest.mark.parametrize("path, charts", [
    (ESSAY, 2), (MODULE_ESSAY, 1), (PLAIN_ESSAY, 0), ("", 0), ("tags/contrarian/", 0),
    ("insights/", 0),
])
def test_no_console_errors_or_failed_requests(browser, site_url, path, charts):
    with reader(browser, site_url, path) as page:
        page.wait_for_load_state("load")
        wait_for_interactive_charts(page, charts)
        page.evaluate(FRAMES, 2)  # let anything scheduled after load run and report
        assert page.problems == []


# --- Without JavaScript -----------------------------------------------------------------------

def test_without_javascript_chart_stats_and_insight_all_read(browser, site_url):
    with reader(browser, site_url, ESSAY, java_script_enabled=False) as page:
        svg = page.locator("#chart-2 .chart__view > svg")
        expect(svg).to_be_visible()
        expect(svg.locator("path[aria-roledescription='bar']")).to_have_count(4)
        expect(page.locator("figure.chart.chart--interactive")).to_have_count(0)
        for value, text in zip(page.locator("dd.stat__value").all(), STATS, strict=True):
            expect(value).to_be_visible()
            expect(value).to_have_text(text)
        insight = page.locator("details.insight#insight-1")
        answer = insight.locator(".insight__answer")
        expect(insight.locator("summary")).to_contain_text("Tap to reveal")
        expect(answer).to_be_hidden()
        insight.locator("summary").click()
        expect(answer).to_be_visible()
        expect(answer).to_contain_text("A bigger model can only learn")
        expect(page.locator("blockquote.pullquote")).to_be_visible()
        assert page.problems == []


# --- Keyboard ---------------------------------------------------------------------------------

def test_the_insight_opens_with_enter_and_toggles_with_space(browser, site_url):
    with reader(browser, site_url, ESSAY) as page:
        insight = page.locator("details.insight#insight-1")
        summary = insight.locator("summary")
        answer = insight.locator(".insight__answer")
        summary.focus()
        expect(summary).to_be_focused()
        expect(answer).to_be_hidden()
        page.keyboard.press("Enter")
        expect(insight).to_have_attribute("open", "")
        expect(answer).to_be_visible()
        expect(summary).to_contain_text("Hide answer")
        page.keyboard.press("Space")
        expect(insight).not_to_have_attribute("open", "")
        expect(answer).to_be_hidden()
        page.keyboard.press("Space")
        expect(answer).to_be_visible()
        assert page.problems == []


# --- Stat counters ----------------------------------------------------------------------------

def test_reduced_motion_shows_the_final_values_at_once(browser, site_url):
    with reader(browser, site_url, ESSAY, RECORD_STATS, reduced_motion="reduce") as page:
        assert stat_texts(page) == STATS  # read at once, nothing to wait for
        page.locator("dl.stats").scroll_into_view_if_needed()
        page.evaluate(FRAMES, 30)  # half a second of frames: a count-up would have begun
        assert stat_texts(page) == STATS
        assert page.evaluate("window.statTexts") == [[text] for text in STATS]
        assert page.problems == []


def test_with_motion_the_stats_count_up_once_to_their_real_values(browser, site_url):
    with reader(browser, site_url, ESSAY, RECORD_STATS, reduced_motion="no-preference") as page:
        assert stat_texts(page) == STATS  # below the fold: the real values until seen
        page.locator("dl.stats").scroll_into_view_if_needed()
        # Done once every value has shown something else and come back to the text as written.
        page.wait_for_function(
            """finals => window.statTexts.length === finals.length &&
                 window.statTexts.every((seen, i) => seen.length > 2 && seen.at(-1) === finals[i])
                 && [...document.querySelectorAll('.stat__value')]
                      .every((value, i) => value.textContent === finals[i])""",
            arg=STATS, timeout=WAIT_MS)
        assert stat_texts(page) == STATS
        seen = page.evaluate("window.statTexts")
        assert [texts[0] for texts in seen] == STATS  # the HTML's value first, never a bare 0
        assert seen[0][1].endswith("B") and seen[1][1].endswith("T (est.)")  # units stay put
        assert seen[2][1].startswith("+") and seen[2][1].endswith("%")
        # Counting happens once: scrolling away and back changes nothing.
        page.evaluate("window.scrollTo(0, 0)")
        page.evaluate(FRAMES, 5)
        page.locator("dl.stats").scroll_into_view_if_needed()
        page.evaluate(FRAMES, 30)
        assert page.evaluate("window.statTexts") == seen
        assert page.problems == []


# --- Phones -----------------------------------------------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("path", [ESSAY, MODULE_ESSAY, PLAIN_ESSAY])
def test_no_sideways_scroll_at_360_px(browser, site_url, path, javascript):
    with reader(browser, site_url, path, java_script_enabled=javascript,
                viewport={"width": 360, "height": 740}) as page:
        if javascript:
            wait_for_interactive_charts(page, CHARTS[path])
        for summary in page.locator("details > summary").all():  # data tables, insight: open
            summary.click()
        expect(page.locator("details:not([open])")).to_have_count(0)
        widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1] == 360, path
        assert page.problems == []


def test_stats_on_screen_when_the_page_opens_keep_their_values(browser, site_url):
    # A tall window (or a full-page screenshot) sees the stats at once: they must not count.
    with reader(browser, site_url, ESSAY, RECORD_STATS, reduced_motion="no-preference",
                viewport={"width": 1280, "height": 4000}) as page:
        page.evaluate(FRAMES, 60)  # a second of frames: longer than a count-up would start
        assert stat_texts(page) == STATS
        assert page.evaluate("window.statTexts") == [[text] for text in STATS]
        assert page.problems == []

"""Math as Chromium lays it out: every <math> takes room, fractions stack, and display math wider
than a phone's column scrolls in its own box instead of widening the page."""

import functools
import http.server
import threading

import pytest
from test_math import FRONT, ml_expressions

ESSAY = "essays/attention-by-hand/index.html"

BOXES = """() => [...document.querySelectorAll('math')].map(m => {
  const box = m.getBoundingClientRect();
  return [m.querySelector('annotation').textContent, box.width, box.height];
})"""

FRACTIONS = """() => [...document.querySelectorAll('mfrac')].map(f => {
  const top = f.children[0].getBoundingClientRect(), bottom = f.children[1].getBoundingClientRect();
  return [f.closest('math').querySelector('annotation').textContent, top.bottom, bottom.top,
          top.height, bottom.height];
})"""


@pytest.fixture(scope="module")
def math_site(tmp_path_factory):
    """The math sample site plus an essay holding the whole expression set, built once."""
    import shutil

    from conftest import REPO, SETTINGS, SITES, Project, build_process, pyproject_text
    root = tmp_path_factory.mktemp("math") / "project"
    shutil.copytree(SITES / "math", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    body = "\n\n".join(f"Inline ${latex}$ and then\n\n$$\n{latex}\n$$"
                       for latex in ml_expressions())
    (root / "content" / "expressions.md").write_text(
        FRONT.format(title="Expressions", day=5) + body, "utf-8")
    result = build_process(Project(root))
    assert result.status == 0, result.err
    # Served, not opened as files: the pages link their style sheet from the site's root.
    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.parametrize("essay", ["essays/expressions/index.html", ESSAY])
def test_every_math_element_has_a_box_and_fractions_stack(browser, math_site, essay):
    page = browser.new_page()
    try:
        page.goto(math_site + essay)
        boxes = page.evaluate(BOXES)
        fractions = page.evaluate(FRACTIONS)
    finally:
        page.close()
    assert len(boxes) >= (2 * len(ml_expressions()) if "expressions" in essay else 15)
    assert [b for b in boxes if not (b[1] > 0 and b[2] > 0)] == []
    assert len(fractions) >= (100 if "expressions" in essay else 2)
    # The numerator's box ends above where the denominator's begins (a pixel of rounding).
    wrong = [f for f in fractions if f[3] > 0 and f[4] > 0 and not f[1] <= f[2] + 1]
    assert wrong == []


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_wide_display_math_scrolls_in_its_own_box_at_360_px(browser, math_site, scheme):
    page = browser.new_page(viewport={"width": 360, "height": 800}, color_scheme=scheme)
    try:
        page.goto(math_site + ESSAY)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        boxes = page.evaluate("""() => [...document.querySelectorAll('.math-display')].map(
          d => [d.scrollWidth, d.clientWidth])""")
        colors = page.evaluate("""() => [getComputedStyle(document.querySelector('math')).color,
          getComputedStyle(document.body).backgroundColor]""")
    finally:
        page.close()
    assert page_width <= 360
    assert any(scroll > client for scroll, client in boxes), boxes  # the wide one scrolls
    dark_text = colors[0] in ("rgb(235, 230, 220)",)
    assert dark_text == (scheme == "dark"), colors  # math takes the scheme's text colour

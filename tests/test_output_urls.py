"""What the built example site asks a reader's browser to fetch: nothing from a CDN (no script,
stylesheet, CSS import or JavaScript fetch outside the site), and the Vega bundle only on pages
that have a chart."""

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Document

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = ("content", "templates", "charts", "pyproject.toml")
SITE_HOST = "essays.example.com"  # base_url in the repository's pyproject.toml
URL = re.compile(r"""https?://[^\s"'`)<>\\]+""")
# Hosts that serve JavaScript or CSS packages; none may appear even inside the Vega bundle.
CDNS = ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "esm.sh", "cdn.skypack.dev",
        "ga.jspm.io", "fonts.googleapis.com")
XML_NAMESPACES = ("http://www.w3.org/",)  # SVG namespace URIs name, they are never fetched


def build_example(root: Path) -> Path:
    """The repository's example site copied into root and built by `python build.py`."""
    for name in EXAMPLE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root)], cwd=root,
                   check=True, capture_output=True, text=True, timeout=300)
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_example(tmp_path_factory.mktemp("example"))


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8")
            for p in sorted(site.rglob("*.html"))}


def fetched_by_markup(html: str) -> list[str]:
    """The URLs a browser loads as code or style: script src and stylesheet/preload links."""
    document = Document(html)
    urls = [e.attrs["src"] for e in document.find_all("script") if e.attrs.get("src")]
    for link in document.find_all("link"):
        rel = set((link.attrs.get("rel") or "").lower().split())
        if rel & {"stylesheet", "preload", "modulepreload", "import"} and link.attrs.get("href"):
            urls.append(link.attrs["href"])
    return urls


def outside(url: str) -> bool:
    """True for a URL that leads to another host (protocol-relative URLs included)."""
    parts = urlsplit(url)
    return bool(parts.netloc) and parts.netloc != SITE_HOST


def feed_bodies(site: Path) -> list[str]:
    """The HTML of every entry in the Atom feed, as a feed reader renders it."""
    root = ET.parse(site / "feed.xml").getroot()
    return [element.text or "" for element in root.iter("{http://www.w3.org/2005/Atom}content")]


def vega_bundles(site: Path) -> list[Path]:
    return sorted((site / "static").glob("vega.*.js"))


def test_no_page_loads_a_script_or_stylesheet_from_another_host(site):
    found = {name: [url for url in fetched_by_markup(html) if outside(url)]
             for name, html in pages(site).items()}
    assert {name: urls for name, urls in found.items() if urls} == {}
    assert all(fetched_by_markup(html) for html in pages(site).values())  # the parser sees them


def test_the_feed_carries_no_scripts_and_no_outside_stylesheets(site):
    bodies = feed_bodies(site)
    assert bodies and any("<svg" in body for body in bodies)  # the chart reaches the feed
    for body in bodies:
        assert "<script" not in body
        assert not [url for url in fetched_by_markup(body) if outside(url)]


def test_stylesheets_import_nothing_from_another_host(site):
    sheets = sorted((site / "static").glob("*.css"))
    assert len(sheets) >= 2
    for sheet in sheets:
        css = sheet.read_text("utf-8")
        imports = re.findall(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", css)
        urls = re.findall(r"""url\(\s*["']?([^"')]+)""", css)
        assert not [url for url in imports + urls if outside(url)], sheet.name


def test_our_scripts_name_no_url_at_all(site):
    """charts.js, components.js and search.js: no import, fetch or script tag can reach
    another host when the files hold no http(s) URL in the first place."""
    ours = [p for p in sorted((site / "static").glob("*.js")) if p not in vega_bundles(site)]
    assert {p.name.split(".")[0] for p in ours} == {"charts", "components", "search"}
    for script in ours:
        assert URL.findall(script.read_text("utf-8")) == [], script.name


def test_the_vega_bundle_fetches_nothing_from_a_cdn(site):
    """vl-convert's bundle holds vega, vega-lite, vega-embed and vega-tooltip. What it names:
    SVG/XML namespaces (www.w3.org), the Vega JSON schema's id as a string in compiled specs,
    the Vega editor's address (used only by the "Open in editor" action, which charts.js turns
    off with actions: false) and a GitHub issue in a warning. Its one fetch() is vega-loader's
    generic loader, used only for specs whose data has a url (ours carry data inline)."""
    (bundle,) = vega_bundles(site)
    text = bundle.read_text("utf-8")
    urls = set(URL.findall(text))
    assert not [url for url in urls if any(cdn in url for cdn in CDNS)]
    assert not re.search(r"""<script[^>]*\bsrc\s*=\s*\\?["']?https?:""", text)
    assert not re.search(r"""\.src\s*=\s*["'`]https?:""", text)  # a script element's src
    assert not re.search(r"""\bimport\s*\(\s*["'`]https?:""", text)
    assert not re.search(r"""\bfetch\s*\(\s*["'`]https?:""", text)
    hosts = {urlsplit(url).netloc for url in urls if not url.startswith(XML_NAMESPACES)}
    assert hosts <= {"vega.github.io", "github.com"}, hosts


def test_only_pages_with_a_chart_name_the_vega_bundle(site):
    """The markup fetches no bundle: charts.js names it, to fetch on a reader's first contact
    with a chart (tests/test_components_browser.py watches that happen)."""
    (bundle,) = vega_bundles(site)  # written once for the whole site
    wanted = f"/static/{bundle.name}"
    with_chart = {}
    for name, html in pages(site).items():
        scripts = [url for url in fetched_by_markup(html) if url.endswith(".js")]
        vega = [url for url in scripts if "vega." in url]
        if 'class="chart"' in html:
            with_chart[name] = html
            assert vega == [], name
            assert sum("charts." in url for url in scripts) == 1, name
            assert re.search(rf'<script defer src="/static/charts\.\w+\.js" '
                             rf'data-vega="{re.escape(wanted)}"></script>', html), name
        else:
            assert "vega." not in html, name
            assert not [url for url in scripts if "charts." in url], name
    assert set(with_chart) == {"essays/diminishing-returns-of-scale/index.html",
                               "essays/is-pretraining-over/index.html"}
    assert with_chart["essays/diminishing-returns-of-scale/index.html"].count(bundle.name) == 1

"""In Chromium with JavaScript off, every old address of an imported Jekyll blog (a project site
under /blog/) leads to its essay."""

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SITES

pytestmark = pytest.mark.browser


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def blog(make_project, build, tmp_path):
    """The imported blog built for http://127.0.0.1:PORT/blog/ and served from a folder
    whose blog/ is the built site, as GitHub Pages serves a project site."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=tmp_path
                                                                     / "www"))
    project = make_project("empty")
    assert build(project, "import", str(SITES / "import-jekyll")).status == 0
    base = f"http://127.0.0.1:{server.server_address[1]}/blog/"
    assert build(project, "--base-url", base).status == 0
    (tmp_path / "www").mkdir()
    shutil.copytree(project.out, tmp_path / "www" / "blog")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield project, base
    finally:
        server.shutdown()
        server.server_close()


def test_every_old_address_leads_to_its_essay_without_javascript(browser, blog):
    project, base = blog
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for line in (project.out / "_redirects").read_text("utf-8").splitlines():
            old, new, status = line.split()
            page.goto(base.removesuffix("/blog/") + old)
            page.wait_for_url(base.removesuffix("/blog/") + new)
            heading = page.locator("h1").first.inner_text()
            assert heading and heading != "This essay has moved", old
            assert status == "301"
    finally:
        context.close()

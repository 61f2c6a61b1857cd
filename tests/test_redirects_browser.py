"""In Chromium with JavaScript off, every old address of an imported blog leads to its essay:
the Jekyll one as a project site under /blog/, the Hugo one at the root of its host."""

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SITES

pytestmark = pytest.mark.browser


class PagesHost(SimpleHTTPRequestHandler):
    """Serves NAME.html for /NAME, as GitHub Pages and Netlify do."""

    def translate_path(self, path):
        found = super().translate_path(path)
        if not os.path.exists(found) and os.path.isfile(found + ".html"):
            return found + ".html"
        return found

    def log_message(self, *args):
        pass


@pytest.fixture(params=[("import-jekyll", "blog/"), ("import-hugo", "")])
def blog(request, make_project, build, tmp_path):
    """An imported blog, built for http://127.0.0.1:PORT/SUB/ and served from a folder whose
    SUB/ is the built site."""
    name, sub = request.param
    www = tmp_path / "www"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PagesHost, directory=www))
    project = make_project("empty")
    assert build(project, "import", str(SITES / name)).status == 0
    host = f"http://127.0.0.1:{server.server_address[1]}"
    assert build(project, "--base-url", f"{host}/{sub}").status == 0
    shutil.copytree(project.out, www / sub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield project, host
    finally:
        server.shutdown()
        server.server_close()


def test_every_old_address_leads_to_its_essay_without_javascript(browser, blog):
    project, host = blog
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        lines = (project.out / "_redirects").read_text("utf-8").splitlines()
        assert len(lines) >= 10
        for line in lines:
            old, new, status = line.split()
            page.goto(host + old)
            page.wait_for_url(host + new)
            heading = page.locator("h1").first.inner_text()
            assert heading and heading != "This essay has moved", old
            assert status == "301"
    finally:
        context.close()

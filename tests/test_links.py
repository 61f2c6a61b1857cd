"""Link checking: internal links, fragments, media and template links in every build; external
links only with `check --external`, tested against a local server on 127.0.0.1 only."""

import http.server
import socket
import threading
import time

import pytest
from conftest import Document

from longform.links import Scanner, SiteIndex, scan

ESSAY = "---\ntitle: {title}\ndate: 2024-06-0{day}\ntags: [Links]\n---\n\n{body}\n"


def essay(title: str, body: str, day: int = 1) -> str:
    return ESSAY.format(title=title, body=body, day=day)



def test_the_sample_sites_have_no_broken_links(make_project, build):
    for name in ("basic", "jekyll", "related", "components"):
        project = make_project(name)
        result = build(project, "--drafts")
        assert result.status == 0, result.err


def test_links_that_work(make_project, check):
    project = make_project("basic")
    project.write("content/links.md", essay("Links", "\n\n".join([
        "[file](first-light.md) [file and heading](first-light.md#the-mirror)",
        "[url](/essays/first-light/) [no slash](/essays/first-light) [relative](../third-rail/)",
        "[own heading](#here) [top](#top) [footnote](#fn:1) [main](#main)[^1]",
        '<a href="/essays/second-wind/#storms">raw HTML</a> <img src="/media/ada.svg" alt="Ada"'
        ' srcset="/media/ada.svg 1x, /media/diagram.svg 2x">',
        "[mail](mailto:someone@example.org) [phone](tel:+100) [other site](https://example.net/x)",
        "[feed](/feed.xml) [home](/) [tag](/tags/optics/) [insights](/insights/)",
        "## Here", "[^1]: A note.",
    ])))
    status, lines, _ = check(project)
    assert [line for line in lines if "content/links.md" in line] == []


@pytest.mark.parametrize("body, message", [
    ("[gone](/essays/gone/)", "link to '/essays/gone/' leads nowhere: the site has no "
                              "essays/gone/index.html"),
    ("[up](../gone/)", "link to '../gone/' leads nowhere"),
    ("![Alt](media/nothing.png)", "image '/media/nothing.png' leads nowhere"),
    ('<img src="/media/ada.svg" srcset="/media/x2.svg 2x" alt="A">',
     "image '/media/x2.svg' leads nowhere"),
    ("[id](#nowhere)", "link to '#nowhere': this page has no element with id 'nowhere'"),
    ("[id](first-light.md#nowhere)",
     "link to '/essays/first-light/#nowhere': /essays/first-light/ has no element with id "
     "'nowhere'"),
    ('<video src="/media/clip.mp4"></video>', "<video src> '/media/clip.mp4' leads nowhere"),
])
def test_a_broken_link_stops_the_build_at_its_line(make_project, build, body, message):
    project = make_project("basic")
    project.write("content/links.md", essay("Links", f"Intro.\n\nText {body} here."))
    result = build(project)
    assert result.status == 1
    assert result.err.startswith(f"content/links.md:9: {message}"), result.err
    assert not project.out.exists()


def test_a_reference_link_is_reported_at_its_definition(make_project, build):
    project = make_project("basic")
    project.write("content/links.md", essay("Links", "See [this][ref].\n\n[ref]: /nowhere/"))
    result = build(project)
    assert result.err.startswith("content/links.md:9: link to '/nowhere/' leads nowhere")


def test_with_a_sub_path_every_link_must_stay_under_it(make_project, build):
    project = make_project("basic", base_url="https://example.org/blog/")
    assert build(project).status == 0
    project.write("content/links.md", essay("Links", "[root](/about/)"))
    result = build(project)
    assert result.status == 1
    assert result.err.startswith("content/links.md:7: link to '/about/' leads "
                                 "outside the site, which lives under /blog/")


def test_a_site_root_link_to_an_essay_follows_the_sub_path(make_project, build):
    project = make_project("basic", base_url="https://example.org/blog/")
    project.write("content/links.md", essay("Links", "[root](/essays/first-light/#top) and "
                                                     "[full](https://example.org/blog/essays/"
                                                     "first-light/)"))
    result = build(project)
    assert result.status == 0, result.err
    assert Document(project.page("essays/links/")).find_all("a", href="/blog/essays/first-"
                                                                      "light/")


def test_a_broken_template_link_is_reported_at_the_template_line(make_project, build):
    project = make_project("basic")
    base = project.root / "templates" / "base.html"
    lines = base.read_text("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "<main" in line)
    lines.insert(at, '  <p><a href="{{ url(\'about/\') }}">About</a></p>')
    base.write_text("\n".join(lines), "utf-8")
    result = build(project)
    assert result.status == 1
    assert result.err.startswith(f"templates/base.html:{at + 1}: link to '/about/' leads "
                                 "nowhere: the site has no about/index.html (in ")


def test_check_lists_a_template_link_once(make_project, check):
    project = make_project("basic")
    footer = project.root / "templates" / "base.html"
    footer.write_text(footer.read_text("utf-8").replace(
        "</footer>", '<a href="{{ url(\'colophon/\') }}">Colophon</a></footer>'), "utf-8")
    status, lines, _ = check(project)
    assert status == 1
    assert len([line for line in lines if "colophon" in line]) == 1


def test_fragments_resolve_against_the_whole_page():
    files = {"a/index.html": b'<main id="main"><p id="x">x</p><a href="#y">y</a></main>',
             "b/index.html": b'<a name="old-anchor">o</a>'}
    index = SiteIndex(files, "/", Scanner())
    found = scan(files["a/index.html"].decode())
    (link,) = found.links
    assert index.problem(link, "a/index.html") == ("link to '#y': this page has no element "
                                                   "with id 'y'")
    assert index.target("/b/#old-anchor", "a/index.html").path == "b/index.html"
    assert "old-anchor" in index.ids("b/index.html")


def test_scans_are_reused_by_content_hash_and_kept_only_when_asked():
    previous, made = {}, {}
    first = Scanner(kept=previous, made=made)
    first("<a href='/x/'>x</a>")
    assert previous == {} and len(made) == 1  # a page's links: their check's result is kept
    first("<a href='/x/'>x</a>", keep=True)  # a page whose ids a link needs
    assert list(previous) == list(made)
    reused = Scanner(previous, {})
    (key,) = previous
    previous[key] = marker = scan("<p id='marker'></p>")
    assert reused("<a href='/x/'>x</a>") is marker


# --- External links: a local server only -----------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):  # noqa: N802 (http.server's name)
        if self.path == "/head-refused":
            self.send_response(405)
            self.end_headers()
            return
        self.answer(body=False)

    def do_GET(self):  # noqa: N802
        self.answer(body=True)

    def answer(self, body: bool):
        if self.path == "/slow":
            time.sleep(2)
        status = {"/gone": 404, "/removed": 410, "/broken": 500, "/private": 403}.get(
            self.path, 200)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_external_links_are_not_fetched_by_default(make_project, check, server):
    project = make_project("basic")
    project.write("content/out.md", essay("Out", f"[gone]({server}/gone)"))
    status, lines, _ = check(project)
    assert [line for line in lines if "content/out.md" in line] == []


def test_check_external_reports_dead_links_at_their_lines(make_project, check, server,
                                                         monkeypatch):
    monkeypatch.setattr("longform.external.EXTERNAL_TIMEOUT", 1.0)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1")
    dead = closed_port()
    project = make_project("basic")
    project.write("content/out.md", essay("Out", "\n\n".join([
        f"[fine]({server}/fine) and [fine again]({server}/fine#part)",
        f"[gone]({server}/gone)",
        f"[removed]({server}/removed)",
        f"[no HEAD]({server}/head-refused)",
        f"[broken]({server}/broken)",
        f"[private]({server}/private)",
        f"[slow]({server}/slow)",
        f"[nobody home](http://127.0.0.1:{dead}/)",
    ])))
    status, lines, _ = check(project, "--external")
    mine = [line for line in lines if "content/out.md" in line]
    assert status == 1
    assert mine == [
        f"content/out.md:9: dead link to '{server}/gone': the server answered HTTP 404",
        f"content/out.md:11: dead link to '{server}/removed': the server answered HTTP 410",
        f"content/out.md:15: warning: could not confirm the link to '{server}/broken': the "
        "server answered HTTP 500",
        f"content/out.md:17: warning: could not confirm the link to '{server}/private': the "
        "server answered HTTP 403",
        f"content/out.md:19: warning: could not confirm the link to '{server}/slow': timed out",
        mine[-1],
    ]
    assert mine[-1].startswith(f"content/out.md:21: dead link to 'http://127.0.0.1:{dead}/': "
                               "no answer (")

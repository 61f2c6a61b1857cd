"""longform/serve.py: the drafting loop. Incremental rebuilds are checked on the files they write
(Drafting, no HTTP); the server is run as a writer runs it, `python build.py serve`, and checked
on what it answers, what it prints and the reloads it sends. The browser side is in
test_serve_browser.py, which starts its servers with start_server() from here."""

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, Document, Project

from longform.serve import Drafting
from longform.watch import ARMED_WITHIN, QUIET

BASE_URL = "http://localhost:8000/"
ESSAYS = ("long-view", "tide-tables", "glass-house", "night-shift")


def page_of(slug: str) -> str:
    return f"essays/{slug}/index.html"


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def changed_between(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """Paths added, removed or given other bytes."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def edit(project: Project, relative: str, old: str, new: str) -> None:
    path = project.root / relative
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new, 1), "utf-8")


# --- Incremental rebuilds, file by file --------------------------------------------------------

OLD_MTIME_NS = 1_000_000_000  # 2001: any file written by a rebuild gets a newer mtime


@dataclass
class Loop:
    """A Drafting on a sample project, built once. Before each rebuild every output file's mtime
    is set to the past, so that a write shows even within the file system's time resolution."""

    project: Project
    drafting: Drafting

    @property
    def out(self) -> Path:
        return self.drafting.out_dir

    def rebuild(self):
        """Rebuild; returns (outcome, paths whose bytes changed on disk)."""
        before = files_in(self.out)
        for path in self.out.rglob("*"):
            os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
        outcome = self.drafting.rebuild()
        assert outcome.error is None, str(outcome.error)
        return outcome, changed_between(before, files_in(self.out))

    def touched_besides(self, written: list[str]) -> list[str]:
        """Files not in `written` whose mtime moved anyway (should be none)."""
        return [p.relative_to(self.out).as_posix() for p in self.out.rglob("*")
                if p.is_file() and p.relative_to(self.out).as_posix() not in written
                and p.stat().st_mtime_ns != OLD_MTIME_NS]

    def full_rebuild(self, tmp_path: Path) -> dict[str, bytes]:
        """A fresh Drafting (empty memo) into another folder: what the files must be."""
        fresh = Drafting(self.project.root, tmp_path / "fresh", BASE_URL)
        assert fresh.rebuild().error is None
        return files_in(fresh.out_dir)


@pytest.fixture
def loop(make_project, tmp_path) -> Loop:
    project = make_project("drafting")
    drafting = Drafting(project.root, tmp_path / "served", BASE_URL)
    first = drafting.rebuild()
    assert first.error is None, str(first.error)
    assert first.rendered == len(ESSAYS)  # serve builds drafts too
    assert set(first.written) == set(files_in(drafting.out_dir))
    return Loop(project, drafting)


def test_a_body_edit_rewrites_that_essay_and_only_pages_whose_bytes_changed(loop, tmp_path):
    # A number, not a word: the related lists (scored on words) stay as they were.
    edit(loop.project, "content/tide-tables.md", "in 6 days", "in 7 days")
    outcome, changed = loop.rebuild()
    assert outcome.rendered == 1
    assert set(outcome.written) == changed
    assert page_of("tide-tables") in changed
    # The feed carries whole essays, so it changes; lists that show only the title do not.
    assert "feed.xml" in changed
    assert {"index.html", "tags/weather/index.html", "authors/bo/index.html"}.isdisjoint(changed)
    assert not {page_of(s) for s in ESSAYS if s != "tide-tables"} & changed
    assert loop.touched_besides(outcome.written) == []
    assert loop.full_rebuild(tmp_path) == files_in(loop.out)


def test_a_title_edit_rewrites_every_listing_and_the_related_lists_naming_it(loop, tmp_path):
    edit(loop.project, "content/tide-tables.md", "title: Tide Tables", "title: Tide Almanac")
    outcome, changed = loop.rebuild()
    assert set(outcome.written) == changed
    listings = {"index.html", "feed.xml", "tags/weather/index.html", "tags/harbour/index.html",
                "categories/dispatches/index.html", "authors/bo/index.html"}
    assert listings | {page_of("tide-tables")} <= changed
    # The long essay shares words and a tag with it, so lists it under "Related thinking";
    # the glass house shares nothing with it, so its page keeps its bytes and its mtime.
    assert "Tide Almanac" in (loop.out / page_of("long-view")).read_text("utf-8")
    assert page_of("glass-house") not in changed
    assert "tags/optics/index.html" not in changed
    assert loop.touched_besides(outcome.written) == []
    assert loop.full_rebuild(tmp_path) == files_in(loop.out)


def test_saving_without_a_change_writes_nothing(loop):
    path = loop.project.root / "content/long-view.md"
    path.write_bytes(path.read_bytes())
    outcome, changed = loop.rebuild()
    assert (outcome.written, changed, outcome.rendered) == ([], set(), 0)


def mentions(files: dict[str, bytes], *needles: str) -> list[str]:
    return sorted(p for p, data in files.items() for n in needles if n.encode() in data)


def test_a_deleted_essay_disappears_from_every_page(loop, tmp_path):
    (loop.project.root / "content/tide-tables.md").unlink()
    outcome, changed = loop.rebuild()
    assert set(outcome.written) == changed
    served = files_in(loop.out)
    assert mentions(served, "Tide Tables", "essays/tide-tables") == []
    # Pages that only existed for it are gone: its tag and category had no other essay.
    for gone in (page_of("tide-tables"), "tags/harbour/index.html",
                 "categories/dispatches/index.html"):
        assert gone in outcome.written and not (loop.out / gone).exists()
    assert "Night Shift" in served["authors/bo/index.html"].decode()  # bo's page stays
    assert loop.full_rebuild(tmp_path) == served


def test_a_renamed_essay_moves_on_every_page(loop, tmp_path):
    content = loop.project.root / "content"
    (content / "glass-house.md").rename(content / "greenhouse.md")
    outcome, changed = loop.rebuild()
    assert set(outcome.written) == changed
    served = files_in(loop.out)
    assert mentions(served, "essays/glass-house") == []
    assert not (loop.out / "essays/glass-house").exists()
    for listing in ("index.html", "feed.xml", "tags/optics/index.html",
                    "categories/field-notes/index.html", "authors/ada/index.html"):
        assert "/essays/greenhouse/" in served[listing].decode(), listing
    assert loop.full_rebuild(tmp_path) == served


def test_an_essay_moved_into_a_folder_links_its_media_from_there(loop, tmp_path):
    svg = "<svg xmlns='http://www.w3.org/2000/svg'>{}</svg>"
    loop.project.write("content/media/plan.svg", svg.format(""))
    loop.project.write("content/notes/media/plan.svg", svg.format("<g/>"))
    edit(loop.project, "content/glass-house.md", "the observers.", "the observers.\n\n"
         "![The plan](media/plan.svg)")
    loop.rebuild()
    content = loop.project.root / "content"
    (content / "glass-house.md").rename(content / "notes/glass-house.md")
    outcome, changed = loop.rebuild()
    assert set(outcome.written) == changed
    assert 'src="/notes/media/plan.svg"' in files_in(loop.out)[page_of("glass-house")].decode()
    assert loop.full_rebuild(tmp_path) == files_in(loop.out)


def test_a_template_edit_rerenders_the_pages_using_it(loop, tmp_path):
    edit(loop.project, "templates/essay.html", "{% block content %}",
         "{% block content %}<!-- essay template edited -->")
    outcome, changed = loop.rebuild()
    assert outcome.rendered == 0  # no essay's Markdown is rendered again
    assert set(outcome.written) == changed == {page_of(s) for s in ESSAYS}
    assert all(b"essay template edited" in files_in(loop.out)[page_of(s)] for s in ESSAYS)
    assert loop.touched_besides(outcome.written) == []
    assert loop.full_rebuild(tmp_path) == files_in(loop.out)


def test_a_macro_edit_rerenders_the_pages_importing_it(loop, tmp_path):
    edit(loop.project, "templates/_macros.html", ">Draft<", ">Draft (edited)<")
    outcome, changed = loop.rebuild()
    assert set(outcome.written) == changed
    # Only pages showing the draft essay's badge change bytes.
    assert changed == {"index.html", page_of("night-shift"), "tags/weather/index.html",
                       "authors/bo/index.html"}
    assert loop.full_rebuild(tmp_path) == files_in(loop.out)


def asset_named(files: dict[str, bytes], stem: str, suffix: str) -> str:
    [name] = [p for p in files if p.startswith(f"static/{stem}.") and p.endswith(suffix)]
    return name


def test_a_css_edit_copies_the_asset_and_rewrites_only_the_pages_linking_it(loop, tmp_path):
    """Assets are fingerprinted (static/style.HASH.css), so a CSS edit is not "copied only":
    the new file is written, the old one removed, and every page whose <link> names it has new
    bytes. Nothing is rendered from Markdown, and files that do not name it keep their bytes."""
    old_css = asset_named(files_in(loop.out), "style", ".css")
    with open(loop.project.root / "templates/static/style.css", "a", encoding="utf-8") as css:
        css.write("\n.essay__title { letter-spacing: -0.01em; }\n")
    outcome, changed = loop.rebuild()
    served = files_in(loop.out)
    new_css = asset_named(served, "style", ".css")
    assert new_css != old_css and old_css not in served
    assert outcome.rendered == 0
    assert set(outcome.written) == changed
    pages = {p for p in changed if p.endswith(".html")}
    assert changed == {old_css, new_css} | pages
    assert pages == {p for p in served if p.endswith(".html")}  # every page links style.css
    assert all(f"/{new_css}".encode() in served[p] for p in pages)
    for unchanged in ("feed.xml", "sitemap.xml", "robots.txt", "insights.json"):
        assert unchanged not in changed
    assert loop.full_rebuild(tmp_path) == served


def test_a_script_edit_rewrites_only_the_pages_loading_that_script(loop, tmp_path):
    old_js = asset_named(files_in(loop.out), "components", ".js")
    with open(loop.project.root / "templates/static/components.js", "a", encoding="utf-8") as js:
        js.write("\n// edited\n")
    outcome, changed = loop.rebuild()
    served = files_in(loop.out)
    new_js = asset_named(served, "components", ".js")
    assert set(outcome.written) == changed
    # Only essay pages load components.js.
    assert changed == {old_js, new_js} | {page_of(s) for s in ESSAYS}
    assert loop.full_rebuild(tmp_path) == served


def test_a_content_error_keeps_the_served_files_and_the_next_fix_catches_up(loop, tmp_path):
    edit(loop.project, "content/long-view.md", "date: 2024-02-01", "date: someday")
    before = files_in(loop.out)
    broken = loop.drafting.rebuild()
    assert broken.written == []
    assert str(broken.error).endswith(":3: date 'someday' is not a date; write it as YYYY-MM-DD "
                                      "(a time may follow, as in 2025-03-03 10:30:00 +01:00)")
    assert broken.error.path.name == "long-view.md"
    assert loop.drafting.error is broken.error
    assert files_in(loop.out) == before
    edit(loop.project, "content/long-view.md", "date: someday", "date: 2024-02-02")
    edit(loop.project, "content/tide-tables.md", "title: Tide Tables", "title: Tide Almanac")
    fixed = loop.drafting.rebuild()
    assert fixed.error is None and loop.drafting.error is None
    assert set(fixed.written) == changed_between(before, files_in(loop.out))
    assert loop.full_rebuild(tmp_path) == files_in(loop.out)


# --- The server, as a writer runs it ----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A running `python build.py serve`, with what it printed so far, line by line."""

    project: Project
    port: int
    process: subprocess.Popen
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str) -> tuple[int, bytes]:
        """GET with the path sent exactly as given (http.client does not normalise it)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def rebuilds(self) -> int:
        return sum(1 for line in self.out if line.startswith("Rebuilt in "))

    def wait_for(self, condition, what: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited: {''.join(self.err)}"
            value = condition()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; stderr: {''.join(self.err)}")

    def page_shows(self, path: str, text: str) -> bool:
        status, body = self.get(path)
        return status == 200 and text.encode() in body


def _collect(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_server(project: Project) -> Served:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(project.root),
         "--port", str(port)],
        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, so the fixture can end all of it
        # Ctrl+C as a terminal delivers it: a shell running the suite in the background (CI
        # scripts do) starts its children with SIGINT ignored, and Python keeps it so.
        preexec_fn=_sigint_default)
    served = Served(project, port, process)
    for stream, lines in ((process.stdout, served.out), (process.stderr, served.err)):
        threading.Thread(target=_collect, args=(stream, lines), daemon=True).start()
    try:
        served.wait_for(lambda: _answers(served), "the server to answer", timeout=60)
    except BaseException:
        stop_server(served)
        raise
    return served


def _answers(served: Served) -> bool:
    try:
        return served.get("/")[0] == 200
    except OSError:
        return False


def stop_server(served: Served) -> None:
    try:
        os.killpg(served.process.pid, signal.SIGTERM)
        served.process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=10)


@pytest.fixture
def serve():
    """serve(project) → a running server on a free port; every server is ended afterwards."""
    started: list[Served] = []

    def start(project: Project) -> Served:
        started.append(start_server(project))
        return started[-1]

    try:
        yield start
    finally:
        for served in started:
            stop_server(served)


def test_serve_prints_the_url_and_serves_drafts_with_a_badge(make_project, serve):
    served = serve(make_project("drafting"))
    served.wait_for(lambda: any(served.url in line for line in served.out), "the URL")
    status, body = served.get("/essays/night-shift/")
    assert status == 200
    badges = Document(body.decode()).text_of("span", class_="badge--draft")
    assert badges == ["Draft"]
    assert b"/livereload.js" in body and b"longform-scroll:" in body
    assert served.get("/no/such/page/")[0] == 404


OUTSIDE = [
    "/../pyproject.toml",
    "/../../pyproject.toml",
    "/../../../pyproject.toml",
    "/%2e%2e/pyproject.toml",
    "/%2e%2e/%2e%2e/pyproject.toml",
    "/%2E%2E%2F%2E%2E%2Fpyproject.toml",
    "/static/..%252f..%252fpyproject.toml",
    "/static/..%252f..%252f..%252fpyproject.toml",
    "/%252e%252e/%252e%252e/pyproject.toml",
    "/essays/../../../pyproject.toml",
    "/..\\..\\pyproject.toml",
    "/static\\..\\..\\..\\pyproject.toml",
    "/..%5c..%5cpyproject.toml",
    "/static/..%255c..%255c..%255cpyproject.toml",
    "/../../content/long-view.md",
    "/../../secret.txt",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
]


def test_requests_outside_the_site_get_404_never_the_file(make_project, serve):
    project = make_project("drafting")
    project.write("secret.txt", "do-not-serve-me\n")
    served = serve(project)
    assert served.get("/essays/long-view/")[0] == 200  # the 404s below are not for nothing
    for path in OUTSIDE:
        status, body = served.get(path)
        assert status == 404, path
        for secret in (b"[tool.longform]", b"do-not-serve-me", b"root:x:0", b"title: The Long"):
            assert secret not in body, path


def test_a_port_in_use_is_one_line_and_exit_1(make_project):
    project = make_project("drafting")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "--root",
                               str(project.root), "--port", str(port)], cwd=project.root,
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    [line] = proc.stderr.splitlines()
    assert str(port) in line and "--port" in line
    assert "Traceback" not in proc.stderr + proc.stdout


def test_content_errors_show_the_overlay_and_a_fix_brings_the_page_back(make_project, serve):
    served = serve(make_project("drafting"))
    edit(served.project, "content/long-view.md", "date: 2024-02-01", "date: someday")
    where = "content/long-view.md:3: date &#x27;someday&#x27; is not a date"
    status, body = served.wait_for(lambda: (r := served.get("/essays/long-view/"))[0] == 500
                                   and r, "the overlay")
    assert b'id="longform-error-overlay"' in body and where.encode() in body
    assert b"/livereload.js" in body  # so that the fix reloads it
    assert b'class="bad"><span>3</span>date: someday' in body  # the offending source line
    assert served.get("/tags/optics/")[0] == 500  # every page shows it while the build is broken
    css = next(p for p in files_in(served.project.root / ".longform-cache/serve-site")
               if p.startswith("static/style."))
    assert served.get("/" + css)[0] == 200  # assets still load
    # The terminal shows the same one line.
    served.wait_for(lambda: any(line.startswith("content/long-view.md:3: ") for line in
                                served.err), "the error line on stderr")
    edit(served.project, "content/long-view.md", "date: someday", "date: 2024-02-01")
    served.wait_for(lambda: served.page_shows("/essays/long-view/", "The Long View"),
                    "the fixed page")
    assert served.process.poll() is None
    assert not any("Traceback" in line for line in served.err)


def test_deleting_and_renaming_essays_while_serving(make_project, serve):
    served = serve(make_project("drafting"))
    content = served.project.root / "content"
    (content / "tide-tables.md").unlink()
    (content / "glass-house.md").rename(content / "greenhouse.md")
    served.wait_for(lambda: served.get("/essays/tide-tables/")[0] == 404, "the deletion")
    served.wait_for(lambda: served.get("/essays/greenhouse/")[0] == 200, "the renamed page")
    assert served.get("/essays/glass-house/")[0] == 404
    assert served.get("/tags/harbour/")[0] == 404
    for path in ("/", "/feed.xml", "/tags/weather/", "/tags/optics/", "/authors/bo/",
                 "/essays/long-view/", "/sitemap.xml"):
        status, body = served.get(path)
        assert status == 200, path
        assert b"Tide Tables" not in body and b"/essays/tide-tables/" not in body, path
        assert b"/essays/glass-house/" not in body, path
    assert b"/essays/greenhouse/" in served.get("/feed.xml")[1]


# --- Debounce, counted on the server's output and a livereload client --------------------------

HELLO = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}


async def livereload_client(served: Served, messages: list):
    """Connect as livereload.js does: hello, then info (which makes us a reload waiter)."""
    from tornado.websocket import websocket_connect
    conn = await websocket_connect(f"ws://127.0.0.1:{served.port}/livereload",
                                   on_message_callback=lambda m: m and messages.append(
                                       json.loads(m)))
    await conn.write_message(json.dumps(HELLO))
    await _until(lambda: any(m["command"] == "hello" for m in messages), "the hello reply")
    await conn.write_message(json.dumps({"command": "info", "url": served.url}))
    await asyncio.sleep(0.3)  # no reply to info: give the server a moment to register us
    return conn


async def _until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def burst(path: Path, texts: list[str], within: float) -> float:
    """Save each text in turn, evenly spread over `within` s; → the longest gap between two
    saves. time.sleep, not asyncio.sleep: the event loop's timers are too coarse for a few ms."""
    gaps, last = [0.0], time.monotonic()
    for i, text in enumerate(texts):
        if i:
            time.sleep(within / (len(texts) - 1))
        path.write_text(text, "utf-8")
        gaps.append(time.monotonic() - last)
        last = time.monotonic()
    return max(gaps[2:], default=0.0)


def reloads(messages: list) -> int:
    return sum(1 for m in messages if m.get("command") == "reload")


def test_a_burst_of_saves_is_one_rebuild_and_one_reload(make_project, serve):
    served = serve(make_project("drafting"))
    essay = served.project.root / "content/tide-tables.md"
    original = essay.read_text("utf-8")

    async def saves(label: str, count: int, within: float, messages: list) -> tuple:
        """Save `count` times within `within` s; → the rebuilds and reloads that followed, and
        the longest gap between two saves."""
        rebuilds_before, reloads_before = served.rebuilds(), reloads(messages)
        texts = [original.replace("Tide Tables", f"Tide Tables {label}.{i}")
                 for i in range(count)]
        took = burst(essay, texts, within)
        await _until(lambda: served.rebuilds() > rebuilds_before, "a rebuild")
        await asyncio.sleep(1.0)  # many quiet spells later: nothing more may come
        assert served.page_shows("/essays/tide-tables/", f"Tide Tables {label}.{count - 1}")
        return served.rebuilds() - rebuilds_before, reloads(messages) - reloads_before, took

    async def scenario():
        messages: list = []
        conn = await livereload_client(served, messages)
        # Twice within 5 ms (an editor's save dance); eight times over 70 ms, longer than the
        # quiet spell but each save closer to the last than it: one rebuild and reload each.
        # A busy machine may spread our saves wider than we meant, or hold the watch thread's
        # news of one save past the quiet spell: so up to three tries. A server rebuilding
        # once per save (livereload's own way) fails all three.
        for label, count, within in (("a", 2, 0.005), ("b", 8, 0.07)):
            tries = []
            for attempt in range(3):
                rebuilds, reloaded, gap = await saves(f"{label}{attempt}", count, within,
                                                      messages)
                tries.append((rebuilds, reloaded, round(gap, 3)))
                assert rebuilds <= count and reloaded <= count, served.out
                if gap < QUIET * 0.8 and (rebuilds, reloaded) == (1, 1):
                    break
            assert (rebuilds, reloaded) == (1, 1) and gap < QUIET * 0.8, (tries, served.out)
        # Twice, half a second apart: two bursts, so the quiet spell is what merges the above.
        assert (await saves("c", 2, 0.5, messages))[:2] == (2, 2), served.out
        conn.close()

    asyncio.run(scenario())


def test_the_server_survives_a_burst_of_50_valid_and_broken_edits(make_project, serve):
    served = serve(make_project("drafting"))
    essay = served.project.root / "content/glass-house.md"
    valid = essay.read_text("utf-8")
    broken = [
        valid.replace("date: 2024-01-10", "date: 2024-02-30"),
        valid.replace("title: The Glass House\n", ""),
        valid.replace("tags: [Optics]", "tags: [Optics"),
        valid.replace("---\n\nThe dome", "\nThe dome"),  # frontmatter never closed
        "",
        "\ufeff---\ntitle: [\n---\n",
        valid.replace("dek:", "dek: [unterminated").replace("A greenhouse", "{: a"),
        valid + "\n```chart\nkind: [\n```\n",
    ]
    rebuilds_before = served.rebuilds()
    for i in range(50):
        if i % 3 == 0:
            essay.write_text(valid.replace("The Glass House", f"Glass House {i}"), "utf-8")
        elif i % 9 == 2:
            essay.write_bytes(b"---\ntitle: \xff\xfe bad bytes\ndate: 2024-01-10\n---\n")
        else:
            essay.write_text(broken[i % len(broken)], "utf-8")
        if i % 7 == 0:
            assert served.get("/")[0] in (200, 500)
        # Most saves land inside a burst; every fourth is followed by a rebuild.
        time.sleep(0.3 if i % 4 == 3 else (0.0, 0.01, 0.03)[i % 3])
    essay.write_text(valid.replace("The Glass House", "Glass House final"), "utf-8")
    served.wait_for(lambda: served.page_shows("/essays/glass-house/", "Glass House final"),
                    "the last valid edit", timeout=20)
    assert served.page_shows("/", "Glass House final")
    assert served.process.poll() is None
    errors = "".join(served.err)
    assert "Traceback" not in errors
    # Each broken build was reported as its problem's line naming the file, then the count (the
    # rest is livereload's log).
    reported = [line for line in served.err if not line.startswith("[")
                and not line.startswith("1 error, ")]
    assert all(line.startswith("content/glass-house.md:") for line in reported), reported
    # Both kinds of build happened, many times over (the exact count depends on timing).
    successes = served.rebuilds() - rebuilds_before
    assert successes >= 2 and len(reported) >= 2 and successes + len(reported) >= 8, errors


# --- What the watcher hears, and what it must not ----------------------------------------------

def past_the_look_after_arming() -> None:
    """The server compares a snapshot once its watches are armed; after it, only the watches
    can tell it what changes, which is what these tests are about."""
    time.sleep(ARMED_WITHIN + 0.3)


def replace_atomically(path: Path, text: str) -> None:
    """Save as many editors do: write a temporary file, then rename it over the old one."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def test_pyproject_replaced_by_a_rename_is_heard_every_time(make_project, serve):
    served = serve(make_project("drafting"))
    pyproject = served.project.root / "pyproject.toml"
    original = pyproject.read_text("utf-8")
    assert 'title = "Sample Essays"' in original
    past_the_look_after_arming()
    # Twice: a watch on the file itself would hear the first rename and lose the file with it.
    for title in ("Harbour Notes", "Harbour Letters"):
        replace_atomically(pyproject, original.replace("Sample Essays", title))
        served.wait_for(lambda t=title: served.page_shows("/", f"<title>{t}"), f"the title {title}")


TIDES_CHART = """

```chart
title: Tide heights
x: tide
y: metres
data: charts/data/tides.csv
```
"""


def test_a_charts_folder_made_while_serving_is_watched(make_project, serve):
    served = serve(make_project("drafting"))
    root = served.project.root
    assert not (root / "charts").exists()
    served.project.write("charts/data/tides.csv", "tide,metres\nNeap tide,2.1\n")
    with open(root / "content/tide-tables.md", "a", encoding="utf-8") as essay:
        essay.write(TIDES_CHART)
    served.wait_for(lambda: served.page_shows("/essays/tide-tables/", "Neap tide"), "the chart")
    past_the_look_after_arming()
    # Only the data file changes now: heard only if charts/ is watched since it appeared.
    served.project.write("charts/data/tides.csv", "tide,metres\nSpring tide,3.4\n")
    served.wait_for(lambda: served.page_shows("/essays/tide-tables/", "Spring tide"),
                    "the chart drawn from the edited data")


def test_a_file_saved_in_static_is_served_byte_for_byte(make_project, serve):
    served = serve(make_project("drafting"))
    served.project.write("static/notes/reading.txt", b"first\r\n")
    served.wait_for(lambda: served.get("/notes/reading.txt") == (200, b"first\r\n"),
                    "the new static file")
    served.project.write("static/notes/reading.txt", b"second\x00\xff")
    served.wait_for(lambda: served.get("/notes/reading.txt") == (200, b"second\x00\xff"),
                    "the edited static file")


def inotify_inodes(pid: int) -> set[int]:
    """The inodes a process watches through inotify, from /proc/PID/fdinfo (Linux)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:inotify":
                continue
            info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
        except OSError:  # an fd closed while we looked
            continue
        for line in info.splitlines():  # "inotify wd:3 ino:19077e sdev:fe00000 mask:3ee ..."
            if line.startswith("inotify "):
                fields = dict(word.split(":", 1) for word in line.split()[1:])
                inodes.add(int(fields["ino"], 16))
    return inodes


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="reads Linux's /proc")
def test_our_own_output_and_editors_scratch_files_never_wake_the_watcher(make_project, serve):
    project = make_project("drafting")
    for i in range(20):  # a published site/, as `python build.py` leaves it
        project.write(f"site/essays/e{i}/index.html", "<p>built</p>")
    served = serve(project)
    root = project.root
    past_the_look_after_arming()
    watched = inotify_inodes(served.process.pid)
    assert (root / "content").stat().st_ino in watched  # the check below is not for nothing
    output = [p for p in (root / "site").rglob("*") if p.is_dir()]
    output += [p for p in (root / ".longform-cache").rglob("*") if p.is_dir()]
    assert not {p.stat().st_ino for p in output} & watched
    rebuilds_before = served.rebuilds()
    project.write("site/essays/e0/index.html", "<p>built again</p>")
    project.write("site/new/index.html", "<p>new</p>")
    project.write(".longform-cache/serve-site/essays/extra/index.html", "<p>extra</p>")
    for scratch in (".long-view.md.swp", "long-view.md~", "4913", ".DS_Store",
                    "__pycache__/x.pyc"):
        project.write(f"content/{scratch}", "scratch")
    time.sleep(1.0)  # many quiet spells
    assert served.rebuilds() == rebuilds_before, served.out


def test_ctrl_c_stops_the_server_at_once_and_quietly(make_project, serve):
    served = serve(make_project("drafting"))
    past_the_look_after_arming()  # its watch threads run
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=5) == 0
    time.sleep(0.1)  # the last lines, read by another thread
    assert not any("Traceback" in line or "fatal" in line.lower() for line in served.err), \
        served.err


def test_warming_builds_markdown_and_compiles_every_template_but_a_broken_one(make_project,
                                                                              tmp_path):
    # serve's first build renders in worker processes; warming readies the serving process
    # so that the writer's first save does not wait for Markdown's and Jinja's set-up.
    from longform import markdown, render
    project = make_project("drafting")
    (project.root / "templates/broken.html").write_text("{% if %}", "utf-8")
    drafting = Drafting(project.root, tmp_path / "out", BASE_URL)
    markdown._markdown.cache_clear()
    render._environment.cache_clear()
    drafting.warm()
    assert markdown._markdown.cache_info().currsize == 1
    env = render._environment(drafting.config.templates_dir, drafting.config.cache_dir)
    compiled = {name for _, name in env.cache.keys()}
    expected = {p.relative_to(project.root / "templates").as_posix()
                for p in (project.root / "templates").rglob("*.html")
                if "static" not in p.parts} - {"broken.html"}
    assert expected and expected <= compiled and "broken.html" not in compiled


def test_when_the_system_refuses_more_watches_the_watcher_polls_and_says_so():
    from longform.watch import batches
    calls, told = [], []

    def refusing_watch(*paths, force_polling, **options):
        calls.append(force_polling)
        if not force_polling:
            raise OSError("OS file watch limit reached.")
        yield {("modified", "content/a.md")}

    heard = list(batches([Path("content")], True, None, threading.Event(), told.append,
                         watch=refusing_watch))
    assert heard == [{("modified", "content/a.md")}] and calls == [False, True]
    assert len(told) == 1 and "fs.inotify.max_user_watches" in told[0]
    assert "\n" not in told[0]


def test_a_folder_gone_before_the_watch_began_is_not_taken_for_a_watch_limit():
    from longform.watch import batches

    def missing(*paths, **options):
        raise FileNotFoundError(2, "No such file or directory")
        yield

    with pytest.raises(FileNotFoundError):
        list(batches([Path("charts")], True, None, threading.Event(), print, watch=missing))


def test_a_save_that_changes_no_page_rebuilds_but_does_not_reload(make_project, serve):
    served = serve(make_project("drafting"))
    essay = served.project.root / "content/tide-tables.md"
    text = essay.read_text("utf-8")

    async def scenario():
        messages: list = []
        conn = await livereload_client(served, messages)
        before = served.rebuilds()
        essay.write_text(text, "utf-8")  # Ctrl+S out of habit: same bytes, a new mtime
        await _until(lambda: served.rebuilds() > before, "a rebuild")
        await asyncio.sleep(0.5)
        assert reloads(messages) == 0, messages
        essay.write_text(text.replace("Tide Tables", "Tide Charts"), "utf-8")
        await _until(lambda: reloads(messages) == 1, "a reload after a real edit")
        conn.close()

    asyncio.run(scenario())


def test_the_overlay_lists_every_problem_of_every_essay(loop):
    from longform.serve import overlay
    edit(loop.project, "content/long-view.md", "date: 2024-02-01", "date: someday")
    edit(loop.project, "content/glass-house.md", "\n\n", "\n\nSee [gone](gone.md).\n\n")
    broken = loop.drafting.rebuild()
    page = Document(overlay(broken.error))
    assert page.text_of("h1") == ["Build failed: 2 errors"]
    items = page.text_of("li")  # in file order
    assert "content/glass-house.md:10: link to 'gone.md', but there is no such essay" in items[0]
    assert "content/long-view.md:3: date 'someday' is not a date" in items[1]
    assert page.text_of("div", class_="bad") == ["10See [gone](gone.md)."]  # the first one


def test_the_overlay_stops_listing_after_fifty(tmp_path):
    from longform.errors import ContentError, Problems
    from longform.serve import overlay
    problems = Problems([ContentError(tmp_path / f"e{n:02}.md", 1, "broken") for n in range(60)])
    items = Document(overlay(problems)).text_of("li")
    assert len(items) == 51 and items[-1] == "… and 10 more"

"""Shared fixtures: copy a sample site from tests/sites/ into a temporary project, build it (in
process or as `python build.py`), and read what a reader would get: files, links, ids, text."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from longform.cli import main

REPO = Path(__file__).resolve().parents[1]
SITES = Path(__file__).resolve().parent / "sites"
BASE_URL = "https://example.org/"

SETTINGS = {
    "title": "Sample Essays",
    "description": "Essays used by the test suite.",
    "base_url": BASE_URL,
    "language": "en",
    "words_per_minute": 230,
    "stances": ["Contrarian"],
}


@dataclass(frozen=True)
class Result:
    """What one run of the command line left: exit status and what it printed."""

    status: int
    out: str
    err: str


@dataclass(frozen=True)
class Project:
    """A sample site copied into a temporary folder, with its own templates and pyproject."""

    root: Path

    @property
    def out(self) -> Path:
        return self.root / "site"

    def write(self, relative: str, data: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def page(self, relative: str, out: Path | None = None) -> str:
        """A built file's text; a folder URL like "essays/x/" means its index.html."""
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        return ((out or self.out) / relative).read_text(encoding="utf-8")

    def files(self, out: Path | None = None) -> dict[str, bytes]:
        """Every built file's bytes by its path inside the output folder."""
        folder = out or self.out
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}


def imported_after(args: list[str], cwd, expect: str, watched: tuple) -> set[str]:
    """Which of the watched modules build.py's main() imported (not Python's start-up, whose
    .pth files vary from machine to machine). main() is called as build.py calls it: build.py
    then leaves with os._exit, which would leave nothing to print the modules."""
    script = ("import sys, json\n"
              "started = set(sys.modules)\n"
              f"sys.argv = ['build.py', *{args!r}]\n"
              "sys.path.insert(0, '.')\n"
              "try:\n    from longform.cli import main\n    main()\n"
              "except SystemExit:\n    pass\n"
              f"print(json.dumps(sorted(m for m in {watched!r} "
              "if m in sys.modules and m not in started)))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert expect in proc.stdout, proc.stdout + proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def pyproject_text(settings: dict) -> str:
    lines = ['[project]', 'name = "sample-site"', 'version = "0.0.0"', '', '[tool.longform]']
    for key, value in settings.items():
        if isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_toml(v) for v in value)}]")
        else:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(value) -> str:
    return str(value) if isinstance(value, int) else '"' + str(value).replace('"', '\\"') + '"'


@pytest.fixture
def make_project(tmp_path):
    """make_project("basic", stances=[...]) → a Project holding tests/sites/basic, the repo's
    real templates/ (beside the site's own, such as templates/shortcodes/) and a pyproject.toml
    with [tool.longform] (settings override the defaults)."""
    made = []

    def make(name: str = "basic", **settings) -> Project:
        root = tmp_path / f"{name}-{len(made)}"
        shutil.copytree(SITES / name, root)
        shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
        (root / "pyproject.toml").write_text(pyproject_text({**SETTINGS, **settings}), "utf-8")
        made.append(root)
        return Project(root)

    return make


@pytest.fixture
def build(capsys, monkeypatch):
    """build(project, "--drafts", …) runs `longform.cli.main` in this process from the project
    folder, so messages name paths like content/x.md."""

    def run(project: Project, *args: str) -> Result:
        monkeypatch.chdir(project.root)
        capsys.readouterr()
        status = main(["--root", str(project.root), *args])
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return run


def build_process(project: Project, *args: str, env: dict | None = None) -> Result:
    """`python build.py --root PROJECT …` as a writer runs it, from the project folder."""
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(project.root),
                           *args], cwd=project.root, capture_output=True, text=True, env=env,
                          timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(name="build_process")
def build_process_fixture():
    return build_process


# --- Reading HTML ----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    text: str = ""

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class Document(HTMLParser):
    """A page as elements (tag, attributes, text inside), ids and unbalanced-tag problems."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.problems: list[str] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()
        self.problems += [f"<{e.tag}> never closed" for e in self._open]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self._open or self._open[-1].tag != tag:
            self.problems.append(f"</{tag}> closes <{self._open[-1].tag if self._open else ''}>"
                                 f" at line {self.getpos()[0]}")
            if any(e.tag == tag for e in self._open):
                while self._open.pop().tag != tag:
                    pass
            return
        self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    @property
    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if e.attrs.get("id")}

    def find_all(self, tag: str, **attrs) -> list[Element]:
        """Elements of a tag whose attributes contain the given values (class_ for class)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return [e for e in self.elements if e.tag == tag and
                all(v in (e.attrs.get(k) or "") for k, v in wanted.items())]

    def links(self) -> list[str]:
        """Every href and src value, in document order."""
        return [e.attrs[a] for e in self.elements for a in ("href", "src") if e.attrs.get(a)]

    def text_of(self, tag: str, **attrs) -> list[str]:
        return [" ".join(e.text.split()) for e in self.find_all(tag, **attrs)]


def broken_links(out: Path, base_url: str = BASE_URL) -> list[str]:
    """Every internal href/src of every page that does not lead to a file (or to an id in it).
    URLs under base_url's path map to files in `out`; a link outside that path is broken."""
    base = urlsplit(base_url)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    pages = {p.relative_to(out).as_posix(): p for p in out.rglob("*.html")}
    parsed: dict[str, Document] = {}

    def document(relative: str) -> Document:
        if relative not in parsed:
            parsed[relative] = Document((out / relative).read_text("utf-8"))
        return parsed[relative]

    problems = []
    for relative in sorted(pages):
        page_url = base_path + relative.removesuffix("index.html")
        for link in document(relative).links():
            target = _target(link, page_url, base, base_path)
            if target is None:
                continue
            path, fragment = target
            if not path.startswith(base_path):
                problems.append(f"{relative}: {link} is outside {base_path}")
                continue
            file = unquote(path[len(base_path):])
            if file == "" or file.endswith("/"):
                file += "index.html"
            if not (out / file).is_file():
                problems.append(f"{relative}: {link} → no file {file}")
            elif fragment and file.endswith(".html") and fragment not in document(file).ids:
                problems.append(f"{relative}: {link} → no id '{fragment}' in {file}")
    return problems


def _target(link: str, page_url: str, base, base_path: str) -> tuple[str, str] | None:
    parts = urlsplit(link)
    if parts.scheme in ("mailto", "tel", "data", "javascript"):
        return None
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None  # another site
        return parts.path or "/", unquote(parts.fragment)
    resolved = urlsplit(urljoin(page_url, link))
    return resolved.path, unquote(resolved.fragment)


@pytest.fixture
def parse():
    """Document, for tests that take helpers as fixtures."""
    return Document


@pytest.fixture
def basic(make_project, build):
    """The basic sample site, built."""
    project = make_project("basic")
    result = build(project)
    assert result.status == 0, result.err
    return project


@pytest.fixture
def check(capsys, monkeypatch):
    """check(project, "--strict", …) → (exit status, printed lines, count line)."""

    def run(project, *args):
        monkeypatch.chdir(project.root)
        capsys.readouterr()
        status = main(["check", "--root", str(project.root), *args])
        captured = capsys.readouterr()
        return status, captured.out.splitlines(), captured.err.strip()

    return run


# --- Chromium ----------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"  # Debian's; never a downloaded one
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module, driven by playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: the README's test command installs chromium")
        pytest.skip(f"no {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# --- Images ------------------------------------------------------------------------------------

def photo_bytes(width: int, height: int, kind: str = "PNG", seed: int = 12) -> bytes:
    """A photograph-like image, made here rather than committed (a 4000×3000 PNG weighs
    megabytes): gradients under grain at three scales, so that, as in a photo, detail
    survives downscaling and the file compresses badly."""
    from io import BytesIO

    from PIL import Image, ImageChops
    size = (width, height)

    def grain(scale: int, sigma: float):
        return Image.effect_noise((max(1, width // scale), max(1, height // scale)),
                                  sigma).resize(size, Image.BICUBIC)

    texture = ImageChops.add(ImageChops.add(grain(8, 60), grain(3, 40), 2.0, 0),
                             grain(1, seed), 2.0, -64)
    image = Image.merge("RGB", (
        ImageChops.add(Image.linear_gradient("L").resize(size), texture, 2.0, 0),
        ImageChops.add(Image.linear_gradient("L").rotate(90).resize(size), texture, 2.0, -40),
        Image.radial_gradient("L").resize(size)))
    buffer = BytesIO()
    image.save(buffer, kind, **({"compress_level": 1} if kind == "PNG" else {"quality": 90}))
    return buffer.getvalue()


# --- A static host -----------------------------------------------------------------------------

@contextmanager
def static_host(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve folder at http://127.0.0.1:PORT{prefix} as a static host would (GitHub Pages
    serves a project site under /REPO/); anything outside the prefix is a 404. Yields the
    site's URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if not path.startswith(prefix):
                return str(folder / "no such file")
            return super().translate_path("/" + path[len(prefix):])

        def log_message(self, format, *args):  # noqa: A002 - the name http.server uses
            pass

    Handler.extensions_map = {**Handler.extensions_map, ".js": "text/javascript",
                              ".webp": "image/webp", ".wasm": "application/wasm"}
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler,
                                                                     directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

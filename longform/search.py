"""The full-text search index: Pagefind over the essay pages.

Pagefind reads what the essay template marks: the body (data-pagefind-body), the title weighted
above the text, and tags, category and author as filters. It writes its bundle into a
temporary folder we read back, so publish stays the only writer of site/ and a failed build
leaves it untouched. The index is rebuilt only when an essay page changed.
"""

import re
import subprocess
import tempfile
from pathlib import Path

from .cache import Memo, digest
from .errors import ContentError
from .site import Site

BUNDLE = "pagefind"  # site/pagefind/: the script, the WebAssembly, the index and fragments
# Inside the indexed article but not its text: the header's category and tag line, the "#"
# of heading anchors, footnotes' back arrows (the byline, contents and footer are marked
# data-pagefind-ignore in the template, which keeps their filters).
EXCLUDED = ".essay__header .meta, .headerlink, .footnote-backref"
UNUSED = re.compile(r"^pagefind-(component-ui|modular-ui|ui|highlight)\.")


def search_files(site: Site, files: dict[str, bytes], old: Memo, new: Memo) -> dict[str, bytes]:
    """site/pagefind/… for the essay pages in `files`; the last index while they are the same."""
    pages = {e.url: files[e.url + "index.html"] for e in site.essays}
    # Result URLs are site-relative; the search script prefixes the base path.
    key = digest(_pagefind_version(), site.config.language,
                 *(part for url, html in sorted(pages.items()) for part in (url, html)))
    previous = old.search
    if previous and previous[0] == key:
        new.search = previous
        return previous[1]
    bundle = index_bundle(pages, site.config.language, site.config.root)
    new.search = (key, bundle)
    new.dirty = True
    return bundle


def index_bundle(pages: dict[str, bytes], language: str, root: Path) -> dict[str, bytes]:
    """Pagefind's bundle for these pages (site path → HTML): output path → bytes. Pagefind's
    Python API answers one page per 0.1 s poll, so the pages go through a temporary folder
    and its command line, one run for the whole site."""
    from pagefind.service import get_executable
    binary = get_executable()
    with tempfile.TemporaryDirectory(prefix="longform-search-") as folder:
        pages_dir, out_dir = Path(folder, "site"), Path(folder, "bundle")
        for path, html in pages.items():
            target = pages_dir / path.lstrip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(html)
        # One index in the site's language: Pagefind would otherwise split it by each page's
        # lang attribute.
        command = [str(binary), "--site", str(pages_dir), "--output-path", str(out_dir),
                   "--force-language", language.split("-")[0].lower(), "--silent",
                   "--exclude-selectors", EXCLUDED]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, TypeError, subprocess.TimeoutExpired) as err:
            run = subprocess.CompletedProcess(command, 1, "", str(err))
        if run.returncode != 0 or binary is None:
            problem = (run.stderr or run.stdout).strip().splitlines() or ["no pagefind binary"]
            raise ContentError(root / "pyproject.toml", 1,
                               f"the search index could not be built ({problem[-1]}); "
                               "reinstall 'pagefind[bin]', or set search = false in "
                               "[tool.longform]")
        return {f"{BUNDLE}/{name}": path.read_bytes() for path in sorted(out_dir.rglob("*"))
                if path.is_file() and _served(name := path.relative_to(out_dir).as_posix())}


def _served(name: str) -> bool:
    """Pagefind's own UI bundles (300 KB) and the index for undetected languages go unused:
    the theme has its own search page, and the site has one language."""
    return not (UNUSED.search(name) or name.startswith("wasm.unknown"))


def _pagefind_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "-"

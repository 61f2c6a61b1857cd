"""Drafting loop: livereload preview with debounced, incremental rebuilds and an error overlay.

livereload rebuilds and reloads once per changed file when it watches folders itself (why MkDocs
left it in 1.2). Here it only serves and reloads; watch.py decides when to rebuild.
"""

import html
import mimetypes
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from livereload import Server

from .cache import Memo
from .config import SiteConfig, load_config
from .errors import ContentError, Problems, display_path
from .pipeline import build
from .publish import apply_changes
from .watch import DebouncedWatcher


@dataclass
class Outcome:
    written: list = field(default_factory=list)
    error: ContentError | Problems | None = None
    seconds: float = 0.0
    rendered: int = 0


class Drafting:
    """The state the loop keeps between rebuilds: the memo, the files served, the last error."""

    def __init__(self, root: Path, out_dir: Path, base_url: str):
        self.root = root
        self.out_dir = out_dir
        self.base_url = base_url
        self.memo = Memo()
        self.files: dict[str, bytes] = {}
        self.error: ContentError | Problems | None = None
        self.builds = 0

    @property
    def config(self) -> SiteConfig:
        # Re-read every time, so an edit to [tool.longform] counts like any other edit.
        return load_config(self.root, base_url=self.base_url, include_drafts=True)

    def warm(self) -> None:
        """Prepare this process for the first save: the first build rendered in worker
        processes, so the Markdown instance and the compiled templates are not here yet."""
        from .markdown import warmed
        from .render import compiled
        config = self.config
        warmed(config.content_dir, config.charts_dir)
        compiled(config.templates_dir, config.cache_dir)

    def rebuild(self) -> Outcome:
        started = time.perf_counter()
        self.builds += 1
        try:
            result = build(self.config, self.memo)
        except (ContentError, Problems) as err:
            self.error = err
            return Outcome(error=err, seconds=time.perf_counter() - started)
        except OSError as err:
            # A file vanished mid-build (an editor's save dance): the watcher hears the change
            # and builds again; keep serving what we have.
            return Outcome(error=ContentError(Path(err.filename or self.root), 1,
                                              f"could not read: {err.strerror}; retrying"),
                           seconds=time.perf_counter() - started)
        written = apply_changes(result.files, self.out_dir, self.files)
        self.memo, self.files, self.error = result.memo, result.files, None
        return Outcome(written=written, seconds=time.perf_counter() - started,
                       rendered=result.rendered)


def site_app(drafting: Drafting):
    """A WSGI app serving the built folder: files only from inside it, the error overlay while
    the last build failed, and a small script that keeps the scroll position across reloads."""
    def app(environ, start_response):
        relative = _safe_relative(environ.get("PATH_INFO", "/"))
        path = _file_for(drafting.out_dir, relative) if relative is not None else None
        is_page = path is None or path.suffix == ".html"
        if drafting.error is not None and is_page:
            return _respond(start_response, "500 Build Error", "text/html; charset=utf-8",
                            overlay(drafting.error).encode("utf-8"))
        if path is None:
            missing = drafting.out_dir / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"<h1>Not found</h1>"
            return _respond(start_response, "404 Not Found", "text/html; charset=utf-8",
                            _with_scroll_keeper(body))
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = _with_scroll_keeper(body)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return _respond(start_response, "200 OK", kind, body)
    return app


def _safe_relative(path_info: str) -> str | None:
    """The request path as a relative path inside the site, or None if it tries to leave it."""
    decoded = unquote(unquote(path_info))  # catches %252e%252e as well as %2e%2e
    parts = [p for p in decoded.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." or "\0" in p for p in parts):
        return None
    return "/".join(parts)


def _file_for(out_dir: Path, relative: str) -> Path | None:
    candidate = out_dir / relative
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if not candidate.is_file():
        return None
    resolved, root = candidate.resolve(), out_dir.resolve()
    return resolved if root in resolved.parents else None


def _respond(start_response, status: str, kind: str, body: bytes):
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


_SCROLL_KEEPER = b"""<script>(function(){var k="longform-scroll:"+location.pathname;
var y=sessionStorage.getItem(k);if(y!==null){history.scrollRestoration="manual";
addEventListener("load",function(){scrollTo(0,+y);});}
addEventListener("beforeunload",function(){sessionStorage.setItem(k,String(scrollY));});
})();</script>"""


def _with_scroll_keeper(body: bytes) -> bytes:
    return body.replace(b"</body>", _SCROLL_KEEPER + b"</body>", 1)


def overlay(error: ContentError | Problems) -> str:
    """The page shown in place of every page while the build is broken, as Vite and Hugo do:
    every problem (up to cli.LISTED), the first error with the lines around it."""
    from .cli import LISTED
    found = error if isinstance(error, Problems) else Problems([error])
    first = found.errors[0] if found.errors else found.problems[0]
    excerpt = "".join(
        f'<div class="{"bad" if number == first.line else ""}"><span>{number}</span>'
        f"{html.escape(text)}</div>" for number, text in _source_lines(first))
    where = f"{display_path(first.path)}:{first.line}"
    items = "".join(f'<li class="{"warning" if ": warning: " in line else "error"}"><code>'
                    f"{html.escape(line)}</code></li>" for line in found.lines(LISTED))
    count = len(found.errors)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Build error: {html.escape(where)}</title><style>{_OVERLAY_CSS}</style></head>"
        '<body><main id="longform-error-overlay" role="alert"><h1>Build failed: '
        f'{count} error{"" if count == 1 else "s"}</h1>'
        f'<p class="message"><code>{html.escape(str(first))}</code></p>'
        f'<pre class="source">{excerpt}</pre><ol class="problems">{items}</ol>'
        '<p class="hint">Fix the files and save: this page reloads by itself.</p></main>'
        "</body></html>")


def _source_lines(error: ContentError, around: int = 3) -> list:
    try:
        lines = error.path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return []
    first = max(1, error.line - around)
    return [(n, lines[n - 1]) for n in range(first, min(len(lines), error.line + around) + 1)]


_OVERLAY_CSS = """body{margin:0;background:#1b1b1f;color:#eee;font:16px/1.5 system-ui,sans-serif}
main{max-width:60rem;margin:4rem auto;padding:2rem;border-top:6px solid #e5484d;
background:#26262b;border-radius:8px}h1{margin-top:0;color:#ff8589}
.message code{font:600 1rem/1.4 ui-monospace,monospace;color:#fff;white-space:pre-wrap}
pre{background:#111;padding:1rem;border-radius:6px;overflow:auto}
pre div span{display:inline-block;width:3.5em;color:#888;user-select:none}
pre div.bad{background:#5a1d1f;color:#fff}.hint{color:#aaa}
ol.problems{padding-left:1.5rem}ol.problems li{margin:.25rem 0}
ol.problems code{font:.9rem/1.4 ui-monospace,monospace;white-space:pre-wrap;color:#ffb3b5}
ol.problems li.warning code{color:#f5d90a}"""


def serve(root: Path, host: str, port: int, open_browser: bool) -> int:
    """Build with drafts, then serve and rebuild on change until interrupted."""
    base_url = f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/"
    drafting = Drafting(root, root / ".longform-cache" / "serve-site", base_url)
    # The watcher takes its snapshot before the first build, so a save during it is a change.
    watcher = DebouncedWatcher(drafting, report)
    report(drafting.rebuild())
    if drafting.error is None:
        drafting.warm()
    server = Server(site_app(drafting), watcher=watcher)
    print(f"Serving drafts at http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    try:
        server.serve(host=host, port=port, debug=False,
                     open_url_delay=0.5 if open_browser else None)
    finally:
        watcher.stop()  # no watch thread left inside watchfiles' Rust code as Python exits
    return 0


def report(outcome: Outcome) -> None:
    if isinstance(outcome.error, Problems):
        from .cli import problems_report
        print(problems_report(outcome.error), file=sys.stderr, flush=True)
    elif outcome.error is not None:
        print(outcome.error, file=sys.stderr, flush=True)
    else:
        print(f"Rebuilt in {outcome.seconds * 1000:.0f} ms: {outcome.rendered} essays rendered, "
              f"{len(outcome.written)} files written", flush=True)
        for path in outcome.written[:5]:
            print(f"  {path}", flush=True)


def port_problem(host: str, port: int) -> str | None:
    """A one-line reason we cannot listen on host:port, or None."""
    import socket
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as err:
            return (f"serve: cannot listen on {host}:{port} ({err.strerror}); if another server "
                    f"uses the port, pick another with --port {port + 1}")
    return None

"""Rendering one essay's Markdown straight through longform.markdown, as the dialect passes
see it: for the unit tests of longform/dialects/ and the fuzzing of them."""

from datetime import date
from pathlib import Path

from longform import markdown
from longform.config import SiteConfig
from longform.content import Essay

ROOT = Path("/nonexistent-project")
SOURCE = ROOT / "content" / "post.md"
BODY_LINE = 5
OTHERS = {
    ROOT / "content" / "2019-01-01-other.md": "/essays/other/",
    ROOT / "content" / "post" / "bundle" / "index.md": "/essays/bundle/",
}
DRAFTS = frozenset({ROOT / "content" / "unfinished.md"})


def essay(body: str, **extra) -> Essay:
    return Essay(source=SOURCE, slug="post", title="A Post", date=date(2024, 5, 6), dek=None,
                 category=None, tags=("one", "two"), author=None, draft=False, body_md=body,
                 body_line=BODY_LINE, extra=extra)


def links(root: Path = ROOT, **settings) -> markdown.Links:
    config = SiteConfig(root=root, title="Field Notes", base_url=settings.pop(
        "base_url", "https://example.org/"), **settings)
    urls = {SOURCE: config.base_path + "essays/post/"}
    urls.update({path: config.base_path + url[1:] for path, url in OTHERS.items()})
    return markdown.Links(urls, DRAFTS, root / "content", config.base_path, config=config)


def rendered(body: str, root: Path = ROOT, **settings):
    """(html, problems as 'line: message' strings, the rendered Essay)."""
    result, _ = markdown.rendered(essay(body), links(root, **settings), root / "charts", None)
    return result.html, [f"{p.line}: {p.message}" for p in result.problems], result

"""The Python-Markdown pipeline: one configured Markdown instance per process, one call an essay."""

import os
import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from functools import lru_cache
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from . import (
    blocks,
    blocktests,
    dialects,
    highlight,
    images,
    inline,
    math,
    mathtext,
    treepasses,
    typography,
)
from .content import Essay, body_line
from .dialects.essays import essay_named
from .errors import ContentError, ContentWarning
from .related import body_terms
from .urls import Links, link_key  # Links: defined beside the URLs it holds


def rendered(essay: Essay, links: Links, charts_dir: Path,
             cache_dir: Path | None) -> tuple[Essay, tuple]:
    """The essay with html, toc, counts, charts and insights filled in, and what its rendering
    read besides the essay itself: (("link", target, url), …) and (("file", path, hash), …)."""
    md = _markdown()
    md.reset()
    md.longform = blocks.BlockState(essay=essay, charts_dir=charts_dir, cache_dir=cache_dir)
    md.longform_dialects = translation = dialects.context(essay, links, md)
    md.longform_links = (essay, links, translation.deps, translation.problems)
    md.longform_math = math.MathState(essay, cache_dir)
    html = md.convert(essay.body_md)
    state = md.longform
    blocks.raise_pending(state)
    math.store_new(md.longform_math)
    deps = tuple(translation.deps) + tuple(
        ("file", str(path), images.file_digest(path)) for path in getattr(state, "files_read", ()))
    without_math, maths = mathtext.shielded(html)
    return replace(
        essay,
        html=html,
        feed_html=mathtext.unshielded(blocks.feed_html(without_math), maths),
        # Where the writer placed the contents list ({:toc}, [TOC]), the theme's would repeat it.
        toc=() if '<div class="toc">' in html else tuple(mathtext.toc_names(md.toc_tokens)),
        words=word_count(html),
        images=html.count("<img") + len(state.charts),
        charts=tuple(state.charts),
        insights=tuple(state.insights),
        terms=body_terms(essay.body_md),
        warnings=tuple(md.longform_math.warnings),
        problems=tuple(translation.problems),
        excerpt=dialects.kramdown.excerpt(html) if "<!--more-->" in html else None,
    ), deps


WARM_UP = """## A heading

Some *emphasis*, "quotes" and a footnote.[^1] A [link](https://example.com/) and `code`.

| a | b |
|---|---|
| 1 | 2 |

```python
print("hello")
```

[^1]: The note.
"""


@lru_cache(maxsize=4)
def warmed(content_dir: Path, charts_dir: Path) -> None:
    """Render a small essay now, so that the process has built its Markdown instance and
    compiled the extensions' patterns before a writer waits on the first save (once a
    process and site)."""
    from .content import load_essay
    # TOML frontmatter: tomllib came with the settings, and a render worker that gets its
    # essays parsed need not import PyYAML for this one.
    essay = load_essay(content_dir / "warm-up.md", '+++\ntitle = "Warm up"\ndate = 2024-01-01\n'
                                                  "+++\n" + WARM_UP)
    rendered(essay, Links({}, frozenset(), content_dir, "/"), charts_dir, None)


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    # Building the instance loads Pygments and every extension: do it once per process. The
    # extensions are given as objects: a name makes Markdown scan every installed package's
    # entry points for it (10 ms of a one-essay rebuild).
    from markdown.extensions.abbr import AbbrExtension
    from markdown.extensions.attr_list import AttrListExtension
    from markdown.extensions.def_list import DefListExtension
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.extensions.md_in_html import MarkdownInHtmlExtension
    from markdown.extensions.tables import TableExtension
    from pymdownx.highlight import HighlightExtension
    from pymdownx.superfences import SuperFencesCodeExtension
    from pymdownx.tilde import DeleteSubExtension
    return _Markdown(
        extensions=[inline.SkippingInline(),
                    FootnoteExtension(BACKLINK_TITLE="Back to reference %d"), TableExtension(),
                    AttrListExtension(), DefListExtension(), AbbrExtension(),
                    MarkdownInHtmlExtension(), typography.Smarty(),
                    treepasses.Toc(permalink="#", permalink_title="Link to this section"),
                    HighlightExtension(use_pygments=True, css_class="highlight",
                                       guess_lang=False),
                    highlight.ReusedHighlighting(),
                    SuperFencesCodeExtension(custom_fences=blocks.custom_fences()
                                             + math.custom_fences()),
                    DeleteSubExtension(),
                    blocks.PullQuoteExtension(), images.ImageExtension(), _LinkExtension(),
                    math.MathExtension(), dialects.DialectExtension(),
                    # Last: they wrap the others' processors.
                    blocktests.SkippingBlockTests(), treepasses.SkippingTreePasses()],
        output_format="html",
    )


class _Markdown(markdown.Markdown):
    def build_extension(self, ext_name, configs):
        # SuperFences adds pymdown's highlight extension by name, which makes Markdown scan
        # every installed package's entry points (10 ms of a one-essay rebuild); no package
        # registers that name, so Markdown would import the module and call makeExtension.
        if ext_name == "pymdownx.highlight":
            from pymdownx.highlight import makeExtension
            return makeExtension(**configs)
        return super().build_extension(ext_name, configs)


_CHART_FIGURE = re.compile(r"<figure class=\"chart.*?</figure>", re.S)
_TAG = re.compile(r"<[^>]+>")
# A word: a run of non-space characters holding a letter or digit (a run of only "—" or "&" is
# none). Most runs are letters alone (isalnum); only the others are searched: a third less time
# than deleting every character that is neither space nor word with a regex before split().
_WORD_CHARACTER = re.compile(r"\w")


def word_count(html: str) -> int:
    """Words a reader reads: text and code, not markup; charts count as images instead, and an
    expression as a few words."""
    # Entities are characters: "&ndash;" or a footnote's "&#8617;" is not a word.
    runs = unescape(_TAG.sub(" ", _CHART_FIGURE.sub(" ", mathtext.counted_as_words(html)))).split()
    # Counted with map in one pass, the others looked at after: a fifth less time than one
    # generator over every run.
    return sum(map(str.isalnum, runs)) + sum(
        1 for run in runs if not run.isalnum() and _WORD_CHARACTER.search(run))


class _LinkExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_LinkRewriter(md), "longform_links", 1)


class _LinkRewriter(Treeprocessor):
    """Turns links to essay files into the essays' URLs and media paths into site paths."""

    def run(self, root: etree.Element) -> None:
        essay, links, looked_up, problems = self.md.longform_links
        for element in root.iter():
            if not element.attrib:  # most elements (p, em, li): nothing to look up
                continue
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and _is_relative(value):
                    element.set(attribute, site_link(essay, links, value, looked_up, problems))
                elif value:  # looked up even with no old addresses: the lookup is a dependency
                    element.set(attribute, _moved_link(links, own_link(links, value), looked_up))


def _is_relative(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "#")))


def site_link(essay: Essay, links: Links, url: str, looked_up: list,
              problems: list | None = None) -> str:
    """A relative link as the site has it: an essay file becomes the essay's URL, a file in
    content/ its site path. A link to no essay is noted in problems (raised without them)."""
    parts = urlsplit(url)
    # normpath, not resolve: sources are already absolute, and resolve() costs a syscall a part.
    target = Path(os.path.normpath(essay.source.parent / unquote(parts.path)))
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if target.suffix in (".md", ".markdown"):
        if target not in links.essay_urls and target not in links.drafts:
            # A post whose folder moved in the migration (../_posts/2019-01-01-x.md): by name.
            target = essay_named(links, parts.path) or target
        looked_up.append(("link", str(target), links.essay_urls.get(target)))
        if target in links.essay_urls:
            return links.essay_urls[target] + fragment
        _dead_essay_link(essay, links, parts.path, target in links.drafts, problems)
        return url
    try:
        inside = target.relative_to(links.content_dir)
    except ValueError:
        return url  # outside content/: not ours to rewrite
    query = f"?{parts.query}" if parts.query else ""
    return links.base_path + inside.as_posix() + query + fragment


def _moved_link(links: Links, url: str, looked_up: list) -> str:
    """A link written as one of the old site's addresses (with or without its domain) → the
    essay's URL now; any other link as it was."""
    parts = urlsplit(url)
    site = urlsplit(links.config.base_url if links.config is not None else "")
    if parts.netloc and (parts.scheme not in ("http", "https")
                         or parts.netloc.removeprefix("www.") != site.netloc.removeprefix("www.")):
        return url
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return url
    path = parts.path
    if path.startswith(links.base_path):  # the old site's own base path, or none at all
        path = path[len(links.base_path) - 1:]
    key = link_key(path)
    looked_up.append(("address", key, links.addresses.get(key)))
    if key not in links.addresses:
        return url
    return links.addresses[key] + (f"#{parts.fragment}" if parts.fragment else "")


def _dead_essay_link(essay: Essay, links: Links, written: str, draft: bool,
                     problems: list | None) -> None:
    line = body_line(essay, written)
    if draft:
        message = (f"link to '{written}', a draft left out of this build; build with --drafts "
                   "or remove the link")
    else:
        message = f"link to '{written}', but there is no such essay in content/; check the name"
    if problems is None:
        raise ContentError(essay.source, line, message)
    warn = links.config is not None and links.config.broken_links == "warn"
    problems.append((ContentWarning if warn else ContentError)(essay.source, line, message))


def own_link(links: Links, url: str) -> str:
    """A link to the site itself, as migrated posts write them (with the site's domain, or
    from the site's root when it lives under a sub-path), as a path the link checker follows."""
    base_url = links.config.base_url if links.config is not None else ""
    if base_url and url.startswith(base_url):
        url = links.base_path + url[len(base_url):]
    elif not url.startswith(("/", "#")) or url.startswith("//") or \
            url.startswith(links.base_path):
        return url
    if not url.startswith(links.base_path):
        candidate = links.base_path + url[1:]
        if candidate.split("#")[0] in _essay_url_set(links):
            return candidate
    return url


def _essay_url_set(links: Links) -> frozenset:
    known = getattr(links, "_url_set", None)
    if known is None:
        known = frozenset(links.essay_urls.values())
        object.__setattr__(links, "_url_set", known)
    return known

"""The writer's own snippets: Jekyll includes (templates/includes/NAME) and Hugo shortcodes
(templates/shortcodes/NAME.html), rendered with Jinja, plus the `site` and `page` values that
both they and Liquid's {{ … }} read."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import markdown as python_markdown
from markupsafe import Markup

from ..cache import file_hash
from ..errors import ContentError
from .text import Context

if TYPE_CHECKING:
    import jinja2


def site_values(ctx: Context) -> dict:
    """`site.…` as Jekyll posts read it: baseurl is the path without its last slash."""
    config = ctx.links.config
    base_url = config.base_url if config else "/"
    parts = urlsplit(base_url)
    return {"title": config.title if config else "", "description":
            config.description if config else "", "url": f"{parts.scheme}://{parts.netloc}"
            if parts.netloc else "", "baseurl": ctx.links.base_path.rstrip("/"),
            "base_url": base_url}


def page_values(ctx: Context) -> dict:
    """`page.…`: the essay's frontmatter (its own keys and the ones Longform knows)."""
    essay = ctx.essay
    values = {k: v for k, v in essay.extra.items() if isinstance(k, str)}
    values.update(title=essay.title, date=essay.date, tags=list(essay.tags),
                  category=essay.category, categories=[essay.category] if essay.category
                  else [], description=essay.dek, dek=essay.dek, slug=essay.slug,
                  author=essay.author, url=ctx.links.essay_urls.get(essay.source, ""))
    return values


def relative_url(ctx: Context, value: str) -> str:
    """Jekyll's relative_url: a site path under the base path (full URLs stay as they are)."""
    value = str(value)
    if urlsplit(value).scheme or value.startswith("//"):
        return value
    return ctx.links.base_path + value.lstrip("/")


def absolute_url(ctx: Context, value: str) -> str:
    value = relative_url(ctx, value)
    if urlsplit(value).scheme or value.startswith("//"):
        return value
    return site_values(ctx)["url"] + value


def rendered_snippet(ctx: Context, position: int, relative: str, values: dict) -> str | None:
    """templates/RELATIVE rendered with values; None when the writer has no such file, and ""
    when it failed (an error: at the template's line, or at its use)."""
    templates_dir = ctx.links.config.templates_dir if ctx.links.config else None
    path = (templates_dir / relative) if templates_dir else Path(relative)
    ctx.deps.append(("file", str(path), file_hash(path)))
    if templates_dir is None or not path.is_file():
        return None
    import jinja2  # only for an essay that uses a snippet: pages import it after the essays
    environment = _environment(templates_dir)
    # The filters relative_url and absolute_url need the essay's site; one essay renders at a
    # time in a process, so the environment carries the current one.
    environment.globals["_longform_ctx"] = ctx
    try:
        template = environment.get_template(relative)
        return template.render(site=site_values(ctx), page=page_values(ctx), **values)
    except jinja2.TemplateSyntaxError as err:
        ctx.problems.append(ContentError(path, err.lineno or 1, f"template error: {err.message}"))
    except Exception as err:  # noqa: BLE001 — the writer's template: report it, at its use
        ctx.fail(position, f"templates/{relative} failed: {err}; fix the template")
    return ""


@lru_cache(maxsize=4)
def _environment(templates_dir: Path) -> jinja2.Environment:
    import jinja2
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir),
                                     autoescape=True, keep_trailing_newline=False)

    @jinja2.pass_context
    def _relative(context, value):
        return relative_url(context["_longform_ctx"], value)

    @jinja2.pass_context
    def _absolute(context, value):
        return absolute_url(context["_longform_ctx"], value)

    environment.filters.update(relative_url=_relative, absolute_url=_absolute, relURL=_relative,
                               absURL=_absolute, markdownify=markdownified)
    return environment


def markdownified(text, blocks: bool = False) -> Markup:
    """Hugo's markdownify: Markdown to HTML, a lone paragraph unwrapped (captions) unless
    blocks are wanted (the inner text of a {{% paired %}} shortcode)."""
    text = str(text or "")
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and ".." not in text:
        return Markup(f"<p>{text}</p>" if blocks else text)  # what Markdown makes of it
    html = _inner_markdown().reset().convert(text)
    if not blocks and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


# A line of words, digits and plain punctuation is one paragraph of itself: nothing in it is
# Markdown (no list or heading can start with a letter, no "..." for smarty), nothing needs
# escaping. Most captions ("Figure 3: the curve") are such a line, and the full conversion
# costs a millisecond each (tests/test_shortcodes.py checks that the two agree).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.:;?()%/]*")


@lru_cache(maxsize=1)
def _inner_markdown() -> python_markdown.Markdown:
    return python_markdown.Markdown(extensions=["smarty", "tables", "attr_list", "footnotes"],
                                    output_format="html")

"""The Jinja2 environment and page rendering: the Site in, every output page's bytes out."""

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import jinja2

from .cards import image_url
from .errors import ContentError
from .site import Site, author_url, category_url, human_date, tag_url
from .templating import BytecodeCache, Environment, striptags
from .urls import page_path

FEED_SIZE = 20


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template draws it and with what."""

    path: str  # output path inside site/, e.g. "essays/slug/index.html"
    template: str
    context: dict = field(hash=False, compare=False)
    title: str = ""
    description: str = ""

    @property
    def url(self) -> str:
        """The page's site-relative URL: clean URLs drop index.html."""
        return self.path.removesuffix("index.html")


def site_pages(site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    config = site.config
    pages = [Page("index.html", "index.html", {"essays": site.listed(site.essays)},
                  config.title, config.description)]
    pages += [_essay_page(site, e) for e in site.essays]
    pages += [_taxonomy_page(site, t) for t in site.tags + site.categories]
    by_author: dict = {}  # one pass over the essays, not one an author
    for essay in site.essays:
        by_author.setdefault(site.author_of(essay).key, []).append(essay)
    pages += [_author_page(site, a, by_author.get(a.key, [])) for a in site.authors.values()]
    pages.append(Page("insights/index.html", "insights.html", {"groups": _insight_groups(site)},
                      "Key insights", f"Every key insight from {config.title}."))
    pages.append(Page("404.html", "404.html", {}, "Page not found"))
    pages.append(Page("feed.xml", "feed.xml", {"essays": site.essays[:FEED_SIZE],
                                               "updated": _newest(site)}))
    pages += [Page(r.path, "redirect.html", {"redirect": r}, r.title)
              for r in site.redirects if r.path]
    pages.append(Page("sitemap.xml", "sitemap.xml", {"urls": _sitemap_urls(site, pages)}))
    if config.search:  # after the sitemap: a results page is no page for search engines
        pages.append(Page("search/index.html", "search.html", {}, "Search",
                          f"Search every essay on {config.title}."))
    pages.append(Page("robots.txt", "robots.txt", {}))
    return pages


def _essay_page(site: Site, essay) -> Page:
    context = {"essay": essay, "author": site.author_of(essay),
               "related": site.listed_slugs(site.related.get(essay.slug, ())),
               "social_image": image_url(essay, site.config)}
    return Page(page_path(essay.url), "essay.html", context, essay.title,
                essay.dek or essay.excerpt or "")


def _taxonomy_page(site: Site, taxonomy) -> Page:
    context = {"kind": taxonomy.kind, "name": taxonomy.name,
               "essays": site.listed_slugs(taxonomy.slugs)}
    title = f"Essays tagged “{taxonomy.name}”" if taxonomy.kind == "tag" else taxonomy.name
    return Page(taxonomy.url + "index.html", "taxonomy.html", context, title)


def _author_page(site: Site, author, essays: list) -> Page:
    return Page(author.url + "index.html", "author.html",
                {"author": author, "essays": site.listed(essays)}, author.name,
                author.bio or "")


def _insight_groups(site: Site) -> list:
    return [(site.listed([e])[0], e.insights) for e in site.essays if e.insights]


def _newest(site: Site):
    from datetime import date
    dates = [e.updated or e.date for e in site.essays]
    return max(dates) if dates else date(1970, 1, 1)


def _sitemap_urls(site: Site, pages: list[Page]) -> list:
    lastmod = {e.url: e.updated or e.date for e in site.essays}
    return [(p.url, lastmod.get(p.url)) for p in pages
            if p.template == "essay.html" or (p.path.endswith("index.html")
                                              and p.template != "redirect.html")]


def insights_json(site: Site) -> bytes:
    """The review deck: every insight with its essay and a link back."""
    deck = [{"essay": e.title, "url": site.config.base_url + e.url + "#" + i.id,
             "question": i.question, "answer": i.answer}
            for e in site.essays for i in e.insights]
    text = json.dumps(deck, ensure_ascii=False, indent=2)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e") + "\n").encode("utf-8")


@lru_cache(maxsize=4)
def _environment(templates_dir: Path, cache_dir: Path | None = None) -> jinja2.Environment:
    # One per templates folder and process. Compiled code is kept in the cache folder
    # (checked against each source's hash): an edit re-renders a page or two, and compiling
    # the theme would cost more than rendering them. Each build loads the templates afresh
    # (environment() drops them), so a file is read once a build, not checked on every page.
    env = Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        bytecode_cache=_bytecode_cache(cache_dir),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["human_date"] = human_date
    env.filters["striptags"] = striptags
    return env


def _bytecode_cache(cache_dir: Path | None):
    if cache_dir is None:
        return None
    folder = cache_dir / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only project still builds, compiling as it goes
    return BytecodeCache(str(folder))


def compiled(templates_dir: Path, cache_dir: Path | None = None) -> None:
    """Compile every template now, in this process (serve's first rebuild would otherwise pay
    for it: the first build rendered its pages in worker processes). A broken template is
    left for the build to report."""
    env = _environment(templates_dir, cache_dir)
    for name in env.list_templates(extensions=("html", "xml", "txt")):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def environment(site: Site, assets: dict[str, str]) -> jinja2.Environment:
    """Jinja2 with autoescape, strict undefined names, and the helpers templates may call."""
    config = site.config
    env = _environment(config.templates_dir, config.cache_dir)

    base_path = config.base_path  # a property that parses base_url: read once, not per link

    def url(path: str = "") -> str:
        return base_path + path.lstrip("/")

    def asset(name: str) -> str:
        if name not in assets:
            raise jinja2.TemplateRuntimeError(f"asset('{name}'): no file templates/static/{name}")
        return url(assets[name])

    stances = {s.lower() for s in config.stances}
    # A page shows its tags two or three times, and a thousand pages share a few dozen tags:
    # each tag's slug is made once a build.
    env.set_globals(
        site=config, url=url, asset=asset,
        abs_url=lambda path="": config.base_url + path.lstrip("/"),
        tag_url=lru_cache(None)(tag_url), category_url=lru_cache(None)(category_url),
        author_url=lru_cache(None)(author_url),
        is_stance=lambda tag: tag.lower() in stances,
        author_of=site.author_of,
    )
    return env


PAGE_POOL_THRESHOLD = 200  # below this many pages, forking helpers costs more than it saves


def rendered_pages(site: Site, assets: dict[str, str], pages: list[Page]) -> list[bytes]:
    """Each page's bytes, in order; many pages render across the machine's cores."""
    env = environment(site, assets)
    helpers = (os.cpu_count() or 1) - 1
    if len(pages) < PAGE_POOL_THRESHOLD or helpers < 1 or not hasattr(os, "fork"):
        return [render_page(env, page) for page in pages]
    from .pagepool import rendered_across
    # Loaded (after a template edit, compiled) here, once, not in each helper, with what they
    # extend, include and import; they inherit the environment and the pages.
    _load(env, {page.template for page in pages})
    return rendered_across(partial(render_page, env), pages, helpers)


def _load(env: jinja2.Environment, names: set[str]) -> None:
    """The templates into env's cache, with those they extend, include or import."""
    todo, seen = sorted(names), set()
    while todo:
        name = todo.pop()
        seen.add(name)
        try:
            env.get_template(name)
            source = env.loader.get_source(env, name)[0]
        except jinja2.TemplateError:
            continue  # a broken or missing template: render_page reports it, at its page
        todo += sorted(_references(source) - seen - set(todo))


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    """One page's bytes; template mistakes become ContentErrors at the template's line."""
    try:
        template = env.get_template(page.template)
        html = template.render(page=page, **page.context)
    except jinja2.TemplateSyntaxError as err:
        raise ContentError(Path(err.filename or page.template), err.lineno,
                           f"template error: {err.message}") from None
    except jinja2.TemplateNotFound as err:
        raise ContentError(env.loader.searchpath[0], 1, f"template '{err.name}' not found in "
                                                        "templates/") from None
    except ContentError:
        raise
    except Exception as err:  # noqa: BLE001 — any runtime error inside a template
        path, line = _template_frame(err, env)
        raise ContentError(path, line, f"template error while rendering {page.path}: "
                                       f"{type(err).__name__}: {err}") from None
    return html.encode("utf-8")


def _template_frame(err: Exception, env: jinja2.Environment) -> tuple[Path, int]:
    """The innermost template file and line in the traceback (Jinja rewrites frames to them)."""
    root = Path(env.loader.searchpath[0]).resolve()
    found = (root / "base.html", 1)
    tb = err.__traceback__
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        if filename.suffix in (".html", ".xml", ".txt") and root in filename.resolve().parents:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def template_hashes(templates_dir: Path) -> dict[str, str]:
    """Each template's hash together with every template it extends, includes or imports."""
    from .cache import digest
    sources, refs = {}, {}
    # Sub-folders too ({% include "partials/x.html" %}), but not the theme's static files.
    for path in sorted(templates_dir.rglob("*")):
        name = path.relative_to(templates_dir).as_posix()
        if path.is_file() and not name.startswith("static/"):
            sources[name] = path.read_text("utf-8", errors="replace")
            refs[name] = _references(sources[name])

    def closure(name: str, seen: set) -> set:
        for other in refs.get(name, ()):
            if other and other not in seen:
                seen.add(other)
                closure(other, seen)
        return seen

    return {name: digest(*(sources.get(n, "") for n in sorted(closure(name, {name}))))
            for name in sources}


# The template names a tag names: {% extends/include/import/from "x.html" … %}, a list of
# names, or an expression (whose quoted parts are counted too: a hash over a template more
# than needed costs a re-render, never a stale page). Jinja's own parse cost 10 ms a template.
_REFERENCE_TAG = re.compile(r"{%[-+]?\s*(?:extends|include|import|from)\b(.*?)[-+]?%}", re.S)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def _references(source: str) -> frozenset:
    """Templates a template's source names."""
    return frozenset(a or b for tag in _REFERENCE_TAG.findall(source)
                     for a, b in _QUOTED.findall(tag))

"""One run of the pipeline: load → render → assemble the site → render pages → output files."""

from dataclasses import dataclass
from pathlib import Path

from . import markdown, publish
from .config import SiteConfig
from .content import Essay, essay_files, load_authors, load_essay, unsupported_syntax
from .errors import ContentError, ContentWarning
from .render import environment, insights_json, render_page, site_pages
from .site import Site, assemble_site, essay_url


@dataclass(frozen=True)
class Build:
    """Everything one run produced: the site as data, its files, and what to tell the writer."""

    site: Site
    files: dict  # output path → bytes
    warnings: tuple[ContentWarning, ...]


def build(config: SiteConfig) -> Build:
    essays = load_essays(config.content_dir)
    published = [e for e in essays if config.include_drafts or not e.draft]
    links = essay_links(essays, published, config)
    rendered = [markdown.rendered(e, links, config.charts_dir, config.cache_dir)
                for e in published]
    site = assemble_site(rendered, load_authors(config.content_dir), config)
    return Build(site, output_files(site), tuple(w for e in published
                                                 for w in unsupported_syntax(e)))


def load_essays(content_dir: Path) -> list[Essay]:
    """Every essay file as a record; two essays may not claim one slug."""
    essays = [load_essay(path) for path in essay_files(content_dir)]
    seen: dict[str, Essay] = {}
    for essay in essays:
        other = seen.setdefault(essay.slug, essay)
        if other is not essay:
            raise ContentError(essay.source, 1, f"slug '{essay.slug}' is also used by "
                                                f"{other.source.name}; give one of them a "
                                                "different 'slug:'")
    return essays


def essay_links(essays: list[Essay], published: list[Essay], config: SiteConfig):
    urls = {e.source.resolve(): config.base_path + essay_url(e.slug) for e in published}
    drafts = frozenset(e.source.resolve() for e in essays) - set(urls)
    return markdown.Links(urls, drafts, config.content_dir, config.base_path)


def output_files(site: Site) -> dict[str, bytes]:
    """Every file of site/: pages, the insights deck, theme assets and content media."""
    config = site.config
    generated = {}
    if any(e.charts for e in site.essays):
        from .charts import vega_bundle
        generated["vega.js"] = vega_bundle(config.cache_dir)
    assets = publish.static_assets(config.templates_dir / "static", generated)
    env = environment(site, {name: path for name, (path, _) in assets.items()})
    files = {page.path: render_page(env, page) for page in site_pages(site)}
    files["insights.json"] = insights_json(site)
    files.update(assets.values())
    files.update(publish.content_media(config.content_dir))
    return files

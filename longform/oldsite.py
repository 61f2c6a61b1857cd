"""Reading a Jekyll or Hugo site for `import`: its settings, posts, drafts, static files and
permalink patterns, into an importer.Plan. Only reads; importer.py writes."""

import json
import re
import tomllib
from pathlib import Path

import yaml

from .content import ESSAY_SUFFIXES
from .errors import ContentError
from .frontmatter import split
from .urls import pattern_problem

JEKYLL_STYLES = {  # Jekyll's named permalink styles
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
JEKYLL_SKIP = {"Gemfile", "Gemfile.lock", "node_modules", "vendor", "README.md", "LICENSE",
               "package.json", "package-lock.json"}
JEKYLL_FOLDERS = {"_posts", "_drafts", "_layouts", "_includes", "_sass", "_plugins", "_data",
                  "_site"}
# Files Longform writes itself: a copy in static/ would collide with them.
OWN_FILES = {"index.html", "404.html", "feed.xml", "atom.xml", "sitemap.xml", "robots.txt",
             "_redirects", "_headers"}
COVERED_PLUGINS = {"jekyll-feed", "jekyll-sitemap", "jekyll-seo-tag", "jekyll-redirect-from"}
# Hugo's permalink variables, as Longform spells the same address.
HUGO_VARIABLES = {":slug": ":title", ":contentbasename": ":filename",
                  ":slugorcontentbasename": ":slugorfilename", ":sections": ":section"}


def jekyll_site(source: Path, plan):
    from .importer import file_date, files_below, with_frontmatter_lines
    config_path = next(source / n for n in ("_config.yml", "_config.yaml")
                       if (source / n).is_file())
    config = _yaml(config_path) or {}
    url, sub = str(config.get("url") or "").rstrip("/"), str(config.get("baseurl") or "")
    base = f"{url}/{sub.strip('/')}/".replace(f"{url}//", f"{url}/") if url else None
    author = config.get("author")
    plan.settings = _settings(title=config.get("title"), description=config.get("description"),
                              base_url=base, language=config.get("lang") or
                              config.get("language"),
                              default_author=author.get("name") if isinstance(author, dict)
                              else author)
    style = str(config.get("permalink") or "date")
    pattern = JEKYLL_STYLES.get(style, style)
    _legacy(plan, [pattern], f'permalink "{style}"')
    for path in files_below(source / "_posts"):
        if path.suffix in ESSAY_SUFFIXES:
            plan.add(f"content/{path.relative_to(source / '_posts').as_posix()}", path)
            plan.posts += 1
        else:
            plan.left.setdefault("posts not in Markdown", []).append(path.name)
    for path in files_below(source / "_drafts"):
        if path.suffix in ESSAY_SUFFIXES:
            plan.add(f"content/{path.relative_to(source / '_drafts').as_posix()}",
                     with_frontmatter_lines(path, ["draft: true", f"date: {file_date(path)}"]))
            plan.drafts += 1
    plan.mapped.append(f"_posts/ → content/ ({plan.posts}), _drafts/ → content/ "
                       f"({plan.drafts}, each marked 'draft: true' and dated)")
    excluded = JEKYLL_SKIP | set(config.get("exclude") or ())
    pages = []
    for path in files_below(source, excluded):
        relative = path.relative_to(source)
        if relative.parts[0].startswith("_") or relative.name in excluded:
            continue
        if path.read_bytes()[:3] == b"---":  # Jekyll renders a file with frontmatter
            pages.append(relative.as_posix())
            continue
        _static(plan, relative.as_posix(), path)
    plan.mapped.append(f"files without frontmatter → static/ ({plan.static})")
    plugins = [str(p) for p in (config.get("plugins") or config.get("gems") or [])]
    plan.left.update({
        "theme": [str(config["theme"])] if config.get("theme") else [],
        "layouts": _folders(source, "_layouts", "_includes", "_sass"),
        "plugins": [p for p in plugins if p not in COVERED_PLUGINS] + _folders(source,
                                                                              "_plugins"),
        "data files": _folders(source, "_data"),
        "pages": pages,
        "collections": [f"{p.name}/" for p in sorted(source.iterdir()) if p.is_dir()
                        and p.name.startswith("_") and p.name not in JEKYLL_FOLDERS],
    })
    covered = [p for p in plugins if p in COVERED_PLUGINS]
    if covered:
        plan.mapped.append(f"plugins {', '.join(covered)} → what Longform does itself")
    return plan


def hugo_site(source: Path, plan):
    from .importer import files_below
    config = _hugo_config(source)
    params = config.get("params") or {}
    author = params.get("author") or config.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    base = config.get("baseURL") or config.get("baseurl")
    plan.settings = _settings(title=config.get("title"),
                              description=params.get("description") or
                              config.get("description"),
                              base_url=str(base).rstrip("/") + "/" if base else None,
                              language=config.get("languageCode") or
                              config.get("defaultContentLanguage"),
                              default_author=author)
    content = source / str(config.get("contentDir") or "content")
    ugly = bool(config.get("uglyURLs") or config.get("uglyurls"))
    patterns, sections = _hugo_patterns(config, ugly)
    pages, sections_pages = [], []
    for path in files_below(content):
        relative = path.relative_to(content).as_posix()
        if path.suffix not in ESSAY_SUFFIXES:
            plan.add(f"content/{relative}", path)  # a bundle's images, beside its text
            continue
        meta = _meta(path)
        if path.stem == "_index" or meta.get("date") is None:
            (sections_pages if path.stem == "_index" else pages).append(relative)
            continue
        plan.add(f"content/{relative}", path)
        plan.drafts += meta.get("draft") is True
        plan.posts += meta.get("draft") is not True
        section = relative.split("/")[0] if "/" in relative else ""
        sections.setdefault(section, None)
    if any(pattern is None for pattern in sections.values()):
        # Hugo's own address for a page in a section without a pattern
        patterns["*"] = "/:section/:slugorfilename" + (".html" if ugly else "/")
    _legacy(plan, patterns, "[permalinks]")
    plan.mapped.append(f"{content.name}/ → content/ ({plan.posts} posts, {plan.drafts} drafts, "
                       "sections and page bundles kept)")
    static_dir = source / str(config.get("staticDir") or "static")
    for path in files_below(static_dir):
        _static(plan, path.relative_to(static_dir).as_posix(), path)
    plan.mapped.append(f"{static_dir.name}/ → static/ ({plan.static})")
    plan.left.update({
        "theme": [str(t) for t in _listed(config.get("theme"))] + _folders(source, "themes"),
        "layouts": _folders(source, "layouts", "assets", "archetypes", "i18n"),
        "plugins": [],
        "data files": _folders(source, "data"),
        "pages (no date)": pages,
        "section pages": sections_pages,
    })
    return plan


def _hugo_config(source: Path) -> dict:
    for stem in ("hugo", "config"):
        for ext in ("toml", "yaml", "yml", "json"):
            if (source / f"{stem}.{ext}").is_file():
                return _parsed(source / f"{stem}.{ext}")
    merged: dict = {}
    for path in sorted((source / "config" / "_default").iterdir()):
        if path.suffix in (".toml", ".yaml", ".yml", ".json") and path.is_file():
            data = _parsed(path)
            # config/_default/params.toml holds what hugo.toml's [params] would.
            merged.update(data if path.stem in ("hugo", "config") else {path.stem: data})
    return merged


def _hugo_patterns(config: dict, ugly: bool) -> tuple[dict, dict]:
    """Hugo's [permalinks] as Longform patterns by section, and which sections had one."""
    table = config.get("permalinks") or {}
    table = table.get("page", table) if isinstance(table.get("page"), dict) else table
    patterns, sections = {}, {}
    for section, pattern in table.items():
        if not isinstance(pattern, str):
            continue
        for hugo, ours in HUGO_VARIABLES.items():
            pattern = re.sub(re.escape(hugo) + r"(?![a-z_])", ours, pattern)
        pattern = "/" + pattern.strip("/") + (".html" if ugly else "/")
        patterns[section] = sections[section] = pattern
    return patterns, sections


def _static(plan, relative: str, path: Path) -> None:
    if relative in OWN_FILES:
        plan.left.setdefault("files Longform makes itself", []).append(relative)
        return
    plan.add(f"static/{relative}", path)
    plan.static += 1


def _legacy(plan, patterns, where: str) -> None:
    """legacy_permalinks: a list (Jekyll) or a table by section (Hugo), the patterns Longform
    cannot fill left behind."""
    pairs = patterns.items() if isinstance(patterns, dict) else [("*", p) for p in patterns]
    kept = [(s, p) for s, p in pairs if not pattern_problem(p)]
    refused = [p for s, p in pairs if pattern_problem(p)]
    if kept:
        plan.settings["legacy_permalinks"] = (dict(kept) if isinstance(patterns, dict)
                                              else list(dict.fromkeys(p for _, p in kept)))
        plan.mapped.append(f"{where} → legacy_permalinks (each old address redirects)")
    if refused:
        plan.left["permalink patterns Longform cannot fill"] = refused


def _settings(**found) -> dict:
    return {key: str(value).strip() for key, value in found.items()
            if value is not None and str(value).strip()}


def _folders(source: Path, *names: str) -> list[str]:
    return [f"{n}/" for n in names if (source / n).is_dir() and any((source / n).iterdir())]


def _listed(value) -> list:
    return value if isinstance(value, list) else [value] if value else []


def _meta(path: Path) -> dict:
    from .content import read_text
    try:
        return split(path, read_text(path))[0]
    except ContentError:
        return {}  # brought over as it is: the build reports it at its line


def _yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as err:
        raise ContentError(path, 1, f"cannot read this YAML: {err}".split("\n")[0]) from None


def _parsed(path: Path) -> dict:
    text = path.read_text("utf-8")
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return (json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)) or {}
    except (tomllib.TOMLDecodeError, ValueError, yaml.YAMLError) as err:
        raise ContentError(path, 1, f"cannot read this file: {err}".split("\n")[0]) from None


"""Reading a Jekyll or Hugo site for `import`: its settings, posts, drafts, static files and
permalink patterns, into an importer.Plan. Only reads; importer.py writes."""

import json
import os
import re
import tomllib
from datetime import date
from pathlib import Path

import yaml

from .content import ESSAY_SUFFIXES, read_text
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
    config = _table(next(source / n for n in ("_config.yml", "_config.yaml")
                         if (source / n).is_file()))
    plan.settings = _jekyll_settings(config)
    style = str(config.get("permalink") or "date")
    _legacy(plan, [JEKYLL_STYLES.get(style, style)], f'permalink "{style}"')
    _jekyll_posts(source, plan)
    pages = _jekyll_static(source, config, plan)
    plugins = [str(p) for p in _listed(config.get("plugins") or config.get("gems"))]
    plan.left.update({
        "theme": [str(config["theme"])] if config.get("theme") else [],
        "layouts": _folders(source, "_layouts", "_includes", "_sass"),
        "plugins": [p for p in plugins if p not in COVERED_PLUGINS]
        + _folders(source, "_plugins"),
        "data files": _folders(source, "_data"),
        "pages": pages,
        "collections": [f"{p.name}/" for p in sorted(source.iterdir()) if p.is_dir()
                        and p.name.startswith("_") and p.name not in JEKYLL_FOLDERS],
    })
    covered = [p for p in plugins if p in COVERED_PLUGINS]
    if covered:
        plan.mapped.append(f"plugins {', '.join(covered)} → what Longform does itself")
    return plan


def _jekyll_settings(config: dict) -> dict:
    url, sub = str(config.get("url") or "").rstrip("/"), str(config.get("baseurl") or "")
    author = config.get("author")
    return _settings(title=config.get("title"), description=config.get("description"),
                     base_url=f"{url}/{sub.strip('/')}/".replace(f"{url}//", f"{url}/")
                     if url else None,
                     language=config.get("lang") or config.get("language"),
                     default_author=author.get("name") if isinstance(author, dict) else author)


def _jekyll_posts(source: Path, plan) -> None:
    """_posts/ as they are; _drafts/ marked as drafts and dated (Jekyll dates them itself)."""
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


def _jekyll_static(source: Path, config: dict, plan) -> list[str]:
    """Every file Jekyll copies as it is (no frontmatter) into static/; the pages it renders
    (with frontmatter) are returned, to be named as left behind."""
    excluded = JEKYLL_SKIP | {str(n).strip("/") for n in _listed(config.get("exclude"))}
    pages = []
    for path in files_below(source, excluded):
        relative = path.relative_to(source)
        if relative.parts[0].startswith("_") or relative.name in excluded:
            continue
        if path.read_bytes()[:3] == b"---":
            pages.append(relative.as_posix())
        else:
            _static(plan, relative.as_posix(), path)
    plan.mapped.append(f"files without frontmatter → static/ ({plan.static})")
    return pages


def hugo_site(source: Path, plan):
    config = _hugo_config(source)
    plan.settings = _hugo_settings(config)
    ugly = bool(config.get("uglyURLs") or config.get("uglyurls"))
    patterns, sections = _hugo_patterns(config, ugly)
    content = source / str(config.get("contentDir") or "content")
    pages, section_pages = _hugo_content(content, plan, sections)
    if any(pattern is None for pattern in sections.values()):
        # Hugo's own address for a page in a section without a pattern
        patterns["*"] = "/:section/:slugorfilename" + (".html" if ugly else "/")
    _legacy(plan, patterns, "[permalinks]")
    static_dir = source / str(config.get("staticDir") or "static")
    for path in files_below(static_dir):
        _static(plan, path.relative_to(static_dir).as_posix(), path)
    plan.mapped.append(f"{static_dir.name}/ → static/ ({plan.static})")
    plan.left.update({
        "theme": [str(t) for t in _listed(config.get("theme"))] + _folders(source, "themes"),
        "layouts": _folders(source, "layouts", "assets", "archetypes", "i18n"),
        "data files": _folders(source, "data"),
        "pages (no date)": pages,
        "section pages": section_pages,
    })
    return plan


def _hugo_settings(config: dict) -> dict:
    params = config.get("params") if isinstance(config.get("params"), dict) else {}
    author = params.get("author") or config.get("author")
    base = config.get("baseURL") or config.get("baseurl")
    return _settings(title=config.get("title"),
                     description=params.get("description") or config.get("description"),
                     base_url=str(base).rstrip("/") + "/" if base else None,
                     language=config.get("languageCode") or config.get("defaultContentLanguage"),
                     default_author=author.get("name") if isinstance(author, dict) else author)


def _hugo_content(content: Path, plan, sections: dict) -> tuple[list[str], list[str]]:
    """Dated pages into content/ with their sections and bundles' files; the pages without a
    date and the section pages (_index.md) are returned, to be named as left behind."""
    pages, section_pages = [], []
    for path in files_below(content):
        relative = path.relative_to(content).as_posix()
        if path.suffix not in ESSAY_SUFFIXES:
            plan.add(f"content/{relative}", path)  # a bundle's images, beside its text
            continue
        meta = _meta(path)
        if path.stem == "_index" or meta.get("date") is None:
            (section_pages if path.stem == "_index" else pages).append(relative)
            continue
        plan.add(f"content/{relative}", path)
        plan.drafts += meta.get("draft") is True
        plan.posts += meta.get("draft") is not True
        sections.setdefault(relative.split("/")[0] if "/" in relative else "", None)
    plan.mapped.append(f"{content.name}/ → content/ ({plan.posts} posts, {plan.drafts} drafts, "
                       "sections and page bundles kept)")
    return pages, section_pages


def _hugo_config(source: Path) -> dict:
    for stem in ("hugo", "config"):
        for ext in ("toml", "yaml", "yml", "json"):
            if (source / f"{stem}.{ext}").is_file():
                return _table(source / f"{stem}.{ext}")
    merged: dict = {}
    for path in sorted((source / "config" / "_default").iterdir()):
        if path.suffix in (".toml", ".yaml", ".yml", ".json") and path.is_file():
            data = _table(path)
            # config/_default/params.toml holds what hugo.toml's [params] would.
            merged.update(data if path.stem in ("hugo", "config") else {path.stem: data})
    return merged


def _hugo_patterns(config: dict, ugly: bool) -> tuple[dict, dict]:
    """Hugo's [permalinks] as Longform patterns by section, and which sections had one."""
    table = config.get("permalinks") if isinstance(config.get("permalinks"), dict) else {}
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
    try:
        return split(path, read_text(path))[0]
    except ContentError:
        return {}  # brought over as it is: the build reports it at its line


def _table(path: Path) -> dict:
    """A config file (YAML, TOML or JSON) as a table; anything else is the writer's to fix."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, ValueError, yaml.YAMLError) as err:
        raise ContentError(path, 1, f"cannot read this file: {err}".split("\n")[0]) from None
    if data is not None and not isinstance(data, dict):
        raise ContentError(path, 1, "this file must hold settings as 'key: value' lines")
    return data or {}


def files_below(folder: Path, skip=()) -> list[Path]:
    """Files below folder in a stable order, hidden ones and `skip` names left out."""
    found = []
    for here, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in skip)
        found += [Path(here, n) for n in sorted(names) if not n.startswith(".")]
    return found


def with_frontmatter_lines(path: Path, lines: list[str]) -> bytes:
    """A YAML-frontmatter file with lines added at the top of its frontmatter (a draft gets
    `draft: true` and a date; a later key of the writer's own still wins), or a frontmatter
    made for it."""
    text = read_text(path)
    if text.startswith("---"):
        first, _, rest = text.partition("\n")
        return (first + "\n" + "".join(f"{line}\n" for line in lines) + rest).encode("utf-8")
    title = path.stem.replace("-", " ").capitalize()
    return ("---\n" + "".join(f"{line}\n" for line in [f"title: {json.dumps(title)}", *lines])
            + "---\n" + text).encode("utf-8")


def file_date(path: Path) -> str:
    """A draft's date as Jekyll gives it: the file's modification day."""
    return date.fromtimestamp(path.stat().st_mtime).isoformat()

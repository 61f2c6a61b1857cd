"""`python build.py check`: run the whole pipeline without writing site/, and report every
problem, not only the first: each essay that fails is set aside and the rest go on."""

import sys
from datetime import date

from . import pipeline
from .cache import Memo
from .config import SiteConfig
from .content import essay_files, load_authors, load_essay, unsupported_syntax
from .errors import ContentError, ContentWarning
from .external import dead_links
from .lint import is_scheduled, place, review
from .site import assemble_site, placed_essays

Problem = ContentError | ContentWarning


def main(config: SiteConfig, strict: bool = False, external: bool = False) -> int:
    """Print every problem as path:line: message, sorted, then a count; the exit status."""
    problems = check(config, external)
    for problem in problems:
        print(problem)
    errors = sum(isinstance(p, ContentError) for p in problems)
    print(count_line(errors, len(problems) - errors), file=sys.stderr)
    return 1 if errors or (strict and problems) else 0


def count_line(errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return "No problems found."
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check(config: SiteConfig, external: bool = False) -> list[Problem]:
    """Every error and warning a build would meet (links on every page), sorted by place;
    with external=True, dead links to other sites too."""
    problems: list[Problem] = []
    essays = _each(problems, load_essay, essay_files(config.content_dir))
    essays = _unique_slugs(essays, problems, config.content_dir)
    today = date.today()
    published = [e for e in essays
                 if config.include_drafts or not (e.draft or is_scheduled(e, today))]
    links = pipeline.essay_links(essays, published, config)
    rendered = _each(problems, lambda e: _rendered(e, links, config), published)
    problems += [w for e in rendered for w in unsupported_syntax(e)]
    site = _attempt(problems, _site, rendered, config)
    pages = pipeline.site_pages(site) if site else []
    files = _attempt(problems, lambda: pipeline.output_files(site, pages, Memo(), Memo())[0]) \
        if site else None
    if files is not None:
        errors, warnings = review(essays, site, files, pages, every_page=True)
        problems += errors + warnings
        if external:
            problems += dead_links(site)
    return sorted(problems, key=place)


def _rendered(essay, links, config: SiteConfig):
    from .markdown import rendered
    essay, _ = rendered(essay, links, config.charts_dir, config.cache_dir)
    return essay


def _site(rendered: list, config: SiteConfig):
    placed = placed_essays(rendered, config)
    memo = Memo()
    return assemble_site(placed, load_authors(config.content_dir),
                         pipeline.related(placed, memo, Memo()), config)


def _each(problems: list, make, items) -> list:
    """make(item) for each item; a ContentError is noted and that item left out."""
    results = []
    for item in items:
        try:
            results.append(make(item))
        except ContentError as err:
            problems.append(err)
    return results


def _attempt(problems: list, make, *args):
    try:
        return make(*args)
    except ContentError as err:
        problems.append(err)
        return None


def _unique_slugs(essays: list, problems: list, content_dir) -> list:
    """The essays whose slug no earlier essay took; the others are errors."""
    clashes = pipeline.slug_clashes(essays, content_dir)
    problems += clashes
    clashing = {error.path for error in clashes}
    return [e for e in essays if e.source not in clashing]

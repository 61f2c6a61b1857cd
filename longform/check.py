"""`python build.py check`: run the whole pipeline without writing site/, and report every
problem, not only the first: build and check collect the same problems, check lists them all."""

import sys

from . import pipeline
from .cache import code_version, load_memo
from .config import SiteConfig
from .errors import ContentError, ContentWarning, Problems
from .external import dead_links
from .lint import place

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
    with external=True, dead links to other sites too. Reads the build cache, never writes."""
    try:
        result = pipeline.build(config, load_memo(config.cache_dir, code_version()),
                                every_page=True)
    except Problems as found:
        return found.problems
    except ContentError as err:
        return [err]
    problems: list[Problem] = list(result.warnings)
    if external:
        problems += dead_links(result.site)
    return sorted(problems, key=place)

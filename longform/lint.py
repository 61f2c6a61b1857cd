"""Warnings worth having: what the build gets past but a careful writer would fix, each at the
line to fix. Also the one rule that decides what is published: a future date means scheduled."""

import hashlib
import re
from datetime import date

from . import frontmatter
from .content import DEK_KEYS, Essay, read_text
from .errors import ContentError, ContentWarning
from .links import Found, Scanner, scan, source_line

DEK_LIMIT = 300
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def is_scheduled(essay: Essay, today: date) -> bool:
    """A published essay dated after today waits for its date (drafts wait anyway)."""
    return not essay.draft and essay.date > today


def scheduled_warning(essay: Essay) -> ContentWarning:
    return ContentWarning(essay.source, _key_line(essay, "date"),
                          f"dated {essay.date.isoformat()}, in the future: scheduled, so left "
                          "out of the build until that date (--drafts shows it now)")


def essay_warnings(essay: Essay, found: Found) -> list[ContentWarning]:
    """One rendered essay: images without alt text, no tags, a long dek, a skipped heading
    level, and what its rendering met (math that cannot convert). `found` is the scan of the
    essay's HTML (links.scan)."""
    warnings = [ContentWarning(essay.source, source_line(essay, src),
                               f"image '{src}' has no alt text; describe what it shows, as in "
                               "![A chart of loss against compute](…)")
                for src, alt in found.images if not (alt or "").strip()]
    if not essay.tags:
        warnings.append(ContentWarning(essay.source, _key_line(essay, "tags"),
                                       "no tags; add a line like 'tags: [scaling, data]' so "
                                       "readers find the essay from its tag pages"))
    if essay.dek and len(essay.dek) > DEK_LIMIT:
        warnings.append(ContentWarning(essay.source, _key_line(essay, *DEK_KEYS),
                                       f"the dek is {len(essay.dek)} characters long; keep it "
                                       f"under {DEK_LIMIT}, one or two sentences"))
    return warnings + _skipped_headings(essay, found.headings) + list(essay.warnings)


def _skipped_headings(essay: Essay, headings: list[tuple[int, str]]) -> list[ContentWarning]:
    # The essay's title is the page's h1, so the body starts below it.
    warnings, previous = [], 1
    lines = iter(heading_lines(essay))
    for level, text in headings:
        line = next((n for lvl, n in lines if lvl == level), essay.body_line)
        if level > previous + 1:
            shown = text.removesuffix("#").strip()
            warnings.append(ContentWarning(
                essay.source, line, f"heading '{shown}' is level {level} right after level "
                                    f"{previous}: a level is skipped; use {'#' * (previous + 1)}"
                                    " or add the heading in between"))
        previous = level
    return warnings


def heading_lines(essay: Essay) -> list[tuple[int, int]]:
    """(level, line) of every Markdown heading in the body, outside fenced code."""
    found, fence = [], None
    lines = essay.body_md.split("\n")
    for index, text in enumerate(lines):
        opener = _FENCE.match(text)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
        elif atx := _ATX.match(text):
            found.append((len(atx.group(1)), essay.body_line + index))
        elif index and (setext := _SETEXT.match(text)) and lines[index - 1].strip():
            found.append((1 if setext.group(1)[0] == "=" else 2, essay.body_line + index - 1))
    return found


def site_warnings(essays: list[Essay], published: list[Essay]) -> list[ContentWarning]:
    """Between essays: titles used twice, `related:` slugs that name no published essay."""
    warnings, titles = [], {}
    for essay in published:
        titles.setdefault(essay.title.casefold(), []).append(essay)
    for same in (group for group in titles.values() if len(group) > 1):
        first, *later = sorted(same, key=lambda e: (e.date, str(e.source)))
        warnings += [ContentWarning(essay.source, _key_line(essay, "title"),
                                    f"the title '{essay.title}' is also the title of "
                                    f"{first.source.name}; readers cannot tell them apart in "
                                    "lists and feeds") for essay in later]
    built = {e.slug for e in published}
    known = {e.slug: e for e in essays}
    for essay in published:
        for slug in essay.related_slugs:
            why = _left_out(known.get(slug)) if slug not in built else None
            if why:
                warnings.append(ContentWarning(essay.source, _key_line(essay, "related"),
                                               f"related: '{slug}' is {why}; it is skipped"))
    return warnings


def _left_out(essay: Essay | None) -> str | None:
    """Why a related essay is not in the build (None: it failed, and that error is reported)."""
    if essay is None:
        return "not the slug of any essay"
    if essay.draft:
        return "a draft, left out of this build"
    if is_scheduled(essay, date.today()):
        return f"scheduled for {essay.date.isoformat()}, left out of this build"
    return None


def _key_line(essay: Essay, *keys: str) -> int:
    """The frontmatter line of the first of keys present (1 when none is, or the file is gone)."""
    try:
        lines = frontmatter.key_lines(read_text(essay.source))
    except (OSError, ContentError):
        return 1
    return next((lines[k] for k in keys if k in lines), 1)


def review(essays: list[Essay], site, files: dict[str, bytes], pages: list,
           every_page: bool = False, scanner: Scanner | None = None
           ) -> tuple[list[ContentError], list[ContentWarning]]:
    """The built site's broken links (errors) and every warning above, each sorted by place.
    `essays` are all loaded essays, drafts and scheduled ones included; `site` what is built.
    A Scanner carrying the previous build's scans spares re-parsing unchanged HTML."""
    from .links import broken_links
    scanner = scanner or Scanner()
    errors = broken_links(site, files, pages, scanner, every_page)
    built = {e.source for e in site.essays}
    today = date.today()
    warnings = [scheduled_warning(e) for e in essays
                if e.source not in built and is_scheduled(e, today)]
    warnings += [w for e in site.essays for w in _remembered_warnings(e, scanner)]
    warnings += site_warnings(essays, list(site.essays))
    return sorted(errors, key=place), sorted(warnings, key=place)


def link_problems(broken: list[ContentError], config) -> list:
    """Dead internal links: errors, or warnings on a site in mid-migration."""
    if config.broken_links != "warn":
        return broken
    return [ContentWarning(e.path, e.line, e.message) for e in broken]


def with_stand_ins(files: dict, problems: list, links) -> dict:
    """The site's files plus an empty page for each essay that failed to render, so links to
    it are not reported as dead too: its own error says what to fix."""
    failed = {p.path for p in problems if isinstance(p, ContentError)}
    stand_ins = {url[len(links.base_path):] + "index.html": b""
                 for source, url in links.essay_urls.items() if source in failed}
    stand_ins = {path: data for path, data in stand_ins.items() if path not in files}
    return {**files, **stand_ins} if stand_ins else files


def essay_review(essay: Essay) -> tuple:
    """What review() needs of one rendered essay, worked out where it was rendered (a render
    worker): its HTML's hash and scan, and the essay's own warnings."""
    found = scan(essay.html)
    html_hash = hashlib.sha256(essay.html.encode("utf-8")).hexdigest()
    return html_hash, found, tuple(essay_warnings(essay, found))


def remember_review(memo, key: str, reviewed: tuple) -> None:
    """Keep an essay_review for review(), as if its Scanner had made it."""
    html_hash, found, warnings = reviewed
    memo.scanned[html_hash] = found
    memo.scans[("essay-warnings", key)] = warnings


def _remembered_warnings(essay: Essay, scanner: Scanner) -> tuple[ContentWarning, ...]:
    # A function of the essay alone, so its content key is the whole cache key.
    key = ("essay-warnings", essay.key)
    warnings = scanner.recall(key) if essay.key else None
    if warnings is None:
        warnings = tuple(essay_warnings(essay, scanner(essay.html)))
    scanner.keep(key, warnings)
    return warnings


def place(problem: ContentError | ContentWarning) -> tuple:
    return str(problem.path), problem.line

"""Find essays, split and validate their frontmatter, and build Essay records."""

import functools
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import frontmatter
from .errors import ContentError

ESSAY_SUFFIXES = (".md", ".markdown")
JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
DEK_KEYS = ("dek", "subtitle", "description", "summary", "excerpt")
KNOWN_KEYS = {"title", "date", "tags", "category", "categories", "author", "authors", "draft",
              "published", "slug", "related", "updated", "lastmod", *DEK_KEYS}


@dataclass(frozen=True)
class Essay:
    source: Path
    slug: str
    title: str
    date: date
    dek: str | None
    category: str | None
    tags: tuple[str, ...]
    author: str | None
    draft: bool
    body_md: str
    body_line: int
    related_slugs: tuple[str, ...] = ()
    updated: date | None = None
    categories: tuple[str, ...] = ()  # all of them, in order (category is the first)
    extra: dict = field(default_factory=dict, hash=False, compare=False)
    # Filled by the render stage.
    html: str = ""
    feed_html: str = ""
    toc: tuple = ()
    words: int = 0
    images: int = 0
    charts: tuple = ()
    insights: tuple = ()
    terms: tuple = ()  # (word, count) pairs of the body, for related-essay scoring
    key: str = ""  # hash of everything the rendering read; stands for the essay in page hashes
    warnings: tuple = ()  # ContentWarnings the rendering met (math that cannot convert)
    problems: tuple = ()  # errors and warnings rendering found (the run goes on past them)
    excerpt: str | None = None  # the text above <!--more-->: listings show it when no dek
    variants: tuple = ()  # the static/images/… variant files its HTML names (images.py)
    # Filled by the site stage.
    read_minutes: int = 0
    url: str = ""


# An essay's text and its table of contents: nearly all of its bytes and objects, and what few
# stages of a rebuild read (the pages that show it, a re-indexed search shard). A record the
# cache read without them (memorows.py) reads them on first use; see _Text.
TEXT_FIELDS = ("body_md", "html", "feed_html", "toc")


class _Text:
    """An Essay text field (TEXT_FIELDS) as the class holds it. Python looks in a record's
    __dict__ first, so a whole record never comes here. A record read from the cache without
    its text has, in its __dict__, `_stored`: a callable giving its text fields (from the cache
    file, or rendered again when the file no longer has them); the first read of one fills
    them all."""

    def __init__(self, name: str, default):
        self.name, self.default = name, default

    def __get__(self, essay, owner=None):
        if essay is None:
            return self.default
        known = essay.__dict__
        stored = known.get("_stored")
        if stored is not None:  # (None: another thread filled the record meanwhile)
            # Only the fields it lacks: a loaded record has its own (empty) HTML, and shares
            # only the Markdown with the rendered record whose text row it reads.
            known.update([(name, text) for name, text in stored(essay).items()
                          if name not in known])
            known.pop("_stored", None)
        return known[self.name]


for _name in TEXT_FIELDS:
    setattr(Essay, _name, _Text(_name, getattr(Essay, _name, "")))


def with_text(essay: Essay) -> Essay:
    """The record, its text read if the cache read it without (as a worker process is sent)."""
    essay.body_md  # noqa: B018 — reading one text field fills them all (_Text)
    return essay


@dataclass(frozen=True)
class Author:
    key: str
    name: str
    bio: str | None = None
    avatar: str | None = None
    url: str = ""


def essay_files(content_dir: Path, known=()) -> list[Path]:
    """Essay sources directly in content/ and in its sub-folders, in a stable order. Paths in
    `known` (an earlier walk's) are returned as the same objects: making a thousand new Paths
    costs more than the walk."""
    if not content_dir.is_dir():
        return []
    root = os.path.realpath(content_dir)
    found: list[str] = []
    _gather(str(content_dir), root, root != os.path.abspath(content_dir), found)
    reuse = {str(path): path for path in known}
    # Path order: by parts, as a separator sorting below every character gives.
    return [reuse.get(p) or Path(p) for p in sorted(found, key=lambda p: p.replace(os.sep, "\0"))]


def _gather(folder: str, root: str, linked: bool, found: list[str]) -> None:
    """Essay files below folder into found. scandir's entries know their type without a
    syscall each: on 1,000 essays this walk runs on every rebuild while serving."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # unreadable or a link loop: skipped, as os.walk would
    for entry in entries:
        name = entry.name
        if name.startswith((".", "_")):
            continue
        if entry.is_dir():  # follows links to folders
            _gather(entry.path, root, linked or entry.is_symlink(), found)
            continue
        if not name.endswith(ESSAY_SUFFIXES) or name.lower() in ("readme.md", "readme.markdown"):
            continue
        # Resolving costs a syscall a part: only for links, or for files below a link.
        if (linked or entry.is_symlink()) and not _inside(root, os.path.realpath(entry.path)):
            raise ContentError(Path(entry.path), 1, "this essay is a symbolic link to a file "
                                                    "outside content/; copy the file into "
                                                    "content/ instead")
        if entry.is_file():
            found.append(entry.path)


def _inside(root: str, path: str) -> bool:
    return path.startswith(root + os.sep)


def load_essay(path: Path, text: str | None = None) -> Essay:
    """One essay file → an Essay record (not yet rendered)."""
    if text is None:
        text = read_text(path)
    meta, body, body_line = frontmatter.split(path, text)
    lines = frontmatter.key_lines(text)
    stem_date, stem_slug = _from_file_name(path)
    return Essay(
        source=path,
        slug=_slug(path, meta, lines, stem_slug),
        title=_title(path, meta, lines),
        date=_date(path, meta, lines, stem_date),
        dek=_first_text(path, meta, lines, DEK_KEYS),
        category=_category(path, meta, lines),
        categories=_categories(meta),
        tags=_tags(path, meta, lines),
        author=_author(path, meta, lines),
        draft=_draft(path, meta, lines),
        body_md=body,
        body_line=body_line,
        related_slugs=_string_list(path, meta, lines, "related"),
        updated=_optional_date(path, meta, lines, ("updated", "lastmod")),
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
    )


def body_line(essay: Essay, needle: str | None) -> int:
    """The file line of the essay's first body line holding needle (the body's first line
    when none does): where a problem found in the rendering is reported."""
    for number, line in enumerate(essay.body_md.split("\n"), essay.body_line):
        if needle and needle in line:
            return number
    return essay.body_line


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ContentError(path, line, "the file is not UTF-8 text; save it with UTF-8 "
                                       "encoding") from None


def _from_file_name(path: Path) -> tuple[date | None, str]:
    # A Hugo page bundle (NAME/index.md, images beside it) is named by its folder.
    stem = path.parent.name if path.stem == "index" and path.parent.name else path.stem
    match = JEKYLL_NAME.match(stem)
    if not match:
        return None, stem
    year, month, day, rest = match.groups()
    try:
        return date(int(year), int(month), int(day)), rest
    except ValueError:
        return None, stem


@functools.lru_cache(maxsize=65536)  # every build slugs every tag of every essay
def slugify(text: str) -> str:
    """Lower-case words joined by hyphens, keeping letters of any script."""
    words = re.findall(r"[^\W_]+", text.lower().replace("'", "").replace("’", ""))
    return "-".join(words)


def _slug(path, meta, lines, stem_slug) -> str:
    raw = meta.get("slug", stem_slug)
    line = lines.get("slug", 1)
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise ContentError(path, line, "'slug' must be text")
    raw = str(raw)
    if "/" in raw or "\\" in raw or ".." in raw:
        raise ContentError(path, line, f"slug '{raw}' may not contain '/', '\\' or '..'; "
                                       "use letters, digits and hyphens")
    slug = slugify(raw)
    if not slug:
        raise ContentError(path, line, f"slug '{raw}' has no letters or digits; set 'slug:'")
    return slug


def _title(path, meta, lines) -> str:
    title = meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        raise ContentError(path, lines.get("title", 1), "missing 'title' in the frontmatter; "
                                                        "add a line like 'title: My essay'")
    if isinstance(title, dict | list | bool):
        raise ContentError(path, lines["title"], "'title' must be text")
    return str(title).strip()


def _date(path, meta, lines, stem_date) -> date:
    if "date" not in meta:
        if stem_date:
            return stem_date
        raise ContentError(path, 1, "missing 'date' in the frontmatter; add 'date: YYYY-MM-DD' "
                                    "or name the file YYYY-MM-DD-slug.md")
    found = frontmatter.as_date(meta["date"])
    if found is None:
        raise ContentError(path, lines.get("date", 1),
                           f"date '{meta['date']}' is not a date; write it as YYYY-MM-DD "
                           "(a time may follow, as in 2025-03-03 10:30:00 +01:00)")
    return found


def _optional_date(path, meta, lines, keys) -> date | None:
    for key in keys:
        if key in meta and meta[key] is not None:
            found = frontmatter.as_date(meta[key])
            if found is None:
                raise ContentError(path, lines.get(key, 1),
                                   f"'{key}' value '{meta[key]}' is not a date; use YYYY-MM-DD")
            return found
    return None


def _first_text(path, meta, lines, keys) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, dict | list | bool):
            raise ContentError(path, lines.get(key, 1), f"'{key}' must be text")
        return str(value).strip() or None
    return None


def _category(path, meta, lines) -> str | None:
    for key in ("category", "categories"):
        value = meta.get(key)
        if value is None or value == []:
            continue
        if isinstance(value, list):
            if not all(isinstance(v, str | int) for v in value):
                raise ContentError(path, lines.get(key, 1), f"'{key}' must be text or a list "
                                                            "of text")
            value = value[0]
        if isinstance(value, dict | bool):
            raise ContentError(path, lines.get(key, 1), f"'{key}' must be text or a list of "
                                                        "text")
        return str(value).strip() or None
    return None


def _categories(meta) -> tuple[str, ...]:
    """Every category, for Jekyll's :categories in permalinks (_category checked the types):
    Jekyll reads "categories: a b" as two."""
    found = []
    for key in ("category", "categories"):
        value = meta.get(key)
        if isinstance(value, list):
            found += [str(v) for v in value]
        elif isinstance(value, str | int) and not isinstance(value, bool):
            found += str(value).split() if key == "categories" else [str(value)]
    return _unique(v.strip() for v in found if v.strip())


def _tags(path, meta, lines) -> tuple[str, ...]:
    value = meta.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        # Jekyll allows "tags: a b c"; Pelican writes "a, b, c".
        parts = value.split(",") if "," in value else value.split()
        return _unique(p.strip() for p in parts if p.strip())
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return _unique(v.strip() for v in value)
    raise ContentError(path, lines.get("tags", 1), "'tags' must be a list of text, like "
                                                   "[scaling, data], or one string 'scaling data'")


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _string_list(path, meta, lines, key) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(path, lines.get(key, 1), f"'{key}' must be a list of essay slugs")
    return _unique(v.strip() for v in value)


def _author(path, meta, lines) -> str | None:
    value = meta.get("author", meta.get("authors"))
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if isinstance(value, dict | bool):
        raise ContentError(path, lines.get("author", lines.get("authors", 1)),
                           "'author' must be an author's key from content/authors.yaml")
    return str(value).strip() or None


def _draft(path, meta, lines) -> bool:
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise ContentError(path, lines.get("draft", 1), "'draft' must be true or false")
    published = meta.get("published", True)  # Jekyll's spelling of the same switch
    return draft or published is False


def load_authors(content_dir: Path) -> dict[str, Author]:
    """content/authors.yaml → Author records by key (a missing file means no known authors)."""
    path = content_dir / "authors.yaml"
    if not path.exists():
        return {}
    data = frontmatter.parse_yaml(path, read_text(path), first_line=1)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(path, 1, "authors.yaml must map author keys to {name, bio, avatar}")
    lines = frontmatter.key_lines(read_text(path))
    return {str(key): _author_record(path, lines.get(str(key), 1), str(key), value)
            for key, value in data.items()}


def _author_record(path: Path, line: int, key: str, value) -> Author:
    if isinstance(value, str):
        return Author(key=key, name=value)
    if not isinstance(value, dict) or not isinstance(value.get("name", key), str):
        raise ContentError(path, line, f"author '{key}' must have a text 'name' (and optional "
                                       "'bio' and 'avatar')")
    return Author(key=key, name=value.get("name", key), bio=value.get("bio"),
                  avatar=value.get("avatar"))

"""Site settings from [tool.longform] in pyproject.toml, with a default for everything."""

import tomllib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from .errors import ContentError


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    title: str = "Longform"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    default_author: str | None = None
    words_per_minute: int = 230
    stances: tuple[str, ...] = ("Contrarian",)
    include_drafts: bool = False
    permalink: str = "/essays/:slug/"  # urls.py reads both patterns
    # (section, pattern) pairs; section "*" is every essay whose section has no pattern of its own
    legacy_permalinks: tuple[tuple[str, str], ...] = ()
    broken_links: str = "error"  # "warn": dead internal links are warnings (mid-migration)
    search: bool = True  # a Pagefind index, a /search/ page and a search box in the header

    @cached_property
    def content_dir(self) -> Path:
        return self.root / "content"

    @cached_property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @cached_property
    def charts_dir(self) -> Path:
        return self.root / "charts"

    @cached_property
    def cache_dir(self) -> Path:
        return self.root / ".longform-cache"

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. "/blog/" for project pages, always with slashes."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"


_TYPES = {"title": str, "description": str, "base_url": str, "language": str,
          "default_author": str, "words_per_minute": int, "stances": list,
          "permalink": str, "legacy_permalinks": list, "broken_links": str, "search": bool}


def load_config(root: Path, **overrides) -> SiteConfig:
    """Read pyproject.toml's [tool.longform] table; command-line overrides win."""
    pyproject = root / "pyproject.toml"
    table = _longform_table(pyproject) if pyproject.exists() else {}
    settings = {}
    for key, value in table.items():
        if key not in _TYPES:
            raise ContentError(pyproject, _key_line(pyproject, key),
                               f"unknown setting '{key}' in [tool.longform] "
                               f"(known: {', '.join(sorted(_TYPES))})")
        if key == "legacy_permalinks":
            settings[key] = _legacy_patterns(pyproject, value)
            continue
        if not isinstance(value, _TYPES[key]) or (isinstance(value, bool) and
                                                   _TYPES[key] is not bool):
            raise ContentError(pyproject, _key_line(pyproject, key),
                               f"setting '{key}' must be {_TYPES[key].__name__}")
        if key == "words_per_minute" and value < 1:
            raise ContentError(pyproject, _key_line(pyproject, key),
                               "setting 'words_per_minute' must be a positive number, like 230")
        if key == "stances" and not all(isinstance(s, str) for s in value):
            raise ContentError(pyproject, _key_line(pyproject, key),
                               "setting 'stances' must be a list of tag names, like "
                               '["Contrarian"]')
        if key == "permalink":
            _check_pattern(pyproject, key, value)
        if key == "broken_links" and value not in ("error", "warn"):
            raise ContentError(pyproject, _key_line(pyproject, key),
                               'setting \'broken_links\' must be "error" (the default) or '
                               '"warn"')
        settings[key] = tuple(value) if isinstance(value, list) else value
    config = SiteConfig(root=root.resolve(), **settings)
    given = {k: v for k, v in overrides.items() if v is not None}
    # CI passes the host's address (GitHub Pages' URL) for a site whose settings name none.
    fallback = given.pop("default_base_url", None)
    if fallback and "base_url" not in table:
        given.setdefault("base_url", fallback)
    if "base_url" in given and not given["base_url"].endswith("/"):
        given["base_url"] += "/"
    if not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    return replace(config, **given)


def _check_pattern(pyproject: Path, key: str, pattern: str) -> None:
    from .urls import pattern_problem
    problem = pattern_problem(pattern)
    if key == "permalink" and not problem and not pattern.endswith(("/", ".html",
                                                                    ":output_ext")):
        problem = (f"'{pattern}' must end in '/' (a folder) or '.html' (a file), like "
                   '"/essays/:slug/"')
    if problem:
        raise ContentError(pyproject, _key_line(pyproject, key), f"setting '{key}': {problem}")


def _legacy_patterns(pyproject: Path, value) -> tuple[tuple[str, str], ...]:
    """A list of patterns (for every essay) or a table of them by section (Hugo's
    [permalinks]; "*" for the sections not named) → (section, pattern) pairs."""
    table = value if isinstance(value, dict) else {"*": value}
    pairs = [(str(section), pattern) for section, patterns in table.items()
             for pattern in (patterns if isinstance(patterns, list) else [patterns])]
    if not isinstance(value, list | dict) or not all(isinstance(p, str) for _, p in pairs):
        raise ContentError(pyproject, _key_line(pyproject, "legacy_permalinks"),
                           "setting 'legacy_permalinks' must be a list of patterns, like "
                           '["/:year/:month/:day/:title.html"], or a table of them by section, '
                           'like {posts = "/:year/:filename/"}')
    for _, pattern in pairs:
        _check_pattern(pyproject, "legacy_permalinks", pattern)
    return tuple(pairs)


def _longform_table(pyproject: Path) -> dict:
    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        raise ContentError(pyproject, line, f"pyproject.toml is not valid TOML: {err}") from None
    return data.get("tool", {}).get("longform", {})


def _line_from_message(message: str) -> int:
    # Python 3.11's TOMLDecodeError only carries "(at line N, column M)" in its text.
    marker = "at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",")[0].split(")")[0]
        if digits.isdigit():
            return int(digits)
    return 1


def _key_line(pyproject: Path, key: str) -> int:
    # Only inside [tool.longform]: [project] has keys of the same name (description).
    inside = False
    for number, line in enumerate(pyproject.read_text("utf-8").splitlines(), 1):
        text = line.strip()
        if text.startswith("["):
            inside = text.replace(" ", "").startswith("[tool.longform]")
        elif inside and text.split("=", 1)[0].strip().strip("\"'") == key and "=" in text:
            return number
    return 1

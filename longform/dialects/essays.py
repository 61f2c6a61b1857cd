"""Which essay a migrated post means when it names another: a Jekyll `post_url` name, a Hugo
`ref` path, or a link to a file in a folder that moved (`../_posts/2019-01-01-other.md`)."""

import os
from pathlib import Path, PurePosixPath

from ..content import ESSAY_SUFFIXES, JEKYLL_NAME

BUNDLE_NAMES = ("index", "_index")
_last: tuple = (None, ({}, ""))  # (Links, (its name index, names_digest)): one build uses one Links


def essay_named(links, name: str) -> Path | None:
    """The essay (published or draft) that `name` names, or None: by its path in content/,
    then by its file name, its name without the suffix, or its Jekyll-less slug."""
    index = _names(links)
    wanted = PurePosixPath(name.strip().split("#")[0].split("?")[0].strip("/"))
    if not wanted.parts:
        return None
    for key in _keys_of(wanted):
        found = index.get(key)
        if found:
            return found[0]
    return None


def _keys_of(wanted: PurePosixPath) -> list[str]:
    parts = [p for p in wanted.parts if p not in (".", "..")]
    if parts and parts[0] in ("content", "_posts", "posts", "post"):
        parts_without = parts[1:]
    else:
        parts_without = parts
    keys = ["/".join(parts), "/".join(parts_without)]
    last = PurePosixPath(parts[-1]) if parts else PurePosixPath(".")
    if last.stem in BUNDLE_NAMES and len(parts) > 1:
        keys.append(parts[-2])  # posts/name/index.md names the bundle
    keys += [last.name, _without_suffix(last.name), _slug_of(_without_suffix(last.name))]
    return [k for k in dict.fromkeys(keys) if k]


def _without_suffix(name: str) -> str:
    for suffix in ESSAY_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _slug_of(stem: str) -> str:
    match = JEKYLL_NAME.match(stem)
    return match.group(4) if match else stem


def names_digest(links) -> str:
    """Stands for the set of essays a name could find: a rendering that found no essay by a
    name is redone when this changes."""
    return _indexed(links)[1]


def _names(links) -> dict[str, list[Path]]:
    return _indexed(links)[0]


def _indexed(links) -> tuple[dict, str]:
    global _last
    if _last[0] is not links:
        from ..cache import digest
        _last = (links, (_index(links), digest(*sorted(map(str, {*links.essay_urls,
                                                                  *links.drafts})))))
    return _last[1]


def _index(links) -> dict[str, list[Path]]:
    index: dict[str, list[Path]] = {}
    for path in sorted({*links.essay_urls, *links.drafts}, key=str):
        try:
            relative = PurePosixPath(Path(os.path.relpath(path, links.content_dir)).as_posix())
        except ValueError:
            continue
        stem = _without_suffix(relative.name)
        keys = [str(relative), _without_suffix(str(relative)), relative.name, stem,
                _slug_of(stem)]
        if stem in BUNDLE_NAMES and len(relative.parts) > 1:
            keys += [str(relative.parent), relative.parent.name]
        for key in dict.fromkeys(keys):
            index.setdefault(key, []).append(path)
    return index

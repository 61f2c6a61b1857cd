"""The only stage that writes: assets get fingerprinted names, and site/ is swapped in whole."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ContentError, Problems
from .sitefiles import Copied, Deferred, Stored, file_bytes

SKIPPED_CONTENT = {"authors.yaml"}


def fingerprinted(name: str, data: bytes) -> str:
    """static/NAME.HASH.EXT, so a browser may cache an asset forever."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"static/{stem}.{digest}.{suffix}" if dot else f"static/{name}.{digest}"


def static_assets(static_dir: Path, generated: dict[str, bytes]) -> dict[str, tuple[str, bytes]]:
    """Theme files and generated ones (the Vega bundle): name → (fingerprinted path, bytes)."""
    files = dict(generated)
    if static_dir.is_dir():
        for path in sorted(static_dir.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[path.relative_to(static_dir).as_posix()] = path.read_bytes()
    return {name: (fingerprinted(name, data), data) for name, data in sorted(files.items())}


def content_media(content_dir: Path) -> dict[str, bytes]:
    """Images and other files kept beside the essays, copied to the same paths in site/."""
    if not content_dir.is_dir():
        return {}
    root = content_dir.resolve()
    files = {}
    for folder, dirs, names in os.walk(content_dir, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name.endswith((".md", ".markdown")):
                continue
            path = Path(folder, name)
            relative = path.relative_to(content_dir).as_posix()
            if relative in SKIPPED_CONTENT or not path.is_file():
                continue
            if root not in path.resolve().parents:
                raise ContentError(path, 1, "this link points outside the project; copy the "
                                            "file into content/ instead")
            files[relative] = Copied.of(path)
    return dict(sorted(files.items()))


def static_files(static_dir: Path, written: dict[str, bytes]) -> dict[str, bytes]:
    """The writer's static/ folder (a Jekyll blog's assets/, Hugo's static/), byte for byte at
    the same paths in site/: never parsed, and no .md in it is an essay. A path that Longform
    writes too is an error naming both."""
    if not static_dir.is_dir():
        return {}
    files, clashes = {}, []
    for folder, dirs, names in os.walk(static_dir, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            path = Path(folder, name)
            relative = path.relative_to(static_dir).as_posix()
            if name in (".DS_Store", "Thumbs.db") or not path.is_file():
                continue
            if relative in written:
                clashes.append(ContentError(path, 1, f"static/{relative} and "
                                                     f"{_writer_of(relative)} would both be "
                                                     f"site/{relative}; rename or remove one of "
                                                     "them"))
            files[relative] = Copied.of(path)
    if clashes:
        raise Problems(clashes)
    return files


def _writer_of(relative: str) -> str:
    if relative.endswith(".html") or relative.endswith(".xml") or relative in (
            "robots.txt", "insights.json"):
        return "the page Longform makes there"
    if relative.startswith("static/"):
        return "a theme file of templates/static/"
    return f"content/{relative}"


IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
HOST_FILES = {"_headers", "_redirects"}  # read by Netlify and Cloudflare Pages, never served
PAGE_SUFFIXES = (".html", ".xml", ".json", ".txt")


def host_headers(files: dict[str, bytes]) -> bytes:
    """site/_headers as Netlify and Cloudflare Pages read it: fingerprinted assets cached for a
    year, pages (and the search index's fixed-name entry files) asked for again each visit.
    The rules never overlap: where two rules match one URL, Cloudflare joins their values
    into one header, which would make a page both immutable and revalidated."""
    folders = sorted({rel.split("/", 1)[0] for rel in files if "/" in rel} - {"static"})
    pages = sorted(rel for rel in files if "/" not in rel and rel.endswith(PAGE_SUFFIXES))
    lines = ["# Written by Longform for Netlify and Cloudflare Pages; rebuilt on every build.",
             "/static/*", f"  Cache-Control: {IMMUTABLE}",
             "", "/", f"  Cache-Control: {REVALIDATE}"]
    for path in [f"/{folder}/*" for folder in folders] + [f"/{page}" for page in pages]:
        lines += ["", path, f"  Cache-Control: {REVALIDATE}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def check_output_folder(out_dir: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the writer's work."""
    out, root = out_dir.resolve(), root.resolve()
    precious = [root / name for name in ("content", "templates", "charts", "static")]
    if out == root or out in root.parents or any(p == out or p in out.parents for p in precious):
        raise ContentError(out_dir, 1, "the output folder would replace the project or its "
                                       "sources; pick a folder of its own, like --out site")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise ContentError(out_dir, 1, "the output folder is not empty and holds no built "
                                       "site, so it would be replaced; pick an empty or new "
                                       "folder")


# Up to this share of files changed, update in place instead of swapping. An edit of a template
# or a stylesheet changes every page, a third of the files; swapping for it meant deleting the
# old tree, a folder a page (1.2 s of 1.8 s publishing 1,000 essays), where writing the changed
# pages in place costs a tenth of that.
IN_PLACE_SHARE = 0.5
WRITERS = 8  # threads writing a new site/, or many changed files in place


def publish(files: dict[str, bytes], out_dir: Path, known: dict | None = None,
            left: dict | None = None, pending=None, listed: dict | None = None) -> int:
    """Bring out_dir to exactly `files` and return how many files changed. Only ever called
    once every byte is built, so a failed build never reaches it. A first build or a large
    change is written into a fresh folder beside out_dir and swapped in whole (unchanged files
    hard-linked from the old site, so their mtimes stay). A small change, the usual rebuild,
    replaces just those files, each by an atomic rename: swapping would mean deleting the old
    tree, a thousand folders, for one changed page.
    `known` maps paths whose bytes are the last build's to the (size, mtime) that build left
    them with in out_dir: such a file still matching them is not read back to compare.
    `left`, if given, is filled with the (size, mtime) of every file out_dir ends with, for
    the next build's `known` (cache.record_build), without listing the folder again.
    `pending`, if given, returns the files still being made (the search index, which
    Pagefind finishes meanwhile) as dicts, each as it is ready (a shard's bundle): a fresh
    folder gets the others first, while it works, then each as it comes; an update in place
    waits for all of them before it writes anything (a fresh folder lets go of the others'
    bytes before it waits: `files` keeps its paths, the written bytes become b"").
    If it raises, out_dir stays as it was. `listed`, if given, is out_dir's files (path →
    stat) as the build listed them (pipeline.Build.listed), so that its thousands of
    folders are not listed again."""
    out_dir = out_dir.resolve()
    existing = dict(listed) if listed is not None else _existing_files(out_dir)
    known = known or {}
    changed = _changed(files, out_dir, existing, known)
    # (What is removed is not known before the pending files are: old ones are in existing.)
    if pending is not None and existing and len(changed) <= IN_PLACE_SHARE * len(files):
        more = {path: data for part in pending() for path, data in part.items()}
        files.update(more)
        changed += _changed(more, out_dir, existing, known)
        pending = None
    removed = sorted(set(existing) - set(files))
    if pending is None and not changed and not removed:
        _note(left, existing, known)
        return 0
    if pending is None and existing and \
            len(changed) + len(removed) <= IN_PLACE_SHARE * len(files):
        _write_in_place(out_dir, {rel: files[rel] for rel in changed}, removed)
        for rel in removed:
            existing.pop(rel, None)
        existing.update((rel, os.stat(out_dir / rel)) for rel in changed)
        _note(left, existing, known)
        return len(changed)
    placed: dict = {}  # each file written or linked → its stat, taken as it was placed
    count = _write_fresh(out_dir, files, changed, pending, existing, known, placed)
    _note(left, placed)
    return count


def _changed(files: dict, out_dir: Path, existing: dict, known: dict) -> list[str]:
    changed = []
    for rel, data in files.items():
        # _unchanged's first tests inline: an edit of one essay asks this of some 15,000
        # files at 5,000 essays, nearly all a kept page or a copy with its size and mtime.
        info = existing.get(rel)
        if info is not None:
            seen = known.get(rel)
            if seen is not None:
                if info.st_size == seen[0] and info.st_mtime_ns == seen[1]:
                    continue
            elif type(data) in Deferred and info.st_size == data.size and \
                    info.st_mtime_ns == data.mtime_ns:
                continue
        if not _unchanged(out_dir, rel, data, info, seen if info is not None else None):
            changed.append(rel)
    return changed


def _write_fresh(out_dir: Path, files: dict, changed: list, pending, existing: dict,
                 known: dict, placed: dict) -> int:
    """Write files (then pending's, when it returns them) into a fresh folder beside out_dir
    and swap it in; the count of files written rather than linked from the old site (the
    unchanged ones: all but `changed`, and pending's that _changed does not name)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    staging.chmod(0o755)
    # Threads: writing thousands of small files is waiting on the file system, which
    # releases the GIL (a cold build of 1,000 essays writes some 3,000 files).
    from concurrent.futures import ThreadPoolExecutor
    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            count = _placed_all(pool, staging, out_dir, files, set(files) - set(changed),
                                placed)
            if pending is not None:
                # Written: their memory is the caller's for what it does meanwhile (a new
                # site's pages are 90 MB at 5,000 essays; the cache is saved while it waits).
                files.update(dict.fromkeys(files, b""))
                # Each part as it comes (a shard's bundle as its Pagefind run ends), while
                # Pagefind works on the others: after the last run, only its files are left
                # to write (all 1,100 of a new 1,000-essay site's index took 70 ms).
                for more in pending():
                    files.update(more)
                    same = set(more) - set(_changed(more, out_dir, existing, known))
                    count += _placed_all(pool, staging, out_dir, more, same, placed)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _placed_all(pool, staging: Path, out_dir: Path, files: dict, same: set,
                placed: dict) -> int:
    """Write (or link, for those in `same`) the files into staging; each one's stat goes into
    `placed` as it is done (what publish notes for the next build, without listing a
    thousand folders once the last of the search index is in)."""
    targets = {rel: _inside(staging, rel) for rel in sorted(files)}
    for folder in sorted({target.parent for target in targets.values()}):
        folder.mkdir(parents=True, exist_ok=True)
    # One job a writer, each a slice of the files, rather than one a file: a future, a lock
    # and a wake-up per file cost a cold build of 1,000 essays 0.15 s of CPU over 3,000 files.
    names = list(targets)

    def place_slice(start: int) -> int:
        written = 0
        for rel in names[start::WRITERS]:
            written += _place(targets[rel], out_dir / rel, files[rel], rel in same)
            placed[rel] = os.stat(targets[rel])
        return written
    return sum(pool.map(place_slice, range(WRITERS)))


def _note(left: dict | None, stats: dict, known: dict | None = None) -> None:
    if left is None:
        return
    known = known or {}
    for rel, info in stats.items():
        # The last build's entry where it still holds: no new list for each unchanged file.
        seen = known.get(rel)
        if seen is not None and type(seen) is list and seen[0] == info.st_size and \
                seen[1] == info.st_mtime_ns:
            left[rel] = seen
        else:
            left[rel] = [info.st_size, info.st_mtime_ns]


def _existing_files(out_dir: Path) -> dict:
    from .cache import files_below
    return files_below(str(out_dir))


def _unchanged(out_dir: Path, rel: str, data: "bytes | Copied | Stored",
               info: os.stat_result | None, left: tuple | None = None) -> bool:
    """Whether the file at out_dir/rel (whose stat is info; None: there is none) holds
    data. (The Path is made only when the file must be read: a rebuild asks for each of
    thousands of files.)"""
    if info is None:
        return False
    if left is not None and info.st_size == left[0] and info.st_mtime_ns == left[1]:
        return True
    path = out_dir / rel
    try:
        if isinstance(data, Deferred):
            return _same_copy(path, data, info)
        return info.st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _same_copy(path: Path, data: "Copied | Stored", info: os.stat_result) -> bool:
    if info.st_size != data.size:
        return False
    if info.st_mtime_ns == data.mtime_ns:
        return True
    if path.read_bytes() != data.read():
        return False
    # The same bytes made again (a deleted cache redrew a card): site/ keeps its file, so an
    # rsync uploads nothing, and the cache takes the site's mtime so the next build reads
    # neither.
    data.adopt(info.st_mtime_ns)
    return True


def _write(target: Path, data: "bytes | Copied | Stored") -> None:
    if isinstance(data, Copied):
        shutil.copyfile(data.path, target)
    else:
        target.write_bytes(file_bytes(data))
    if isinstance(data, Deferred):
        os.utime(target, ns=(data.mtime_ns, data.mtime_ns))


def _place(target: Path, old: Path, data: "bytes | Copied | Stored", unchanged: bool) -> bool:
    if unchanged:
        try:
            os.link(old, target)
            return False
        except OSError:
            pass  # a file system without hard links: write a copy instead
    _write(target, data)
    return True


def _inside(root: Path, relative: str) -> Path:
    # A slug or tag is slugified before it gets here; this guards against any other way out.
    normal = os.path.normpath(relative)
    if os.path.isabs(normal) or normal.split(os.sep)[0] == "..":
        raise ContentError(root, 1, f"refusing to write '{relative}' outside the output folder")
    return root / normal


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def apply_changes(files: dict[str, bytes], out_dir: Path, previous: dict[str, bytes]) -> list[str]:
    """Bring a served folder from `previous` to `files` in place, file by file (each write is a
    rename, so the server never hands out half a file); returns the paths written or removed."""
    changed = {rel: data for rel, data in sorted(files.items()) if previous.get(rel) != data}
    removed = sorted(set(previous) - set(files))
    _write_in_place(out_dir, changed, removed)
    return [*changed, *removed]


def _write_in_place(out_dir: Path, changed: dict[str, bytes], removed: list[str]) -> None:
    targets = {relative: _inside(out_dir, relative) for relative in changed}
    if len(targets) < WRITERS * 4:
        for relative, target in targets.items():
            _replace(target, changed[relative])
    else:  # threads: the file system's waits release the GIL
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(lambda relative: _replace(targets[relative], changed[relative]),
                          targets))
    for relative in removed:
        (out_dir / relative).unlink(missing_ok=True)
        _remove_empty_folders((out_dir / relative).parent, out_dir)


def _replace(target: Path, data: "bytes | Copied | Stored") -> None:
    """target holds data, by an atomic rename: a reader sees the old file or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    _write(temporary, data)
    temporary.replace(target)


def _remove_empty_folders(folder: Path, out_dir: Path) -> None:
    # A deleted essay's essays/SLUG/ goes too, so the folder matches what a full build writes.
    while folder != out_dir and out_dir in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent

"""The whole build at once: when no input changed since the last successful build and the
output folder still holds exactly what that build left there, there is nothing to do.

This is the path of every rebuild with nothing changed, so it runs before the settings are
read and imports only what it needs: the record it checks against stands for the settings
too (pyproject.toml is an input like any other, and the code that reads it is hashed into
code_version). Also here: the hashes and the folder walk the memo (cache.py) shares.
"""

import functools
import hashlib
import marshal
import os
import re
import sys
import time
from pathlib import Path

# Where a project keeps what the build reads (and config.SiteConfig's folders are these).
INPUT_FOLDERS = ("content", "templates", "charts", "static")
SETTINGS = "pyproject.toml"
CACHE_FOLDER = ".longform-cache"
# The record of the last build, in marshal's format: a plain dict of strings, numbers, lists
# and tuples reads back in a third of json's time, with no module to import.
LAST_BUILD = "last-build.marshal"
# A file whose stat signature is unchanged since we hashed it is not read again, as git does.
# Only for files last modified a while before we looked: a save within the same tick of a
# coarse clock (FAT stamps to 2 s) could otherwise keep its mtime.
RACY_NS = 2_000_000_000


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


@functools.cache  # a build asks three times (fingerprint, memo, pipeline): 2-5 ms each
def code_version() -> str:
    """Our own source and the versions of everything that shapes the HTML."""
    package = os.path.dirname(__file__)
    sources = [_read(os.path.join(package, relative))
               for relative in sorted(files_below(package)) if relative.endswith(".py")]
    versions = [version(name) for name in ("markdown", "pymdown-extensions", "pygments",
                                            "jinja2", "altair", "vl-convert-python",
                                            "latex2mathml")]
    return digest(sys.version, *versions, *sources)


@functools.cache
def version(name: str) -> str:
    """An installed distribution's version, read from its NAME-VERSION.dist-info folder's
    name (the wheel format fixes it) where one is on sys.path: importing importlib.metadata
    and parsing METADATA cost more than a no-change rebuild's whole remaining work."""
    wanted = re.sub(r"[-_.]+", "_", name).lower() + "-"
    for entry in sys.path:
        for folder in _listing(entry):
            if folder.endswith(".dist-info") and folder.lower().startswith(wanted):
                return folder[len(wanted):-len(".dist-info")]
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(folder or "."))
    except OSError:
        return ()


def input_fingerprint(root: Path, overrides: dict, out_dir: Path,
                      known: dict | None = None) -> tuple[str, dict]:
    """Every input of a build of the project at root (resolved): the writer's files and
    settings (pyproject.toml, by content; the command line's `overrides`), code, and the
    date (a scheduled essay appears when its day comes); and each file's (stat signature,
    hash) for the next call, which reads only files whose signature changed (`known`: this
    dict from the last call; a file modified within RACY_NS has None for its signature)."""
    known = known or {}
    # The working folder too: messages name paths relative to it.
    parts = [code_version(), str(root), repr(sorted(overrides.items())),
             str(out_dir.resolve()), time.strftime("%Y-%m-%d"), os.getcwd()]
    hashes = {}
    settled = time.time_ns() - RACY_NS
    for path, info in _input_files(root):
        signature = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
        seen = known.get(path)
        if seen and seen[0] == signature:
            file_digest = seen[1]
        else:
            file_digest = _file_digest(path)
        # A file saved within the racy window is hashed again next time (no signature), but
        # listed: what changed since the last build is told by these (renderworker.py).
        hashes[path] = (signature if signature[0] < settled else None, file_digest)
        parts += [path, file_digest]
    return digest(*parts), hashes


def fingerprint_meanwhile(root: Path, overrides: dict, out_dir: Path):
    """A call returning input_fingerprint(root, overrides, out_dir), worked out by a forked
    process while this one goes on (a build without a record reads and hashes every input
    file, some 80 ms at 1,000 essays, as long as importing the pipeline takes); worked out
    here and now where there is no fork. Call it before the build reads any input: a file
    saved meanwhile must be built after it was hashed, never before."""
    code_version()  # here, for this process too: the memo asks for it
    import threading
    # Not where another thread could hold a lock the child would wait on for ever.
    if not hasattr(os, "fork") or threading.active_count() > 1:
        found = input_fingerprint(root, overrides, out_dir)
        return lambda: found
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the fingerprint down the pipe, then gone
        os.close(readable)
        status = 1
        try:
            with os.fdopen(writable, "wb") as sink:
                sink.write(marshal.dumps(input_fingerprint(root, overrides, out_dir)))
            status = 0
        finally:
            os._exit(status)
    os.close(writable)

    def fingerprint() -> tuple[str, dict]:
        with os.fdopen(readable, "rb") as source:
            data = source.read()
        os.waitpid(pid, 0)
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # the child failed: work it out here
            return input_fingerprint(root, overrides, out_dir)
    return fingerprint


def _input_files(root: Path):
    """(path, stat) of pyproject.toml and of each file in the input folders, in a fixed
    order."""
    settings = os.path.join(root, SETTINGS)
    try:
        yield settings, os.stat(settings)
    except OSError:
        pass  # none: the defaults (a settings file that appears changes the fingerprint)
    for folder in INPUT_FOLDERS:
        prefix = os.path.join(root, folder, "")
        listing = files_below(prefix, prefix, follow_links=True)  # keyed by the whole path
        for path in sorted(listing):
            if not path.endswith(".pyc") and "/__pycache__/" not in path[len(prefix) - 1:]:
                yield path, listing[path]


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as err:  # unreadable: the build that follows says so at its path
        return f"unreadable: {err}"


def output_manifest(out_dir: Path) -> dict:
    """Each output file's (size, mtime): enough to notice anything touching site/ since."""
    return {path: [info.st_size, info.st_mtime_ns]  # lists, as publish notes them
            for path, info in files_below(str(out_dir)).items()}


def folder_times(out_dir: Path, manifest: dict) -> dict | None:
    """The mtime of out_dir and of each folder holding the manifest's files: a file added to a
    folder or removed from it changes the folder's. None if one cannot be read."""
    folders = {""}
    for path in manifest:
        while "/" in path:
            path = path.rsplit("/", 1)[0]
            if path in folders:
                break  # and its parents with it
            folders.add(path)
    base = os.path.join(out_dir, "")
    try:
        return {folder: os.stat(base + folder).st_mtime_ns for folder in folders}
    except OSError:
        return None


def intact(out_dir: Path, manifest: dict, folders: dict | None) -> bool:
    """Whether out_dir holds just the manifest's files as they were left: each file's size and
    mtime, each folder's mtime. Stat-ing them, without listing the folders, takes half the time
    (14 against 27 ms for 1,000 essays' site/, a third of a no-change rebuild); a record
    without the folders' times is checked against a listing."""
    if not isinstance(folders, dict):
        return manifest == output_manifest(out_dir)
    base = os.path.join(out_dir, "")
    try:
        if not _folders_hold(base, folders):
            return False
        for path, (size, mtime) in manifest.items():
            info = os.stat(base + path)
            if info.st_size != size or info.st_mtime_ns != mtime:
                return False
    except OSError:
        return False
    return True


def files_now(out_dir: Path, manifest: dict, folders: dict | None) -> dict:
    """Every file in out_dir → its stat, as files_below gives them. While no folder's mtime
    has moved since the last build left `manifest` there (`folders`, as record_build noted
    them), no file was added or removed: its files are stat-ed by name, without listing a
    thousand folders (14 against 31 ms for 1,000 essays' site/, on an edit's longest path).
    Otherwise out_dir is listed."""
    if isinstance(folders, dict) and manifest:
        base = os.path.join(out_dir, "")
        try:
            if _folders_hold(base, folders):
                return {path: os.stat(base + path) for path in manifest}
        except OSError:
            pass  # one went since: list what there is
    return files_below(str(out_dir))


def _folders_hold(base: str, folders: dict) -> bool:
    """Whether each folder below base (a path ending in "/") has the mtime noted."""
    for path, mtime in folders.items():
        if os.stat(base + path).st_mtime_ns != mtime:
            return False
    return True


def files_below(folder: str, prefix: str = "", follow_links: bool = False) -> dict:
    """Every file under folder: its path relative to it ("/"-separated) → its stat (the
    stat a signature is made of, so nothing is stat'ed twice). scandir instead of os.walk and
    relpath: site/ holds thousands of files, and each build lists it and its inputs."""
    found = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=follow_links):
            found.update(files_below(entry.path, f"{prefix}{entry.name}/", follow_links))
        elif entry.is_file():
            found[prefix + entry.name] = entry.stat()
    return found


def last_record(root: Path) -> dict:
    """What the last build wrote down (see record_build); {} if missing or damaged."""
    try:
        record = marshal.loads((root / CACHE_FOLDER / LAST_BUILD).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return record if isinstance(record, dict) else {}


def last_build(record: dict, fingerprint_now: str, out_dir: Path) -> dict | None:
    """The last build's record, if it had these very inputs and its output is intact."""
    try:
        if record["fingerprint"] == fingerprint_now and record["manifest"] and \
                intact(out_dir, record["manifest"], record.get("folders")):
            return record
    except (KeyError, TypeError, ValueError):
        pass  # damaged: build as usual
    return None


def last_left(record: dict, out_dir: Path) -> tuple[dict, dict | None]:
    """{path: (size, mtime)} of each file the last build left in out_dir, and {folder: mtime}
    of the folders holding them as it left them (None if not noted)."""
    if record.get("out") != str(out_dir.resolve()):
        return {}, None
    manifest, folders = record.get("manifest"), record.get("folders")
    return (manifest if isinstance(manifest, dict) else {},
            folders if isinstance(folders, dict) else None)


def record_build(root: Path, fingerprint_now: str, out_dir: Path, summary: dict,
                 warnings: list[str], inputs: dict, manifest: dict | None = None) -> None:
    """Write down the build: `manifest` is what publish left in out_dir (listed if None)."""
    cache_dir = root / CACHE_FOLDER
    cache_dir.mkdir(parents=True, exist_ok=True)
    manifest = manifest if manifest is not None else output_manifest(out_dir)
    record = {"fingerprint": fingerprint_now, "out": str(out_dir.resolve()),
              "manifest": manifest, "folders": folder_times(out_dir, manifest),
              "inputs": inputs, "summary": summary, "warnings": warnings}
    temporary = cache_dir / (LAST_BUILD + ".tmp")
    temporary.write_bytes(marshal.dumps(record))
    temporary.replace(cache_dir / LAST_BUILD)

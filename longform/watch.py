"""Watching the writer's files for serve: one rebuild and one reload per burst of saves.

Events come from the file system (inotify on Linux) through watchfiles; a rebuild waits until
no event came for QUIET, then runs once if a watched file really changed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles
from livereload.watcher import Watcher
from tornado import ioloop

from .cache import stat_signature

if TYPE_CHECKING:
    from .serve import Drafting

# Editors save in a dance (write a temp file and rename it over the essay, truncate then write,
# format-on-save writing it again) whose steps land within a few ms of each other, so QUIET
# without a new change ends a burst (webpack's aggregateTimeout default is 20 ms).
QUIET = 0.02
# watchfiles hands over a batch at the first look, every STEP, that finds no new changed path:
# 5-10 ms after a save. Our own timer then waits for QUIET without another batch, so a rebuild
# starts QUIET plus 5-10 ms after the last save, however long the burst.
STEP = 0.005
FOLDERS = ("content", "templates", "charts", "static")
SETTINGS = "pyproject.toml"
ARMED_WITHIN = 0.2  # a new watch thread has its inotify watches in place well within this


def watched_state(root: Path) -> dict:
    """Every watched file's stat signature: a cheap snapshot (~3 ms for 1,000 essays) that tells
    a batch of events that really changed a file from one that did not."""
    state = {}
    for folder in FOLDERS:
        for here, dirs, names in os.walk(root / folder):
            dirs[:] = [d for d in dirs if not _ignored(d)]
            for name in names:
                if not _ignored(name):
                    path = os.path.join(here, name)
                    state[path] = stat_signature(path)
    state[str(root / SETTINGS)] = stat_signature(root / SETTINGS)
    return state


def _ignored(name: str) -> bool:
    """Dotfiles, editors' swap, backup and probe files (vim writes 4913 to test a folder), and
    Python's bytecode: never what a writer edits."""
    return (name.startswith(".") or name in ("__pycache__", "4913")
            or name.endswith(("~", ".swp", ".swx", ".pyc")))


class DebouncedWatcher(Watcher):
    """Hears our files change; once a burst of saves is quiet, rebuilds once and reports one
    change to reload.

    Two watches, each a watchfiles thread: content/, templates/, charts/ and static/ recursively,
    and the project folder itself, not recursively. The second hears pyproject.toml even when an
    editor replaces it by a rename (a watch on the file itself is lost with the old file), and
    one of our folders being created or removed, which re-arms the first. Nothing else in the
    project is watched, so site/ and .longform-cache/, our own output, never wake us.
    """

    def __init__(self, drafting: Drafting, report):
        super().__init__()
        for name in (*FOLDERS, SETTINGS):
            self.watch(str(drafting.root / name))  # for livereload's log; we watch ourselves
        self.drafting = drafting
        self.report = report
        self.built_state = watched_state(drafting.root)
        self.stops = {"root": threading.Event(), "folders": threading.Event()}
        self.threads: list[threading.Thread] = []
        self.settling = None  # the IOLoop timeout that ends the current quiet spell
        self.told: set[str] = set()

    def start(self, callback) -> bool:
        """Called by livereload before its IOLoop runs; callback calls examine(), then reloads."""
        self.loop, self.callback = ioloop.IOLoop.current(), callback
        self.stops["root"] = self._listen([self.drafting.root], recursive=False,
                                          accept=self._is_ours_at_root)
        self._arm_folders()
        return True

    def stop(self) -> None:
        for stop in self.stops.values():
            stop.set()  # each thread sees it within STEP
        for thread in self.threads:
            thread.join(timeout=1)

    def examine(self):
        """Called once per batch of changes: rebuild if a watched file changed since the last
        build (a batch may hold only a temp file that came and went)."""
        state = watched_state(self.drafting.root)
        if state == self.built_state:
            return None, None
        self.built_state = state
        shown = str(self.drafting.error or "")
        outcome = self.drafting.rebuild()
        self.report(outcome)
        if not outcome.written and str(outcome.error or "") == shown:
            return None, None  # a save that changed no page: reloading would only flicker
        # '__livereload__' makes livereload reload at once instead of holding reloads 3 s apart.
        self.filepath = "__livereload__"
        return "__livereload__", None

    def _arm_folders(self) -> None:
        """(Re)start the recursive watch on those of our folders that exist now."""
        self.stops["folders"].set()
        root = self.drafting.root
        folders = [root / name for name in FOLDERS if (root / name).is_dir()]
        if folders:
            self.stops["folders"] = self._listen(folders, recursive=True, accept=self._is_source)
        # A file saved into a new folder before its watch began is in no event: a snapshot
        # taken once the watch surely runs finds it (at start: a save during the first build).
        self.loop.call_later(ARMED_WITHIN, self.callback)

    def _is_ours_at_root(self, _change, path: str) -> bool:
        return Path(path).name in (*FOLDERS, SETTINGS)

    def _is_source(self, _change, path: str) -> bool:
        return not any(_ignored(part) for part in Path(path).relative_to(self.drafting.root).parts)

    def _listen(self, paths: list[Path], recursive: bool, accept) -> threading.Event:
        """Watch in a thread that hands each batch to the IOLoop's thread, which also serves:
        a rebuild never runs while a page is being served. → the event that stops it."""
        stop = threading.Event()

        def run():
            try:
                for changes in batches(paths, recursive, accept, stop, self._tell):
                    self.loop.add_callback(self._heard, changes)
            except FileNotFoundError:  # a folder went between our look and the watch
                self.loop.add_callback(self._arm_folders)

        self.threads = [t for t in self.threads if t.is_alive()]
        self.threads.append(threading.Thread(target=run, daemon=True))
        self.threads[-1].start()
        return stop

    def _tell(self, line: str) -> None:
        self.loop.add_callback(self._say, line)  # from a watch thread: print on the IOLoop's

    def _say(self, line: str) -> None:
        if line not in self.told:  # both watches may hit the same limit: one line
            self.told.add(line)
            print(line, flush=True)

    def _heard(self, changes: set) -> None:
        if any(Path(path).parent == self.drafting.root and Path(path).name in FOLDERS
               for _, path in changes):
            self._arm_folders()
        # Each batch starts the quiet spell again: the rebuild waits for QUIET without news.
        if self.settling is not None:
            self.loop.remove_timeout(self.settling)
        self.settling = self.loop.call_later(QUIET, self._settled)

    def _settled(self) -> None:
        self.settling = None
        self.callback()


POLL_SECONDS = 0.1  # only when the system cannot give us events (see batches)


def batches(paths: list[Path], recursive: bool, accept, stop: threading.Event, tell,
            watch=watchfiles.watch):
    """watchfiles' batches of changes under paths until stop is set. When the system refuses
    more inotify watches (its limit is shared with every editor and tool running), tell the
    writer in one line and look by polling instead of watching nothing."""
    polling = False
    while True:
        try:
            yield from watch(*paths, watch_filter=accept, recursive=recursive,
                             step=round(STEP * 1000), stop_event=stop, force_polling=polling,
                             poll_delay_ms=round(POLL_SECONDS * 1000))
            return
        except FileNotFoundError:
            raise
        except OSError:
            if polling:
                raise
            polling = True
            tell(f"serve: the system's limit on watched folders is reached "
                 f"(fs.inotify.max_user_watches); looking for changes every {POLL_SECONDS} s "
                 "instead")


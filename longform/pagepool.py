"""Pages rendered across the machine's cores: this process and forked helpers each take the
next slice of the pages until none is left.

A slice is claimed by reading its number from a pipe that holds them all (a read of two bytes
is atomic, and a drained pipe reads as its end), so a process slowed by the rest of the machine
simply takes fewer slices. A helper writes each slice it rendered to a file of its own, never
waiting for this process to read it: a process pool's pipe, read by a thread of a process busy
rendering, kept its worker waiting on the lock that thread needed. A slice no file came back
for (a helper killed meanwhile) is rendered here.
"""

import os
import pickle
import tempfile
from collections.abc import Callable

SLICES_EACH = 8  # slices a process: the pages shared out evenly, and no slice's file large


def rendered_across(render: Callable, pages: list, helpers: int,
                    first: Callable | None = None) -> list:
    """[render(page) for page in pages], shared with `helpers` forked processes. `render`
    raises ContentError for a page it cannot render: the error of the first slice (the pages
    `start::slices`) met is raised, once every slice has rendered. `first()`, if given, runs
    in this process once the helpers are forked, before it claims a slice: the helpers take
    more of the slices meanwhile."""
    slices = min((helpers + 1) * SLICES_EACH, len(pages), 4096)
    try:
        folder_made = tempfile.TemporaryDirectory(prefix="longform-pages-")
    except OSError:  # nowhere to put a helper's slices: this process renders them all
        if first is not None:
            first()
        return [render(page) for page in pages]
    with folder_made as folder:
        claims = _claims(slices)
        children: list[int] = []
        try:
            for _ in range(helpers):
                if pid := _forked(render, pages, slices, claims, folder):
                    children.append(pid)
            if first is not None:
                first()
            ours = {start: _slice(render, pages, start, slices)
                    for start in _claimed(claims)}
        finally:
            os.close(claims)
            for pid in children:
                os.waitpid(pid, 0)
        result = [b""] * len(pages)
        for start in range(slices):
            rendered = ours[start] if start in ours else _left(folder, start)
            if rendered is None:
                rendered = _slice(render, pages, start, slices)
            if isinstance(rendered, Exception):
                raise rendered
            result[start::slices] = rendered
    return result


def _claims(slices: int) -> int:
    """A pipe's read end holding each slice number, its write end closed (so that a reader
    finds it drained rather than waiting for more)."""
    read, write = os.pipe()
    try:
        os.write(write, b"".join(start.to_bytes(2, "big") for start in range(slices)))
    finally:
        os.close(write)
    return read


def _claimed(claims: int):
    """The slice numbers this process claims, one at a time, until none is left."""
    while len(number := os.read(claims, 2)) == 2:
        yield int.from_bytes(number, "big")


def _slice(render: Callable, pages: list, start: int, slices: int):
    """A slice's pages rendered, or the error that stopped them."""
    from .errors import ContentError
    try:
        return [render(page) for page in pages[start::slices]]
    except ContentError as err:
        return err


def _forked(render: Callable, pages: list, slices: int, claims: int, folder: str
            ) -> int | None:
    """A helper process (its id) rendering the slices it claims into folder, a file each;
    None if the system would start no more processes (this one renders their share)."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return pid
    try:  # the helper: it leaves by os._exit, running none of the parent's exit handlers
        for start in _claimed(claims):
            path = os.path.join(folder, str(start))
            with open(path + ".part", "wb") as file:
                pickle.dump(_slice(render, pages, start, slices), file, pickle.HIGHEST_PROTOCOL)
            os.replace(path + ".part", path)  # whole, or not there at all
    finally:
        os._exit(0)


def _left(folder: str, start: int):
    """The slice a helper rendered, or None if none did."""
    try:
        with open(os.path.join(folder, str(start)), "rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        return None

"""longform/pagepool.py: pages rendered across processes come back whole and in order, with
the first slice's error, and a helper that dies leaves its slices to the build's process."""

import os
import tempfile
import time

import pytest

from longform.errors import ContentError
from longform.pagepool import rendered_across

PAGES = [f"page-{n}" for n in range(300)]


@pytest.mark.parametrize("helpers", [1, 3])
def test_every_page_comes_back_in_order(helpers):
    def render(page: str) -> bytes:
        time.sleep(0.001)  # a page takes time, so the helpers start before the pages run out
        return f"<p>{page} by {os.getpid()}</p>".encode()
    pages = rendered_across(render, PAGES, helpers)
    assert [page.split(b" by ")[0] for page in pages] == [f"<p>{p}".encode() for p in PAGES]
    # The helpers rendered some of them: the work was shared.
    assert len({page.split(b" by ")[1] for page in pages}) > 1


def test_the_first_slices_error_is_raised():
    def render(page: str) -> bytes:
        if page in ("page-290", "page-5", "page-17"):
            raise ContentError("templates/essay.html", 3, f"cannot render {page}")
        return page.encode()
    # 16 slices: page-17 is in slice 1, page-5 in slice 5, page-290 in slice 2.
    with pytest.raises(ContentError, match="cannot render page-17"):
        rendered_across(render, PAGES, 1)


def test_a_helper_that_dies_leaves_its_slices_to_this_process():
    parent = os.getpid()

    def render(page: str) -> bytes:
        if os.getpid() != parent:
            os._exit(9)  # killed as it renders its first page
        return page.encode()
    assert rendered_across(render, PAGES, 2) == [p.encode() for p in PAGES]


def test_without_a_temporary_folder_this_process_renders_every_page(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # a folder that is not there
    parent = os.getpid()
    pages = rendered_across(lambda page: f"{page} by {os.getpid()}".encode(), PAGES, 2)
    assert pages == [f"{p} by {parent}".encode() for p in PAGES]

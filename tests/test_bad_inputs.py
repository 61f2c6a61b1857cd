"""Every bad input of tests/bad_inputs.py, as a writer meets it: `python build.py` prints one
line `path:line: message` and exits 1, with no traceback, leaving the previous site/ as it was."""

import shutil

import pytest
from bad_inputs import CASES, Case
from conftest import REPO, SETTINGS, SITES, Project, build_process, pyproject_text


@pytest.fixture(scope="module")
def built_basic(tmp_path_factory):
    """tests/sites/basic, built once; each case starts from a copy of it, site/ included."""
    root = tmp_path_factory.mktemp("basic") / "project"
    shutil.copytree(SITES / "basic", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    result = build_process(Project(root))
    assert result.status == 0, result.err
    return root


def snapshot(folder) -> dict:
    """Every file below folder: bytes and modification time (hard links keep both)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_table_is_large_enough():
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, built_basic, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(built_basic, root, symlinks=True)
    project = Project(root)
    before = snapshot(project.out)
    for relative, data in case.files.items():
        project.write(relative, data)
    result = build_process(project)
    assert result.status == 1, result.out + result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().split("\n")
    if lines[-1].endswith("Nothing was published."):  # the count, after every problem
        assert lines.pop().startswith("1 error, "), result.err
    lines = [line for line in lines if ": warning: " not in line]
    assert len(lines) == 1, result.err
    assert lines[0].startswith(case.where + ": "), lines[0]
    assert case.message in lines[0], lines[0]
    assert snapshot(project.out) == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []

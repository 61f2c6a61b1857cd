"""What a social card costs: every essay of a generated corpus gets its card drawn, in this
one process, as a render worker draws them.

    python bench/cards_bench.py [--essays 1000] [--longform CHECKOUT]

Prints CPU time per card (process time: on a shared machine wall time is not the card's own),
the first card's separately (it loads the fonts and fills the glyph caches), and the PNGs'
sizes. --longform measures another checkout's cards.card_png or cardimage.card_png, so a
before and an after can be taken on the same corpus in the same minutes.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from harness import REPO, corpus

SITE, HOST = "Longform", "essays.example.com"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=1000)
    parser.add_argument("--longform", type=Path, default=REPO, help="checkout to measure")
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


def card_drawing():
    """card_png of the checkout on sys.path: cardimage.py's, or cards.py's before it."""
    try:
        from longform.cardimage import card_png
    except ImportError:
        from longform.cards import card_png
    return card_png


if __name__ == "__main__":
    main()

"""Lighthouse on the example site, served gzipped as static hosts serve it.

    python bench/lighthouse.py [--runs 3]

Needs Node 20 and the pinned Lighthouse in bench/ (`cd bench && npm ci`; package.json pins
lighthouse 12.2.3, installed with `npm i -E`), and Debian's chromium at /usr/bin/chromium (or
CHROME_PATH). Builds the repository's example site into bench/work/lighthouse/, serves it from
a small HTTP server that gzips text as Netlify, Cloudflare Pages or GitHub Pages do, and runs
Lighthouse's default mobile configuration (Moto G Power, simulated slow 4G and 4x CPU) on the
home page, an essay without a chart and a chart essay, each --runs times. Lighthouse's
simulated throttling scales with how busy the machine is, so the table gives every run, and
the median. Writes bench/lighthouse.md. Not part of the test suite.
"""

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness import BENCH, REPO, WORK, machine

LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {
    "home page": "",
    "essay without a chart": "essays/gpt-4-5-and-the-scaling-wall/",
    "chart essay": "essays/diminishing-returns-of-scale/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP",
           "total-blocking-time": "TBT", "cumulative-layout-shift": "CLS",
           "speed-index": "SI"}
EXAMPLE = ("content", "templates", "charts", "pyproject.toml")
GZIPPED = (".html", ".css", ".js", ".svg", ".json", ".xml", ".txt")


class GzipHandler(SimpleHTTPRequestHandler):
    """Files from the built site, text gzipped when the browser accepts it (as hosts do)."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in GZIPPED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        from io import BytesIO
        return BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 - the name http.server uses
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} missing: run `npm ci` in bench/")
    site = built_example(WORK / "lighthouse")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    load_before = os.getloadavg()[0]
    results = {name: [audit(base + path) for _ in range(args.runs)]
               for name, path in PAGES.items()}
    server.shutdown()
    facts = machine(REPO) | {"lighthouse": lighthouse_version(),
                             "load": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"}
    report = markdown(results, facts, args.runs)
    (BENCH / "lighthouse.md").write_text(report)
    print(report)


def built_example(work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in EXAMPLE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, work / name)
        else:
            shutil.copy2(source, work / name)
    subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(work)], cwd=work,
                   check=True, capture_output=True, text=True)
    return work / "site"


def audit(url: str) -> dict:
    """One Lighthouse run (default config: mobile) → category scores and metrics."""
    out = WORK / "lighthouse-report.json"
    subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        check=True, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300)
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    metrics = {short: report["audits"][key]["numericValue"] for key, short in METRICS.items()}
    failing = sorted(key for key, item in report["audits"].items()
                     if item.get("score") is not None and item["score"] < 1
                     and item.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    return {"scores": scores, "metrics": metrics, "failing": failing}


def lighthouse_version() -> str:
    run = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True)
    return run.stdout.strip()


def markdown(results: dict, facts: dict, runs: int) -> str:
    lines = ["# Lighthouse on the example site", "",
             f"Lighthouse {facts['lighthouse']}, default (mobile) configuration, "
             "simulated throttling, Debian Chromium headless; the site built by "
             "`python build.py` and served gzipped from a local server "
             "(`python bench/lighthouse.py`). "
             f"{runs} runs a page; scores are performance / accessibility / best practices / "
             "SEO.", "",
             *(f"- {key}: {value}" for key, value in facts.items()), "",
             "| page | run | scores | FCP ms | LCP ms | TBT ms | CLS | SI ms |",
             "|---|---|---|---|---|---|---|---|"]
    for name, samples in results.items():
        for index, sample in enumerate(samples, 1):
            lines.append(row(name, str(index), sample))
        median = {"scores": {c: statistics.median(s["scores"][c] for s in samples)
                             for c in CATEGORIES},
                  "metrics": {m: statistics.median(s["metrics"][m] for s in samples)
                              for m in METRICS.values()}}
        lines.append(row(name, "**median**", median))
    failing = sorted({f"{name}: {key}" for name, samples in results.items()
                      for s in samples for key in s["failing"]})
    lines += ["", "Audits below full marks in any run: " + (", ".join(failing) or "none") + "."]
    return "\n".join(lines) + "\n"


def row(name: str, run: str, sample: dict) -> str:
    scores = " / ".join(f"{sample['scores'][c]:g}" for c in CATEGORIES)
    m = sample["metrics"]
    return (f"| {name} | {run} | {scores} | {m['FCP']:.0f} | {m['LCP']:.0f} | {m['TBT']:.0f} "
            f"| {m['CLS']:.3f} | {m['SI']:.0f} |")


if __name__ == "__main__":
    main()

"""The command line: build (the default), serve, new and check."""

import argparse
import sys
import time
from pathlib import Path

from .config import load_config
from .errors import ContentError


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="build.py", description="Build a Longform essay site.")
    ap.add_argument("command", nargs="?", default="build", choices=["build"],
                    help="what to do (default: build)")
    ap.add_argument("--root", type=Path, default=Path("."),
                    help="the project folder holding content/ and templates/ (default: .)")
    ap.add_argument("--out", type=Path, help="output folder (default: ROOT/site)")
    ap.add_argument("--drafts", action="store_true", help="include essays marked draft: true")
    ap.add_argument("--base-url", help="the URL the site is served from, e.g. "
                                       "https://me.github.io/blog/")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return run(args)
    except ContentError as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    config = load_config(root, base_url=args.base_url, include_drafts=args.drafts or None)
    return build_command(config, (args.out or root / "site"))


def build_command(config, out_dir: Path) -> int:
    from .cache import code_version, load_memo, save_memo
    from .pipeline import build
    from .publish import publish
    started = time.perf_counter()
    result = build(config, load_memo(config.cache_dir, code_version()))
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    changed = publish(result.files, out_dir)
    if result.changed_memo:
        save_memo(config.cache_dir, result.memo)
    seconds = time.perf_counter() - started
    print(f"Built {len(result.site.essays)} essays ({result.rendered} rendered, "
          f"{len(result.site.essays) - result.rendered} cached), {len(result.files)} files "
          f"({changed} changed) into {out_dir} in {seconds:.2f} s")
    return 0

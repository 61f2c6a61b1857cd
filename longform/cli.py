"""The command line: build (the default), serve, new, check and import."""

import os
import sys
import time
from pathlib import Path

# Only what a rebuild with nothing changed needs is imported here (at 1,000 essays it takes
# 70 ms, two thirds of them Python starting): argparse, the settings and the errors are
# imported where they are used.
COMMANDS = ("build", "serve", "new", "check", "import")


def parser():
    import argparse
    ap = argparse.ArgumentParser(prog="build.py", description="Build a Longform essay site.")
    commands = ap.add_subparsers(dest="command", metavar="{build,serve,new,check,import}")
    build = commands.add_parser("build", help="build content/ into site/ (the default)")
    _common(build)
    build.add_argument("--out", type=Path, help="output folder (default: ROOT/site)")
    build.add_argument("--drafts", action="store_true", help="include essays marked draft")
    build.add_argument("--base-url", help="where the site is served from, e.g. "
                                          "https://me.github.io/blog/")
    build.add_argument("--default-base-url", metavar="URL",
                       help="the base URL to use when [tool.longform] sets none (CI passes "
                            "the host's address)")
    serve = commands.add_parser("serve", help="preview with drafts; reloads as you save")
    _common(serve)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: loopback only)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    check = commands.add_parser("check", help="report every problem, writing nothing")
    _common(check)
    check.add_argument("--drafts", action="store_true", help="check drafts as if published")
    check.add_argument("--base-url", help="check links as if served from this URL")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--external", action="store_true",
                       help="also fetch links to other sites and report dead ones")
    new = commands.add_parser("new", help="start a new essay as a draft")
    _common(new)
    new.add_argument("title", help='the essay\'s title, e.g. "Why scale is not enough"')
    bring = commands.add_parser("import", help="bring a Jekyll or Hugo site into this project")
    _common(bring)
    bring.add_argument("source", type=Path, help="the folder of the Jekyll or Hugo site")
    return ap


def _common(sub) -> None:
    sub.add_argument("--root", type=Path, default=Path("."),
                     help="the project folder holding content/ and templates/ (default: .)")


def main(argv: list[str] | None = None, keep: list | None = None) -> int:
    """The command's exit status. `keep`, if given, is handed a build's objects (its memo,
    records and pages) instead of their being torn down as the build returns: for a caller
    about to leave the process without tearing anything down (build.py)."""
    argv = with_command_first(sys.argv[1:] if argv is None else argv)
    args = plain_build(argv) or parser().parse_args(argv)
    # numpy's BLAS on one thread (set before numpy is first imported; a value the writer set
    # stays): its matrix products, the related scores, run while Pagefind and the pages keep
    # every core busy, and a second BLAS thread only spun waiting for one: the scoring of a
    # cold build of 1,000 essays took 0.21-0.26 s of CPU so, against 0.31-0.56 s.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        return run(args, keep)
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        from .errors import ContentError, Problems
        if isinstance(err, ContentError):
            print(err, file=sys.stderr)
            return 1
        if isinstance(err, Problems):
            print(problems_report(err), file=sys.stderr)
            return 1
        raise


LISTED = 50  # build and the serve overlay list this many problems, then how many more


def problems_report(found) -> str:
    """Every problem (up to LISTED) in file and line order, then the count; site/ is untouched."""
    from .check import count_line
    errors = len(found.errors)
    return "\n".join([*found.lines(LISTED), count_line(errors, len(found.problems) - errors)
                      + " Nothing was published."])


VALUED = {"--root", "--out", "--base-url", "--default-base-url", "--port", "--host"}


def with_command_first(argv: list[str]) -> list[str]:
    """`--root X serve` and `--drafts` (build is the default) both read as the writer meant."""
    argv = list(argv)
    for i, token in enumerate(argv):
        if token in COMMANDS and (i == 0 or argv[i - 1] not in VALUED):
            return [token, *argv[:i], *argv[i + 1:]]
        if token in ("-h", "--help") and i == 0:
            return argv
    return ["build", *argv]


BUILD_OPTIONS = {"--root": "root", "--out": "out", "--base-url": "base_url",
                 "--default-base-url": "default_base_url"}


def plain_build(argv: list[str]):
    """The arguments of `build` as argparse would read them, when they are only options of
    build's given as `--option value` or `--drafts`; else None (argparse reads them, and
    explains any mistake). Importing argparse and making the parser cost more than the rest
    of a no-change rebuild's start."""
    from types import SimpleNamespace
    args = SimpleNamespace(command="build", root=Path("."), out=None, drafts=False,
                           base_url=None, default_base_url=None)
    if not argv or argv[0] != "build":
        return None
    rest = argv[1:]
    while rest:
        option = rest.pop(0)
        if option == "--drafts":
            args.drafts = True
        elif option in BUILD_OPTIONS and rest and not rest[0].startswith("-"):
            value = rest.pop(0)
            setattr(args, BUILD_OPTIONS[option], Path(value) if option in ("--root", "--out")
                    else value)
        else:
            return None
    return args


def run(args, keep: list | None = None) -> int:
    root = args.root.resolve()
    if args.command == "serve":
        from .serve import port_problem, serve
        problem = port_problem(args.host, args.port)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        return serve(root, args.host, args.port, args.open)
    if args.command == "new":
        return new_command(root, args.title)
    if args.command == "import":
        from . import importer
        return importer.main(args.source, root)
    overrides = {"base_url": args.base_url, "include_drafts": args.drafts or None,
                 "default_base_url": getattr(args, "default_base_url", None)}
    if args.command == "check":
        from . import check
        from .config import load_config
        return check.main(load_config(root, **overrides), args.strict, args.external)
    return build_command(root, overrides, (args.out or root / "site"), keep)


def build_command(root: Path, overrides: dict, out_dir: Path, keep: list | None = None) -> int:
    """Build unless nothing changed since a build whose output is intact (then the settings
    are not even read: pyproject.toml is one of the inputs the record vouches for). `keep`:
    as main's."""
    from .lastbuild import input_fingerprint, last_build, last_record, record_build
    started = time.perf_counter()
    record = last_record(root)
    inputs, hashes, known = "", {}, None  # without a record: fingerprinted as the build starts
    if record:
        inputs, hashes = input_fingerprint(root, overrides, out_dir, record.get("inputs"))
        known = last_build(record, inputs, out_dir)
    manifest: dict = {}  # what publish leaves in out_dir
    if known:  # nothing changed since a build whose output is intact
        counts, warnings = {**known["summary"], "rendered": 0, "changed": 0}, known["warnings"]
        manifest = known["manifest"]
    else:
        import gc

        from .lastbuild import CACHE_FOLDER
        from .regexcache import kept_programs
        # A build's objects mostly live until it ends (records, pages, the memo), so the
        # collector's default (a young collection every 700 new objects) scanned them over and
        # over: 0.6 s of a cold build's main process at 1,000 essays, more in the forked
        # render workers, which inherit this. Put back after: a caller may live on (tests).
        thresholds = gc.get_threshold()
        gc.set_threshold(10_000, 10, 10)
        try:
            with kept_programs(root / CACHE_FOLDER):
                if not record:  # every input file to hash, while the stages are imported
                    inputs, hashes = _fingerprinted_while_importing(root, overrides, out_dir)
                from .config import load_config
                from .publish import check_output_folder
                config = load_config(root, **overrides)
                check_output_folder(out_dir, config.root)
                counts, warnings = full_build(config, out_dir, record, manifest, hashes, keep)
        finally:
            gc.set_threshold(*thresholds)
    for warning in warnings:
        print(warning, file=sys.stderr)
    # Also when files hashed last time within the racy window have settled since: the next
    # rebuild then takes them by their signature instead of reading them again.
    if not known or hashes != known.get("inputs"):
        record_build(root, inputs, out_dir, known["summary"] if known else counts, warnings,
                     hashes, manifest)
    print(summary(counts, time.perf_counter() - started))
    return 0


def _fingerprinted_while_importing(root: Path, overrides: dict, out_dir: Path):
    """lastbuild.input_fingerprint, for a build without a record (a new site, a deleted
    cache), worked out by a forked process while this one imports the build's stages (some
    80 ms each at 1,000 essays)."""
    from .lastbuild import fingerprint_meanwhile
    fingerprint = fingerprint_meanwhile(root, overrides, out_dir)
    from . import pipeline, publish  # noqa: F401 — imported for full_build, meanwhile
    return fingerprint()


def full_build(config, out_dir: Path, record: dict, manifest: dict, hashed: dict,
               keep: list | None = None) -> tuple[dict, list[str]]:
    """Run the pipeline (with the memo) and publish; the counts for the summary line. What
    publish leaves in out_dir goes into manifest. hashed: the input files' (stat signature,
    sha256) the whole-build check took. `keep`, if given, gets the build and the memo read
    (tearing them down as this returns took 10 ms of a one-essay rebuild at 1,000 essays)."""
    from .lastbuild import last_left
    from .renderworker import worker_for
    out = (out_dir.resolve(), *last_left(record, out_dir))
    # Forked first, before the pipeline is imported: the worker imports what rendering needs
    # (Markdown, Pygments, Pillow for the card), looks at out_dir and renders a small essay
    # on the other core while this one imports the pipeline and reads the memo.
    worker = worker_for(config.content_dir, config.charts_dir, record.get("inputs"), hashed,
                        out=out)
    try:
        from .cache import code_version, load_memo, save_memo, whole_save
        from .pipeline import build
        from .publish import publish
        previous = load_memo(config.cache_dir, code_version(), staged=True)
        with progress_bar() as progress:
            result = build(config, previous, progress, out=out,
                           search_later=True, hashed=hashed, worker=worker)
    finally:
        if worker is not None:
            worker.close()
    if whole_save(result.memo, previous):
        # A new site's pages (90 MB at 5,000 essays), held until its cache is saved: the
        # cache keeps no page bytes, and publish lets go of its copy as it writes them.
        result.memo.pages.update((path, (key, None))
                                 for path, (key, _) in result.memo.pages.items())
    # The entries are written while Pagefind finishes (the last thing a build waits for: an
    # edit's shard, a new site's last shards), and the search's rows after it.
    early = result.rendered or result.pages_rendered
    saved: list = []  # the parts saved

    def search_files():
        if early:
            save_memo(config.cache_dir, result.memo, previous, ("entries",))
            saved.append("entries")
        yield from result.search.results()

    left = out[1]
    try:  # the rest of site/ is written while Pagefind finishes the search index
        changed = publish(result.files, out_dir, {path: left[path] for path in result.kept
                                                  if path in left}, manifest,
                          pending=search_files, listed=result.listed)
    finally:
        result.search.cancel()
    essays = result.site.essays
    counts = {"essays": len(essays), "rendered": result.rendered, "changed": changed,
              "pages": sum(1 for path in result.files if path.endswith((".html", ".xml"))),
              "charts": sum(len(e.charts) for e in essays)}
    if keep is not None:
        keep.append((result, previous))
    if saved:
        save_memo(config.cache_dir, result.memo, previous, ("search",))
    elif result.changed_memo:
        # The pages are in site/ now: let saving the memo reuse their memory.
        result.files.clear()
        save_memo(config.cache_dir, result.memo, previous)
    return counts, [str(w) for w in result.warnings]


def summary(counts: dict, seconds: float) -> str:
    return (f"{counts['essays']} essays, {counts['pages']} pages, {counts['charts']} charts: "
            f"{counts['rendered']} rendered, {counts['essays'] - counts['rendered']} cached; "
            f"{counts['changed']} files changed; {seconds:.2f} s")


class progress_bar:  # noqa: N801 — used as a context manager, reads like a function
    """A rich progress bar on a terminal when many essays render; silent under CI or a pipe."""

    THRESHOLD = 50

    def __init__(self):
        self.bar = None
        self.task = None
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.THRESHOLD:
            return
        if self.bar is None:
            from rich.progress import Progress
            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task("Rendering essays", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _essay_with_slug(content_dir: Path, slug: str) -> Path | None:
    from .content import essay_files, load_essay
    from .errors import ContentError
    for path in essay_files(content_dir):
        try:
            if load_essay(path).slug == slug:
                return path
        except ContentError:
            continue  # a broken essay is the build's to report, not new's
    return None


def new_command(root: Path, title: str) -> int:
    """content/SLUG.md with the frontmatter filled in; never overwrites."""
    from datetime import date

    from .config import load_config
    from .content import slugify
    from .errors import ContentError
    config = load_config(root)
    slug = slugify(title)
    if not slug:
        raise ContentError(Path("content"), 1, f"the title '{title}' has no letters or digits "
                                               "to make a file name from")
    path = config.content_dir / f"{slug}.md"
    if path.exists():
        raise ContentError(path, 1, "this essay already exists; pick another title or edit it")
    taken = _essay_with_slug(config.content_dir, slug)
    if taken:
        raise ContentError(taken, 1, f"this essay already has the slug '{slug}'; pick another "
                                     "title or edit it")
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    author = f"author: {config.default_author}\n" if config.default_author else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'---\ntitle: "{quoted}"\ndate: {date.today().isoformat()}\ndek: \n'
                    f"category: \ntags: []\n{author}draft: true\n---\n\nStart writing here.\n",
                    "utf-8")
    print(f"Wrote {path} (a draft: `python build.py serve` shows it)")
    return 0

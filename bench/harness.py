"""Timing and machine facts shared by the benchmarks: one child process, its wall time and RSS."""

import atexit
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MAKE_CORPUS = BENCH / "make_corpus.py"
CORPORA = BENCH / "corpus"
WORK = BENCH / "work"
TRASH = WORK / ".trash"
CLEARED = WORK / ".trash-cleared"  # when the trash was last deleted (a time.time())
# ext4 forgets a freed inode as "recently deleted" once its inode table block is written back
# (dirty_expire_centisecs, 30 s here) and a minute has passed (RECENTCY_MIN in
# fs/ext4/ialloc.c), whichever is later.
QUIET_S = 65


# Every tool runs as on a writer's machine: Python caches compiled modules (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which would make each Longform and Pelican run compile its own
# sources again, ~0.2 s, a cost no installed copy pays).
TOOL_ENV = {name: value for name, value in os.environ.items()
            if name != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float
    error: str | None = None  # last line of the tool's output when it failed
    cpu_s: float = 0.0  # user + system seconds, with the processes it waited for


def timed(cmd: list[str], cwd: Path | None = None) -> Sample:
    """Run one build and return its wall time, its own peak RSS (from wait4, not the
    process-wide RUSAGE_CHILDREN maximum, which would carry over from earlier children) and
    its CPU time, which wait4 gives with that of the processes the build waited for (render
    workers, Pagefind)."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=TOOL_ENV,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        cpu_s = usage.ru_utime + usage.ru_stime
        if proc.returncode == 0:
            return Sample(seconds, rss_mb, cpu_s=cpu_s)
        log.seek(0)
        return Sample(seconds, rss_mb, _last_line(log.read()) or f"exit {proc.returncode}",
                      cpu_s)


def set_aside(path: Path) -> None:
    """Move a folder the next run must not find (an output, a cache) into WORK/.trash/, deleted
    when the runs are over (clear_aside), not now. On a file system like this machine's (ext4
    without a journal), every file created within a minute of a deletion is given its inode
    only after each inode freed meanwhile is looked at and passed over (recently_deleted in
    fs/ext4/ialloc.c): the bench's own `rm -rf` of the last build's 4,400 files made a cold
    1,000-essay Longform build that followed take 1.4-4.3 s more system CPU (1.7 s against
    3.1-6.0 s), growing with each run, and every tool paid in proportion to the files it
    writes times those freed. No writer's build runs seconds after deleting thousands of files
    on such a file system; journaled ext4 never looks."""
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(Path(tempfile.mkdtemp(dir=TRASH)) / path.name)
        # Only a script that set something aside deletes the trash as it ends (once: a second
        # register would run it twice); a test importing this module must not, mid-bench.
        atexit.unregister(clear_aside)
        atexit.register(clear_aside)


def clear_aside() -> None:
    """Delete what set_aside moved away (when the script ends, or the next one starts), and
    note when: quiet() waits a minute past it."""
    if TRASH.exists():
        shutil.rmtree(TRASH, ignore_errors=True)
        CLEARED.write_text(f"{time.time()}\n")


def quiet() -> None:
    """Delete what a killed script left aside, then wait until QUIET_S past the last such
    deletion (this one's or an earlier bench's), so that none of the inodes it freed is still
    passed over when the first timed build creates its files."""
    clear_aside()
    try:
        since = time.time() - float(CLEARED.read_text())
    except (OSError, ValueError):
        return
    if since < QUIET_S:
        print(f"waiting {QUIET_S - since:.0f} s for the file system to settle after deleting "
              "the last runs' folders", file=sys.stderr)
        time.sleep(QUIET_S - since)


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")


def corpus(essays: int, flavor: str, features: bool = False) -> Path:
    """The generated corpus for this size and flavour, made once and kept in bench/corpus/;
    with features, the essays also use math, Liquid, shortcodes and images (make_corpus.py)."""
    out = CORPORA / f"{flavor}{'-features' if features else ''}-{essays}"
    if len(list(out.glob("*.md"))) != essays:
        subprocess.run(
            [sys.executable, MAKE_CORPUS, out, "--essays", str(essays), "--flavor", flavor]
            + (["--features"] if features else []),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def machine(repo: Path = REPO) -> dict[str, str]:
    return {
        "date": datetime.date.today().isoformat(),
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "commit": commit_of(repo),
    }


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes (the median of three): a shared machine's speed
    moves by half from one hour to the next, and the tools' times with it, not always alike."""
    import statistics
    import time
    times = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for step in range(3_000_000):
            total += step
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def commit_of(repo: Path) -> str:
    """The checkout's commit, marked when its engine or theme differs from it."""
    commit = _git(repo, "rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git(repo, "status", "--porcelain", "--", "longform", "templates", "build.py")
    return f"{commit} plus uncommitted changes" if dirty else commit


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    return done.stdout.strip()


def version_of(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"n/a ({exc})"
    return _last_line((done.stdout or done.stderr).encode()) or "n/a"

"""Timing and machine facts shared by the benchmarks: one child process, its wall time and RSS."""

import datetime
import os
import platform
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

"""longform/indexer.py: Pagefind's runs in a scratch folder in memory, their failures as their
last line, and Pagefind's hash-map-ordered files re-encoded in one order, under any shard's
folder."""

import json
import os
from concurrent.futures import CancelledError
from pathlib import Path

import pytest

from longform import indexer
from longform.indexer import RunFailed, Runs, _cbor_bytes, _decoded, _encoded, steady


@pytest.mark.parametrize("base", ["pagefind/", "pagefind/shard-3/"])
def test_filters_and_metadata_come_out_in_one_order_whatever_order_pagefind_used(base):
    def filter_file(values):
        return _encoded(["tag", values])

    ordered = [["Harbours", [0, 2]], ["Light", [0]], ["Tides", [1]]]
    names = []
    for values in (ordered, ordered[::-1]):
        bundle = {f"{base}filter/en_1111111.pf_filter": filter_file(values),
                  f"{base}pagefind.en_aaaaaaaaaa.pf_meta": _encoded(
                      ["1.5.2", [], [], [["tag", "en_1111111"]], [], []]),
                  f"{base}pagefind-entry.json": b'{"languages":{"en":{"hash":'
                                                  b'"en_aaaaaaaaaa"}}}'}
        result = steady(bundle, base)
        names.append(result)
    assert names[0] == names[1]
    [filter_name] = [n for n in names[0] if n.endswith(".pf_filter")]
    assert _decoded(names[0][filter_name]) == ["tag", ordered]
    [meta] = [n for n in names[0] if n.endswith(".pf_meta")]
    assert _decoded(names[0][meta])[3] == [["tag", filter_name.split("/")[-1][:-10]]]
    entry = json.loads(names[0][f"{base}pagefind-entry.json"])
    assert f"{base}pagefind.{entry['languages']['en']['hash']}.pf_meta" == meta
    assert all(name.startswith(base) and "/" not in name[len(base):].removeprefix("filter/")
               for name in names[0])
    assert _cbor_bytes(300) == b"\x19\x01\x2c" and _cbor_bytes("é") == b"\x62\xc3\xa9"


# --- Pagefind's service -----------------------------------------------------------------------

def test_the_same_documents_give_the_same_bundle_however_the_shards_queue():
    documents = [(f"essays/e{n}/index.html", lambda n=n: (
        f'<html lang="en"><body><article data-pagefind-body><h1>Essay {n}</h1>'
        f'<p>{"tide " * n}harbour {n}</p><span data-pagefind-filter="tag">t{n % 3}</span>'
        f"</article></body></html>").encode()) for n in range(40)]
    bundles = []
    for order in (range(4), reversed(range(4))):
        runs = Runs("en-GB")
        try:
            for shard in order:
                runs.start(f"shard-{shard}", documents[shard::4], f"shard-{shard}/" * (shard > 0),
                           shared=shard == 0)
            bundles.append({shard: runs.bundle(f"shard-{shard}") for shard in range(4)})
        finally:
            runs.cancel()
    assert bundles[0] == bundles[1]
    assert "pagefind/pagefind.js" in bundles[0][0] and "pagefind/shard-1/pagefind.js" \
        not in bundles[0][1]
    entry = json.loads(bundles[0][2]["pagefind/shard-2/pagefind-entry.json"])
    assert entry["languages"]["en"]["page_count"] == 10


def test_a_lane_s_next_shard_is_written_while_its_run_goes_on(tmp_path, monkeypatch):
    # Each run notes, as it starts, which shards' documents the scratch folder holds: the
    # writer thread keeps the lane's next shards ready (so the lane starts the next run as
    # soon as its last one ends), but never more than AHEAD of them waiting.
    from pagefind_bin import get_executable
    log = tmp_path / "starts"
    script = tmp_path / "pagefind"
    script.write_text(
        "#!/bin/sh\n"
        "site=\"$2\"\n"  # --site FOLDER/site
        f"echo \"$(basename \"$(dirname \"$site\")\") $(ls \"$(dirname \"$(dirname \"$site\")\")\" "
        f"| tr '\\n' ' ')\" >> '{log}'\n"
        "sleep 0.3\n"
        f"exec '{get_executable()}' \"$@\"\n")
    script.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    monkeypatch.setattr(indexer, "LANES", 1)
    monkeypatch.setattr(indexer, "AHEAD", 2)
    runs = Runs("en")
    try:
        for shard in range(5):
            runs.start(f"shard-{shard}", [(f"essays/e{shard}/index.html", lambda: (
                b"<html lang='en'><body><p>Harbour lights.</p></body></html>"))],
                f"shard-{shard}/" * (shard > 0), shared=shard == 0)
        for shard in range(5):
            prefix = f"shard-{shard}/" * (shard > 0)
            assert f"pagefind/{prefix}pagefind-entry.json" in runs.bundle(f"shard-{shard}")
    finally:
        runs.cancel()
    starts = [line.split() for line in log.read_text().splitlines()]
    assert [started for started, *_ in starts] == [f"shard-{n}" for n in range(5)]
    for started, *present in starts[1:4]:
        # The next shard was written while the one before ran, before this lane got to it.
        assert f"shard-{int(started.split('-')[1]) + 1}" in present, (started, present)
    for started, *present in starts:
        assert len([name for name in present if name > started]) <= 2, (started, present)


def test_cancel_stops_runs_and_a_writer_waiting_for_room(tmp_path, monkeypatch):
    import time
    script = tmp_path / "pagefind"
    script.write_text("#!/bin/sh\nexec sleep 30\n")
    script.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    monkeypatch.setattr(indexer, "LANES", 1)
    monkeypatch.setattr(indexer, "AHEAD", 1)
    runs = Runs("en")
    for shard in range(4):  # shard-2 and shard-3 wait: one run going, one shard ahead
        runs.start(f"shard-{shard}", [(f"essays/e{shard}/index.html", lambda: b"<p>x</p>")],
                   f"shard-{shard}/" * (shard > 0), shared=shard == 0)
    time.sleep(0.3)
    began = time.perf_counter()
    runs.cancel()
    assert time.perf_counter() - began < 5
    assert all(bundle.done() for bundle in runs.jobs.values())  # none left to wait on for ever
    for shard in range(4):
        with pytest.raises((RunFailed, CancelledError)):
            runs.bundle(f"shard-{shard}")
    assert not runs.folder.exists()


def test_runs_work_in_a_scratch_folder_in_memory_that_cancel_removes(monkeypatch):
    runs = Runs("en")
    try:
        if os.path.isdir("/dev/shm"):
            assert runs.folder.parent == Path("/dev/shm")
        runs.start("shard-0", [("essays/a/index.html", lambda: b"<html lang='en'><body>"
                                b"<p>Harbour lights.</p></body></html>")], "", True)
        assert "pagefind/pagefind-entry.json" in runs.bundle("shard-0")
        assert not (runs.folder / "shard-0").exists()  # read back and gone, run by run
    finally:
        runs.cancel()
    assert not runs.folder.exists()
    # Without a writable /dev/shm (macOS), the system's temporary folder.
    monkeypatch.setattr(indexer, "SCRATCH", "/nonexistent/shm")
    assert indexer.scratch_dir() is None


def test_a_killed_build_s_scratch_folder_goes_with_the_next_build_s_runs(tmp_path,
                                                                        monkeypatch):
    import subprocess
    import sys
    monkeypatch.setattr(indexer, "SCRATCH", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    killed = tmp_path / f"longform-search-{gone}-abc123"
    (killed / "shard-0/site").mkdir(parents=True)
    running = tmp_path / f"longform-search-{os.getpid()}-def456"  # a build still at work
    running.mkdir()
    runs = Runs("en")
    try:
        assert runs.folder.parent == tmp_path
        assert runs.folder.name.startswith(f"longform-search-{os.getpid()}-")
        assert not killed.exists() and running.exists()
    finally:
        runs.cancel()
    assert sorted(p.name for p in tmp_path.iterdir()) == [running.name]


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="lists processes in /proc")
def test_a_killed_build_s_pagefind_runs_are_stopped_before_its_folder_goes(tmp_path,
                                                                         monkeypatch):
    """A build killed outright leaves its Pagefind runs at work; with their folder removed
    under them they would wait for ever. The next build stops them, then removes it."""
    import subprocess
    import sys
    monkeypatch.setattr(indexer, "SCRATCH", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    killed = tmp_path / f"longform-search-{gone}-abc123"
    (killed / "shard-0/site").mkdir(parents=True)
    # A stand-in for its run: a process whose command line names a folder of the dead build's.
    left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                             "--site", str(killed / "shard-0/site")])
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                              "--site", str(tmp_path / "elsewhere/site")])
    try:
        Runs("en").cancel()
        assert left.wait(timeout=30) == -9 and not killed.exists()
        assert other.poll() is None  # not a run of that build: left alone
    finally:
        for process in (left, other):
            process.kill()
            process.wait()


def test_pagefind_failing_fails_each_run_with_its_last_line(tmp_path, monkeypatch):
    script = tmp_path / "pagefind"
    script.write_text("#!/bin/sh\necho 'Running Pagefind'\necho 'panicked at fossick' >&2\n"
                      "exit 101\n")
    script.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    runs = Runs("en")
    try:
        runs.start("shard-0", [("essays/a/index.html", lambda: b"<html></html>")], "", True)
        runs.start("shard-1", [("essays/b/index.html", lambda: b"<html></html>")], "shard-1/",
                   False)
        for shard in ("shard-0", "shard-1"):
            with pytest.raises(RunFailed, match="^panicked at fossick$"):
                runs.bundle(shard)
    finally:
        runs.cancel()


@pytest.mark.parametrize("given", [None, "/opt/pagefind/bin/pagefind"])
def test_the_binary_is_the_one_pagefind_would_pick(monkeypatch, given):
    from pagefind.service import get_executable

    from longform.indexer import pagefind_executable
    if given:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", given)
    else:
        monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    assert pagefind_executable() == str(get_executable())
    assert given is None or pagefind_executable() == given


def niceness_noting_pagefind(tmp_path, monkeypatch) -> Path:
    """PAGEFIND_BINARY_PATH set to a script that writes its niceness to a file, then runs the
    real Pagefind; the file's path."""
    from pagefind_bin import get_executable
    noted = tmp_path / "niceness"
    script = tmp_path / "pagefind"
    script.write_text(f"#!/bin/sh\nnice > '{noted}'\nexec '{get_executable()}' \"$@\"\n")
    script.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    return noted


def one_run(name: str = "shard-0") -> dict:
    runs = Runs("en")
    try:
        runs.start(name, [("essays/a/index.html", lambda: b'<html lang="en"><body>'
                                                         b"<main>Tides and harbours</main>"
                                                         b"</body></html>")], "", True)
        return runs.bundle(name)
    finally:
        runs.cancel()


@pytest.mark.skipif(not __import__("shutil").which("nice"), reason="no nice command")
def test_pagefind_runs_below_the_build_s_priority(tmp_path, monkeypatch):
    # In a rebuild the build's own thread has the longer way to go; Pagefind's threads get
    # the cores it leaves.
    noted = niceness_noting_pagefind(tmp_path, monkeypatch)
    indexer.lowered_priority.cache_clear()
    bundle = one_run()
    assert any(path.endswith(".pf_fragment") for path in bundle)
    assert int(noted.read_text()) == min(19, os.nice(0) + indexer.NICENESS)


def test_without_a_nice_command_pagefind_runs_as_it_is(tmp_path, monkeypatch):
    noted = niceness_noting_pagefind(tmp_path, monkeypatch)
    found = indexer.shutil.which
    monkeypatch.setattr(indexer.shutil, "which", lambda name: None if name == "nice" else
                        found(name))
    indexer.lowered_priority.cache_clear()
    try:
        bundle = one_run()
    finally:
        indexer.lowered_priority.cache_clear()  # found again by the next test that runs one
    assert any(path.endswith(".pf_fragment") for path in bundle)
    assert int(noted.read_text()) == os.nice(0)


def test_pagefind_runs_with_one_worker_thread_whatever_the_build_s_environment(tmp_path,
                                                                               monkeypatch):
    from pagefind_bin import get_executable
    noted = tmp_path / "workers"
    script = tmp_path / "pagefind"
    script.write_text(f"#!/bin/sh\necho \"$TOKIO_WORKER_THREADS\" > '{noted}'\n"
                      f"exec '{get_executable()}' \"$@\"\n")
    script.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    monkeypatch.setenv("TOKIO_WORKER_THREADS", "")  # tokio itself would stop at this one
    bundle = one_run()
    assert any(path.endswith(".pf_fragment") for path in bundle)
    assert noted.read_text().strip() == "1"


def test_a_missing_pagefind_is_named_in_the_failure(tmp_path, monkeypatch):
    missing = tmp_path / "bin" / "pagefind"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(missing))
    runs = Runs("en")
    try:
        runs.start("shard-0", [("essays/a/index.html", lambda: b"<html></html>")], "", True)
        with pytest.raises(RunFailed, match=f"^no Pagefind program at {missing}$"):
            runs.bundle("shard-0")
    finally:
        runs.cancel()

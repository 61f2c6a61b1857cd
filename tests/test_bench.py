"""bench/: the stage profile wraps functions that exist (a renamed stage broke it once, and
nothing else runs it)."""

import importlib

from conftest import REPO


def test_every_stage_the_profile_wraps_is_a_function_of_its_module(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    profile_stages = importlib.import_module("profile_stages")
    for module_name, names in profile_stages.STAGES.items():
        module = importlib.import_module(module_name)
        for name in names:
            owner = module
            for part in name.split("."):
                owner = getattr(owner, part, None)
            assert callable(owner), f"{module_name}.{name}"
    # A label for a stage no longer profiled would never show.
    assert set(profile_stages.LABELS) <= {name for names in profile_stages.STAGES.values()
                                          for name in names}


def test_the_results_give_each_build_s_cpu_seconds_beside_its_wall_time(monkeypatch):
    """The CPU table shows the work each build did (a cold Longform build keeps both cores
    busy, so its wall time follows it): medians, ratios, and n/a where a run failed."""
    import argparse
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    run = importlib.import_module("run")
    from harness import Sample

    def runs(*cpu, error=None):
        return [Sample(1.0, 50.0, error if n == 0 else None, c) for n, c in enumerate(cpu)]
    samples = {"cold": runs(12.0, 13.0, 14.0), "no change": runs(0.1, 0.1, 0.1),
               "one essay edited": runs(0.5, 0.4, 0.6), "one template edited": runs(0.7, 0.7, 0.8),
               "hugo": runs(3.0, 3.5, 4.0), "pelican": runs(9.0, 9.0, 9.0, error="exit 1")}
    facts = dict.fromkeys(("date", "commit", "cores", "cpu", "python", "load", "longform",
                           "hugo", "pelican", "probe"), "x")
    report = run.results_markdown({1000: {"samples": samples, "pages": {}}}, facts,
                                  argparse.Namespace(sizes=[1000], runs=3, features=False))
    table = report.split("Median CPU seconds")[1]
    assert "| 1000 | cold | 13.00 | 3.50 | n/a | 3.71× | n/a |" in table
    assert "| 1000 | one essay edited | 0.50 | 3.50 | n/a | 0.14× | n/a |" in table


def test_the_samples_are_saved_unrounded(monkeypatch):
    import json
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    run = importlib.import_module("run")
    from harness import Sample
    results = {1000: {"samples": {"cold": [Sample(4.3049, 129.0, None, 7.861)],
                                  "hugo": [Sample(1.5612, 300.0)]}, "pages": {}}}
    saved = json.loads(run.samples_json(results))
    assert saved["1000"]["cold"][0]["seconds"] == 4.3049
    assert saved["1000"]["hugo"][0] == {"seconds": 1.5612, "rss_mb": 300.0, "error": None,
                                        "cpu_s": 0.0}


def test_a_run_s_old_output_is_deleted_after_the_runs_and_the_next_bench_waits_past_it(
        monkeypatch, tmp_path):
    """harness.set_aside: no timed build follows a deletion by less than a minute (on a
    journal-less ext4 each new file passes over every inode freed that recently)."""
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    harness = importlib.import_module("harness")
    # set_aside has the trash deleted as the process ends: not the real one, after this test.
    monkeypatch.setattr(harness.atexit, "register", lambda f: None)
    monkeypatch.setattr(harness, "TRASH", tmp_path / "trash")
    monkeypatch.setattr(harness, "CLEARED", tmp_path / "cleared")
    waits = []
    monkeypatch.setattr(harness.time, "sleep", waits.append)
    out = tmp_path / "site"
    (out / "essays").mkdir(parents=True)
    (out / "essays" / "index.html").write_text("old")
    harness.set_aside(out)
    harness.set_aside(tmp_path / "absent")  # nothing there: nothing to do
    assert not out.exists()
    assert [p.read_text() for p in (tmp_path / "trash").rglob("index.html")] == ["old"]
    harness.quiet()  # a killed bench's leftovers: deleted, then a minute's wait
    assert not (tmp_path / "trash").exists()
    assert len(waits) == 1 and harness.QUIET_S - 5 < waits[0] <= harness.QUIET_S
    (tmp_path / "cleared").write_text(f"{harness.time.time() - harness.QUIET_S - 1}\n")
    harness.quiet()  # the last deletion is old enough
    assert len(waits) == 1

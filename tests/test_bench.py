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

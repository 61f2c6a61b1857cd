"""regexcache.py: programs kept between builds give the patterns Python itself compiles."""

import marshal
import re
import shutil
from pathlib import Path

import pytest

from longform import regexcache
from longform.cli import main

PATTERNS = [(r"(?P<word>\w+)-(\d{2,4})?", 0), (r"^\s*#{1,6}\s+(.*?)\s*#*\s*$", re.M),
            (r"[^\s\w]+", re.I | re.S), (r"(?x) a  b # spaced\n c", 0), (r"é+|ß", re.U)]


def compiled(cache_dir: Path) -> list[re.Pattern]:
    with regexcache.kept_programs(cache_dir):
        # re's own cache would answer before the compiler is asked: start it empty.
        re.purge()
        return [re.compile(pattern, flags) for pattern, flags in PATTERNS]


def test_a_kept_program_gives_the_pattern_python_compiles(tmp_path, monkeypatch):
    first = compiled(tmp_path)
    assert (tmp_path / regexcache.FILE).exists()

    def not_parsed(*args):
        raise AssertionError("a kept pattern was parsed again")

    monkeypatch.setattr(regexcache._parser, "parse", not_parsed)
    again = compiled(tmp_path)
    monkeypatch.undo()
    re.purge()
    python = [re.compile(pattern, flags) for pattern, flags in PATTERNS]
    assert again == first == python
    assert [p.groupindex for p in again] == [p.groupindex for p in python]
    assert again[0].match("abc-2024").group("word", 2) == ("abc", "2024")


def test_a_new_pattern_is_parsed_once_when_the_programs_mirror_the_compiler(tmp_path,
                                                                           monkeypatch):
    parsed = []
    parse = regexcache._parser.parse
    monkeypatch.setattr(regexcache._parser, "parse",
                        lambda *args: parsed.append(args[0]) or parse(*args))
    patterns = compiled(tmp_path)  # the canaries are parsed before the block's first compile
    monkeypatch.undo()
    ours = [pattern for pattern in parsed if pattern in dict(PATTERNS)]
    assert sorted(ours) == sorted(pattern for pattern, _ in PATTERNS)
    re.purge()
    assert patterns == [re.compile(pattern, flags) for pattern, flags in PATTERNS]


def test_a_compiler_unlike_the_programs_has_each_new_one_compared(tmp_path, monkeypatch):
    original = re._compiler.compile

    def unlike(pattern, flags=0):  # a compiler that ignores the given flags
        return original(pattern, 0)

    assert regexcache._mirrors(original)
    assert not regexcache._mirrors(unlike)
    monkeypatch.setattr(regexcache, "_mirrors", lambda compile_: False)
    assert compiled(tmp_path) == [original(p, f) for p, f in PATTERNS]
    _, programs = marshal.loads((tmp_path / regexcache.FILE).read_bytes())
    assert sorted(programs) == sorted(PATTERNS)


@pytest.mark.parametrize("damage", [b"", b"not marshal", marshal.dumps((("other",), {}))])
def test_a_damaged_or_foreign_file_is_compiled_afresh(tmp_path, damage):
    (tmp_path / regexcache.FILE).write_bytes(damage)
    re.purge()
    assert compiled(tmp_path) == [re.compile(p, f) for p, f in PATTERNS]
    engine, programs = marshal.loads((tmp_path / regexcache.FILE).read_bytes())
    assert engine == regexcache.ENGINE and len(programs) >= len(PATTERNS)


def test_the_compiler_is_python_s_own_again_after_the_block(tmp_path):
    original = re._compiler.compile
    compiled(tmp_path)
    assert re._compiler.compile is original


def test_a_build_with_kept_programs_gives_the_same_site(make_project):
    site = make_project("math").root
    re.purge()
    assert main(["--root", str(site)]) == 0
    first = {p.relative_to(site / "site"): p.read_bytes()
             for p in sorted((site / "site").rglob("*")) if p.is_file()}
    assert (site / ".longform-cache" / regexcache.FILE).exists()
    shutil.rmtree(site / "site")
    (site / ".longform-cache" / "last-build.marshal").unlink()
    (site / ".longform-cache" / "cache.sqlite").unlink()
    re.purge()  # the patterns compiled at run time now come from the kept programs
    assert main(["--root", str(site)]) == 0
    assert first == {p.relative_to(site / "site"): p.read_bytes()
                     for p in sorted((site / "site").rglob("*")) if p.is_file()}


def test_past_most_programs_the_file_keeps_only_the_build_s_own(tmp_path, monkeypatch):
    compiled(tmp_path)  # the file holds PATTERNS' programs
    monkeypatch.setattr(regexcache, "MOST", len(PATTERNS))
    with regexcache.kept_programs(tmp_path):
        re.purge()
        re.compile(PATTERNS[0][0], PATTERNS[0][1])
        re.compile(r"a pattern of this build's own \d+")
    _, programs = marshal.loads((tmp_path / regexcache.FILE).read_bytes())
    assert sorted(programs) == sorted([(PATTERNS[0][0], PATTERNS[0][1]),
                                       (r"a pattern of this build's own \d+", 0)])


def test_edits_in_fresh_processes_add_no_programs(make_project):
    # Each process orders sets its own way (string hashes are salted): a pattern built from a
    # set must not come out another way in each, or the file grows by a copy every build.
    import os
    import subprocess
    import sys
    site = make_project("allfeatures").root
    essay = site / "content" / "diminishing-returns-of-scale.md"
    kept = []
    for seed in ("1", "2", "3"):
        essay.write_text(essay.read_text("utf-8") + f"\nOne more line ({seed}).\n", "utf-8")
        proc = subprocess.run([sys.executable, "build.py", "--root", str(site)],
                              cwd=Path(__file__).resolve().parents[1], capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        kept.append(marshal.loads((site / ".longform-cache" / regexcache.FILE).read_bytes()))
    assert kept[1] == kept[2]

"""Compiled regular expressions kept from one build for the next.

Python compiles every pattern afresh in each process, in Python code: a rebuild after a one-line
edit compiles some 350 of them (Python-Markdown's and pymdown's patterns, the lexer Pygments
needs for the essay's code, Jinja's, our own), 0.1 s of a rebuild that should take a few
tenths. What the compiler makes of a pattern (the regex engine's program) depends only on the
pattern, its flags and the engine, so a build keeps the programs in .longform-cache/ and hands
a known one straight to the engine. A new pattern is parsed once, into its program, and made
from it, where the programs are seen to mirror this Python's compiler (on a few canaries, once a
build); elsewhere a program is stored only when the engine, given it, makes a pattern equal to
the one Python compiled (patterns compare by their program). The file is keyed by the Python
build: a damaged or foreign file is ignored, and deleting it costs time.
"""

import _sre
import marshal
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from re import _compiler, _parser

FILE = "regex.marshal"
MOST = 4_000  # programs kept; a cold build of the example site compiles about 500
# Programs of one engine only: the opcodes change between Python versions.
ENGINE = (sys.version, _sre.MAGIC, _sre.CODESIZE, int(_sre.MAXREPEAT))


@contextmanager
def kept_programs(cache_dir: Path):
    """Within the block, patterns compile from the programs the last build kept; on leaving,
    the programs compiled meanwhile are added to the file (past MOST programs, the file keeps
    only this build's: patterns made from a site's own words would otherwise pile up)."""
    programs = _read(cache_dir / FILE)
    fresh: dict = {}
    used: set = set()
    original = _compiler.compile
    mirrored: list = []  # _mirrors' answer, found at the first pattern not kept (if any)

    def compile(p, flags=0):  # noqa: A001 — stands in for re._compiler.compile
        if type(p) is not str or flags & _compiler.SRE_FLAG_DEBUG:
            return original(p, flags)
        key = (p, int(flags))
        used.add(key)
        known = programs.get(key)
        if known is not None:
            return _sre.compile(p, *known)
        if not mirrored:
            mirrored.append(_mirrors(original))
        if mirrored[0]:  # parsed once: the program, and the pattern made from it
            program = _program(p, key[1])
            fresh[key] = programs[key] = program
            return _sre.compile(p, *program)
        pattern = original(p, flags)
        program = _program(p, key[1])
        if _sre.compile(p, *program) == pattern:
            fresh[key] = programs[key] = program
        return pattern

    _compiler.compile = compile
    try:
        yield
    finally:
        _compiler.compile = original
        if fresh:
            _write(cache_dir / FILE, programs if len(programs) <= MOST else
                   {key: program for key, program in programs.items() if key in used})


# Patterns that use what _program must carry over: named and numbered groups, inline and given
# flags, a verbose pattern, non-ASCII text.
CANARIES = [(r"(?P<word>\w+)-(\d{2,4})?(?:x|y)", 0), (r"(?x) \d+  # digits\n [a-z]", 0),
            (r"(?i)é+|ß", 0),
            (r"^\s*#{1,6}\s+(.*?)$", _compiler.SRE_FLAG_MULTILINE | _compiler.SRE_FLAG_DOTALL)]


def _mirrors(compile_) -> bool:
    """Whether _program gives what this Python's compiler does, checked on the canaries at a
    block's first pattern not kept (a warm rebuild has none, and skips the check): then a new
    pattern is parsed once, into its program, and made from that (a cold build compiles some
    500: parsing each twice, to compare, cost 45 ms of its start-up, before the render workers
    could fork). Otherwise each new program is compared with the compiler's pattern."""
    try:
        return all(_sre.compile(p, *_program(p, f)) == compile_(p, f) for p, f in CANARIES)
    except Exception:  # noqa: BLE001 — a compiler unlike 3.11's: compare each one
        return False


def _program(pattern: str, flags: int) -> tuple:
    """The arguments after the pattern that re._compiler.compile gives _sre.compile."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are int subclasses
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def _read(path: Path) -> dict:
    try:
        engine, programs = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return programs if engine == ENGINE and isinstance(programs, dict) else {}


def _write(path: Path, programs: dict) -> None:
    temporary = path.with_name(f"{FILE}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps((ENGINE, programs)))
        temporary.replace(path)
    except OSError:  # a read-only or full disk: the next build compiles again, that is all
        temporary.unlink(missing_ok=True)

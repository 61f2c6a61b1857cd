"""longform/pymdown.py: pymdown-extensions come in without urllib.request (20-30 ms of an edit's
render worker), and the two helpers pymdownx.util took from it still answer as the real ones."""

import os
import subprocess
import sys

from conftest import REPO

SCRIPT = """
import sys
from pathlib import Path
from longform.markdown import warmed
warmed(Path("content"), Path("charts"))
assert "urllib.request" not in sys.modules, "imported with Markdown"
import pymdownx.util as util
import urllib.request as real
assert util.url2pathname is not real.url2pathname  # the stand-ins, handing over to the module
for text in ("a%20b/c%C3%A9", "/x/y%2Fz", ""):
    assert util.url2pathname(text) == real.url2pathname(text), text
for path in ("a b/cé", "/x/y z", ""):
    assert util.pathname2url(path) == real.pathname2url(path), path
assert callable(real.urlopen)  # the real module, for whoever imports it later
print("ok")
"""


def test_markdown_comes_without_urllib_request_and_the_helpers_still_work(tmp_path):
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout.strip() == "ok", proc.stderr

#!/usr/bin/env python3
"""Longform's command line: `python build.py [build|serve|new|check|import] --help`."""

import os
import sys

from longform.cli import main

if __name__ == "__main__":
    # The build's objects (the memo, the records, the pages) are kept to the end and left to
    # go with the process: tearing them down one by one would take 50–80 ms more of a
    # one-essay rebuild. Everything is written and closed by the time main() returns.
    kept: list = []
    code = main(keep=kept)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

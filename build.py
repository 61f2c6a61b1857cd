#!/usr/bin/env python3
"""Longform's command line: `python build.py [build|serve|new|check|import] --help`."""

import os
import sys

from longform.cli import main

if __name__ == "__main__":
    code = main()
    # Everything is written and closed by now. Tearing down the build's objects one by one
    # (the memo, the records, the pages) would take 50–80 ms more of a one-essay rebuild.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

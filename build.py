#!/usr/bin/env python3
"""Longform's command line: `python build.py [build|serve|new|check|import] --help`."""

import sys

from longform.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""Longform: Markdown essays in, a static site out."""

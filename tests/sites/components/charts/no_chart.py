"""A chart module that forgot its chart() function."""

TITLE = "Nothing here"

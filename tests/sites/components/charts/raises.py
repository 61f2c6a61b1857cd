"""A chart module whose chart() fails."""


def chart():
    raise ValueError("the data has gone missing")

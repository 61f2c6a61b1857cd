"""A chart module whose chart() returns a dict, not an Altair chart."""


def chart():
    return {"mark": "bar"}

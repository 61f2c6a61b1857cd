"""A chart whose line is clipped to its axes, so its SVG defines a clipPath with an id."""

import altair as alt


def chart() -> alt.Chart:
    rows = [{"x": 0, "y": 1}, {"x": 1, "y": 3}, {"x": 2, "y": 2}]
    return alt.Chart(alt.Data(values=rows), title="Clipped").mark_line(clip=True).encode(
        x=alt.X("x:Q", scale=alt.Scale(domain=[0, 1.5])), y="y:Q")

"""A layered module chart: a line with points on a log scale."""

from pathlib import Path

import altair as alt

from longform.charts import csv_rows


def chart() -> alt.LayerChart:
    rows = csv_rows(Path(__file__).parent / "data" / "growth.csv")
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("compute:Q", scale=alt.Scale(type="log", domain=[1e22, 5e23])), y="score:Q",
        tooltip=["model:N"])
    return base.mark_line(clip=True) + base.mark_point(clip=True)

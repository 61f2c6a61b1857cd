"""Benchmark score against pre-training compute: the Llama 3 family, its trend, and where
GPT-4 and GPT-4.5 land: on the trend, not below it. The numbers are illustrative (see the
CSV's header)."""

from pathlib import Path

import altair as alt

from longform.charts import csv_rows

DATA = Path(__file__).parent / "data" / "pretraining_compute.csv"


def chart() -> alt.LayerChart:
    rows = csv_rows(DATA)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("compute_flop:Q", title="Pre-training compute (FLOP, log scale)",
                scale=alt.Scale(type="log", domain=[3e22, 4e26]),
                axis=alt.Axis(format=".0e", values=[1e23, 1e24, 1e25, 1e26])),
        y=alt.Y("score:Q", title="Benchmark score (%)", scale=alt.Scale(domain=[10, 80])),
        color=alt.Color("family:N", title=None),
        tooltip=[alt.Tooltip("model:N", title="Model"),
                 alt.Tooltip("compute_flop:Q", title="Compute (FLOP)", format=".1e"),
                 alt.Tooltip("score:Q", title="Score (%)")],
    )
    llama = base.transform_filter(alt.datum.family == "Llama 3")
    # A log-linear fit to the Llama family, extended past it to ask where the next 10x lands.
    trend = llama.transform_regression(
        "compute_flop", "score", method="log", extent=[3e22, 4e26]
    ).mark_line(strokeDash=[5, 4], strokeWidth=1.5, opacity=0.7, clip=True).encode(
        color=alt.value("currentColor"), tooltip=alt.value(None))
    labels = base.mark_text(align="left", dx=7, dy=-7, fontSize=11).encode(
        text="model:N", color=alt.value("currentColor"))
    return alt.layer(trend, llama.mark_line(), base.mark_point(size=70), labels).properties(
        title="Benchmark score against pre-training compute")

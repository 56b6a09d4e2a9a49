"""Charts of the documents (altair; drawn to PNG at print resolution by ``vl-convert``).

A public module because it draws: altair takes seconds to import, so only a document
with figures loads it.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from perfkit.present.charts import grade_distribution_chart, setup_charts

__all__ = ["grade_distribution_chart", "score_rate_chart"]

setup_charts()


def score_rate_chart(rates: pl.DataFrame, *, title: str = "各一级指标得分率") -> alt.Chart:
    """Horizontal bars of the score rate (%) per indicator group (``group``, ``score_rate``).

    Examples
    --------
    >>> c = score_rate_chart(pl.DataFrame({"group": ["产出指标"], "score_rate": [92.1]}))
    >>> c.to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    order = rates.get_column("group").to_list()
    base = alt.Chart(rates.to_pandas(), title=title)
    bars = base.mark_bar(color="#1e88e5").encode(
        x=alt.X("score_rate:Q", title="得分率（%）", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("group:N", title=None, sort=order),
    )
    labels = base.mark_text(align="left", dx=3).encode(
        x="score_rate:Q",
        y=alt.Y("group:N", sort=order),
        text=alt.Text("score_rate:Q", format=".2f"),
    )
    return (bars + labels).properties(width=420, height=32 * max(len(order), 1))

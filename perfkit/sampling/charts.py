"""Charts of a sample-verification report (altair, offline SVG).

A public module, not imported by ``perfkit.sampling``: altair takes seconds to
import, so only a report that draws imports it.

Examples
--------
>>> from perfkit.sampling.charts import PICK_COLOURS
>>> list(PICK_COLOURS)
['风险必选', '金额必选', '随机抽取', '未抽中']
"""

from __future__ import annotations

import altair as alt
import polars as pl

from perfkit.present._labels import PICK_LABELS, column_label, people_headers
from perfkit.sampling._report_for import NOT_PICKED, SamplingReport

__all__ = ["PICK_COLOURS", "population_chart", "scores_chart"]

#: How a unit was drawn → its colour in the population chart.
PICK_COLOURS = {
    PICK_LABELS["risk"]: "#c62828",
    PICK_LABELS["certain"]: "#f9a825",
    PICK_LABELS["random"]: "#1e88e5",
    NOT_PICKED: "#cfd8dc",
}


def population_chart(report: SamplingReport) -> alt.Chart:
    """Every unit: money (log scale) against self score − score, coloured by how it was drawn.

    Parameters
    ----------
    report : SamplingReport
        From :func:`perfkit.sampling.report_for`.
    """
    points = report.population_points
    names = people_headers(points.columns, "sampling")
    money, diff, pick = names["money"], names["score_diff"], names["pick"]
    return (
        alt.Chart(points.rename(names).to_pandas())
        .mark_circle(size=36, opacity=0.7)
        .encode(
            x=alt.X(f"{money}:Q", scale=alt.Scale(type="log")),
            y=f"{diff}:Q",
            color=alt.Color(
                f"{pick}:N",
                scale=alt.Scale(domain=list(PICK_COLOURS), range=list(PICK_COLOURS.values())),
            ),
            tooltip=[names["unit_code"], names["unit_name"], money, diff, pick],
        )
        .properties(width=600, height=320, title=f"总体与样本（{money} × {diff}）")
    )


def scores_chart(report: SamplingReport) -> alt.LayerChart | None:
    """Self scores against verified scores (above the dashed line: self score too high).

    None before verification.
    """
    if report.verification is None:
        return None
    units = report.verification.units
    self_, verified, pick = (
        column_label(c, "sampling") for c in ("self_score", "verified_score", "pick")
    )
    scores = units.select(
        "unit_code",
        pl.col("self_score").alias(self_),
        pl.col("verified_score").alias(verified),
        pl.when(pl.col("reason") == "random")
        .then(pl.lit(PICK_LABELS["random"]))
        .otherwise(pl.lit("必选"))
        .alias(pick),
    )
    line = (
        alt.Chart(pl.DataFrame({"x": [0.0, 100.0], "y": [0.0, 100.0]}).to_pandas())
        .mark_line(color="#90a4ae", strokeDash=[4, 4])
        .encode(x="x:Q", y="y:Q")
    )
    points = (
        alt.Chart(scores.to_pandas())
        .mark_circle(size=60)
        .encode(
            x=alt.X(f"{verified}:Q", scale=alt.Scale(zero=False)),
            y=alt.Y(f"{self_}:Q", scale=alt.Scale(zero=False)),
            color=f"{pick}:N",
            tooltip=["unit_code", self_, verified],
        )
    )
    return (line + points).properties(
        width=420, height=360, title="自评得分与复核得分（虚线以上为自评偏高）"
    )

"""The monitoring chart (监控图表): execution progress against time progress.

One horizontal bar per department (or, for a single department, per project):
the execution rate to date, coloured by its alert, with a vertical rule at
time progress.  Colours are :data:`perfkit.present.charts.ALERT_COLOURS`; call
:func:`perfkit.present.charts.setup_charts` first for offline SVG output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from perfkit.present._labels import ALERT_LABELS
from perfkit.present.charts import ALERT_COLOURS

if TYPE_CHECKING:
    from perfkit.monitoring._result import MonitoringResult

__all__ = ["progress_chart"]

_ORDER = ["red", "yellow", "green"]


def progress_chart(result: MonitoringResult, *, by: str | None = None) -> alt.LayerChart:
    """Execution rate to date against time progress, by department or by project.

    Parameters
    ----------
    result : MonitoringResult
        A monitoring run.
    by : {"department", "project"}, optional
        Default: by department when the run covers several, else by project.

    Examples
    --------
    >>> import perfkit
    >>> r = perfkit.monitor("data/sample/projects.csv", "data/sample/monitoring.csv", month=8)
    >>> chart = progress_chart(r)
    >>> len(chart.to_dict()["layer"])
    2
    """
    if by is None:
        by = "department" if result.departments_pl.height > 1 else "project"
    if by == "department":
        data = result.departments_pl.select(
            pl.col("dept_name").alias("名称"),
            pl.col("overall_progress").alias("执行进度"),
            pl.col("execution_alert").alias("alert"),
            pl.col("projects").alias("项目个数"),
            pl.col("budget_full_year").alias("全年预算数"),
        )
        title = "各部门总体进度与序时进度"
    else:
        data = result.alerts_pl.select(
            pl.concat_str("unit_code", pl.lit(" "), "project_name").alias("名称"),
            pl.col("execution_rate").alias("执行进度"),
            pl.col("execution_alert").alias("alert"),
            pl.col("budget_full_year").alias("全年预算数"),
        )
        title = "各项目预算执行率与序时进度"
    data = data.drop_nulls("alert").with_columns(
        pl.col("alert").replace_strict(ALERT_LABELS, default=None).alias("预警")
    )
    tp = float(result.time.percent)
    labels = [ALERT_LABELS[a] for a in _ORDER]
    colour = alt.Scale(domain=labels, range=[ALERT_COLOURS[a] for a in _ORDER])
    height = max(120, 16 * data.height)
    bars = (
        alt.Chart(data.to_pandas(), title=f"{title}（{result.time.period}，序时进度{tp:g}%）")
        .mark_bar()
        .encode(
            x=alt.X("执行进度:Q", title="执行进度（%）"),
            y=alt.Y("名称:N", sort="-x", title=None),
            color=alt.Color("预警:N", scale=colour, title="执行预警"),
            tooltip=[c for c in data.columns if c != "alert"],
        )
        .properties(height=height, width=520)
    )
    rule = (
        alt.Chart(pl.DataFrame({"序时进度": [tp]}).to_pandas())
        .mark_rule(color="#424242", strokeDash=[4, 3], size=2)
        .encode(x="序时进度:Q", tooltip=["序时进度:Q"])
    )
    return bars + rule

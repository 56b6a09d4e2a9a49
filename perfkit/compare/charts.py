"""Charts of a cross-year comparison (跨年度比较图表), in altair.

Every function takes the result objects of :mod:`perfkit.compare` (with
pandas or polars frames inside) and returns an altair chart; call
:func:`perfkit.present.charts.setup_charts` first so that charts render offline as
inline SVG with perfkit's Chinese-capable theme.  The charts only present
figures computed by perfkit; they compute nothing that a table does not show.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import altair as alt
import polars as pl

from perfkit._frames import to_polars
from perfkit._limits import format_expr
from perfkit.compare._chronic import Chronic
from perfkit.compare._transitions import Transitions
from perfkit.compare._trends import Trends
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.present.charts import ALERT_COLOURS, GRADE_COLOURS, grade_scale

__all__ = [
    "execution_rate_chart",
    "grade_mix_chart",
    "low_efficiency_share_chart",
    "score_slopes",
    "transition_heatmap",
]

_RISE, _FALL, _FLAT = "#2e7d32", "#c62828", "#9e9e9e"


def _pl(frame: Any) -> pl.DataFrame:
    return to_polars(frame)


def _rows(trends: Trends, dept_code: str | None) -> tuple[pl.DataFrame, str]:
    if dept_code is None:
        return trends._region, "全地区"
    rows = trends._departments.filter(pl.col("dept_code") == dept_code)
    if rows.height == 0:
        raise PerfkitError(
            _("department {dept_code!r} is not in the comparison").format(dept_code=dept_code)
        )
    return rows, f"{rows.get_column('dept_name')[0] or dept_code}（{dept_code}）"


def grade_mix_chart(trends: Trends, dept_code: str | None = None) -> alt.Chart:
    """Grade mix by year (各年度等级结构): stacked shares of 优/良/中/差.

    Parameters
    ----------
    trends : Trends
        From :func:`perfkit.compare.trends`.
    dept_code : str, optional
        A department's current code; the whole region by default.

    Examples
    --------
    >>> from perfkit.compare import panel, trends
    >>> chart = grade_mix_chart(trends(panel("data/sample")))
    >>> chart.to_dict()["mark"]["type"]
    'bar'
    """
    rows, who = _rows(trends, dept_code)
    grades = trends.grades
    long = (
        rows.select(
            "year",
            *[pl.col(f"grade_{g}").alias(f"n|{g}") for g in grades],
            *[pl.col(f"share_{g}").alias(f"s|{g}") for g in grades],
        )
        .unpivot(index="year")
        .with_columns(pl.col("variable").str.split_exact("|", 1).alias("_k"))
        .unnest("_k")
        .rename({"field_0": "what", "field_1": "grade"})
        .pivot(on="what", index=["year", "grade"], values="value")
        .rename({"n": "units", "s": "share"})
        .with_columns(
            pl.col("grade").replace_strict({g: i for i, g in enumerate(grades)}).alias("order")
        )
    )
    known = all(g in GRADE_COLOURS for g in grades)
    colour = alt.Color(
        "grade:N",
        title="等级",
        sort=grades,
        scale=grade_scale() if known else alt.Scale(domain=grades),
    )
    return (
        alt.Chart(long, title=f"{who}各年度等级结构")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="占比（%）", stack="zero", scale=alt.Scale(domain=[0, 100])),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("year:O", title="年度"),
                alt.Tooltip("grade:N", title="等级"),
                alt.Tooltip("units:Q", title="个数", format=".0f"),
                alt.Tooltip("share:Q", title="占比（%）", format=".2f"),
            ],
        )
        .properties(width=320, height=240)
    )


def transition_heatmap(
    transitions: Transitions, from_year: int | None = None, to_year: int | None = None
) -> alt.Chart:
    """Grade transition heatmap (等级转移矩阵): share of each starting grade by end grade.

    Without years every pair of the comparison is drawn side by side.

    Examples
    --------
    >>> from perfkit.compare import panel, transitions
    >>> chart = transition_heatmap(transitions(panel("data/sample")), 2023, 2024)
    >>> chart.to_dict()["layer"][0]["mark"]["type"]
    'rect'
    """
    m = transitions._matrix
    if from_year is not None or to_year is not None:
        a, b = transitions._pair(from_year, to_year)
        m = m.filter((pl.col("from_year") == a) & (pl.col("to_year") == b))
    m = m.with_columns(
        format_expr("{}→{}", pl.col("from_year"), pl.col("to_year")).alias("pair"),
        pl.col("share").fill_null(0.0).alias("share_shown"),
    )
    grades = m.get_column("from_grade").unique(maintain_order=True).to_list()
    base = alt.Chart(m).encode(
        x=alt.X("to_grade:N", title="对比年度等级", sort=grades, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("from_grade:N", title="起始年度等级", sort=grades),
    )
    rect = base.mark_rect().encode(
        color=alt.Color(
            "share_shown:Q", title="占比（%）", scale=alt.Scale(scheme="blues", domain=[0, 100])
        ),
        tooltip=[
            alt.Tooltip("pair:N", title="年度"),
            alt.Tooltip("from_grade:N", title="起始等级"),
            alt.Tooltip("to_grade:N", title="对比等级"),
            alt.Tooltip("units:Q", title="单位个数"),
            alt.Tooltip("share:Q", title="占比（%）", format=".2f"),
        ],
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("units:Q", format=".0f"),
        color=alt.condition(alt.datum.share_shown > 50, alt.value("white"), alt.value("black")),
    )
    layered = (rect + text).properties(width=200, height=200)
    pairs = m.get_column("pair").unique(maintain_order=True).to_list()
    if len(pairs) > 1:
        return layered.facet(column=alt.Column("pair:N", title=None, sort=pairs)).properties(
            title="等级转移矩阵（格内为单位个数，颜色为起始等级中的占比）"
        )
    return layered.properties(title=f"等级转移矩阵 {pairs[0] if pairs else ''}（格内为单位个数）")


def score_slopes(
    trends: Trends,
    dept_codes: list[str] | None = None,
    *,
    measure: str = "mean_score",
    label_top: int = 3,
) -> alt.Chart:
    """Department score slopes (部门得分变化): one line per department across the years.

    Lines are green where the department's figure rose from its first to
    its last year, red where it fell; the ``label_top`` largest risers and
    fallers are labelled.

    Parameters
    ----------
    trends : Trends
    dept_codes : list of str, optional
        Departments to draw (current codes); all by default.
    measure : str
        ``mean_score``, ``weighted_score`` or ``execution_rate``.
    label_top : int
        Risers and fallers labelled at the line ends.

    Examples
    --------
    >>> from perfkit.compare import panel, trends
    >>> chart = score_slopes(trends(panel("data/sample")), ["D01", "D41"])
    >>> len(chart.to_dict()["layer"])
    2
    """
    titles = {
        "mean_score": "平均得分",
        "weighted_score": "资金加权平均得分",
        "execution_rate": "预算执行率（%）",
    }
    if measure not in titles:
        raise PerfkitError(
            _("measure {measure!r}: use one of {titles}").format(
                measure=measure, titles=", ".join(titles)
            )
        )
    d = trends._departments.filter(pl.col(measure).is_not_null())
    if dept_codes is not None:
        unknown = sorted(set(dept_codes) - set(d.get_column("dept_code").to_list()))
        if unknown:
            raise PerfkitError(
                _("departments not in the comparison: {unknown}").format(unknown=", ".join(unknown))
            )
        d = d.filter(pl.col("dept_code").is_in(dept_codes))
    ends = (
        d.sort("year")
        .group_by("dept_code")
        .agg(
            (pl.col(measure).last() - pl.col(measure).first()).alias("_change"),
            pl.col("year").last().alias("_last"),
        )
    )
    labelled = set(
        ends.filter(pl.col("_change") > 0)
        .sort("_change", descending=True)
        .head(label_top)
        .get_column("dept_code")
        .to_list()
        + ends.filter(pl.col("_change") < 0)
        .sort("_change")
        .head(label_top)
        .get_column("dept_code")
        .to_list()
    )
    data = d.join(ends, on="dept_code").with_columns(
        pl.when(pl.col("_change") > 0)
        .then(pl.lit("上升"))
        .when(pl.col("_change") < 0)
        .then(pl.lit("下降"))
        .otherwise(pl.lit("持平"))
        .alias("trend"),
        format_expr("{} {}", pl.col("dept_code"), pl.col("dept_name")).alias("department"),
        (pl.col("dept_code").is_in(list(labelled)) & (pl.col("year") == pl.col("_last"))).alias(
            "label"
        ),
    )
    colour = alt.Color(
        "trend:N",
        title="首末年变化",
        scale=alt.Scale(domain=["上升", "下降", "持平"], range=[_RISE, _FALL, _FLAT]),
        legend=alt.Legend(orient="bottom"),
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=True, opacity=0.7)
        .encode(
            x=alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{measure}:Q", title=titles[measure], scale=alt.Scale(zero=False)),
            detail="dept_code:N",
            color=colour,
            tooltip=[
                alt.Tooltip("department:N", title="部门"),
                alt.Tooltip("year:O", title="年度"),
                alt.Tooltip(f"{measure}:Q", title=titles[measure], format=".2f"),
                alt.Tooltip("dept_code_then:N", title="当年编码"),
            ],
        )
    )
    labels = (
        alt.Chart(data.filter(pl.col("label")))
        .mark_text(align="left", dx=6, fontSize=11)
        .encode(
            x=alt.X("year:O", axis=alt.Axis(labelAngle=0)),
            y=f"{measure}:Q",
            text="department:N",
            color=colour,
        )
    )
    return (lines + labels).properties(title=f"部门{titles[measure]}变化", width=420, height=320)


def execution_rate_chart(
    trends: Trends,
    dept_code: str | None = None,
    *,
    threshold: Decimal | float | None = 60,
) -> alt.Chart:
    """Execution-rate trends (预算执行率趋势): every department, the region, a threshold line.

    Departments are light grey lines, the region bold; with ``dept_code``
    that department is drawn bold too.

    Examples
    --------
    >>> from perfkit.compare import panel, trends
    >>> chart = execution_rate_chart(trends(panel("data/sample")), "D41")
    >>> len(chart.to_dict()["layer"])
    4
    """
    depts = trends._departments.filter(pl.col("execution_rate").is_not_null()).with_columns(
        format_expr("{} {}", pl.col("dept_code"), pl.col("dept_name")).alias("who")
    )
    region = trends._region.select("year", "execution_rate", pl.lit("全地区").alias("who"))
    x = alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0))
    y = alt.Y("execution_rate:Q", title="预算执行率（%）", scale=alt.Scale(zero=False))
    tip = [
        alt.Tooltip("who:N", title="部门"),
        alt.Tooltip("year:O", title="年度"),
        alt.Tooltip("execution_rate:Q", title="执行率（%）", format=".2f"),
    ]
    layers: list[alt.Chart] = [
        alt.Chart(depts)
        .mark_line(color="#bdbdbd", strokeWidth=1)
        .encode(x=x, y=y, detail="dept_code:N", tooltip=tip),
        alt.Chart(region)
        .mark_line(color="#1565c0", strokeWidth=3, point=True)
        .encode(x=x, y=y, tooltip=tip),
    ]
    title = "预算执行率趋势（灰：各部门；蓝：全地区"
    if dept_code is not None:
        chosen, who = _rows(trends, dept_code)
        chosen = chosen.with_columns(pl.lit(who).alias("who"))
        layers.append(
            alt.Chart(chosen)
            .mark_line(color="#ef6c00", strokeWidth=3, point=True)
            .encode(x=x, y=y, tooltip=tip)
        )
        title += f"；橙：{who}"
    if threshold is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"threshold": [float(threshold)]}))
            .mark_rule(color=ALERT_COLOURS["red"], strokeDash=[6, 4])
            .encode(y="threshold:Q")
        )
        title += f"；红线：{float(threshold):g}%"
    return alt.layer(*layers).properties(title=title + "）", width=420, height=300)


def low_efficiency_share_chart(chronic: Chronic, year: int | None = None) -> alt.Chart:
    """Low-efficiency money share per department (低效无效资金占比) against the line.

    Examples
    --------
    >>> from perfkit.compare import panel, chronic
    >>> chart = low_efficiency_share_chart(chronic(panel("data/sample")))
    >>> chart.to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    shares = chronic._money_share
    year = year if year is not None else shares.get_column("year").max()
    data = shares.filter((pl.col("year") == year) & (pl.col("low_efficiency_share") > 0))
    data = data.with_columns(
        format_expr("{} {}", pl.col("dept_code"), pl.col("dept_name")).alias("department"),
        pl.when(pl.col("over_line"))
        .then(pl.lit("超过控制线"))
        .otherwise(pl.lit("未超过"))
        .alias("status"),
    )
    line = float(chronic.money_line)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("department:N", title=None, sort="-x"),
            x=alt.X("low_efficiency_share:Q", title="低效无效资金占比（%）"),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(
                    domain=["超过控制线", "未超过"], range=[ALERT_COLOURS["red"], "#90a4ae"]
                ),
            ),
            tooltip=[
                alt.Tooltip("department:N", title="部门"),
                alt.Tooltip("low_efficiency_money:Q", title="低效项目资金（万元）", format=",.2f"),
                alt.Tooltip("idle_money:Q", title="闲置项目资金（万元）", format=",.2f"),
                alt.Tooltip("budget_full_year:Q", title="项目资金（万元）", format=",.2f"),
                alt.Tooltip("low_efficiency_share:Q", title="占比（%）", format=".2f"),
            ],
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"line": [line]}))
        .mark_rule(color=ALERT_COLOURS["red"], strokeDash=[6, 4])
        .encode(x="line:Q")
    )
    return (bars + rule).properties(
        title=f"{year}年低效无效资金占比（控制线 {line:g}%）", width=380
    )

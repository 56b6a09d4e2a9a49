"""Chart setup shared by notebooks and reports (图表): offline, Chinese, consistent colours.

Reports must open on closed government networks, so charts are rendered to
inline SVG by ``vl-convert`` (no JavaScript, no CDN); the SVG text uses a
Chinese-capable font stack.  Grade and alert colours are the same everywhere.
"""

from __future__ import annotations

import altair as alt

from perfkit.present._colours import ALERT_COLOURS, FONT, GRADE_COLOURS, GRADE_ORDER

__all__ = [
    "ALERT_COLOURS",
    "FONT",
    "GRADE_COLOURS",
    "GRADE_ORDER",
    "grade_distribution_chart",
    "grade_scale",
    "points_lost_chart",
    "score_vs_execution_chart",
    "setup_charts",
]


def _theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(
        config={
            "font": FONT,
            "title": {"font": FONT, "fontSize": 14, "anchor": "start"},
            "axis": {"labelFont": FONT, "titleFont": FONT},
            "legend": {"labelFont": FONT, "titleFont": FONT},
            "header": {"labelFont": FONT, "titleFont": FONT},
            "view": {"stroke": None},
        }
    )


alt.theme.register("perfkit", enable=False)(_theme)


def setup_charts(renderer: str = "svg") -> None:
    """Render altair charts offline with perfkit's theme.

    ``"svg"`` (the default) draws each chart to inline SVG in the notebook, so
    an executed notebook and its HTML export need nothing from the network.
    Pass ``"default"`` in an interactive JupyterLab session to keep tooltips
    and zoom.

    Examples
    --------
    >>> setup_charts()
    >>> alt.renderers.active, alt.theme.active
    ('svg', 'perfkit')
    """
    alt.renderers.enable(renderer)
    alt.theme.enable("perfkit")
    alt.data_transformers.disable_max_rows()


def grade_scale() -> alt.Scale:
    """A colour scale that gives each grade its colour, best first.

    Examples
    --------
    >>> grade_scale().to_dict()["domain"]
    ['优', '良', '中', '差']
    """
    return alt.Scale(domain=GRADE_ORDER, range=[GRADE_COLOURS[g] for g in GRADE_ORDER])


def grade_distribution_chart(distribution: object, *, title: str = "等级分布") -> alt.Chart:
    """Bar chart of projects per grade (from ``DepartmentEvaluation.grade_distribution``).

    Examples
    --------
    >>> import polars as pl
    >>> c = grade_distribution_chart(pl.DataFrame({"grade": ["优", "良"], "projects": [3, 1],
    ...                                            "money": [10.0, 2.0], "share": [75.0, 25.0]}))
    >>> c.to_dict()["mark"]["type"]
    'bar'
    """
    return (
        alt.Chart(distribution, title=title)
        .mark_bar()
        .encode(
            x=alt.X("grade:N", title="等级", sort=GRADE_ORDER),
            y=alt.Y("projects:Q", title="项目数"),
            color=alt.Color("grade:N", scale=grade_scale(), legend=None),
            tooltip=[
                alt.Tooltip("grade:N", title="等级"),
                alt.Tooltip("projects:Q", title="项目数"),
                alt.Tooltip("money:Q", title="资金（万元）", format=",.2f"),
                alt.Tooltip("share:Q", title="占比（%）", format=".2f"),
            ],
        )
        .properties(width=260, height=200)
    )


def score_vs_execution_chart(projects: object, *, title: str = "预算执行率与得分") -> alt.Chart:
    """Each project's execution rate (x) against its score (y), coloured by grade.

    Examples
    --------
    >>> import polars as pl
    >>> c = score_vs_execution_chart(pl.DataFrame({"unit_name": ["a"], "execution_rate": [80.0],
    ...                                            "total": [85.0], "grade": ["良"],
    ...                                            "budget_full_year": [10.0]}))
    >>> c.to_dict()["mark"]["type"]
    'circle'
    """
    return (
        alt.Chart(projects, title=title)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("execution_rate:Q", title="预算执行率（%）", scale=alt.Scale(zero=False)),
            y=alt.Y("total:Q", title="得分", scale=alt.Scale(zero=False)),
            size=alt.Size("budget_full_year:Q", title="全年预算（万元）"),
            color=alt.Color("grade:N", scale=grade_scale(), title="等级"),
            tooltip=[
                alt.Tooltip("unit_name:N", title="项目"),
                alt.Tooltip("execution_rate:Q", title="执行率（%）", format=".2f"),
                alt.Tooltip("total:Q", title="得分", format=".2f"),
            ],
        )
        .properties(width=380, height=260)
    )


def points_lost_chart(points_lost: object, *, title: str = "各一级指标失分") -> alt.Chart:
    """Horizontal bars of the points lost per indicator group.

    Examples
    --------
    >>> import polars as pl
    >>> c = points_lost_chart(pl.DataFrame({"group": ["产出指标"], "points_lost": [3.5],
    ...                                     "lost_share": [100.0]}))
    >>> c.to_dict()["encoding"]["x"]["title"]
    '失分'
    """
    return (
        alt.Chart(points_lost, title=title)
        .mark_bar(color="#c62828")
        .encode(
            y=alt.Y("group:N", title=None, sort=None),
            x=alt.X("points_lost:Q", title="失分"),
            tooltip=[
                alt.Tooltip("group:N", title="一级指标"),
                alt.Tooltip("points_lost:Q", title="失分", format=".2f"),
                alt.Tooltip("lost_share:Q", title="失分占比（%）", format=".2f"),
            ],
        )
        .properties(width=320, height=140)
    )

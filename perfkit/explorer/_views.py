"""What the explorer shows for a selection (视图): charts, table pages, drill-down, export.

Pure functions of polars frames, independent of the widgets, so every view is
testable and measurable without a browser.  Charts stay light on a
province-sized year: the grade and money charts are aggregates (four bars),
and the scatter draws at most ``max_points`` projects, a deterministic sample
by the seeded ``_rank`` column, and says so in its title.
"""

from __future__ import annotations

import html
from pathlib import Path

import altair as alt
import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.present._labels import column_label
from perfkit.present._table import table
from perfkit.present.charts import GRADE_ORDER, grade_scale
from perfkit.scoring._flags import SEVERITY_LABELS, risk_rank
from perfkit.tables._write import DEFAULT_EXCEL_MAX_ROWS, atomic_output, write_excel

__all__ = [
    "BRUSH",
    "ORDERS",
    "TABLE_COLUMNS",
    "department_overview",
    "department_summary",
    "export_selection",
    "grade_mix_chart",
    "money_by_grade_chart",
    "project_items",
    "scatter_chart",
    "selection_page",
    "summary_text",
]

#: Name of the interval selection on the scatter chart.
BRUSH = "brush"
#: Columns of the selection table, in order (those present are shown).
TABLE_COLUMNS = (
    "year",
    "unit_code",
    "unit_name",
    "dept_name",
    "category",
    "budget_full_year",
    "executed",
    "execution_rate",
    "total",
    "grade",
    "self_score",
    "risk_level",
    "flags",
)
#: Orders of the selection table: code → how the caption says it.
ORDERS = {"score": "按总分从低到高", "risk": "按风险从高到低：风险等级，再按全年预算数从大到小"}
#: Columns of a project's items in the drill-down.
ITEM_COLUMNS = (
    "group",
    "level2",
    "item",
    "rule",
    "direction",
    "weight",
    "target",
    "actual",
    "unit",
    "ratio",
    "points",
    "self_points",
    "over_completion",
    "source_row",
)


def _present(frame: pl.DataFrame, columns: tuple[str, ...]) -> list[str]:
    return [c for c in columns if c in frame.columns]


def _codes_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    # years and row numbers are labels, not amounts: no thousands separator ("2024", not "2,024")
    return frame.with_columns(
        pl.col(c).cast(pl.String) for c in ("year", "source_row") if c in frame.columns
    )


def summary_text(selected: pl.DataFrame, total: int) -> str:
    """One line: projects selected of all, money and execution (HTML-safe).

    Examples
    --------
    >>> df = pl.DataFrame({"budget_full_year": [100.0, 50.0], "executed": [80.0, 50.0],
    ...                    "total": [80.0, 61.0]})
    >>> summary_text(df, 10)
    '已选 2 / 10 个项目；全年预算 150.00 万元，执行 130.00 万元（86.67%）；平均分 70.50'
    """
    budget = selected["budget_full_year"].sum() or 0.0
    executed = selected["executed"].sum() or 0.0
    rate = f"（{executed / budget * 100:.2f}%）" if budget else ""
    mean = selected["total"].mean()
    mean_text = f"；平均分 {mean:.2f}" if mean is not None else ""
    return (
        f"已选 {selected.height:,} / {total:,} 个项目；全年预算 {budget:,.2f} 万元，"
        f"执行 {executed:,.2f} 万元{rate}{mean_text}"
    )


def scatter_chart(selected: pl.DataFrame, *, max_points: int = 5000) -> alt.Chart:
    """Execution rate (x) against score (y), coloured by grade, with a brush.

    Draws every project with a defined execution rate, or a deterministic
    sample of ``max_points`` of them (the smallest ``_rank``), saying so in the
    title.  The interval selection is named :data:`BRUSH`.

    Examples
    --------
    >>> from perfkit.explorer._data import explorer_data
    >>> d = explorer_data("data/sample")
    >>> spec = scatter_chart(d.units, max_points=100).to_dict()
    >>> spec["params"][0]["name"], len(spec["datasets"][spec["data"]["name"]])
    ('brush', 100)
    >>> "随机抽取 100 个" in spec["title"]["text"]
    True
    """
    drawable = selected.filter(pl.col("execution_rate").is_not_null())
    undefined = selected.height - drawable.height
    if drawable.height > max_points:
        points = drawable.top_k(max_points, by="_rank", reverse=True)
        title = f"预算执行率与得分（{drawable.height:,} 个项目中随机抽取 {max_points:,} 个显示）"
    else:
        points = drawable
        title = f"预算执行率与得分（{drawable.height:,} 个项目）"
    subtitle = "拖动框选，下表只列框内项目；双击清除框选"
    if undefined:
        subtitle += f"；{undefined:,} 个项目执行率无法计算（全年预算数为0），未画出"
    points = points.select("unit_code", "unit_name", "execution_rate", "total", "grade")
    brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    return (
        alt.Chart(points, title=alt.TitleParams(title, subtitle=subtitle))
        .mark_circle(size=28, opacity=0.75)
        .encode(
            x=alt.X("execution_rate:Q", title="预算执行率（%）", scale=alt.Scale(zero=False)),
            y=alt.Y("total:Q", title="总分", scale=alt.Scale(zero=False)),
            color=alt.condition(
                brush,
                alt.Color("grade:N", scale=grade_scale(), title="等级"),
                alt.value("#d0d0d0"),
            ),
            tooltip=[
                alt.Tooltip("unit_code:N", title="项目编码"),
                alt.Tooltip("unit_name:N", title="项目"),
                alt.Tooltip("execution_rate:Q", title="执行率（%）", format=".2f"),
                alt.Tooltip("total:Q", title="总分", format=".2f"),
                alt.Tooltip("grade:N", title="等级"),
            ],
        )
        .add_params(brush)
        .properties(width=420, height=280)
    )


def _by_grade(selected: pl.DataFrame) -> pl.DataFrame:
    grades = pl.DataFrame({"grade": GRADE_ORDER})
    counts = selected.group_by("grade").agg(
        pl.len().alias("projects"),
        pl.col("budget_full_year").sum().alias("money"),
        pl.col("executed").sum().alias("executed"),
    )
    out = grades.join(counts, on="grade", how="left").with_columns(
        pl.col("projects").fill_null(0),
        pl.col("money").fill_null(0.0),
        pl.col("executed").fill_null(0.0),
    )
    all_projects = out["projects"].sum()
    return out.with_columns(
        (pl.col("projects") / pl.lit(max(all_projects, 1)) * 100).round(2).alias("share")
    )


def grade_mix_chart(selected: pl.DataFrame) -> alt.Chart:
    """Projects per grade (等级分布), all four grades shown.

    Examples
    --------
    >>> df = pl.DataFrame({"grade": ["优", "差", "差"], "budget_full_year": [1.0, 2.0, 3.0],
    ...                    "executed": [1.0, 1.0, 1.0]})
    >>> [r["projects"] for r in grade_mix_chart(df).to_dict()["datasets"].popitem()[1]]
    [1, 0, 0, 2]
    """
    data = _by_grade(selected)
    return (
        alt.Chart(data, title=f"等级分布（{selected.height:,} 个项目）")
        .mark_bar()
        .encode(
            x=alt.X("grade:N", title="等级", sort=GRADE_ORDER, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("projects:Q", title="项目数"),
            color=alt.Color("grade:N", scale=grade_scale(), legend=None),
            tooltip=[
                alt.Tooltip("grade:N", title="等级"),
                alt.Tooltip("projects:Q", title="项目数", format=","),
                alt.Tooltip("share:Q", title="占比（%）", format=".2f"),
            ],
        )
        .properties(width=220, height=200)
    )


def money_by_grade_chart(selected: pl.DataFrame) -> alt.LayerChart:
    """全年预算数 per grade as bars, 执行数 as a black tick on each bar (万元).

    Examples
    --------
    >>> df = pl.DataFrame({"grade": ["优"], "budget_full_year": [10.0], "executed": [8.0]})
    >>> [layer["mark"]["type"] for layer in money_by_grade_chart(df).to_dict()["layer"]]
    ['bar', 'tick']
    """
    data = _by_grade(selected)
    base = alt.Chart(data, title="各等级资金（万元；柱=全年预算数，黑线=执行数）").encode(
        x=alt.X("grade:N", title="等级", sort=GRADE_ORDER, axis=alt.Axis(labelAngle=0)),
        tooltip=[
            alt.Tooltip("grade:N", title="等级"),
            alt.Tooltip("money:Q", title="全年预算数（万元）", format=",.2f"),
            alt.Tooltip("executed:Q", title="执行数（万元）", format=",.2f"),
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y("money:Q", title="万元"),
        color=alt.Color("grade:N", scale=grade_scale(), legend=None),
    )
    ticks = base.mark_tick(color="black", thickness=2, size=30).encode(y="executed:Q")
    return (bars + ticks).properties(width=220, height=200)


def selection_page(
    selected: pl.DataFrame, *, page: int = 0, page_size: int = 50, order: str = "score"
) -> tuple[str, int]:
    """One page of the selected projects as an HTML table.

    ``order="score"``: lowest score first; ``order="risk"``: most at risk first
    (the most severe flag, then the largest 全年预算数, as
    :func:`perfkit.scoring._flags.sort_by_risk`; projects without a flag last).  Each
    project is one row with all its flags.  Returns the HTML and the number
    of pages.

    Examples
    --------
    >>> df = pl.DataFrame({"unit_code": list("abc"), "total": [70.0, 50.0, 90.0]})
    >>> markup, pages = selection_page(df, page=0, page_size=2)
    >>> pages, markup.index(">b<") < markup.index(">a<"), ">c<" in markup
    (2, True, False)
    >>> df = df.with_columns(budget_full_year=pl.Series([10.0, 20.0, 30.0]),
    ...                      risk_level=pl.Series(["high", None, "high"]))
    >>> markup, _ = selection_page(df, order="risk")
    >>> markup.index(">c<") < markup.index(">a<") < markup.index(">b<")
    True
    """
    if order not in ORDERS:
        raise ValueError(
            _("order must be one of {orders}, not {order!r}").format(
                orders=list(ORDERS), order=order
            )
        )
    pages = max(1, -(-selected.height // page_size))
    page = min(max(page, 0), pages - 1)
    if order == "risk" and "risk_level" in selected.columns:
        keys = [risk_rank().fill_null(len(SEVERITY_LABELS)), -pl.col("budget_full_year")]
        keys += [pl.col(c) for c in ("unit_code", "year") if c in selected.columns]
    else:
        order = "score"
        names = (
            ["total", "unit_code", "year"] if "year" in selected.columns else ["total", "unit_code"]
        )
        keys = [pl.col(c) for c in names]
    # only the rows up to this page are ordered: bottom_k is linear, a full sort is not
    lowest = selected.bottom_k((page + 1) * page_size, by=keys).sort(keys, nulls_last=True)
    rows = _codes_as_text(
        lowest.slice(page * page_size, page_size).select(_present(selected, TABLE_COLUMNS))
    )
    caption = (
        f"所选项目（{ORDERS[order].split('：')[0]}）：第 {page + 1} / {pages} 页，"
        f"第 {page * page_size + min(1, rows.height):,}–{page * page_size + rows.height:,} 行，"
        f"共 {selected.height:,} 个项目"
    )
    return str(table(rows, caption=caption, max_rows=page_size)), pages


def department_overview(selected: pl.DataFrame) -> pl.DataFrame:
    """Departments of a selection, lowest budget-weighted mean score first (各部门概况).

    Columns: dept_code, dept_name, projects, budget_full_year, executed,
    execution_rate, score (budget-weighted mean of totals, for display),
    n_poor (projects graded 差).

    Examples
    --------
    >>> df = pl.DataFrame({"dept_code": ["D1", "D1", "D2"], "dept_name": ["甲", "甲", "乙"],
    ...                    "budget_full_year": [10.0, 30.0, 5.0], "executed": [10.0, 20.0, 5.0],
    ...                    "total": [90.0, 50.0, 80.0], "grade": ["优", "差", "良"]})
    >>> department_overview(df).select("dept_code", "score", "n_poor").rows()
    [('D1', 60.0, 1), ('D2', 80.0, 0)]
    """
    budget = pl.col("budget_full_year")
    return (
        selected.group_by("dept_code")
        .agg(
            pl.col("dept_name").last(),
            pl.len().alias("projects"),
            budget.sum(),
            pl.col("executed").sum(),
            pl.when(budget.sum() > 0)
            .then((pl.col("total") * budget).sum() / budget.sum())
            .otherwise(pl.col("total").mean())
            .round(2)
            .alias("score"),
            (pl.col("grade") == "差").sum().cast(pl.Int64).alias("n_poor"),
        )
        .with_columns(
            pl.when(pl.col("budget_full_year") > 0)
            .then(pl.col("executed") / pl.col("budget_full_year") * 100)
            .round(2)
            .alias("execution_rate")
        )
        .select(
            "dept_code",
            "dept_name",
            "projects",
            "budget_full_year",
            "executed",
            "execution_rate",
            "score",
            "n_poor",
        )
        .sort(["score", "dept_code"], nulls_last=True)
    )


def department_summary(selected: pl.DataFrame, dept_code: str) -> str:
    """A department's line in the drill-down: projects, money, execution, scores, grades.

    Examples
    --------
    >>> df = pl.DataFrame({"dept_code": ["D1", "D1"], "dept_name": ["教育局", "教育局"],
    ...                    "budget_full_year": [10.0, 30.0], "executed": [10.0, 20.0],
    ...                    "total": [90.0, 70.0], "grade": ["优", "中"]})
    >>> department_summary(df, "D1")
    'D1 教育局：2 个项目，全年预算 40.00 万元，执行 30.00 万元（75.00%），平均分 80.00；优 1、中 1'
    """
    rows = selected.filter(pl.col("dept_code") == dept_code)
    if rows.is_empty():
        return f"{html.escape(dept_code)}：当前筛选下没有项目"
    name = rows["dept_name"][0]
    budget = rows["budget_full_year"].sum()
    executed = rows["executed"].sum()
    rate = f"（{executed / budget * 100:.2f}%）" if budget else ""
    counts = rows["grade"].value_counts()
    by_grade = dict(zip(counts["grade"], counts["count"], strict=True))
    grades = "、".join(f"{g} {by_grade[g]}" for g in GRADE_ORDER if g in by_grade)
    return html.escape(
        f"{dept_code} {name}：{rows.height:,} 个项目，全年预算 {budget:,.2f} 万元，"
        f"执行 {executed:,.2f} 万元{rate}，平均分 {rows['total'].mean():.2f}；{grades}"
    )


def project_items(
    units: pl.DataFrame, items: pl.DataFrame | None, year: int, unit_code: str
) -> str:
    """A project's headline and its indicators with the points each scored (HTML).

    Examples
    --------
    >>> from perfkit.explorer._data import explorer_data
    >>> d = explorer_data("data/sample")
    >>> markup = project_items(d.units, d.items, 2024, "P2019-D01-001")
    >>> "预算执行率" in markup and "得分" in markup
    True
    """
    unit = units.filter((pl.col("year") == year) & (pl.col("unit_code") == unit_code))
    if unit.is_empty():
        return f"<p>{html.escape(f'{year} {unit_code}')}：没有这个项目</p>"
    row = unit.row(0, named=True)
    head = html.escape(
        f"{row['year']} 年 {row['unit_code']} {row['unit_name']}（{row['dept_name']}）："
        f"总分 {row['total']:.2f}，等级 {row['grade']}"
    )
    parts = [f"<p><b>{head}</b></p>"]
    shown = _codes_as_text(unit.select(_present(unit, TABLE_COLUMNS)))
    parts.append(str(table(shown, caption="项目")))
    if items is None:
        parts.append("<p>没有指标明细（只给了项目得分表）。</p>")
    else:
        own = items.filter((pl.col("year") == year) & (pl.col("unit_code") == unit_code))
        parts.append(
            str(
                table(
                    _codes_as_text(own.select(_present(own, ITEM_COLUMNS))),
                    caption=f"指标与得分（{own.height} 项，合计 {own['points'].sum():.2f} 分）",
                    max_rows=500,
                )
            )
        )
    return "".join(parts)


def export_selection(
    selected: pl.DataFrame,
    items: pl.DataFrame | None,
    path: str | Path,
    *,
    conditions: list[str] | None = None,
    max_item_rows: int = DEFAULT_EXCEL_MAX_ROWS,
    max_bytes: int | None = None,
) -> Path:
    """Write the selected projects (and their items) to an ``.xlsx`` (导出Excel).

    Sheets: 所选项目, 指标得分 (the selected projects' items; left out when
    longer than ``max_item_rows``, which the 筛选条件 sheet then says) and
    筛选条件 (the filters in words).  Chinese headers, formulas neutralised,
    written atomically: a workbook larger than ``max_bytes`` is not kept
    (:class:`~perfkit.errors.PerfkitError`, nothing written).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> df = pl.DataFrame({"unit_code": ["=cmd"], "total": [61.0], "_rank": [0]})
    >>> p = export_selection(df, None, Path(tempfile.mkdtemp()) / "x.xlsx")
    >>> [c.value for c in openpyxl.load_workbook(p)["所选项目"][2]]
    ['=cmd', 61]
    >>> export_selection(df, None, p.parent / "y.xlsx", max_bytes=1000)
    Traceback (most recent call last):
    perfkit.errors.PerfkitError: 工作簿 ... KB，超过单次导出上限 1.0 KB，未保存；...
    >>> (p.parent / "y.xlsx").exists()
    False
    """
    path = Path(path)
    units = selected.select([c for c in selected.columns if not c.startswith("_")])
    sheets = {"所选项目": units}
    notes_lines = list(conditions or []) or ["（未筛选：全部项目）"]
    notes_lines.append(f"项目数：{units.height:,}")
    if items is not None:
        keys = units.select("year", "unit_code").unique()
        own = items.join(keys, on=["year", "unit_code"], how="semi")
        if own.height <= max_item_rows:
            sheets["指标得分"] = own
        else:
            notes_lines.append(
                f"指标得分共 {own.height:,} 行，超过 {max_item_rows:,} 行，未写入本工作簿"
            )
    notes = {"筛选条件": pl.DataFrame({"note": notes_lines})}
    with atomic_output(path.parent) as tmp:
        write_excel(tmp / path.name, sheets, notes=notes, label=_export_label)
        size = (tmp / path.name).stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise PerfkitError(
                f"工作簿 {_size_text(size)}，超过单次导出上限 {_size_text(max_bytes)}，未保存；"
                "请缩小筛选范围后再导出。"
            )
    return path


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:,.1f} MB"
    return f"{size / 1024:,.1f} KB"


def _export_label(name: str) -> str:
    return "筛选条件" if name == "note" else column_label(name)

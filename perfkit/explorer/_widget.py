"""The analyst's explorer as ipywidgets (分析浏览器): filters, linked charts, table, drill-down.

``Explorer(data)`` in a notebook cell shows:

* filters — 年度, 部门, 等级, 项目类别, 风险提示 (any of those picked),
  预算执行率 and 总分 ranges, and 重置筛选;
* a line with the projects selected, their money and mean score;
* linked charts — execution rate against score (a brush drawn on it narrows
  the table, the grade charts and the drill-down to the projects inside),
  the grade mix and the money by grade;
* the selected projects, one row each with all its flags, lowest score
  first or most at risk first (排序), a page at a time;
* drill-down: a department of the selection → one of its projects → its
  indicators and the points each scored;
* 导出Excel: the current selection (projects, their items, the filters in
  words) written to an ``.xlsx`` whose path is shown.

Every callback runs through :func:`perfkit.explorer._guard.guarded`: a failure
is logged server-side and the page shows one short Chinese sentence, never a
traceback.  On the dashboard (``dashboard=True``) the kernel is protected as a
whole (:func:`perfkit.explorer._guard.protect_kernel`) and exports are limited
(:class:`perfkit.explorer._limits.ExportLimits`).

All computation is :mod:`perfkit.explorer._filters` and
:mod:`perfkit.explorer._views` on a frame held in memory; this module only
wires widgets to them.
"""

from __future__ import annotations

import html
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import ipywidgets as w
import polars as pl

from perfkit.errors import PerfkitError
from perfkit.explorer._data import ExplorerData, explorer_data
from perfkit.explorer._filters import Brush, Filters
from perfkit.explorer._guard import guarded, protect_kernel
from perfkit.explorer._limits import ExportGate, ExportLimits
from perfkit.explorer._views import (
    BRUSH,
    ORDERS,
    department_summary,
    export_selection,
    grade_mix_chart,
    money_by_grade_chart,
    project_items,
    scatter_chart,
    selection_page,
    summary_text,
)
from perfkit.i18n import _
from perfkit.present.charts import GRADE_ORDER
from perfkit.scoring._flags import FLAG_LABELS, SEVERITY_LABELS

__all__ = ["Explorer"]

log = logging.getLogger("perfkit.explorer")

_ALL = "__all__"
_EMBED = {"renderer": "svg", "actions": False}
#: Most projects offered in the drill-down's project list.
MAX_PROJECT_OPTIONS = 500


def _chart_widget(chart: alt.TopLevelMixin, css: str) -> alt.JupyterChart:
    widget = alt.JupyterChart(chart, embed_options=_EMBED)
    widget.add_class(css)
    return widget


class Explorer(w.VBox):
    """An interactive explorer of scored projects (ipywidgets; JupyterLab and Voila).

    Parameters
    ----------
    data : path, ScoreResult, ExplorerData, polars.DataFrame or pandas.DataFrame
        A data folder (scored with ``system``), a scoring result, or the units table.
    items : polars.DataFrame or pandas.DataFrame, optional
        The items table when ``data`` is a units table.
    system : str
        The indicator system used to score a data folder.
    filters : Filters, optional
        The filters shown first (default: the latest year).
    max_points : int
        Most projects drawn on the scatter chart (a deterministic sample beyond).
    page_size : int
        Projects per table page.
    export_dir : path
        Where 导出Excel writes its workbooks.
    offline : bool
        Load the charts' JavaScript from the installed vl-convert bundle
        instead of a CDN (for closed networks; costs a few seconds once).
    export_limits : ExportLimits, optional
        Limits on the 导出Excel button (interval, count, rows, bytes); none
        by default (``perfkit dashboard`` sets them).
    dashboard : bool
        Serve as a dashboard page: tracebacks, warnings and log output of
        the kernel go to the server log, never to the page.

    Attributes
    ----------
    filtered : polars.DataFrame
        The projects matching the filters.
    selected : polars.DataFrame
        ``filtered`` narrowed by the brush: the table, grade charts, drill-down
        and export show these.
    last_update_seconds : float
        Time of the last redraw (filter, charts, table), for benchmarks.
    export_gate : ExportGate or None
        Applies ``export_limits`` (its ``clock`` can be replaced in tests).

    Examples
    --------
    >>> from perfkit.explorer import Explorer, Filters
    >>> ex = Explorer("data/sample", offline=False)
    >>> ex.set_filters(Filters(years=(2024,), grades=("差",)))
    >>> set(ex.selected["grade"]), ex.selected.height == ex.filtered.height
    ({'差'}, True)
    """

    def __init__(
        self,
        data: Any,
        items: Any = None,
        *,
        system: str = "project-self-eval",
        filters: Filters | None = None,
        max_points: int = 5000,
        page_size: int = 50,
        export_dir: str | Path = "exports",
        offline: bool = True,
        export_limits: ExportLimits | None = None,
        dashboard: bool = False,
    ) -> None:
        self.data: ExplorerData = explorer_data(data, items, system=system)
        if offline:
            alt.JupyterChart.enable_offline()
        alt.theme.enable("perfkit")
        alt.data_transformers.disable_max_rows()
        self.max_points = max_points
        self.page_size = page_size
        self.export_dir = Path(export_dir)
        self.export_limits = export_limits
        self.export_gate = ExportGate(export_limits) if export_limits is not None else None
        self.filters = filters if filters is not None else Filters(years=tuple(self.data.years[:1]))
        self.brush = Brush()
        self.page = 0
        self.pages = 1
        self.order = "score"
        self.last_update_seconds = 0.0
        self._syncing = False
        self._drilling = False
        self.filtered = self.data.units
        self.selected = self.data.units
        self._build()
        if dashboard:
            protect_kernel(self._report)
        super().__init__(children=self._layout())
        self.add_class("pk-explorer")
        self._write_widgets(self.filters)
        self._update()

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        units = self.data.units
        style = {"description_width": "initial"}
        self.year = w.Dropdown(
            description="年度",
            options=[("全部年度", _ALL), *[(str(y), y) for y in self.data.years]],
            style=style,
        )
        self.dept = w.Dropdown(
            description="部门",
            options=[
                ("全部部门", _ALL),
                *[(f"{c} {n}", c) for c, n in self.data.departments.iter_rows()],
            ],
            style=style,
            layout=w.Layout(width="320px"),
        )
        self.grade = w.SelectMultiple(
            description="等级（不选=全部）",
            options=[g for g in GRADE_ORDER if g in set(units["grade"].unique())],
            rows=4,
            style=style,
        )
        self.category = w.SelectMultiple(
            description="项目类别（不选=全部）",
            options=self.data.categories,
            rows=4,
            style=style,
        )
        self.flag = w.SelectMultiple(
            description="风险提示（任一）",
            options=[
                (f"【{SEVERITY_LABELS[self.data.severity[c]]}】{FLAG_LABELS[c]}", c)
                for c in self.data.flag_codes
            ],
            rows=4,
            style=style,
            layout=w.Layout(width="420px"),
        )
        rate_max = units["execution_rate"].max()
        score_min, score_max = units["total"].min(), units["total"].max()
        self.rate_bounds = (0.0, float(max(100, math.ceil(rate_max or 0))))
        self.score_bounds = (
            float(min(0, math.floor(score_min or 0))),
            float(max(100, math.ceil(score_max or 0))),
        )
        self.rate = w.FloatRangeSlider(
            description="预算执行率（%）",
            min=self.rate_bounds[0],
            max=self.rate_bounds[1],
            value=self.rate_bounds,
            step=0.5,
            continuous_update=False,
            readout_format=".1f",
            style=style,
            layout=w.Layout(width="460px"),
        )
        self.score = w.FloatRangeSlider(
            description="总分",
            min=self.score_bounds[0],
            max=self.score_bounds[1],
            value=self.score_bounds,
            step=0.5,
            continuous_update=False,
            readout_format=".1f",
            style=style,
            layout=w.Layout(width="460px"),
        )
        self.reset = w.Button(description="重置筛选", icon="undo")
        self.summary = w.HTML()
        self.scatter = _chart_widget(
            scatter_chart(units.head(0), max_points=self.max_points), "pk-scatter"
        )
        self.grade_chart = _chart_widget(grade_mix_chart(units.head(0)), "pk-grade-chart")
        self.money_chart = _chart_widget(money_by_grade_chart(units.head(0)), "pk-money-chart")
        self.table = w.HTML()
        self.sort = w.Dropdown(
            description="排序",
            options=[(text.split("：")[0], code) for code, text in ORDERS.items()],
            value="score",
            style=style,
        )
        self.prev_page = w.Button(description="上一页", icon="arrow-left")
        self.next_page = w.Button(description="下一页", icon="arrow-right")
        self.drill_dept = w.Dropdown(
            description="部门", style=style, layout=w.Layout(width="360px")
        )
        self.drill_project = w.Dropdown(
            description="项目", style=style, layout=w.Layout(width="560px")
        )
        self.drill_dept_summary = w.HTML()
        self.drill_items = w.HTML()
        self.export_button = w.Button(description="导出Excel", icon="download", button_style="info")
        self.export_status = w.HTML()
        self.notice = w.HTML()

        # every callback goes through one guard: logged server-side, a short message on the page
        on_filter = self._guard(self._on_filter_widget)
        for widget in (self.year, self.dept, self.grade, self.category, self.flag):
            widget.observe(on_filter, names="value")
        for widget in (self.rate, self.score):
            widget.observe(on_filter, names="value")
        self.reset.on_click(self._guard(lambda _: self.set_filters(Filters()), "reset"))
        self.scatter.observe(self._guard(self._on_brush), names="_vl_selections")
        self.sort.observe(self._guard(lambda c: self.set_order(c["new"]), "sort"), names="value")
        self.prev_page.on_click(self._guard(lambda _: self.show_page(self.page - 1), "prev_page"))
        self.next_page.on_click(self._guard(lambda _: self.show_page(self.page + 1), "next_page"))
        self.drill_dept.observe(self._guard(self._on_drill_dept), names="value")
        self.drill_project.observe(self._guard(self._on_drill_project), names="value")
        self.export_button.on_click(self._guard(self._on_export))
        for css, widget in {
            "pk-year": self.year,
            "pk-dept": self.dept,
            "pk-grade": self.grade,
            "pk-category": self.category,
            "pk-flag": self.flag,
            "pk-summary": self.summary,
            "pk-selection": self.table,
            "pk-sort": self.sort,
            "pk-drill-dept": self.drill_dept,
            "pk-drill-project": self.drill_project,
            "pk-drill-items": self.drill_items,
            "pk-export": self.export_button,
            "pk-export-status": self.export_status,
            "pk-notice": self.notice,
        }.items():
            widget.add_class(css)

    def _layout(self) -> list[w.Widget]:
        def heading(text: str) -> w.HTML:
            return w.HTML(f"<h3 style='margin:10px 0 4px'>{html.escape(text)}</h3>")

        return [
            self.notice,
            heading("筛选"),
            w.HBox([self.year, self.dept, self.reset]),
            w.HBox([self.grade, self.category, self.flag]),
            w.HBox([self.rate, self.score]),
            self.summary,
            heading("图表（在散点图上拖动框选，表格只列框内项目）"),
            w.HBox([self.scatter, w.VBox([self.grade_chart, self.money_chart])]),
            heading("所选项目"),
            w.HBox([self.sort, self.prev_page, self.next_page]),
            self.table,
            heading("逐级查看：部门 → 项目 → 指标得分"),
            w.HBox([self.drill_dept, self.drill_project]),
            self.drill_dept_summary,
            self.drill_items,
            heading("导出"),
            w.HBox([self.export_button, self.export_status]),
        ]

    # ------------------------------------------------------------------ guard
    def _guard(self, callback: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
        """``callback`` through :func:`guarded`; a success clears an earlier message."""

        def run(*args: Any) -> None:
            callback(*args)
            if self.notice.value:
                self.notice.value = ""

        return guarded(run, self._report, name=name or getattr(callback, "__name__", None))

    def _report(self, message: str) -> None:
        self.notice.value = (
            f"<p style='color:#c62828;margin:4px 0'><b>{html.escape(message)}</b></p>"
        )

    # -------------------------------------------------------- widgets ↔ Filters
    def _read_widgets(self) -> Filters:
        rate = tuple(self.rate.value)
        score = tuple(self.score.value)
        return Filters(
            years=() if self.year.value == _ALL else (self.year.value,),
            depts=() if self.dept.value == _ALL else (self.dept.value,),
            grades=tuple(self.grade.value),
            categories=tuple(self.category.value),
            flags=tuple(self.flag.value),
            execution_rate=None if rate == self.rate_bounds else rate,
            score=None if score == self.score_bounds else score,
        )

    def _write_widgets(self, filters: Filters) -> None:
        self._syncing = True
        try:
            years = filters.years if len(filters.years) == 1 else ()
            self.year.value = years[0] if years else _ALL
            depts = filters.depts if len(filters.depts) == 1 else ()
            self.dept.value = depts[0] if depts else _ALL
            self.grade.value = tuple(g for g in filters.grades if g in self.grade.options)
            self.category.value = tuple(c for c in filters.categories if c in self.category.options)
            self.flag.value = tuple(f for f in filters.flags if f in self.data.flag_codes)
            self.rate.value = filters.execution_rate or self.rate_bounds
            self.score.value = filters.score or self.score_bounds
        finally:
            self._syncing = False

    def _on_filter_widget(self, _change: dict) -> None:
        if not self._syncing:
            self.filters = self._read_widgets()
            self._update()

    # ---------------------------------------------------------------- updating
    def set_filters(self, filters: Filters) -> None:
        """Apply ``filters`` (the widgets show them) and redraw everything.

        Filters a widget cannot show (several years or departments) still
        apply; the widget then shows "all".
        """
        self.filters = filters
        self._write_widgets(filters)
        self._update()

    def _update(self) -> None:
        start = time.perf_counter()
        self.filtered = self.data.units.filter(self.filters.expression())
        self.brush = Brush()  # a new scatter chart starts without a brush
        self.scatter.chart = scatter_chart(self.filtered, max_points=self.max_points)
        self._update_selection()
        self.last_update_seconds = time.perf_counter() - start

    def _on_brush(self, change: dict) -> None:
        value = (change["new"].get(BRUSH) or {}).get("value")
        brush = Brush.from_selection(value)
        if brush != self.brush:
            self.brush = brush
            self._update_selection()

    def _update_selection(self) -> None:
        self.selected = self.filtered.filter(self.brush.expression())
        self.summary.value = (
            f"<p style='font-size:14px'><b>"
            f"{html.escape(summary_text(self.selected, self.data.units.height))}"
            f"</b>{self._brush_note()}</p>"
        )
        self.grade_chart.chart = grade_mix_chart(self.selected)
        self.money_chart.chart = money_by_grade_chart(self.selected)
        self.show_page(0)
        self._update_drill_departments()

    def _brush_note(self) -> str:
        if self.brush.is_empty():
            return ""
        return "（" + html.escape("；".join(self.brush.describe())) + "）"

    def set_order(self, order: str) -> None:
        """Order the table by ``"score"`` (lowest first) or ``"risk"`` (most at risk first)."""
        if order not in ORDERS:
            raise ValueError(
                _("order must be one of {orders}, not {order!r}").format(
                    orders=list(ORDERS), order=order
                )
            )
        self.order = order
        if self.sort.value != order:
            self.sort.value = order  # its observer calls back here once, then this is a no-op
            return
        self.show_page(0)

    def show_page(self, page: int) -> None:
        """Show page ``page`` (from 0) of the selected projects."""
        markup, self.pages = selection_page(
            self.selected, page=page, page_size=self.page_size, order=self.order
        )
        self.page = min(max(page, 0), self.pages - 1)
        self.table.value = markup
        self.prev_page.disabled = self.page == 0
        self.next_page.disabled = self.page >= self.pages - 1

    # -------------------------------------------------------------- drill-down
    def _update_drill_departments(self) -> None:
        counts = (
            self.selected.group_by("dept_code")
            .agg(pl.col("dept_name").last(), pl.len().alias("n"))
            .sort("dept_code")
        )
        options = [(f"{c} {n}（{k} 个项目）", c) for c, n, k in counts.iter_rows()]
        keep = self.drill_dept.value
        codes = counts["dept_code"].to_list()
        self._drilling = True
        try:
            self.drill_dept.options = [("（选择部门）", None), *options]
            if keep in codes:
                self.drill_dept.value = keep
            elif len(codes) == 1:
                self.drill_dept.value = codes[0]
            else:
                self.drill_dept.value = None
        finally:
            self._drilling = False
        self._show_department(self.drill_dept.value)

    def _on_drill_dept(self, change: dict) -> None:
        if not self._drilling:
            self._show_department(change["new"])

    def _show_department(self, code: str | None) -> None:
        if code is None:
            self.drill_dept_summary.value = ""
            self._drilling = True
            try:
                self.drill_project.options = [("（先选部门）", None)]
                self.drill_project.value = None
            finally:
                self._drilling = False
            self.drill_items.value = ""
            return
        self.drill_dept_summary.value = f"<p>{department_summary(self.selected, code)}</p>"
        rows = (
            self.selected.filter(pl.col("dept_code") == code)
            .sort(["total", "unit_code"], nulls_last=True)
            .select("year", "unit_code", "unit_name", "total", "grade")
        )
        shown = rows.head(MAX_PROJECT_OPTIONS)
        options = [(f"{y} {c} {n}（{t:.2f} {g}）", (y, c)) for y, c, n, t, g in shown.iter_rows()]
        more = rows.height - shown.height
        first = f"（选择项目，按总分从低到高；另有 {more} 个未列出）" if more else "（选择项目）"
        keep = self.drill_project.value
        values = {v for _, v in options}
        self._drilling = True
        try:
            self.drill_project.options = [(first, None), *options]
            self.drill_project.value = keep if keep in values else None
        finally:
            self._drilling = False
        self._show_project(self.drill_project.value)

    def _on_drill_project(self, change: dict) -> None:
        if not self._drilling:
            self._show_project(change["new"])

    def _show_project(self, key: tuple[int, str] | None) -> None:
        if key is None:
            self.drill_items.value = ""
            return
        year, code = key
        self.drill_items.value = project_items(self.data.units, self.data.items, year, code)

    def drill(self, dept_code: str, year: int | None = None, unit_code: str | None = None) -> str:
        """Open a department (and one of its projects) in the drill-down; the HTML shown."""
        self.drill_dept.value = dept_code
        if unit_code is not None:
            self.drill_project.value = (year, unit_code)
        return self.drill_dept_summary.value + self.drill_items.value

    # ------------------------------------------------------------------ export
    def export(self, path: str | Path | None = None, *, max_bytes: int | None = None) -> Path:
        """Write the current selection to an ``.xlsx``; return its path.

        The default path is ``export_dir/绩效评价筛选结果-YYYYMMDD-HHMMSS.xlsx``
        (``-2``, ``-3`` … appended when an export of the same second exists).
        A workbook larger than ``max_bytes`` is not kept (:class:`PerfkitError`).
        The limits of ``export_limits`` apply to the 导出Excel button, not here.
        """
        if path is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = self.export_dir / f"绩效评价筛选结果-{stamp}.xlsx"
            n = 2
            while path.exists():
                path = self.export_dir / f"绩效评价筛选结果-{stamp}-{n}.xlsx"
                n += 1
        conditions = self.filters.describe() + self.brush.describe()
        return export_selection(
            self.selected, self.data.items, path, conditions=conditions, max_bytes=max_bytes
        )

    def _on_export(self, _button: w.Button) -> None:
        gate = self.export_gate
        if gate is not None:
            refusal = gate.refusal(rows=self.selected.height, folder=self.export_dir)
            if refusal is not None:
                self.export_status.value = _red(refusal)
                return
            gate.record()
        try:
            written = self.export(max_bytes=(gate.limits.max_bytes or None) if gate else None)
        except PerfkitError as exc:  # a message written for the user (e.g. the size limit)
            self.export_status.value = _red(f"导出失败：{exc}")
            return
        except Exception:  # details in the server log; the page gets no paths or traceback
            log.exception("export failed")
            self.export_status.value = _red("导出失败：服务器出错，详情已记入服务器日志。")
            return
        where = html.escape(str(written.resolve()))
        self.export_status.value = f"已导出 {self.selected.height:,} 个项目：<code>{where}</code>"


def _red(text: str) -> str:
    return f"<span style='color:#c62828'>{html.escape(text)}</span>"

"""The analyst's explorer without a browser: filters, brush, drill-down, export, notebook, CLI."""

from __future__ import annotations

from pathlib import Path

import nbformat
import openpyxl
import papermill
import polars as pl
import pytest
from click.testing import CliRunner
from papermill.exceptions import PapermillExecutionError

import perfkit
from perfkit.cli import main
from perfkit.errors import PerfkitError
from perfkit.explorer import Brush, Explorer, Filters, explorer_data
from perfkit.explorer._views import export_selection, scatter_chart
from perfkit.widgets import Explorer as WidgetsExplorer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture(scope="module")
def result() -> perfkit.ScoreResult:
    return perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv")


@pytest.fixture(scope="module")
def explorer(result: perfkit.ScoreResult, tmp_path_factory: pytest.TempPathFactory) -> Explorer:
    return Explorer(result, offline=False, export_dir=tmp_path_factory.mktemp("exports"))


def _keys(frame: pl.DataFrame) -> list[tuple[int, str]]:
    return sorted(frame.select("year", "unit_code").iter_rows())


# ---------------------------------------------------------------- filters
def test_each_filter_alone_and_combined_match_a_direct_polars_filter(
    result: perfkit.ScoreResult,
) -> None:
    data = explorer_data(result)
    units = result.units
    cases = [
        (Filters(years=(2023,)), pl.col("year") == 2023),
        (Filters(depts=("D01", "D07")), pl.col("dept_code").is_in(["D01", "D07"])),
        (Filters(grades=("中", "差")), pl.col("grade").is_in(["中", "差"])),
        (Filters(categories=("基础设施",)), pl.col("category") == "基础设施"),
        (
            Filters(flags=("budget_zero", "self_100_low_execution")),
            pl.col("flag_budget_zero") | pl.col("flag_self_100_low_execution"),
        ),
        (
            Filters(execution_rate=(50, 80)),
            (pl.col("execution_rate") >= 50) & (pl.col("execution_rate") <= 80),
        ),
        (Filters(score=(60, 90)), (pl.col("total") >= 60) & (pl.col("total") <= 90)),
        (
            Filters(years=(2024,), grades=("良",), score=(85, 89.5), flags=("unspent_over_20",)),
            (pl.col("year") == 2024)
            & (pl.col("grade") == "良")
            & pl.col("total").is_between(85, 89.5)
            & pl.col("flag_unspent_over_20"),
        ),
    ]
    for filters, direct in cases:
        got = data.units.filter(filters.expression())
        expected = units.filter(direct)
        assert 0 < expected.height < units.height, filters
        assert _keys(got) == _keys(expected), filters
    assert data.units.filter(Filters().expression()).height == units.height


def test_range_bounds_are_exact_and_undefined_rates_are_kept_only_without_a_rate_range() -> None:
    units = pl.DataFrame(
        {
            "year": [2024] * 6,
            "unit_code": list("abcdef"),
            "unit_name": list("abcdef"),
            "dept_code": ["D1"] * 6,
            "dept_name": ["甲"] * 6,
            "budget_full_year": [10.0, 10.0, 10.0, 10.0, 0.0, 10.0],
            "executed": [8.0] * 6,
            "execution_rate": [80.0, 80.0, 80.0, 80.0, None, 100.0],
            # 0.1 + 0.2 style values: 60.00 and 80.00 must be inside 60–80, 59.99 and 80.01 not
            "total": [0.6 * 100, 59.99, 80.0, 80.01, 70.0, 0.7 * 100 + 0.1 * 100],
            "grade": ["中", "差", "良", "良", "中", "良"],
        }
    )
    data = explorer_data(units)
    inside = data.units.filter(Filters(score=(60, 80)).expression())
    assert inside["unit_code"].to_list() == ["a", "c", "e", "f"]
    assert data.units.filter(Filters(score=(60.0, 59.995)).expression()).height == 1  # 60.00
    kept = data.units.filter(Filters(grades=("中",)).expression())["unit_code"].to_list()
    assert kept == ["a", "e"]  # the budget-0 project stays without a rate range
    rated = data.units.filter(Filters(execution_rate=(0, 100)).expression())
    assert "e" not in rated["unit_code"].to_list() and rated.height == 5


def test_bad_data_is_refused_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(PerfkitError, match="missing column"):
        explorer_data(pl.DataFrame({"year": [2024], "total": [1.0]}))
    with pytest.raises(PerfkitError, match="no projects or indicators table"):
        explorer_data(tmp_path)
    with pytest.raises(PerfkitError, match="polars or pandas"):
        explorer_data([1, 2, 3])


# ------------------------------------------------------- widgets and views
def test_explorer_starts_on_the_latest_year_and_widgets_drive_the_filters(
    explorer: Explorer, result: perfkit.ScoreResult
) -> None:
    latest = result.units.filter(pl.col("year") == 2024)
    explorer.set_filters(Filters(years=(2024,)))
    assert explorer.filtered.height == latest.height
    assert "已选 602 / 1,802 个项目" in explorer.summary.value
    # a person picking 差 and 教育局 in the widgets
    explorer.grade.value = ("差",)
    explorer.dept.value = "D01"
    expected = latest.filter((pl.col("grade") == "差") & (pl.col("dept_code") == "D01"))
    assert explorer.filters == Filters(years=(2024,), depts=("D01",), grades=("差",))
    assert _keys(explorer.selected) == _keys(expected)
    assert f"已选 {expected.height} / 1,802" in explorer.summary.value
    # the score slider moved off its full extent becomes a range filter
    explorer.set_filters(Filters(years=(2024,)))
    explorer.score.value = (60.0, 80.0)
    assert explorer.filters.score == (60.0, 80.0)
    assert explorer.selected["total"].is_between(60, 80).all()
    explorer.reset.click()
    assert explorer.filters == Filters() and explorer.selected.height == 1802


def test_the_brush_on_the_scatter_chart_narrows_table_charts_and_drill_down(
    explorer: Explorer, result: perfkit.ScoreResult
) -> None:
    explorer.set_filters(Filters(years=(2024,)))
    before_table = explorer.table.value
    # what the page's JavaScript sends when the analyst drags a rectangle
    explorer.scatter._vl_selections = {
        "brush": {"value": {"execution_rate": [0, 60], "total": [80, 100]}, "store": []}
    }
    expected = result.units.filter(
        (pl.col("year") == 2024)
        & pl.col("execution_rate").is_between(0, 60)
        & pl.col("total").is_between(80, 100)
    )
    assert 0 < expected.height < 602
    assert explorer.brush == Brush({"execution_rate": (0.0, 60.0), "total": (80.0, 100.0)})
    assert _keys(explorer.selected) == _keys(expected)
    assert explorer.filtered.height == 602  # the brush narrows the selection, not the filters
    assert explorer.table.value != before_table
    assert f"共 {expected.height:,} 个项目" in explorer.table.value
    assert f"已选 {expected.height:,} / 1,802" in explorer.summary.value
    assert "图中框选" in explorer.summary.value
    grade_counts = explorer.grade_chart.spec["datasets"]
    (rows,) = grade_counts.values()
    assert sum(r["projects"] for r in rows) == expected.height
    depts = {v for _, v in explorer.drill_dept.options if v is not None}
    assert depts == set(expected["dept_code"])
    # clearing the brush (double click) brings back the filtered projects
    explorer.scatter._vl_selections = {"brush": {"value": None, "store": []}}
    assert explorer.selected.height == 602
    # a filter change draws a new chart and drops the brush
    explorer.scatter._vl_selections = {
        "brush": {"value": {"execution_rate": [0, 60], "total": [80, 100]}, "store": []}
    }
    explorer.set_filters(Filters(years=(2024,), grades=("优",)))
    assert explorer.brush.is_empty() and set(explorer.selected["grade"]) == {"优"}


def test_table_pages_lowest_score_first(explorer: Explorer) -> None:
    explorer.set_filters(Filters(years=(2024,)))
    assert explorer.pages == 13 and explorer.prev_page.disabled  # 602 projects, 50 a page
    lowest = explorer.selected.sort("total")["unit_code"][0]
    assert lowest in explorer.table.value
    assert "<td>2024</td>" in explorer.table.value  # a year, not an amount ("2,024")
    explorer.next_page.click()
    assert explorer.page == 1 and "第 2 / 13 页" in explorer.table.value
    assert lowest not in explorer.table.value
    explorer.show_page(99)
    assert (
        explorer.page == 12
        and explorer.next_page.disabled
        and "共 602 个项目" in (explorer.table.value)
    )


def test_drill_down_department_project_items(
    explorer: Explorer, result: perfkit.ScoreResult
) -> None:
    explorer.set_filters(Filters(years=(2024,), depts=("D01",)))
    assert explorer.drill_dept.value == "D01"  # the only department: opened at once
    dept = result.units.filter((pl.col("year") == 2024) & (pl.col("dept_code") == "D01"))
    assert f"{dept.height} 个项目" in explorer.drill_dept_summary.value
    assert "教育局" in explorer.drill_dept_summary.value
    options = [v for _, v in explorer.drill_project.options if v is not None]
    assert sorted(options) == _keys(dept)
    year, code = options[0]
    shown = explorer.drill("D01", year, code)
    items = result.items.filter((pl.col("year") == year) & (pl.col("unit_code") == code))
    total = dept.filter(pl.col("unit_code") == code)["total"][0]
    assert f"{items.height} 项，合计 {items['points'].sum():.2f} 分" in shown
    assert f"总分 {total:.2f}" in shown
    for name in items.filter(pl.col("group") != "预算执行率")["item"].to_list():
        assert name in explorer.drill_items.value
    assert "预算执行率" in explorer.drill_items.value


def test_scatter_is_a_deterministic_capped_sample(result: perfkit.ScoreResult) -> None:
    data = explorer_data(result)
    first = scatter_chart(data.units, max_points=100).to_dict()
    again = scatter_chart(explorer_data(result).units, max_points=100).to_dict()
    (points,) = first["datasets"].values()
    assert len(points) == 100 and first == again
    drawable = result.units["execution_rate"].is_not_null().sum()
    assert f"{drawable:,} 个项目中随机抽取 100 个显示" in first["title"]["text"]
    assert "执行率无法计算" in first["title"]["subtitle"]
    whole = scatter_chart(data.units.filter(pl.col("year") == 2024)).to_dict()
    (points,) = whole["datasets"].values()
    rated = result.units.filter((pl.col("year") == 2024) & pl.col("execution_rate").is_not_null())
    assert len(points) == rated.height and "随机抽取" not in whole["title"]["text"]


# ------------------------------------------------------------------ export
def test_export_writes_the_selection_with_formulas_neutralised(tmp_path: Path) -> None:
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False)
    hostile = "=cmd|' /C calc'!A0"
    first = projects.row(0, named=True)
    projects = projects.with_columns(
        pl.when(
            (pl.col("year") == first["year"]) & (pl.col("project_code") == first["project_code"])
        )
        .then(pl.lit(hostile))
        .otherwise(pl.col("project_name"))
        .alias("project_name")
    )
    result = perfkit.score(projects, indicators)
    ex = Explorer(result, offline=False, export_dir=tmp_path)
    ex.set_filters(Filters(years=(int(first["year"]),), depts=(first["dept_code"],)))
    ex.export_button.click()
    assert "已导出" in ex.export_status.value
    (written,) = tmp_path.glob("绩效评价筛选结果-*.xlsx")
    assert str(written.resolve()) in ex.export_status.value
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["所选项目", "指标得分", "筛选条件"]
    sheet = book["所选项目"]
    headers = [c.value for c in sheet[1]]
    assert "名称" in headers and "总分" in headers and "_rank" not in headers
    assert sheet.max_row - 1 == ex.selected.height
    names = [row[headers.index("名称")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert hostile in names and "'" + hostile not in names  # a text cell, not an apostrophe
    codes = {row[headers.index("单位编码")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    items = book["指标得分"]
    item_headers = [c.value for c in items[1]]
    item_codes = {
        row[item_headers.index("单位编码")] for row in items.iter_rows(min_row=2, values_only=True)
    }
    assert item_codes == codes
    expected_items = result.items.join(
        ex.selected.select("year", "unit_code"), on=["year", "unit_code"], how="semi"
    )
    assert items.max_row - 1 == expected_items.height
    notes = [r[0] for r in book["筛选条件"].iter_rows(min_row=2, values_only=True)]
    assert f"部门：{first['dept_code']}" in notes and f"项目数：{ex.selected.height}" in notes
    # two exports in the same second never overwrite each other
    again = ex.export()
    assert again != written and len(list(tmp_path.glob("绩效评价筛选结果-*.xlsx"))) == 2


def test_export_leaves_out_items_beyond_the_limit(
    result: perfkit.ScoreResult, tmp_path: Path
) -> None:
    data = explorer_data(result)
    path = export_selection(data.units.head(5), data.items, tmp_path / "x.xlsx", max_item_rows=3)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["所选项目", "筛选条件"]
    notes = [r[0] for r in book["筛选条件"].iter_rows(min_row=2, values_only=True)]
    assert any("未写入本工作簿" in n for n in notes)


# ------------------------------------------------------------------ pandas
def test_explorer_from_pandas_frames(result: perfkit.ScoreResult) -> None:
    units, items = result.to_pandas()
    ex = WidgetsExplorer(units, items, offline=False)
    ex.set_filters(Filters(years=(2024,), grades=("差",)))
    expected = result.units.filter((pl.col("year") == 2024) & (pl.col("grade") == "差"))
    assert _keys(ex.selected) == _keys(expected)
    year, code = _keys(expected)[0]
    dept = expected.filter(pl.col("unit_code") == code)["dept_code"][0]
    assert "指标与得分" in ex.drill(dept, year, code)


# ---------------------------------------------------------------- notebook
def test_notebook_runs_through_papermill(tmp_path: Path) -> None:
    nb = papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters={"data_dir": str(SAMPLE), "year": 2023, "export_dir": str(tmp_path)},
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    view = "application/vnd.jupyter.widget-view+json"
    widgets = [o for o in outputs if view in o.get("data", {})]
    assert len(widgets) == 1 and "Explorer" in widgets[0]["data"]["text/plain"]
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "2023 年：已选" in html
    assert "2023 年各部门概况" in html and "加权平均分" in html and "教育局" in html


def test_notebook_stops_on_a_year_without_data(tmp_path: Path) -> None:
    with pytest.raises(PapermillExecutionError, match="year 1999: no projects"):
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            parameters={"data_dir": str(SAMPLE), "year": 1999},
            kernel_name="python3",
            cwd=str(ROOT),
            progress_bar=False,
        )
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells


# --------------------------------------------------------------------- CLI
def test_dashboard_refuses_a_folder_without_tables(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["dashboard", "--data", str(tmp_path / "nope"), "--no-browser"])
    assert missing.exit_code == 1 and "no such folder" in missing.output
    empty = runner.invoke(main, ["dashboard", "--data", str(tmp_path), "--no-browser"])
    assert empty.exit_code == 1 and "no projects or indicators table" in empty.output
    assert "Traceback" not in empty.output

"""Writing scored projects back into the official form, ready to print and sign (自评表导出).

:func:`write_forms` takes the output of ``perfkit score`` (a folder with
``unit_scores`` and ``item_scores`` as .parquet or .csv, or a
:class:`~perfkit.result.ScoreResult`) and writes each project as a
项目支出绩效自评表 sheet with openpyxl: merged cells, thin borders, a CJK font
(宋体), number formats (money ``#,##0.00``, points ``0.00``, 执行率 ``0.00%``),
A4 landscape fitted to one page wide, the recomputed 得分 and 总分, the grade
and a signature line.  Text a spreadsheet would run as a formula is
neutralised (:func:`perfkit.export.neutralise_formulas`); targets are written
with full-width ``＝`` so that ``=0起`` stays text.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.export import atomic_output, neutralise_formulas
from perfkit.filenames import inside, safe_filename, unique_filename
from perfkit.result import ScoreResult

__all__ = ["BY", "read_scores", "write_forms"]

#: How forms are grouped into workbooks.
BY = ("department", "project", "all")
_TEXT = [
    "unit_code",
    "unit_name",
    "dept_code",
    "dept_name",
    "grade",
    "group",
    "level2",
    "item",
    "rule",
    "direction",
    "target",
    "actual",
    "unit",
    "reason",
    "source_file",
    "source_sheet",
    "source_cell",
]
_SYMBOL = {"positive": "≥", "reverse": "≤", "equal": "＝"}
_FONT = "宋体"
_WIDTHS = {"A": 10, "B": 12, "C": 16, "D": 24, "E": 14, "F": 14, "G": 9, "H": 9, "I": 30}


def read_scores(folder: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``unit_scores`` and ``item_scores`` from a ``perfkit score`` folder (.parquet or .csv).

    Examples
    --------
    >>> import perfkit, tempfile
    >>> out = tempfile.mkdtemp()
    >>> _ = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv").write(out)
    >>> units, items = read_scores(out)
    >>> units.schema["unit_code"], items.schema["points"]
    (String, Float64)
    """
    folder = Path(folder)
    frames = []
    for name in ("unit_scores", "item_scores"):
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if parquet.is_file():
            frames.append(pl.read_parquet(parquet))
        elif csv.is_file():
            header = pl.read_csv(csv, n_rows=0).columns
            text = {c: pl.String for c in _TEXT if c in header}
            frames.append(pl.read_csv(csv, schema_overrides=text, infer_schema_length=None))
        else:
            raise PerfkitError(f"{folder}: no {name}.parquet or {name}.csv (run perfkit score)")
    return frames[0], frames[1]


def _sheet_title(text: str, limit: int) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\[\]\x00-\x1f]', "_", text).strip(" .'")
    return (cleaned or "_")[:limit]


def write_forms(
    scores: str | Path | ScoreResult,
    out_dir: str | Path,
    *,
    by: str = "department",
) -> list[Path]:
    """Write every scored project as an official 项目支出绩效自评表 sheet.

    Parameters
    ----------
    scores : path or ScoreResult
        A ``perfkit score`` output folder, or a result from :func:`perfkit.score`
        of an ``indicators`` system (such as ``project-self-eval``).
    out_dir : path
        Folder for the workbooks (written atomically).
    by : {"department", "project", "all"}
        One workbook per department and year (a sheet per project), one per
        project, or one for everything.

    Returns
    -------
    list of Path
        The workbooks written.

    Examples
    --------
    >>> import perfkit, tempfile, openpyxl
    >>> r = perfkit.score("tests/bad_inputs/valid_projects.csv",
    ...                   "tests/bad_inputs/valid_indicators.csv")
    >>> paths = write_forms(r, tempfile.mkdtemp(), by="all")
    >>> ws = openpyxl.load_workbook(paths[0]).worksheets[0]
    >>> ws["A1"].value, ws.page_setup.orientation
    ('项目支出绩效自评表', 'landscape')
    """
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    if isinstance(scores, ScoreResult):
        units, items = scores.units, scores.items
    else:
        units, items = read_scores(scores)
    needed = {"budget_full_year", "executed", "execution_rate", "total", "grade"}
    if not needed <= set(units.columns) or "预算执行率" not in units.columns:
        raise PerfkitError(
            "export-forms needs the scores of a project system (such as project-self-eval): "
            f"unit_scores lacks {sorted(needed - set(units.columns)) or ['预算执行率']}"
        )
    units = neutralise_formulas(units)
    items = neutralise_formulas(items.filter(pl.col("rule") != "execution_rate"))
    if by == "department":
        key = pl.format("{}-{}-{}", pl.col("year"), pl.col("dept_code"), pl.col("dept_name"))
    elif by == "project":
        key = pl.format("{}-{}", pl.col("year"), pl.col("unit_code"))
    else:
        key = pl.lit("自评表")
    units = units.with_columns(key.alias("_book"))
    by_unit = items.partition_by("year", "unit_code", as_dict=True)
    output = atomic_output(out_dir)
    used: set[str] = set()
    with output as tmp:
        for (book,), group in units.partition_by(
            "_book", as_dict=True, maintain_order=True
        ).items():
            # names come from the data: one safe name each, two names never one file
            name = unique_filename(safe_filename(book, suffix=".xlsx"), used)
            _write_book(inside(tmp, tmp / name), group, by_unit)
    return output.written


def _write_book(path: Path, units: pl.DataFrame, by_unit: dict) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for unit in units.iter_rows(named=True):
        base = _sheet_title(str(unit["unit_code"]), 28)
        title, n = base, 1
        while title.lower() in used:
            n += 1
            title = f"{base[:26]}-{n}"
        used.add(title.lower())
        items = by_unit.get((unit["year"], unit["unit_code"]), pl.DataFrame())
        _write_sheet(workbook.create_sheet(title), unit, items)
    workbook.save(path)


def _target_text(row: dict) -> str:
    if row.get("direction") == "qualitative":
        return row.get("target") or ""
    symbol = _SYMBOL.get(row.get("direction") or "", "")
    return f"{symbol}{row.get('target') or ''}{row.get('unit') or ''}"


def _actual_text(row: dict) -> str:
    if row.get("direction") == "qualitative":
        return row.get("actual") or ""
    return f"{row.get('actual') or ''}{row.get('unit') or ''}"


def _write_sheet(ws: object, unit: dict, items: pl.DataFrame) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=_FONT, size=11)
    bold = Font(name=_FONT, size=11, bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def put(ref: str, value: object, fmt: str | None = None, *, font=body, align=centre) -> None:
        cell = ws[ref]  # type: ignore[index]
        cell.value = value
        cell.font = font
        cell.alignment = align
        if fmt:
            cell.number_format = fmt

    def merge(ref: str) -> None:
        ws.merge_cells(ref)  # type: ignore[attr-defined]

    put("A1", "项目支出绩效自评表", font=Font(name=_FONT, size=16, bold=True))
    merge("A1:I1")
    put("A2", f"（{unit['year']}年度）")
    merge("A2:I2")
    put("A3", "项目名称", font=bold)
    put("B3", unit["unit_name"], align=left)
    merge("B3:E3")
    put("F3", "项目编码", font=bold)
    put("G3", unit["unit_code"], align=left)
    merge("G3:I3")
    put("A4", "主管部门", font=bold)
    put("B4", unit["dept_name"], align=left)
    merge("B4:D4")
    put("E4", "实施单位", font=bold)
    merge("F4:I4")
    put("A5", "项目资金（万元）", font=bold)
    merge("A5:A9")
    merge("B5:C5")
    for col, label in zip(
        "DEFGHI", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], strict=True
    ):
        put(f"{col}5", label, font=bold)
    money = "#,##0.00"
    for r, label in zip(
        range(6, 10),
        ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"],
        strict=True,
    ):
        put(f"B{r}", label)
        merge(f"B{r}:C{r}")
    if unit.get("budget_initial") is not None:
        put("D6", unit["budget_initial"], money)
    put("E6", unit["budget_full_year"], money)
    put("F6", unit["executed"], money)
    weight = 10.0
    put("G6", weight, "0.00")
    rate = unit["execution_rate"]
    put("H6", None if rate is None else rate / 100, "0.00%")
    put("I6", unit["预算执行率"], "0.00")
    put("A10", "年度总体目标", font=bold)
    merge("A10:A11")
    put("B10", "预期目标", font=bold)
    merge("B10:E10")
    put("F10", "实际完成情况", font=bold)
    merge("F10:I10")
    merge("B11:E11")
    merge("F11:I11")
    ws.row_dimensions[11].height = 48  # type: ignore[attr-defined]
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    put("A12", "绩效指标", font=bold)
    for col, label in zip("BCDEFGHI", [*heads, "偏差原因分析及改进措施"], strict=True):
        put(f"{col}12", label, font=bold)
    rows = items.to_dicts() if items.height else []
    first = 13
    for i, row in enumerate(rows):
        r = first + i
        put(f"B{r}", row.get("group"))
        put(f"C{r}", row.get("level2"))
        put(f"D{r}", row.get("item"), align=left)
        put(f"E{r}", _target_text(row))
        put(f"F{r}", _actual_text(row))
        put(f"G{r}", row.get("weight"), "0.00")
        put(f"H{r}", row.get("points"), "0.00")
        put(f"I{r}", row.get("reason"), align=left)
    last = first + max(len(rows), 1) - 1
    merge(f"A12:A{last}")
    for col, key, within in (("B", "group", None), ("C", "level2", "group")):
        start = 0
        for i in range(1, len(rows) + 1):
            same = i < len(rows) and rows[i].get(key) == rows[start].get(key)
            if same and within:
                same = rows[i].get(within) == rows[start].get(within)
            if not same:
                if i - 1 > start:
                    merge(f"{col}{first + start}:{col}{first + i - 1}")
                start = i
    total = last + 1
    put(f"A{total}", "总分", font=bold)
    merge(f"A{total}:F{total}")
    put(f"G{total}", 100.0, "0.00", font=bold)
    put(f"H{total}", unit["total"], "0.00", font=bold)
    put(f"A{total + 1}", "评价等级", font=bold)
    put(f"B{total + 1}", unit["grade"], font=bold)
    merge(f"B{total + 1}:I{total + 1}")
    for row in ws.iter_rows(min_row=3, max_row=total + 1, max_col=9):  # type: ignore[attr-defined]
        for cell in row:
            cell.border = border
            if cell.font != body and cell.value is None:
                cell.font = body
    sign = total + 3
    put(f"A{sign}", "单位负责人（签字）：", align=left)
    merge(f"A{sign}:C{sign}")
    put(f"D{sign}", "填表人：", align=left)
    put(f"F{sign}", "联系电话：", align=left)
    put(f"H{sign}", "填报日期：", align=left)
    merge(f"H{sign}:I{sign}")
    put(f"A{sign + 1}", "得分为 perfkit 按评分规则复算；偏差原因由单位填写。", align=left)
    merge(f"A{sign + 1}:I{sign + 1}")
    for col, width in _WIDTHS.items():
        ws.column_dimensions[col].width = width  # type: ignore[attr-defined]
    ws.page_setup.orientation = "landscape"  # type: ignore[attr-defined]
    ws.page_setup.paperSize = 9  # A4  # type: ignore[attr-defined]
    ws.page_setup.fitToWidth = 1  # type: ignore[attr-defined]
    ws.page_setup.fitToHeight = 0  # type: ignore[attr-defined]
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)  # type: ignore[attr-defined]
    ws.print_options.horizontalCentered = True  # type: ignore[attr-defined]
    ws.print_title_rows = "1:2"  # type: ignore[attr-defined]

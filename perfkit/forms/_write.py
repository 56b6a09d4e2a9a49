"""Writing scored projects back into the official form, ready to print and sign (自评表导出).

:func:`write_forms` takes the output of ``perfkit score`` (a folder with
``unit_scores`` and ``item_scores`` as .parquet or .csv, or a
:class:`~perfkit.scoring._result.ScoreResult`) and writes each project as a
项目支出绩效自评表 sheet with xlsxwriter: merged cells, thin borders, a CJK font
(宋体), number formats (money ``#,##0.00``, points ``0.00``, 执行率 ``0.00%``),
A4 landscape fitted to one page wide, the recomputed 得分 and 总分, the grade
and a signature line.

What is written reads back exactly (``perfkit import-forms`` gives the names
and numbers that went in, ``perfkit check-forms`` finds nothing):

* numbers are the exact decimals of the scores — the 执行率 cell holds
  ``0.9333`` for 93.33 % (computed in decimal, not ``93.33 / 100`` in binary
  floating point) — and each ``<v>`` is the shortest text of its double
  (:func:`perfkit.tables._write.xlsx_workbook`; openpyxl would write ``9.38`` as
  ``9.380000000000001``);
* text is written as text cells; text a spreadsheet would run as a formula
  (``=HYPERLINK(…)``, ``+1``, ``@SUM(A1)``) gets Excel's quote prefix, not an
  apostrophe in the value;
* targets are written with full-width ``＝`` (``＝12次``) so that they read as
  text anywhere.

上年结转资金 (全年预算数 column) is the project's ``carryover``, taken from the
scores when they carry it or from the ``projects`` table given.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, PerfkitError
from perfkit.forms._messages import NO_CARRYOVER_COLUMN, NO_PROJECT_MATCHES
from perfkit.i18n import _
from perfkit.numbers import SCALE
from perfkit.scoring._result import ScoreResult
from perfkit.tables._filenames import inside, safe_filename, unique_filename
from perfkit.tables._read import TableInput, read_table
from perfkit.tables._validate import check_table
from perfkit.tables._workbook_guard import column_name
from perfkit.tables._write import (
    atomic_output,
    excel_text,
    excel_text_notes,
    formula_like,
    print_setup,
    restore_formulas,
    xlsx_workbook,
)

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

    Parquet is read as it is; in CSV, the apostrophe perfkit put before
    formula-like text (:func:`perfkit.tables._write.neutralise_formulas`) is taken
    off again, so the names are the ones that were scored.

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
            frame = pl.read_csv(csv, schema_overrides=text, infer_schema_length=None)
            frames.append(restore_formulas(frame))  # '=… in perfkit's CSV was =…
        else:
            raise PerfkitError(
                _("{folder}: no {name}.parquet or {name}.csv (run perfkit score)").format(
                    folder=folder, name=name
                )
            )
    return frames[0], frames[1]


def _sheet_title(text: str, limit: int) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\[\]\x00-\x1f]', "_", text).strip(" .'")
    return (cleaned or "_")[:limit]


def write_forms(
    scores: str | Path | ScoreResult,
    out_dir: str | Path,
    *,
    by: str = "department",
    projects: TableInput | None = None,
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
    projects : path or frame, optional
        The ``projects`` table the scores were computed from; its
        ``carryover`` fills 上年结转资金 (unless the scores carry it).

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
        raise ValueError(_("by must be one of {choices}, not {by!r}").format(choices=BY, by=by))
    if isinstance(scores, ScoreResult):
        units, items = scores.units, scores.items
    else:
        units, items = read_scores(scores)
    needed = {"budget_full_year", "executed", "execution_rate", "total", "grade"}
    if not needed <= set(units.columns) or "预算执行率" not in units.columns:
        raise PerfkitError(
            _(
                "export-forms needs the scores of a project system (such as "
                "project-self-eval): unit_scores lacks {missing}"
            ).format(missing=sorted(needed - set(units.columns)) or ["预算执行率"])
        )
    if "carryover" not in units.columns:
        units = units.join(
            _carryover(projects, units), on=["year", "unit_code"], how="left", maintain_order="left"
        )
    items = items.filter(pl.col("rule") != "execution_rate")
    if by == "department":
        key = format_expr("{}-{}-{}", pl.col("year"), pl.col("dept_code"), pl.col("dept_name"))
    elif by == "project":
        key = format_expr("{}-{}", pl.col("year"), pl.col("unit_code"))
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


def _carryover(projects: TableInput | None, units: pl.DataFrame) -> pl.DataFrame:
    """``year``, ``unit_code``, ``carryover`` (exact Decimal) from a projects table."""
    schema = {"year": units.schema["year"], "unit_code": pl.String, "carryover": pl.Decimal(38, 6)}
    if projects is None:
        return pl.DataFrame(schema=schema)

    raw = read_table(projects, "projects")
    typed, problems = check_table(raw)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, summary="export-forms: the projects table has errors")
    if "carryover" not in typed.columns:
        raise PerfkitError(_(NO_CARRYOVER_COLUMN).format(file=raw.source))
    found = typed.select(
        pl.col("year").cast(schema["year"]),
        pl.col("project_code").alias("unit_code"),
        (pl.col("carryover").cast(pl.Decimal(38, 6)) / SCALE).cast(pl.Decimal(38, 6)),
    ).unique(["year", "unit_code"], keep="first", maintain_order=True)
    if units.height and units.join(found, on=["year", "unit_code"], how="semi").height == 0:
        raise PerfkitError(_(NO_PROJECT_MATCHES).format(file=raw.source))
    return found


def _write_book(path: Path, units: pl.DataFrame, by_unit: dict) -> None:
    workbook = xlsx_workbook(path, {"in_memory": True})  # small books: no temporary files
    formats = _Formats(workbook)
    used: set[str] = set()
    with excel_text_notes(path.name):
        for unit in units.iter_rows(named=True):
            base = _sheet_title(str(unit["unit_code"]), 28)
            if base.lower() == "history":  # a name Excel reserves
                base += "_"
            title, n = base, 1
            while title.lower() in used:
                n += 1
                title = f"{base[:26]}-{n}"
            used.add(title.lower())
            items = by_unit.get((unit["year"], unit["unit_code"]), pl.DataFrame())
            sheet = _form_sheet(unit, items)
            ws = workbook.add_worksheet(title)
            sheet.emit(ws, formats)
            _page_setup(ws)
    workbook.close()


def _target_text(row: dict) -> str:
    if row.get("direction") == "qualitative":
        return row.get("target") or ""
    symbol = _SYMBOL.get(row.get("direction") or "", "")
    return f"{symbol}{row.get('target') or ''}{row.get('unit') or ''}"


def _actual_text(row: dict) -> str:
    if row.get("direction") == "qualitative":
        return row.get("actual") or ""
    return f"{row.get('actual') or ''}{row.get('unit') or ''}"


def _exact(value: object) -> Decimal | None:
    """A number of the scores as the exact decimal it stands for (``9.38``, not its double)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)


def _cell(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match, ref
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


class _Formats:
    """xlsxwriter formats of a workbook, one per combination of properties."""

    def __init__(self, workbook: object) -> None:
        self.workbook = workbook
        self.cache: dict[tuple, object] = {}

    def get(self, **props: object) -> object:
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format(dict(props))  # type: ignore[attr-defined]
        return self.cache[key]


class _Sheet:
    """One form's cells before they are written: values, styles, merged ranges, borders."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[object, dict[str, object]]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.bordered: tuple[int, int] = (0, -1)  # rows (0-based, inclusive) with thin borders
        self.heights: dict[int, float] = {}

    def put(
        self,
        ref: str,
        value: object,
        fmt: str | None = None,
        *,
        bold: bool = False,
        size: int = 11,
        align: str = "center",
    ) -> None:
        style: dict[str, object] = {"bold": bold, "font_size": size, "align": align}
        if fmt:
            style["num_format"] = fmt
        self.cells[_cell(ref)] = (value, style)

    def merge(self, ref: str) -> None:
        first, last = ref.split(":")
        self.merges.append((*_cell(first), *_cell(last)))

    def _format(self, formats: _Formats, r: int, c: int, value: object) -> object:
        style = dict(self.cells.get((r, c), (None, {}))[1])
        props = {
            "font_name": _FONT,
            "font_size": style.pop("font_size", 11),
            "bold": style.pop("bold", False),
            "align": style.pop("align", "center"),
            "valign": "vcenter",
            "text_wrap": True,
            **style,
        }
        if self.bordered[0] <= r <= self.bordered[1] and c < 9:
            props["border"] = 1
        if isinstance(value, str) and formula_like(value):
            props["quote_prefix"] = True  # text as Excel keeps '=…: shown and read as written
        return formats.get(**props)

    def _write(self, ws: object, formats: _Formats, r: int, c: int, value: object) -> None:
        fmt = self._format(formats, r, c, value)
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)  # type: ignore[attr-defined]
        elif isinstance(value, str):
            where = f"{ws.name}!{column_name(c + 1)}{r + 1}"  # type: ignore[attr-defined]
            ws.write_string(r, c, excel_text(value, where), fmt)  # type: ignore[attr-defined]
        else:
            ws.write_number(r, c, float(_exact(value)), fmt)  # type: ignore[arg-type,attr-defined]

    def emit(self, ws: object, formats: _Formats) -> None:
        """Write the cells, merged ranges and borders on an xlsxwriter worksheet."""
        covered: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in self.merges:
            value = self.cells.get((r1, c1), (None, {}))[0]
            fmt = self._format(formats, r1, c1, value)
            ws.merge_range(r1, c1, r2, c2, "", fmt)  # type: ignore[attr-defined]
            self._write(ws, formats, r1, c1, value)  # the value with its own type
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for (r, c), (value, _style) in self.cells.items():
            if (r, c) not in covered:
                self._write(ws, formats, r, c, value)
        top, bottom = self.bordered
        for r in range(top, bottom + 1):
            for c in range(9):
                if (r, c) not in covered and (r, c) not in self.cells:
                    self._write(ws, formats, r, c, None)
        for row, height in self.heights.items():
            ws.set_row(row, height)  # type: ignore[attr-defined]


def _form_sheet(unit: dict, items: pl.DataFrame) -> _Sheet:
    """The cells of one project's 项目支出绩效自评表."""
    sheet = _Sheet()
    put, merge = sheet.put, sheet.merge
    put("A1", "项目支出绩效自评表", bold=True, size=16)
    merge("A1:I1")
    put("A2", f"（{unit['year']}年度）")
    merge("A2:I2")
    put("A3", "项目名称", bold=True)
    put("B3", unit["unit_name"], align="left")
    merge("B3:E3")
    put("F3", "项目编码", bold=True)
    put("G3", unit["unit_code"], align="left")
    merge("G3:I3")
    put("A4", "主管部门", bold=True)
    put("B4", unit["dept_name"], align="left")
    merge("B4:C4")
    put("D4", "部门编码", bold=True)
    put("E4", unit["dept_code"], align="left")
    put("F4", "实施单位", bold=True)
    merge("G4:I4")
    put("A5", "项目资金（万元）", bold=True)
    merge("A5:A9")
    merge("B5:C5")
    for col, label in zip(
        "DEFGHI", ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], strict=True
    ):
        put(f"{col}5", label, bold=True)
    money = "#,##0.00"
    for r, label in zip(
        range(6, 10),
        ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"],
        strict=True,
    ):
        put(f"B{r}", label)
        merge(f"B{r}:C{r}")
    put("D6", unit.get("budget_initial"), money)
    put("E6", unit["budget_full_year"], money)
    put("F6", unit["executed"], money)
    put("E8", unit.get("carryover"), money)  # 上年结转资金: the carry-over into the year
    put("G6", 10, "0.00")
    rate = _exact(unit["execution_rate"])
    put("H6", None if rate is None else rate / 100, "0.00%")  # the exact fraction: 93.33 → 0.9333
    put("I6", unit["预算执行率"], "0.00")
    put("A10", "年度总体目标", bold=True)
    merge("A10:A11")
    put("B10", "预期目标", bold=True)
    merge("B10:E10")
    put("F10", "实际完成情况", bold=True)
    merge("F10:I10")
    merge("B11:E11")
    merge("F11:I11")
    sheet.heights[10] = 48
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    put("A12", "绩效指标", bold=True)
    for col, label in zip("BCDEFGHI", [*heads, "偏差原因分析及改进措施"], strict=True):
        put(f"{col}12", label, bold=True)
    rows = items.to_dicts() if items.height else []
    first = 13
    for i, row in enumerate(rows):
        r = first + i
        put(f"B{r}", row.get("group"))
        put(f"C{r}", row.get("level2"))
        put(f"D{r}", row.get("item"), align="left")
        put(f"E{r}", _target_text(row))
        put(f"F{r}", _actual_text(row))
        put(f"G{r}", row.get("weight"), "0.00")
        put(f"H{r}", row.get("points"), "0.00")
        put(f"I{r}", row.get("reason"), align="left")
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
    put(f"A{total}", "总分", bold=True)
    merge(f"A{total}:F{total}")
    put(f"G{total}", 100, "0.00", bold=True)
    put(f"H{total}", unit["total"], "0.00", bold=True)
    put(f"A{total + 1}", "评价等级", bold=True)
    put(f"B{total + 1}", unit["grade"], bold=True)
    merge(f"B{total + 1}:I{total + 1}")
    sheet.bordered = (2, total)  # rows 3 … 评价等级
    sign = total + 3
    put(f"A{sign}", "单位负责人（签字）：", align="left")
    merge(f"A{sign}:C{sign}")
    put(f"D{sign}", "填表人：", align="left")
    put(f"F{sign}", "联系电话：", align="left")
    put(f"H{sign}", "填报日期：", align="left")
    merge(f"H{sign}:I{sign}")
    put(f"A{sign + 1}", "得分为 perfkit 按评分规则复算；偏差原因由单位填写。", align="left")
    merge(f"A{sign + 1}:I{sign + 1}")
    return sheet


def _page_setup(ws: object) -> None:
    for col, width in _WIDTHS.items():
        c = ord(col) - 65
        ws.set_column(c, c, width)  # type: ignore[attr-defined]
    print_setup(ws, list(_WIDTHS.values()), header_rows=2)  # A4 landscape, one page wide
    ws.center_horizontally()  # type: ignore[attr-defined]

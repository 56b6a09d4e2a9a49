"""The field workbook (现场复核工作底稿): one sheet per picked unit, read back when filled.

Layout of ``field_workbook.xlsx``:

* ``汇总`` — one row per pick: order, unit, department, stratum, reason,
  inclusion probability, 全年预算数, self-score and grade, recomputed score and
  grade, flags, and the name of the unit's sheet;
* ``说明`` — the draw (year, design, target, seed, random generator, population
  fingerprint, interval and start) and how to fill the sheets;
* one sheet per unit, named by its code.  Rows 1–2 identify the unit
  (``单位编码`` in A1, the code in B1); row 4 is the header; from row 5 one row
  per item.  For a project: 预算执行率 first (年度指标值 = 全年预算数, 实际完成值
  = 执行数), then its indicators with the self-evaluated values
  (实际完成值, 自评得分) and the recomputed points.  For a department: one row
  per project (自评得分, 复算得分).

The verifiers fill the three yellow columns:

* ``复核完成值`` — the value the evidence supports (a number, or for 定性
  indicators one of 达成年度指标 / 部分达成年度指标并具有一定效果 /
  未达成年度指标且效果较差); for 预算执行率 the verified 执行数 (万元).  Blank: the
  reported value is confirmed.  (Department sheets have no such column.)
* ``复核得分`` — for 定性 indicators, the points within the level's band (blank:
  the level's default points); for a department's project, the verified score
  of that project.  For quantitative indicators the points are computed from
  复核完成值 and an entered score that differs is reported.
* ``备注`` — what was found.

:func:`read_field_workbook` reads the filled workbook back; every problem is
reported at once with file, sheet and cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.i18n import _, use_language
from perfkit.numbers import cents_to_float, parse_fixed, to_cents
from perfkit.present._labels import REASON_LABELS
from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._report import design_text
from perfkit.sampling._risk import parse_rule
from perfkit.tables._workbook_guard import workbook_problems
from perfkit.tables._write import excel_text, excel_text_notes, print_setup

__all__ = [
    "FILL_COLUMNS",
    "SUMMARY_SHEET",
    "FieldEntries",
    "read_field_workbook",
    "write_field_workbook",
]

SUMMARY_SHEET = "汇总"
NOTES_SHEET = "说明"
#: The columns verifiers fill.
FILL_COLUMNS = ("复核完成值", "复核得分", "备注")
_HEADER_ROW = 4  # spreadsheet row of a unit sheet's header
_FIXED_DATE = datetime(2000, 1, 1)  # workbook metadata date: the same bytes every run

_PROJECT_HEADERS = [
    ("序号", "seq"),
    ("一级指标", "group"),
    ("二级指标", "level2"),
    ("三级指标", "item"),
    ("指标方向", "direction"),
    ("计量单位", "unit"),
    ("年度指标值", "target"),
    ("分值", "weight"),
    ("实际完成值", "actual"),
    ("自评得分", "self_points"),
    ("复算得分", "points"),
    ("复核完成值", None),
    ("复核得分", None),
    ("备注", None),
]
_DEPT_HEADERS = [
    ("序号", "seq"),
    ("项目编码", "unit_code"),
    ("项目名称", "unit_name"),
    ("全年预算数（万元）", "budget_full_year"),
    ("全年执行数（万元）", "executed"),
    ("自评得分", "self_score"),
    ("复算得分", "total"),
    ("复核得分", None),
    ("备注", None),
]
_DIRECTIONS = {"positive": "正向", "reverse": "反向", "equal": "等于", "qualitative": "定性"}


def sheet_names(codes: list[str]) -> dict[str, str]:
    """Unit code → a valid, unique Excel sheet name (≤ 31 characters, no ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_names(["P2019-D01-001", "A/B", "A:B"])
    {'P2019-D01-001': 'P2019-D01-001', 'A/B': 'A_B', 'A:B': 'A_B~2'}
    """
    out: dict[str, str] = {}
    used = {SUMMARY_SHEET, NOTES_SHEET}
    for code in codes:
        base = re.sub(r"[\[\]:*?/\\]", "_", code).strip("'")[:28] or "unit"
        name, k = base, 1
        while name in used:
            k += 1
            name = f"{base}~{k}"
        used.add(name)
        out[code] = name
    return out


def _unit_items(selection, codes: list[str]) -> pl.DataFrame:
    """Items of the picked units, in the order the scoring result lists them."""
    pop = selection.population
    if pop.scores is None:
        raise InputError(
            [
                Problem(
                    "<population>", None, None, _("has no scores: build it with load_population")
                )
            ],
            summary=_("the field workbook needs the scored population"),
        )
    if pop.kind == "departments":
        units = pop.scores.units.filter(
            (pl.col("year") == pop.year) & pl.col("dept_code").is_in(codes)
        ).sort("unit_code")
        return units.select(
            pl.col("dept_code").alias("_unit"),
            "unit_code",
            "unit_name",
            "budget_full_year",
            "executed",
            *([pl.col("self_score")] if "self_score" in units.columns else []),
            "total",
        )
    items = pop.scores.items.filter((pl.col("year") == pop.year) & pl.col("unit_code").is_in(codes))
    return items.with_columns(pl.col("unit_code").alias("_unit"))


def write_field_workbook(
    selection, path: str | Path, *, filled: pl.DataFrame | None = None
) -> Path:
    """Write the field workbook of a selection (summary, notes, one sheet per unit).

    Parameters
    ----------
    selection : Selection
        From :func:`~perfkit.sampling.draw_sample`.
    path : path
        The ``.xlsx`` to write.
    filled : polars.DataFrame, optional
        Values to put in the yellow columns (a pre-filled or simulated
        workbook): ``unit_code``, ``name`` (the row's 三级指标 or project code),
        ``verified_actual`` (text), ``verified_points`` (float), ``note``.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> s = draw_sample(pop, Design("srs", n=3), seed=1)
    >>> p = write_field_workbook(s, Path(tempfile.mkdtemp()) / "w.xlsx")
    >>> openpyxl.load_workbook(p).sheetnames[:2]
    ['汇总', '说明']
    """
    import xlsxwriter  # xlsxwriter: only when a workbook is written

    path = Path(path)
    picks = selection.picks
    codes = picks.get_column("unit_code").to_list()
    names = sheet_names(codes)
    items = _unit_items(selection, codes)
    record: SelectionRecord = selection.record
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": "自评复核现场工作底稿", "created": _FIXED_DATE})
    with excel_text_notes(path.name):
        try:
            fmt = _formats(book)
            _summary_sheet(book, fmt, picks, names)
            _notes_sheet(book, fmt, record, selection.population.kind)
            by_unit = items.partition_by("_unit", as_dict=True, maintain_order=True)
            given = _filled_lookup(filled)
            for row in picks.iter_rows(named=True):  # one sheet per pick (tens of units)
                code = row["unit_code"]
                unit_items = by_unit.get((code,), items.clear())
                _unit_sheet(
                    book, fmt, names[code], row, unit_items, selection.population.kind, given
                )
        finally:
            book.close()
    return path


def _formats(book) -> dict:
    return {
        "head": book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "fill_head": book.add_format(
            {
                "bold": True,
                "bg_color": "#FFD966",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "fill": book.add_format({"bg_color": "#FFF2CC", "border": 1}),
        "label": book.add_format({"bold": True}),
        "two": book.add_format({"num_format": "0.00"}),
        "prob": book.add_format({"num_format": "0.0000"}),
        "text": book.add_format({}),
    }


def _write(sheet, row: int, col: int, value, fmt=None) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        text = str(value)
        if re.match(r"^[=+\-@\t\r]", text) and not re.match(r"^[+-]?\d+(\.\d+)?$", text):
            text = "'" + text  # never a formula
        text = excel_text(text, f"{sheet.name}!{_col_letter(col)}{row + 1}")
        sheet.write_string(row, col, text, fmt)


def reason_label(reason: str) -> str:
    """A pick's reason in Chinese.

    Examples
    --------
    >>> reason_label("risk:self_score_diff;amount>=500")
    '风险必选：自评分与复算分差异较大或等级不一致；全年预算数 ≥ 500'
    >>> reason_label("certain")
    '必选（金额达到抽样间隔）'
    """
    if reason.startswith("risk:"):
        rules = [parse_rule(r).describe() for r in reason[5:].split(";") if r]
        return "风险必选：" + "；".join(rules)
    return REASON_LABELS.get(reason, reason)


def _summary_sheet(book, fmt, picks: pl.DataFrame, names: dict[str, str]) -> None:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    columns = [
        ("序号", "order", None, 6),
        ("单位编码", "unit_code", None, 16),
        ("名称", "unit_name", None, 30),
        ("部门编码", "dept_code", None, 8),
        ("部门名称", "dept_name", None, 18),
        ("层", "stratum", None, 12),
        ("抽取原因", "reason", None, 30),
        ("入样概率", "inclusion_probability", "prob", 10),
        ("全年预算数（万元）", "budget_full_year", "two", 14),
        ("自评得分", "self_score", "two", 9),
        ("自评等级", "self_grade", None, 8),
        ("复算得分", "total", "two", 9),
        ("复算等级", "grade", None, 8),
        ("风险提示", "flags", None, 30),
        ("工作表", None, None, 16),
    ]
    for j, (head, _kind, _fmt, width) in enumerate(columns):
        sheet.write_string(0, j, head, fmt["head"])
        sheet.set_column(j, j, width)
    for i, row in enumerate(picks.iter_rows(named=True), start=1):
        for j, (_head, key, style, _width) in enumerate(columns):
            if key is None:
                value = names[row["unit_code"]]
            elif key == "reason":
                value = reason_label(row["reason"])
            else:
                value = row[key]
            _write(sheet, i, j, value, fmt[style] if style else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(picks.height, 1), len(columns) - 1)
    print_setup(sheet, [width for *_, width in columns])


def _notes_sheet(book, fmt, record: SelectionRecord, kind: str) -> None:
    sheet = book.add_worksheet(NOTES_SHEET)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 90)
    print_setup(sheet, [16, 90], header_rows=0)
    draw = record.draw
    rows = [
        ("年度", str(record.year)),
        ("抽样单位", "项目" if kind == "projects" else "部门整体"),
        ("抽样方法", _design_in_chinese(record)),
        (
            "样本量",
            f"{draw['n']}（风险必选 {draw['risk_picks']}，金额必选 "
            f"{draw['certain_picks']}，随机 {draw['random_picks']}）",
        ),
        ("随机数种子", str(record.seed)),
        ("随机数发生器", record.rng.get("name", "")),
        (
            "总体",
            f"{record.population['units']} 个单位，全年预算数合计 "
            f"{record.population['money']} 万元",
        ),
        ("总体指纹（SHA-256）", record.population["fingerprint"]),
    ]
    if draw.get("interval"):
        rows.append(("抽样间隔（万元）", str(draw["interval"])))
    if draw.get("start"):
        rows.append(("随机起点（万元）", str(draw["start"])))
    rows += [
        ("perfkit 版本", record.perfkit_version),
        ("", ""),
        (
            "填写说明",
            "只填写黄色列：复核完成值、复核得分、备注；其他单元格请勿修改，不要增删行或工作表。",
        ),
        (
            "复核完成值",
            "按佐证材料核实的实际完成值：数字，或定性指标填“达成年度指标”“部分达成年度指标并具有"
            "一定效果”“未达成年度指标且效果较差”之一；预算执行率一行填核实的执行数（万元）。"
            "留空表示确认单位填报值。",
        ),
        (
            "复核得分",
            "定性指标填写复核得分（须在所选等级的分值区间内），留空按等级默认分值计算；"
            "定量指标由系统按复核完成值计算，无需填写。部门整体工作表按项目填写复核得分，"
            "留空表示确认复算得分。",
        ),
        ("备注", "核查发现的问题、佐证材料情况。"),
        (
            "复核",
            "填好后运行：perfkit verify --record selection.json --results 本文件 --out 结果目录",
        ),
    ]
    for i, (label, text) in enumerate(rows):
        sheet.write_string(i, 0, label, fmt["label"])
        sheet.write_string(i, 1, text)


def _filled_lookup(filled: pl.DataFrame | None) -> dict[tuple[str, str], tuple]:
    if filled is None or filled.height == 0:
        return {}
    cols = ["unit_code", "name", "verified_actual", "verified_points", "note"]
    frame = filled.select([c if c in filled.columns else pl.lit(None).alias(c) for c in cols])
    return {(u, n): (a, p, t) for u, n, a, p, t in frame.iter_rows()}


def _unit_sheet(
    book, fmt, name: str, pick: dict, items: pl.DataFrame, kind: str, given: dict
) -> None:
    sheet = book.add_worksheet(name)
    _write(sheet, 0, 0, "单位编码", fmt["label"])
    _write(sheet, 0, 1, pick["unit_code"])
    _write(sheet, 0, 2, "名称", fmt["label"])
    _write(sheet, 0, 3, pick["unit_name"])
    _write(sheet, 0, 4, "部门", fmt["label"])
    _write(sheet, 0, 5, pick["dept_name"])
    _write(sheet, 1, 0, "自评得分", fmt["label"])
    _write(sheet, 1, 1, pick["self_score"], fmt["two"])
    _write(sheet, 1, 2, "复算得分", fmt["label"])
    _write(sheet, 1, 3, pick["total"], fmt["two"])
    _write(sheet, 1, 4, "抽取原因", fmt["label"])
    _write(sheet, 1, 5, reason_label(pick["reason"]))
    headers = _PROJECT_HEADERS if kind == "projects" else _DEPT_HEADERS
    widths = {"三级指标": 28, "项目名称": 30, "二级指标": 12, "备注": 30, "实际完成值": 16}
    for j, (head, _field) in enumerate(headers):
        style = fmt["fill_head"] if head in FILL_COLUMNS else fmt["head"]
        sheet.write_string(_HEADER_ROW - 1, j, head, style)
        sheet.set_column(j, j, widths.get(head, 11))
    for i, row in enumerate(items.iter_rows(named=True)):  # a unit's items: a few rows
        r = _HEADER_ROW + i
        for j, (head, key) in enumerate(headers):
            if key is None:
                name_key = "item" if kind == "projects" else "unit_code"
                entry = given.get((pick["unit_code"], row.get(name_key)))
                value = None
                if entry is not None:
                    value = {"复核完成值": entry[0], "复核得分": entry[1], "备注": entry[2]}[head]
                if value is None:
                    sheet.write_blank(r, j, None, fmt["fill"])
                else:
                    _write(sheet, r, j, value, fmt["fill"])
                continue
            value = i + 1 if key == "seq" else row.get(key)
            if key == "direction":
                value = _DIRECTIONS.get(value, value) if value else None
            if key == "group" and row.get("rule") == "execution_rate":
                value = "预算执行率"
            style = (
                fmt["two"]
                if key
                in (
                    "weight",
                    "self_points",
                    "points",
                    "self_score",
                    "total",
                    "budget_full_year",
                    "executed",
                )
                else None
            )
            _write(sheet, r, j, value, style)
    sheet.freeze_panes(_HEADER_ROW, 0)
    print_setup(sheet, [widths.get(head, 11) for head, _ in headers], header_rows=_HEADER_ROW)


# ---------------------------------------------------------------------------- reading


@dataclass
class FieldEntries:
    """What the verifiers entered, one row per item of every unit sheet.

    ``frame`` columns: ``unit_code``, ``name`` (三级指标, 预算执行率 or a project
    code), ``verified_actual`` (text as entered), ``verified_points`` (fixed
    point), ``note``, ``sheet``, ``row`` (spreadsheet row) and ``file``.
    """

    frame: pl.DataFrame
    kind: str
    source: str
    warnings: list[Problem]
    errors: list[Problem] = field(default_factory=list)


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_field_workbook(
    path: str | Path, record: SelectionRecord, *, strict: bool = True
) -> FieldEntries:
    """Read a filled field workbook back, checking it against the selection record.

    Every problem is reported at once, each naming the file, the sheet and the
    cell: a sheet whose unit is not in the record, a picked unit without a
    sheet, a header that was changed, an item that is not the unit's, a value
    that is not a number, a negative amount or score.

    With ``strict=False`` the problems are returned in ``errors`` instead (so
    that :func:`~perfkit.sampling._verify.verify` can add the problems of the
    values themselves and report them all together).

    Raises
    ------
    InputError

    Examples
    --------
    >>> import tempfile
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> s = draw_sample(pop, Design("srs", n=2), seed=1)
    >>> p = write_field_workbook(s, Path(tempfile.mkdtemp()) / "w.xlsx")
    >>> read_field_workbook(p, s.record).frame["verified_actual"].null_count() > 0
    True
    """
    import fastexcel  # fastexcel: only when a workbook is read

    path = Path(path)
    label = path.name
    if not path.is_file():
        raise InputError(
            [Problem(str(path), None, None, _("file not found"))],
            summary=_("cannot read the field workbook"),
        )
    guarded, refused = workbook_problems(path)  # before a native reader allocates anything
    if "*" in refused:
        raise InputError(guarded, summary=_("cannot read the field workbook"))
    try:
        reader = fastexcel.read_excel(path)
    except Exception as exc:  # a broken file is a user error
        raise InputError(
            [Problem(label, None, None, _("cannot be read: {exc}").format(exc=exc))],
            summary=_("cannot read the field workbook"),
        ) from None
    kind = record.kind
    problems: list[Problem] = list(guarded)
    picked = [p["unit_code"] for p in record.picks]
    if SUMMARY_SHEET not in reader.sheet_names:
        problems.append(
            Problem(
                label,
                None,
                None,
                _("no sheet {sheet!r}: not a field workbook").format(sheet=SUMMARY_SHEET),
            )
        )
    frames = []
    seen: dict[str, str] = {}
    for sheet in reader.sheet_names:
        if sheet in (SUMMARY_SHEET, NOTES_SHEET) or sheet in refused:
            continue
        where = f"{label} [{sheet}]"
        title = reader.load_sheet(sheet, header_row=None, n_rows=1, dtypes="string").to_polars()
        if title.width < 2 or title.height == 0 or title[0, 0] != "单位编码":
            problems.append(
                Problem(where, 1, "A1", _("expected 单位编码 in A1 and the unit's code in B1"))
            )
            continue
        code = (title[0, 1] or "").strip()
        if code not in picked:
            problems.append(
                Problem(
                    where,
                    1,
                    "B1",
                    _("unit {code!r} is not in the selection record").format(code=code),
                )
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    where,
                    1,
                    "B1",
                    _("unit {code} also has sheet {sheet!r}").format(code=code, sheet=seen[code]),
                )
            )
            continue
        seen[code] = sheet
        frame, sheet_problems = _read_unit_sheet(reader, sheet, where, kind)
        problems += sheet_problems
        if frame is not None:
            frames.append(
                frame.with_columns(pl.lit(code).alias("unit_code"), pl.lit(sheet).alias("sheet"))
            )
    for code in picked:
        if code not in seen:
            problems.append(
                Problem(label, None, None, _("no sheet for picked unit {code}").format(code=code))
            )
    errors = [p for p in problems if p.severity == "error"]
    if errors and strict:
        raise InputError(
            problems,
            summary=_("{label}: the filled workbook has problems; nothing was written").format(
                label=label
            ),
        )
    schema = {
        "unit_code": pl.String,
        "name": pl.String,
        "verified_actual": pl.String,
        "verified_points": pl.Int128,
        "note": pl.String,
        "sheet": pl.String,
        "row": pl.Int64,
        "points_cell": pl.String,
        "actual_cell": pl.String,
    }
    table = (
        pl.concat([f.select(list(schema)) for f in frames])
        if frames
        else pl.DataFrame(schema=schema)
    )
    return FieldEntries(
        table.with_columns(pl.lit(label).alias("file")),
        kind,
        label,
        [p for p in problems if p.severity != "error"],
        errors,
    )


def _read_unit_sheet(reader, sheet: str, where: str, kind: str):
    headers = _PROJECT_HEADERS if kind == "projects" else _DEPT_HEADERS
    expected = [h for h, _ in headers]
    data = reader.load_sheet(sheet, header_row=_HEADER_ROW - 1, dtypes="string").to_polars()
    found = list(data.columns)
    problems = []
    if found[: len(expected)] != expected:
        for j, head in enumerate(expected):
            got = found[j] if j < len(found) else None
            if got != head:
                problems.append(
                    Problem(
                        where,
                        _HEADER_ROW,
                        f"{_col_letter(j)}{_HEADER_ROW}",
                        f"header should be {head!r}, found {got!r}; do not move columns",
                    )
                )
        return None, problems
    name_col = "三级指标" if kind == "projects" else "项目编码"
    actual_col = "复核完成值" if kind == "projects" else None
    letters = {h: _col_letter(j) for j, h in enumerate(expected)}
    data = (
        data.with_row_index("_i")
        .with_columns((pl.col("_i").cast(pl.Int64) + _HEADER_ROW + 1).alias("row"))
        .filter(
            pl.col(name_col).is_not_null()
            | pl.any_horizontal(
                [pl.col(c).is_not_null() for c in FILL_COLUMNS if c in data.columns]
            )
        )
    )
    text = {
        c: pl.col(c).str.strip_chars().replace("", None)
        for c in data.columns
        if c not in ("_i", "row")
    }
    points_raw = text["复核得分"]
    frame = data.select(
        text[name_col].alias("name"),
        (text[actual_col] if actual_col else pl.lit(None, pl.String)).alias("verified_actual"),
        parse_fixed(points_raw).alias("verified_points"),
        points_raw.alias("_points_text"),
        text["备注"].alias("note"),
        "row",
        format_expr("{}{}", pl.lit(letters["复核得分"]), pl.col("row")).alias("points_cell"),
        (
            format_expr("{}{}", pl.lit(letters[actual_col]), pl.col("row"))
            if actual_col
            else pl.lit(None, pl.String)
        ).alias("actual_cell"),
    )
    bad = frame.filter(pl.col("name").is_null())
    problems += [
        Problem(
            where,
            r,
            f"{letters[name_col]}{r}",
            _("{name_col} is empty: do not add rows").format(name_col=name_col),
        )
        for r in bad["row"].to_list()
    ]
    for text_value, r, cell in (
        frame.filter(pl.col("_points_text").is_not_null() & pl.col("verified_points").is_null())
        .select("_points_text", "row", "points_cell")
        .iter_rows()
    ):
        problems.append(
            Problem(
                where,
                r,
                f"{cell} 复核得分",
                _("{text_value!r} is not a number").format(text_value=text_value),
            )
        )
    for value, r, cell in (
        frame.filter(pl.col("verified_points") < 0)
        .select("_points_text", "row", "points_cell")
        .iter_rows()
    ):
        problems.append(
            Problem(where, r, f"{cell} 复核得分", _("negative score {value}").format(value=value))
        )
    return frame.drop("_points_text"), problems


def points_to_float(frame: pl.DataFrame, column: str) -> pl.Expr:
    """Fixed-point points → float for display."""
    return cents_to_float(to_cents(pl.col(column)))


def _design_in_chinese(record: SelectionRecord) -> str:
    """The design as the workbook writes it: Chinese, as the workbook's other labels."""
    with use_language("zh"):
        return design_text(record)

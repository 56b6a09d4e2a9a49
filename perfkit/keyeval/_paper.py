"""The evaluator's working paper (评分底稿): prepared from the data, read back when filled.

Layout of the workbook that :func:`write_paper` writes:

* ``汇总`` — one row per evaluated object: code, name, kind, its sheet, the points
  already computed from the data and the points left to the evaluator;
* ``说明`` — how to fill the sheets;
* one sheet per object (name from its code and name, sanitised, ≤ 31 characters,
  unique).  Rows 1–3 identify the object; row 5 is the header; from row 6 one row per
  leaf of the system: 编号, 一级指标, 二级指标, 三级指标, 分值, 评分标准, 计分方式,
  计算值（%）, 数据来源, 得分, 佐证材料, 扣分理由.  A computed leaf has its value, its
  trace and its points filled in and locked (grey); a judged leaf has three empty
  yellow cells: 得分, 佐证材料, 扣分理由.  Sheets are protected (without a password:
  the protection guards against slips, the hidden record below against edits);
  they print on A4 landscape, one page wide, the header repeated;
* ``_perfkit`` (very hidden) — the record: system, year, and per leaf its sheet,
  row, object, item, source, and the computed value and points as written, so that
  :func:`read_paper` finds a computed cell that was edited.

Every text from the data (codes, names) is written as text: formula-like text gets
Excel's quote prefix and never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, PerfkitError, Problem
from perfkit.i18n import _
from perfkit.keyeval._measures import Objects, measure_values, pick_objects
from perfkit.numbers import FIXED, SCALE, map_unique
from perfkit.scoring._assessment import system_items
from perfkit.scoring._rules import equal_cents, positive_cents, reverse_cents
from perfkit.systems import System, load_system, qualitative_levels, qualitative_rule
from perfkit.tables._contract import text_key
from perfkit.tables._excel import open_workbook
from perfkit.tables._read import RawTable, find_table, read_table
from perfkit.tables._validate import check_table, problems_from_mask
from perfkit.tables._write import (
    atomic_write_bytes,
    excel_text,
    excel_text_notes,
    formula_like,
    xlsx_workbook,
)

__all__ = [
    "COLUMNS",
    "MAX_OBJECTS",
    "META_SHEET",
    "SUMMARY_SHEET",
    "FilledPaper",
    "WorkingPaper",
    "prepare_paper",
    "read_paper",
    "sheet_titles",
    "write_paper",
]

SUMMARY_SHEET = "汇总"
NOTES_SHEET = "说明"
META_SHEET = "_perfkit"
_META_TAG = "perfkit key-evaluation working paper v1"
COLUMNS = (
    "编号", "一级指标", "二级指标", "三级指标", "分值", "评分标准", "计分方式",
    "计算值（%）", "数据来源", "得分", "佐证材料", "扣分理由",
)  # fmt: skip
_HEADER_ROW = 5  # spreadsheet row of an object sheet's header
#: Most objects in one working paper (a key-evaluation plan has a handful to a few dozen;
#: the bound keeps a hostile --units list from making thousands of sheets).
MAX_OBJECTS = 200
_COL = {name: i for i, name in enumerate(COLUMNS)}  # 0-based column index
_FIXED_DATE = datetime(2000, 1, 1)  # workbook metadata date: the same bytes every run
_KIND_WORDS = {"project": "项目", "department": "部门整体"}
_META_COLUMNS = (
    "sheet", "row", "unit_code", "item_id", "source", "value", "points_cents", "name", "kind",
    "trace",
)  # fmt: skip


def _letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


@dataclass(frozen=True)
class WorkingPaper:
    """A prepared working paper: the system, the year, the objects and one row per leaf.

    ``leaves`` has, per object and leaf in the system's order: ``unit_code``,
    ``item_id``, ``section`` (一级指标), ``level2``, ``label``, ``max_cents``,
    ``criteria``, ``measure``, ``source`` (``computed`` or ``judged``), ``value``
    (percent, fixed point; computed only), ``trace`` and ``points_cents``.
    """

    system: System
    year: int
    objects: pl.DataFrame
    leaves: pl.DataFrame


def _read_data(data: Path, system: System) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    problems: list[Problem] = []
    typed: dict[str, pl.DataFrame] = {}
    for name in ("projects", "indicators"):
        path = find_table(data, name)
        if path is None:
            if name == "projects":
                problems.append(
                    Problem(str(data), None, None, _("no projects table (.csv, .xlsx or .parquet)"))
                )
            continue
        try:
            raw = read_table(path, name)
            frame, found = check_table(raw)
        except InputError as err:
            problems += err.problems
            continue
        problems += found
        if name == "indicators":
            problems += _phrase_problems(frame, raw, system)
        typed[name] = frame
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return typed["projects"], typed.get("indicators")


def _phrase_problems(frame: pl.DataFrame, raw: RawTable, system: System) -> list[Problem]:
    """A 定性 indicator's actual value must be one of the system's level phrases."""
    levels = qualitative_levels(system, text_key)
    rule = qualitative_rule(system)
    known = map_unique(frame, "actual_text", lambda t: levels.get(text_key(t)), pl.Int64)
    return problems_from_mask(
        frame,
        (pl.col("direction") == "qualitative")
        & pl.col("actual_text").is_not_null()
        & known.is_null(),
        raw,
        "actual",
        format_expr(
            _("qualitative value '{value}' is not one of {accepted}").format(
                value="{}", accepted="{}"
            ),
            pl.col("actual_text"),
            pl.lit(rule.accepted_text()),
        ),
    )


def prepare_paper(
    data: str | Path,
    year: int,
    units: list[str],
    system: str | Path | System = "project-evaluation",
    *,
    survey_summary: pl.DataFrame | None = None,
) -> WorkingPaper:
    """The working paper of ``units`` (project or department codes) for ``year``.

    Computed leaves are measured from ``data`` (``projects``, ``indicators``) and, when
    given, the survey summary (:func:`perfkit.keyeval.summarise_survey`); a measure
    without data is left to the evaluator with the reason in its trace.

    Raises
    ------
    InputError
        The data break the contract, or a code is not a project or department of the year.

    Examples
    --------
    >>> paper = prepare_paper("data/sample", 2024, ["P2019-D01-001"])
    >>> paper.leaves.filter(pl.col("item_id") == "2.1.2").select("source", "points_cents").row(0)
    ('computed', 467)
    """
    units = list(dict.fromkeys(units))
    if len(units) > MAX_OBJECTS:
        raise PerfkitError(
            _("--units: at most {limit} objects in one working paper, not {n}").format(
                limit=MAX_OBJECTS, n=len(units)
            )
        )
    system = load_system(system)
    if system.kind != "assessments" or not any(leaf.measure for leaf in system.leaves()):
        raise InputError(
            [
                Problem(
                    system.name,
                    None,
                    None,
                    _("is not a key-evaluation system (no computed leaves)"),
                )
            ]
        )
    projects, indicators = _read_data(Path(data), system)
    objects = pick_objects(projects, year, units, "projects")
    measures = measure_values(objects, system, indicators, survey_summary)
    return WorkingPaper(system, year, objects.table, _leaf_rows(objects, system, measures))


def _leaf_rows(objects: Objects, system: System, measures: pl.DataFrame) -> pl.DataFrame:
    items = system_items(system).select(
        "item_id",
        "item_label",
        "section",
        "parent",
        "max_cents",
        "kind",
        "variant",
        "target",
        "_order",
    )
    extra = pl.DataFrame(
        {
            "item_id": [leaf.id for leaf in system.leaves()],
            "criteria": [leaf.criteria or leaf.note for leaf in system.leaves()],
            "measure": [leaf.measure for leaf in system.leaves()],
        },
        schema={"item_id": pl.String, "criteria": pl.String, "measure": pl.String},
    )
    grid = objects.table.select("unit_code").join(items.join(extra, on="item_id"), how="cross")
    grid = grid.join(measures, on=["unit_code", "measure"], how="left")
    w, v, t = pl.col("max_cents"), pl.col("value"), pl.col("target")
    points = (
        pl.when(pl.col("kind") == "positive")
        .then(positive_cents(w, v, t))
        .when((pl.col("kind") == "reverse") & (pl.col("variant") == "ratio"))
        .then(reverse_cents(w, v, t, "ratio"))
        .when(pl.col("kind") == "reverse")
        .then(reverse_cents(w, v, t, "linear"))
        .when(pl.col("kind") == "equal")
        .then(equal_cents(w, v, t))
    )
    computed = v.is_not_null()
    why = (
        pl.when(pl.col("measure") == "funds_in_place_rate")
        .then(pl.lit("数据中无实际到位资金（projects 的 funds_received 列），由评价人打分"))
        .when(pl.col("measure").str.starts_with("satisfaction"))
        .then(pl.lit("待满意度调查：evaluate score --survey 计算；无调查时由评价人打分"))
        .otherwise(pl.lit("数据中无此类绩效指标，由评价人打分"))
    )
    return (
        grid.sort("unit_code", "_order", maintain_order=True)
        .select(
            "unit_code",
            "item_id",
            "section",
            pl.col("parent").alias("level2"),
            pl.col("item_label").alias("label"),
            "max_cents",
            "criteria",
            "measure",
            pl.when(computed).then(pl.lit("computed")).otherwise(pl.lit("judged")).alias("source"),
            "value",
            pl.when(computed)
            .then(pl.col("trace"))
            .when(pl.col("measure").is_not_null())
            .then(why)
            .alias("trace"),
            pl.when(computed).then(points.cast(pl.Int64)).alias("points_cents"),
            "_order",
        )
        .sort(
            pl.col("unit_code").replace_strict(
                {c: i for i, c in enumerate(objects.table.get_column("unit_code"))},
                return_dtype=pl.Int64,
            ),
            "_order",
        )
        .drop("_order")
    )


def sheet_titles(objects: pl.DataFrame) -> dict[str, str]:
    """Object code → a valid, unique sheet name: ``code 名称`` cut to 31, no ``[]:*?/\\``.

    Examples
    --------
    >>> sheet_titles(pl.DataFrame({"unit_code": ["P1", "A/B", "A:B"],
    ...                            "name": ["学前教育=SUM(1)", "x", "x"]}))
    {'P1': 'P1 学前教育=SUM(1)', 'A/B': 'A_B x', 'A:B': 'A_B x~2'}
    """
    used = {SUMMARY_SHEET, NOTES_SHEET, META_SHEET}
    out: dict[str, str] = {}
    for code, name in objects.select("unit_code", "name").iter_rows():
        base = re.sub(r"[\[\]:*?/\\\x00-\x1f]", "_", f"{code} {name}").strip("' ")[:28] or "对象"
        title, k = base, 1
        while title.lower() in {u.lower() for u in used}:
            k += 1
            title = f"{base}~{k}"
        used.add(title)
        out[code] = title
    return out


def _text(sheet: Any, row: int, col: int, text: str, fmt: Any, quoted: Any) -> None:
    text = excel_text(text, f"{sheet.name}!{_letter(col)}{row + 1}")
    sheet.write_string(row, col, text, quoted if formula_like(text) else fmt)


def write_paper(
    paper: WorkingPaper, path: str | Path, *, filled: pl.DataFrame | None = None
) -> Path:
    """Write the working paper to ``path`` (.xlsx) atomically; return the path.

    ``filled`` (``unit_code``, ``item_id``, ``score``, ``evidence``, ``reason``: text or
    numbers as an evaluator types them) pre-fills the yellow cells of judged leaves, for
    the sample region's filled paper and for tests; cells it leaves out stay empty.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> out = Path(tempfile.mkdtemp()) / "底稿.xlsx"
    >>> _ = write_paper(prepare_paper("data/sample", 2024, ["P2019-D01-001"]), out)
    >>> openpyxl.load_workbook(out).sheetnames[:2]
    ['汇总', '说明']
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial")
    titles = sheet_titles(paper.objects)
    with excel_text_notes(path.name):
        book = xlsx_workbook(tmp, {"in_memory": True})  # no temporary file per sheet
        try:
            _write_book(book, paper, titles, _entries(filled))
        finally:
            book.close()
    try:
        data = tmp.read_bytes()
    finally:
        tmp.unlink(missing_ok=True)
    return atomic_write_bytes(path, data)


def _entries(filled: pl.DataFrame | None) -> dict[tuple[str, str], dict[str, Any]]:
    if filled is None:
        return {}
    return {(r["unit_code"], r["item_id"]): r for r in filled.iter_rows(named=True)}


def _write_book(
    book: Any,
    paper: WorkingPaper,
    titles: dict[str, str],
    entries: dict[tuple[str, str], dict[str, Any]],
) -> None:
    book.set_properties({"title": "绩效评价评分底稿", "created": _FIXED_DATE})
    base = {"text_wrap": True, "valign": "top", "border": 1, "font_size": 10}
    fmt = {
        "head": book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "locked": True}),
        "text": book.add_format(base),
        "quoted": book.add_format({**base, "quote_prefix": True}),
        "num": book.add_format({**base, "num_format": "0.00"}),
        "locked_num": book.add_format({**base, "num_format": "0.00", "bg_color": "#EDEDED"}),
        "locked_text": book.add_format({**base, "bg_color": "#EDEDED"}),
        "locked_quoted": book.add_format({**base, "bg_color": "#EDEDED", "quote_prefix": True}),
        "fill_num": book.add_format(
            {**base, "num_format": "0.00", "bg_color": "#FFFF00", "locked": False}
        ),
        "fill_text": book.add_format({**base, "bg_color": "#FFFF00", "locked": False}),
        "fill_quoted": book.add_format(
            {**base, "bg_color": "#FFFF00", "locked": False, "quote_prefix": True}
        ),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "plain": book.add_format({}),
        "plain_quoted": book.add_format({"quote_prefix": True}),
    }
    leaves = paper.leaves
    summary = book.add_worksheet(SUMMARY_SHEET)
    notes = book.add_worksheet(NOTES_SHEET)
    meta_rows: list[list[str]] = []
    totals = leaves.group_by("unit_code").agg(
        pl.col("points_cents").filter(pl.col("source") == "computed").sum().alias("done"),
        pl.col("max_cents").filter(pl.col("source") == "judged").sum().alias("open"),
        pl.col("max_cents").filter(pl.col("source") == "computed").sum().alias("done_max"),
    )
    for code, kind, name, *_rest in paper.objects.iter_rows():
        sheet = book.add_worksheet(titles[code])
        _object_sheet(
            sheet,
            paper,
            code,
            kind,
            name,
            leaves.filter(pl.col("unit_code") == code),
            fmt,
            meta_rows,
            entries,
        )
    # summary
    summary.write_string(
        0, 0, f"{paper.year} 年度绩效评价评分底稿 — {paper.system.title}", fmt["title"]
    )
    heads = [
        "对象编码",
        "对象名称",
        "类型",
        "工作表",
        "计算项得分",
        "计算项分值",
        "待评价人评分分值",
    ]
    summary.write_row(2, 0, heads, fmt["head"])
    summary.set_column(0, 0, 18)
    summary.set_column(1, 1, 30)
    summary.set_column(2, 6, 14)
    by_code = {r[0]: r for r in totals.iter_rows()}
    for i, (code, kind, name, *_rest) in enumerate(paper.objects.iter_rows(), start=3):
        _, done, open_, done_max = by_code[code]
        for j, text in enumerate((code, name, _KIND_WORDS[kind], titles[code])):
            _text(summary, i, j, str(text), fmt["text"], fmt["quoted"])
        summary.write_number(i, 4, done / 100, fmt["num"])
        summary.write_number(i, 5, done_max / 100, fmt["num"])
        summary.write_number(i, 6, open_ / 100, fmt["num"])
    summary.set_paper(9)
    summary.set_landscape()
    summary.fit_to_pages(1, 0)
    # notes
    notes.set_column(0, 0, 100)
    for i, line in enumerate(
        [
            "填写说明",
            "1. 每个评价对象一张工作表。灰色单元格由数据计算（计算值、数据来源、得分），"
            "已锁定，请勿修改。",
            "2. 黄色单元格由评价人填写：得分（不超过该项分值，以 0.5 分为单位）、"
            "佐证材料（文件名或编号）、扣分理由（得分低于分值时必填）。",
            "3. 评分标准列写明了每项的得分和扣分依据。",
            "4. 填写完成后运行：perfkit evaluate score --workbook 本文件 "
            "[--survey 满意度调查.csv] --out 输出文件夹。"
            "所有问题（工作表、单元格）一次列出。",
            f"指标体系：{paper.system.title}（{paper.system.name}）。{paper.system.source}",
        ]
    ):
        notes.write_string(i, 0, line, fmt["title"] if i == 0 else fmt["plain"])
    # the record
    meta = book.add_worksheet(META_SHEET)
    meta.write_row(0, 0, [_META_TAG, paper.system.name, str(paper.year)])
    meta.write_row(1, 0, list(_META_COLUMNS))
    for i, row in enumerate(meta_rows, start=2):
        for j, text in enumerate(row):
            _text(meta, i, j, text, fmt["plain"], fmt["plain_quoted"])
    meta.very_hidden()
    summary.activate()


def _object_sheet(
    sheet: Any,
    paper: WorkingPaper,
    code: str,
    kind: str,
    name: str,
    leaves: pl.DataFrame,
    fmt: dict[str, Any],
    meta_rows: list[list[str]],
    entries: dict[tuple[str, str], dict[str, Any]],
) -> None:
    _text(sheet, 0, 0, f"评分底稿：{name}（{code}）", fmt["title"], fmt["plain_quoted"])
    sheet.write_string(
        1, 0, f"年度：{paper.year}　评价类型：{_KIND_WORDS[kind]}　指标体系：{paper.system.title}"
    )
    sheet.write_string(
        2, 0, "灰色：由数据计算，已锁定；黄色：由评价人填写（得分、佐证材料、扣分理由）。"
    )
    sheet.write_row(_HEADER_ROW - 1, 0, list(COLUMNS), fmt["head"])
    widths = (6, 8, 10, 14, 6, 48, 10, 10, 40, 8, 24, 24)
    for j, w in enumerate(widths):
        sheet.set_column(j, j, w)
    row = _HEADER_ROW
    for leaf in leaves.iter_rows(named=True):
        computed = leaf["source"] == "computed"
        lt, lq = (fmt["locked_text"], fmt["locked_quoted"])
        cells = [leaf["item_id"], leaf["section"], leaf["level2"] or "", leaf["label"]]
        for j, text in enumerate(cells):
            _text(sheet, row, j, text, lt, lq)
        sheet.write_number(row, _COL["分值"], leaf["max_cents"] / 100, fmt["locked_num"])
        _text(sheet, row, _COL["评分标准"], leaf["criteria"] or "", lt, lq)
        method = "由数据计算" if computed else "评价人评分"
        sheet.write_string(row, _COL["计分方式"], method, lt)
        value_text = ""
        if computed:
            value = Decimal(leaf["value"]) / SCALE
            value_text = str(value.normalize()) if value else "0"
            sheet.write_number(row, _COL["计算值（%）"], float(value), fmt["locked_num"])
            sheet.write_number(row, _COL["得分"], leaf["points_cents"] / 100, fmt["locked_num"])
            for j in (_COL["佐证材料"], _COL["扣分理由"]):
                sheet.write_blank(row, j, None, lt)
        else:
            sheet.write_blank(row, _COL["计算值（%）"], None, lt)
            entry = entries.get((code, leaf["item_id"]), {})
            for column, key, style in (
                ("得分", "score", fmt["fill_num"]),
                ("佐证材料", "evidence", fmt["fill_text"]),
                ("扣分理由", "reason", fmt["fill_text"]),
            ):
                typed = entry.get(key)
                if typed is None or typed == "":
                    sheet.write_blank(row, _COL[column], None, style)
                elif isinstance(typed, int | float | Decimal):
                    sheet.write_number(row, _COL[column], float(typed), style)
                else:
                    _text(sheet, row, _COL[column], str(typed), style, fmt["fill_quoted"])
            sheet.data_validation(
                row,
                _COL["得分"],
                row,
                _COL["得分"],
                {
                    "validate": "decimal",
                    "criteria": "between",
                    "minimum": 0,
                    "maximum": leaf["max_cents"] / 100,
                    "error_message": f"得分应在 0 到 {leaf['max_cents'] / 100:.2f} 之间",
                },
            )
        _text(sheet, row, _COL["数据来源"], leaf["trace"] or "", lt, lq)
        meta_rows.append(
            [
                sheet.name,
                str(row + 1),
                code,
                leaf["item_id"],
                leaf["source"],
                value_text,
                str(leaf["points_cents"]) if computed else "",
                name,
                kind,
                leaf["trace"] or "" if computed else "",
            ]
        )
        row += 1
    sheet.write_string(row, _COL["三级指标"], "合计", fmt["locked_text"])
    sheet.write_number(
        row, _COL["分值"], float(leaves.get_column("max_cents").sum()) / 100, fmt["locked_num"]
    )
    sheet.freeze_panes(_HEADER_ROW, 0)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(_HEADER_ROW - 1)


@dataclass(frozen=True)
class FilledPaper:
    """A filled working paper read back and checked clean.

    ``leaves`` has, per object and leaf: ``unit_code``, ``name``, ``kind``, ``item_id``,
    ``source``, ``value`` (percent, fixed point; computed leaves), ``trace``, ``score``
    (fixed point; judged leaves), ``evidence``, ``reason``, ``sheet`` and ``row``.
    """

    system: System
    year: int
    leaves: pl.DataFrame
    warnings: list[Problem]
    source: str


def _number(value: object) -> Decimal | None:
    """A cell's number as Decimal (its shortest text), None when blank; raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return Decimal(repr(float(value)))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _record_ok(rec: dict[str, str]) -> bool:
    """A row of the record as :func:`write_paper` wrote it (else the record was tampered with)."""
    if not (rec.get("row", "").isdigit() and 0 < int(rec["row"]) <= 1_048_576):
        return False
    if rec.get("source") == "judged":
        return True
    if rec.get("source") != "computed" or not rec.get("points_cents", "").isdigit():
        return False
    try:
        value = Decimal(rec.get("value", ""))
    except InvalidOperation:
        return False
    return value.is_finite() and abs(value) < 10**12 and len(rec["points_cents"]) < 12


def read_paper(path: str | Path, *, satisfaction: pl.DataFrame | None = None) -> FilledPaper:
    """Read a filled working paper back and check it; every problem at once.

    Parameters
    ----------
    path : path
        The filled ``.xlsx`` that :func:`write_paper` wrote.
    satisfaction : polars.DataFrame, optional
        The survey summary (:func:`perfkit.keyeval.summarise_survey`): the satisfaction
        leaves left to the evaluator are then computed from it.

    Raises
    ------
    InputError
        With file, sheet and cell: a judged leaf without a score, a score that is not a
        number, is negative, above the leaf's points or not a multiple of its step, a
        deduction without its reason, a computed cell (value, points) or an identifying
        cell (编号, 分值) that was edited, a sheet that is missing.
    """
    path = Path(path)
    label = path.name
    book = open_workbook(path)
    if not book.ok:
        raise InputError(book.problems)
    if META_SHEET not in book.sheet_names:
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    _(
                        "not a perfkit working paper: the record sheet _perfkit is missing "
                        "(fill a paper written by evaluate prepare)"
                    ),
                )
            ]
        )
    meta = book.read_sheet(META_SHEET)
    if isinstance(meta, Problem):
        raise InputError([meta])
    head = [_cell_text(v) for v in (meta.rows[0] if meta.rows else [])] + ["", "", ""]
    changed = Problem(
        label,
        None,
        None,
        _("the record sheet _perfkit was changed: the paper cannot be checked"),
        sheet=META_SHEET,
    )
    if head[0] != _META_TAG:
        raise InputError([changed])
    try:
        system = load_system(head[1])
        year = int(head[2])
    except Exception as exc:  # a record that names no system or year
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    _("the record sheet _perfkit cannot be read: {reason}").format(reason=exc),
                    sheet=META_SHEET,
                )
            ]
        ) from None
    leaf_of = {leaf.id: leaf for leaf in system.leaves()}
    records = [
        dict(zip(_META_COLUMNS, [_cell_text(v) for v in r], strict=False)) for r in meta.rows[2:]
    ]
    if not all(_record_ok(rec) for rec in records):
        raise InputError([changed])
    problems: list[Problem] = []
    sheets: dict[str, list[list[Any]] | None] = {}
    survey_units: set[str] | None = None
    if satisfaction is not None:
        if "unit_code" in satisfaction.columns:
            survey_units = set(satisfaction.get_column("unit_code").drop_nulls().to_list())
        elif len({r["unit_code"] for r in records}) > 1:
            problems.append(
                Problem(
                    label,
                    None,
                    None,
                    _("the survey names no object (no unit_code column) but the paper has several"),
                )
            )
            satisfaction = None
    rows_out = []
    for rec in records:
        title = rec["sheet"]
        if title not in sheets:
            if title not in book.sheet_names:
                problems.append(
                    Problem(
                        label,
                        None,
                        None,
                        _("sheet '{sheet}' is missing").format(sheet=title),
                        sheet=title,
                    )
                )
                sheets[title] = None
            else:
                read = book.read_sheet(title)
                if isinstance(read, Problem):
                    problems.append(read)
                    sheets[title] = None
                else:
                    sheets[title] = read.rows
        rows = sheets[title]
        leaf = leaf_of.get(rec["item_id"])
        if rows is None or leaf is None:
            if leaf is None:
                problems.append(
                    Problem(
                        label,
                        None,
                        None,
                        _("item {item} of the record is not in system {system}").format(
                            item=rec["item_id"], system=system.name
                        ),
                        sheet=META_SHEET,
                    )
                )
            continue
        r = int(rec["row"]) - 1
        cells = list(rows[r]) if r < len(rows) else []
        cells += [None] * (len(COLUMNS) - len(cells))

        def where(column: str, r: int = r, title: str = title) -> str:
            return f"{_letter(_COL[column])}{r + 1}"

        def problem(column: str, message: str, severity: str = "error", title: str = title) -> None:
            problems.append(
                Problem(label, None, column, message, severity, sheet=title, cell=where(column))
            )

        what = f"{leaf.id} {leaf.label}"
        if _cell_text(cells[_COL["编号"]]) != leaf.id:
            problem(
                "编号",
                _(
                    "expected item {item} ({label}) here: a row was moved, inserted or deleted"
                ).format(item=leaf.id, label=leaf.label),
            )
            continue
        try:
            stated_max = _number(cells[_COL["分值"]])
        except ValueError:
            stated_max = None
        if stated_max != leaf.points:
            problem(
                "分值",
                _("{item}: its points were changed (should be {points})").format(
                    item=what, points=leaf.points
                ),
            )
        evidence = _cell_text(cells[_COL["佐证材料"]])
        reason = _cell_text(cells[_COL["扣分理由"]])
        from_survey = (
            rec["source"] == "judged"
            and satisfaction is not None
            and leaf.measure is not None
            and leaf.measure.startswith("satisfaction")
            and (survey_units is None or rec["unit_code"] in survey_units)
        )
        out = {
            "unit_code": rec["unit_code"],
            "name": rec["name"],
            "kind": rec["kind"],
            "item_id": leaf.id,
            "source": rec["source"],
            "value": None,
            "score": None,
            "evidence": evidence,
            "reason": reason,
            "sheet": title,
            "row": r + 1,
            "from_survey": from_survey,
            "trace": rec.get("trace") or None,
        }
        if rec["source"] == "computed":
            try:
                value, points = _number(cells[_COL["计算值（%）"]]), _number(cells[_COL["得分"]])
            except ValueError:
                value = points = None
            recorded = Decimal(rec["value"])
            if value is None or float(value) != float(recorded):
                problem(
                    "计算值（%）",
                    _(
                        "{item}: the value is computed from the data and must not be edited "
                        "(should be {value})"
                    ).format(item=what, value=recorded),
                )
            if points is None or points * 100 != int(rec["points_cents"]):
                problem(
                    "得分",
                    _("{item}: computed points must not be edited (should be {points})").format(
                        item=what, points=f"{int(rec['points_cents']) / 100:.2f}"
                    ),
                )
            out["value"] = int(recorded * SCALE)
        elif from_survey:
            if _cell_text(cells[_COL["得分"]]):
                problem(
                    "得分",
                    _("{item}: computed from the survey; the score entered is not used").format(
                        item=what
                    ),
                    "warning",
                )
        else:
            try:
                score = _number(cells[_COL["得分"]])
            except ValueError:
                problem(
                    "得分",
                    _("{item}: score '{score}' is not a number").format(
                        item=what, score=_cell_text(cells[_COL["得分"]])
                    ),
                )
                continue
            step = getattr(leaf.rule, "step", None)
            if score is None:
                problem("得分", _("{item}: no score entered").format(item=what))
            elif score < 0:
                problem(
                    "得分",
                    _("{item}: score {score} must not be negative").format(item=what, score=score),
                )
            elif score > leaf.points:
                problem(
                    "得分",
                    _("{item}: score {score} is above the item's points {points}").format(
                        item=what, score=score, points=leaf.points
                    ),
                )
            elif score != score.quantize(Decimal("0.01")):
                problem(
                    "得分",
                    _("{item}: score {score} has more than two decimals").format(
                        item=what, score=score
                    ),
                )
            elif step is not None and score % step != 0:
                problem(
                    "得分",
                    _("{item}: score {score} is not a multiple of {step}").format(
                        item=what, score=score, step=step
                    ),
                )
            elif score < leaf.points and not reason:
                problem(
                    "扣分理由",
                    _(
                        "{item}: score {score} is below the points {points}: "
                        "give the reason for the deduction"
                    ).format(item=what, score=score, points=leaf.points),
                )
            if score is not None and not evidence:
                problem("佐证材料", _("{item}: no evidence given").format(item=what), "warning")
            in_range = score is not None and 0 <= score <= leaf.points
            out["score"] = int(score * SCALE) if score is not None and in_range else None
        rows_out.append(out)
    if not records:
        problems.append(
            Problem(
                label, None, None, _("the record sheet _perfkit lists no item"), sheet=META_SHEET
            )
        )
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    leaves = pl.DataFrame(
        rows_out,
        schema={
            "unit_code": pl.String,
            "name": pl.String,
            "kind": pl.String,
            "item_id": pl.String,
            "source": pl.String,
            "value": FIXED,
            "score": FIXED,
            "evidence": pl.String,
            "reason": pl.String,
            "sheet": pl.String,
            "row": pl.Int64,
            "from_survey": pl.Boolean,
            "trace": pl.String,
        },
    )
    leaves = _with_traces(leaves, records, satisfaction, year, system)
    return FilledPaper(system, year, leaves, [p for p in problems if p.severity != "error"], label)


def _with_traces(
    leaves: pl.DataFrame,
    records: list[dict[str, str]],
    satisfaction: pl.DataFrame | None,
    year: int,
    system: System,
) -> pl.DataFrame:
    """The satisfaction leaves left to the evaluator are computed from the survey, with a trace."""
    if satisfaction is not None and leaves.get_column("from_survey").any():
        objects = Objects(
            year, leaves.select("unit_code").unique(maintain_order=True), pl.DataFrame()
        )
        measured = measure_values(objects, system, None, satisfaction)
        measures = {leaf.id: leaf.measure for leaf in system.leaves() if leaf.measure}
        leaves = (
            leaves.with_columns(
                pl.col("item_id")
                .replace_strict(measures, default=None, return_dtype=pl.String)
                .alias("measure")
            )
            .join(
                measured.rename({"value": "_sv", "trace": "_st"}),
                on=["unit_code", "measure"],
                how="left",
            )
            .with_columns(
                pl.when(pl.col("from_survey"))
                .then(pl.col("_sv"))
                .otherwise(pl.col("value"))
                .alias("value"),
                pl.when(pl.col("from_survey"))
                .then(pl.col("_st"))
                .otherwise(pl.col("trace"))
                .alias("trace"),
                pl.when(pl.col("from_survey") & pl.col("_sv").is_not_null())
                .then(pl.lit("computed"))
                .otherwise(pl.col("source"))
                .alias("source"),
            )
            .drop("measure", "_sv", "_st")
        )
    return leaves

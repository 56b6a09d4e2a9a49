"""Locating the parts of a 项目支出绩效自评表 on a sheet (表样定位).

The official form (财预〔2020〕10号 附件) has a title with the year, 项目名称,
主管部门 / 实施单位, the money block (项目资金（万元）: 年度资金总额 /
其中：当年财政拨款 / 上年结转资金 / 其他资金 × 年初预算数 / 全年预算数 /
全年执行数 / 分值 / 执行率 / 得分), 年度总体目标, the indicator table
(一级指标 / 二级指标 / 三级指标 / 年度指标值 / 实际完成值 / 分值 / 得分 /
偏差原因分析及改进措施) and a 总分 row.  Labels are found wherever they are
(any header offset, extra or full-width blanks, trailing colons); values are
the cells right of or below them, or follow the label in the same cell
(``项目名称：城乡低保提标补助``, ``自评等级：良``, ``总分：89.50``).  A field whose
cell holds a formula with no computed value is reported with the formula
(:data:`perfkit.forms._messages.FORMULA_WITHOUT_VALUE`), not as empty.  This
module only *locates* cells and
copies their text; numbers and targets are parsed for all forms at once in
:mod:`perfkit.forms._read`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from perfkit.errors import Problem
from perfkit.forms._grid import Grid, cell_address, column_letter, label_key
from perfkit.forms._messages import FORMULA_WITHOUT_VALUE
from perfkit.i18n import _

__all__ = ["MONEY_COLUMNS", "MONEY_ROWS", "ProjectForm", "is_project_form", "locate_project_form"]

#: Header fields: form label → field name.
_HEAD = {
    "项目名称": "project_name",
    "项目编码": "project_code",
    "项目代码": "project_code",
    "主管部门": "dept_name",
    "主管部门(单位)": "dept_name",
    "部门名称": "dept_name",
    "部门编码": "dept_code",
    "实施单位": "implementing_unit",
    "自评等级": "self_grade",
    "评价等级": "self_grade",
    "自评结论": "self_grade",
    "年度": "year",
    "评价年度": "year",
}
#: Money block rows (label contains …) and columns (header label → field).
MONEY_ROWS = {
    "total": "年度资金总额",
    "fiscal": "当年财政拨款",
    "carryover": "上年结转",
    "other": "其他资金",
}
MONEY_COLUMNS = {
    "年初预算数": "budget_initial",
    "全年预算数": "budget_full_year",
    "全年执行数": "executed",
    "分值": "weight",
    "执行率": "rate",
    "得分": "points",
}
_INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "name",
    "年度指标值": "target",
    "指标值": "target",
    "目标值": "target",
    "实际完成值": "actual",
    "全年实际值": "actual",
    "完成值": "actual",
    "分值": "weight",
    "得分": "points",
    "指标方向": "direction",
    "计量单位": "unit",
}
_LABELS = frozenset(label_key(k) for k in (*_HEAD, *MONEY_COLUMNS, *_INDICATOR_COLUMNS))
_MONEY_LABELS = {v: k for k, v in MONEY_COLUMNS.items()}
_INDICATOR_LABELS = {v: k for k, v in reversed(list(_INDICATOR_COLUMNS.items()))}
_INDICATOR_LABELS["reason"] = "偏差原因分析及改进措施"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TOTAL_ROW = ("总分", "合计", "总计")
#: Labels of a total written with its value in one cell (``总分：89.50``).
_TOTAL_INLINE = ("总分", "总得分", "自评总分", "自评得分合计")
#: Field → label, for the formula problems of fields.
_FIELD_LABELS = {
    **{v: k for k, v in reversed(list(_HEAD.items()))},
    "total_points": "总分 得分",
    "total_weight": "总分 分值",
}


@dataclass
class ProjectForm:
    """The cells of one project form: text and address of every field found.

    ``fields`` maps a field name (``project_name``, ``money_total_executed``,
    ``total_points`` …) to ``(text, address)``; ``indicators`` holds one dict
    per indicator row with the same shape plus ``row`` and ``range``.
    """

    file: str
    sheet: str
    reader: str
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    indicators: list[dict[str, object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source_cell: str = ""
    ambiguous_percent: list[str] = field(default_factory=list)
    formula_cells: list[str] = field(default_factory=list)

    def problem(self, cell: str | None, column: str | None, message: str, severity="error"):
        """Record a problem at a cell of this form."""
        row = int(re.sub(r"\D", "", cell)) if cell else None
        self.problems.append(
            Problem(self.file, row, column, message, severity, sheet=self.sheet, cell=cell)
        )


def is_project_form(grid: Grid) -> bool:
    """True when the sheet has 项目名称 (alone or ``项目名称：…``) and an indicator table."""
    named = grid.find("项目名称") or grid.find_inline("项目名称")
    return bool(named) and all(grid.find(k) for k in ("一级指标", "三级指标"))


def _percent_text(text: str) -> str:
    """``0.96`` → ``96%`` (a percent-formatted cell's stored fraction)."""
    try:
        value = Decimal(text) * 100
    except InvalidOperation:
        return text
    out = format(value.normalize(), "f")
    return f"{out}%"


def _value(
    form: ProjectForm, grid: Grid, r: int, c: int, percent_field: bool, assume: bool = False
) -> str:
    """Text of a value cell; a percent-formatted number becomes ``NN%``.

    A bare number ≤ 1 in a percentage field whose number format is unknown
    (calamine) is noted in ``form.ambiguous_percent``; with ``assume`` it is
    read as percent-formatted.
    """
    text = grid.text(r, c)
    if text and grid.is_number(r, c):
        pct = grid.percent_format(r, c)
        if pct:
            return _percent_text(text)
        if pct is None and percent_field and abs(float(grid.value(r, c))) <= 1:
            form.ambiguous_percent.append(cell_address(*grid.origin(r, c)))
            if assume:
                return _percent_text(text)
    return text


def _year_from_titles(grid: Grid, upto: int) -> tuple[str, str] | None:
    for r in range(min(upto, grid.height)):
        for c in range(grid.width):
            text = unicodedata.normalize("NFKC", grid.text(r, c))
            match = _YEAR.search(text)
            if match and not grid.is_merged_copy(r, c):
                return match.group(1), cell_address(r, c)
    return None


def locate_project_form(
    grid: Grid, file: str, sheet: str, *, assume_percent: bool = False
) -> ProjectForm:
    """Find every field of a project form on ``grid`` (problems for what is missing).

    ``assume_percent``: read bare numbers ≤ 1 in percentage fields as
    percent-formatted cells (for files whose number formats cannot be seen).

    Examples
    --------
    >>> g = Grid([["2024年度项目支出绩效自评表"], ["项目名称", "社会救助"]])
    >>> f = locate_project_form(g, "a.xlsx", "S1")
    >>> f.fields["project_name"], f.fields["year"]
    (('社会救助', 'B2'), ('2024', 'A1'))
    >>> [str(p) for p in f.problems][:1]
    ['a.xlsx!S1：没有找到项目资金部分（年初预算数 / 全年预算数 / 全年执行数）']
    >>> g = Grid([["项目名称：城乡低保提标补助", None, "主管部门 : 民政局"]])
    >>> f = locate_project_form(g, "a.xlsx", "S1")
    >>> f.fields["project_name"], f.fields["dept_name"]
    (('城乡低保提标补助', 'A1'), ('民政局', 'C1'))
    """
    form = ProjectForm(file, sheet, grid.reader)
    heads = {label_key(k): v for k, v in _HEAD.items()}
    first_label_row = grid.height
    for r in range(grid.height):
        for c in range(grid.width):
            name = heads.get(grid.key(r, c))
            inline = grid.inline.get((r, c)) if name is None else None
            if inline is not None:
                name = heads.get(inline[0])
            if name is None or name in form.fields:
                continue
            first_label_row = min(first_label_row, r)
            if inline is not None:  # 项目名称：城乡低保 — label and value in one cell
                form.fields[name] = (inline[1], cell_address(r, c))
                continue
            found = grid.right_of(r, c, _LABELS)
            if found is not None:
                form.fields[name] = (grid.text(*found), cell_address(*found))
    if "year" not in form.fields:
        title = _year_from_titles(grid, first_label_row + 1)
        if title:
            form.fields["year"] = title
    _locate_money(form, grid)
    _locate_indicators(form, grid, assume_percent)
    _formula_problems(form, grid)
    return form


def _formula_problems(form: ProjectForm, grid: Grid) -> None:
    """Every field or indicator cell that holds a formula with no computed value."""
    if not grid.formulas:
        return
    formulas = {cell_address(r, c): text for (r, c), text in grid.formulas.items()}
    cells: list[tuple[str, str | None]] = []
    for name, (_value, address) in form.fields.items():
        if not name.endswith("_label"):
            column = _FIELD_LABELS.get(name)
            if column is None and name.startswith("money_"):
                part, col = name[6:].split("_", 1)
                column = f"{MONEY_ROWS[part]} {_MONEY_LABELS.get(col, col)}"
            cells.append((address, column))
    for record in form.indicators:
        for key, value in record.items():
            if key.endswith("_cell") and isinstance(value, str):
                cells.append((value, _INDICATOR_LABELS.get(key[: -len("_cell")])))
    for address, column in dict.fromkeys(cells):
        if address in formulas and address not in form.formula_cells:
            form.formula_cells.append(address)
            form.problem(
                address, column, _(FORMULA_WITHOUT_VALUE).format(formula=formulas[address])
            )


def _header_columns(grid: Grid, row: int, names: dict[str, str]) -> dict[str, int]:
    wanted = {label_key(k): v for k, v in names.items()}
    cols: dict[str, int] = {}
    for c in range(grid.width):
        name = wanted.get(grid.key(row, c))
        if name and name not in cols:
            cols[name] = c
    return cols


def _locate_money(form: ProjectForm, grid: Grid) -> None:
    header = next(
        (
            r
            for r in range(grid.height)
            if {"年初预算数", "全年预算数", "全年执行数"} <= set(grid.keys[r])
        ),
        None,
    )
    if header is None:
        form.problem(
            None, None, _("no 项目资金 block (年初预算数 / 全年预算数 / 全年执行数) found")
        )
        return
    cols = _header_columns(grid, header, MONEY_COLUMNS)
    for r in range(header + 1, min(header + 8, grid.height)):
        for c in range(min(cols.values())):
            key = grid.key(r, c)
            part = next((p for p, label in MONEY_ROWS.items() if key and label in key), None)
            if part is None or f"money_{part}_label" in form.fields:
                continue
            form.fields[f"money_{part}_label"] = (grid.text(r, c), cell_address(r, c))
            for name, col in cols.items():
                text = _value(form, grid, r, col, False)  # 执行率: checked either way
                form.fields[f"money_{part}_{name}"] = (text, cell_address(r, col))
            if part == "total":
                form.source_cell = f"{cell_address(r, c)}:{cell_address(r, max(cols.values()))}"
    if "money_total_label" not in form.fields:
        form.problem(
            cell_address(header, min(cols.values())),
            "年度资金总额",
            _("no 年度资金总额 row below the 项目资金 header"),
        )


def _locate_indicators(form: ProjectForm, grid: Grid, assume: bool) -> None:
    header = next(
        (r for r in range(grid.height) if {"一级指标", "三级指标"} <= set(grid.keys[r])), None
    )
    if header is None:
        form.problem(None, None, _("no indicator table (一级指标 / 三级指标) found"))
        return
    cols = _header_columns(grid, header, _INDICATOR_COLUMNS)
    reasons = [
        c
        for c in range(grid.width)
        if "原因" in grid.key(header, c) or "改进措施" in grid.key(header, c)
    ]
    for needed, label in (
        ("level2", "二级指标"),
        ("target", "年度指标值"),
        ("actual", "实际完成值"),
        ("weight", "分值"),
        ("points", "得分"),
    ):
        if needed not in cols:
            form.problem(
                cell_address(header, cols["level1"]),
                label,
                _("no {label} column found").format(label=label),
            )
    if form.problems and any(p.severity == "error" for p in form.problems):
        return
    first_col = min(cols.values())
    last_col = max([*cols.values(), *reasons])
    data_cols = [c for n, c in cols.items() if n not in ("level1", "level2")] + reasons
    filled: dict[str, str] = {}
    carried: list[str] = []
    total_row = None
    for r in range(header + 1, grid.height):
        keys = [grid.key(r, c) for c in range(grid.width)]
        if any(k.startswith(_TOTAL_ROW) for k in keys if k):
            total_row = r
            break
        texts = {name: grid.text(r, c) for name, c in cols.items()}
        filled_cols = [
            c
            for c in data_cols
            if (grid.text(r, c) or grid.formula(r, c)) and not grid.is_merged_copy(r, c)
        ]
        if not filled_cols:
            continue  # blank row (or only merged 一级/二级 cells running down)
        record: dict[str, object] = {"row": r + 1}
        for name, c in cols.items():
            text = texts[name]
            shown = text or grid.formula(r, c)
            address = cell_address(*grid.origin(r, c)) if shown else cell_address(r, c)
            if name in ("level1", "level2"):
                if not text and filled.get(name):
                    text = filled[name]
                    carried.append(cell_address(r, c))
                filled[name] = text
            elif name in ("actual", "target"):
                other = texts["target" if name == "actual" else "actual"]
                text = _value(form, grid, r, c, "%" in other, assume)
            record[name] = text
            record[f"{name}_cell"] = address
        record["reason"] = "；".join(t for t in (grid.text(r, c) for c in reasons) if t)
        record["reason_cell"] = cell_address(r, reasons[0]) if reasons else None
        record["range"] = f"{cell_address(r, first_col)}:{cell_address(r, last_col)}"
        form.indicators.append(record)
    if carried:
        form.problem(
            carried[0],
            "一级指标/二级指标",
            _("empty 一级/二级指标 cells taken from the row above (not merged): {cells}").format(
                cells=", ".join(carried)
            ),
            severity="warning",
        )
    if not form.indicators:
        form.problem(cell_address(header, first_col), "三级指标", _("the indicator table is empty"))
    inline_totals = grid.find_inline(*_TOTAL_INLINE)
    if total_row is None and not inline_totals:
        form.problem(
            None, "总分", _("no 总分 row below the indicator table; 总分 not checked"), "warning"
        )
        return
    if total_row is not None:
        for name in ("weight", "points"):
            if name in cols:
                c = cols[name]
                text = grid.text(total_row, c)
                origin = grid.origin(total_row, c)
                if grid.key(*origin).startswith(_TOTAL_ROW):  # the 总分 label's own cell
                    split = grid.inline.get(origin)  # 总分：89.50 over the 得分 column
                    inline_points = name == "points" and split and split[0] in _TOTAL_INLINE
                    text = split[1] if inline_points else ""  # type: ignore[index]
                if text or grid.formula(total_row, c):
                    address = cell_address(*grid.origin(total_row, c))
                    form.fields[f"total_{name}"] = (text, address)
        form.fields["total_label"] = ("总分", f"{column_letter(first_col)}{total_row + 1}")
    if "total_points" not in form.fields and inline_totals:
        # 总分：89.50 in one cell: on the 总分 row if there is one, else anywhere on the sheet
        on_row = [cell for cell in inline_totals if cell[0] == total_row]
        r, c = (on_row or inline_totals)[0]
        form.fields["total_points"] = (grid.inline[(r, c)][1], cell_address(r, c))
        form.fields.setdefault("total_label", ("总分", cell_address(r, c)))

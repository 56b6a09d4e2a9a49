"""The 部门预算管理绩效考核自评表 layout (seed 001): sections, items, 合计 (考核表定位).

Header: 考核内容 | 指标 | 指标值 | 计算方法 | … | 考核结果 | 扣罚分 | 备注.  A row
whose 考核内容 starts with a Chinese numeral and ``、`` (``一、重大决策部署落实``)
opens a section (its 指标值 is the section's maximum, its 考核结果 the stated
section score); the rows below it are the section's items (指标值 = item
maximum, 考核结果 = item score); the 合计 row states the grand total.  A
score or maximum cell holding a formula with no computed value is reported
with its formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfkit.errors import Problem
from perfkit.forms._grid import Grid, cell_address, label_key
from perfkit.forms._messages import FORMULA_WITHOUT_VALUE
from perfkit.i18n import _

__all__ = ["AssessmentForm", "Cell", "is_assessment_form", "locate_assessment"]

_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_TOTAL = ("合计", "总分", "总计")


@dataclass(frozen=True)
class Cell:
    """A value on a form: its text and address."""

    text: str
    address: str


@dataclass
class Section:
    """One section (一、…) with its stated maximum and score, and its items."""

    label: Cell
    maximum: Cell
    score: Cell
    items: list[dict[str, Cell]] = field(default_factory=list)


@dataclass
class AssessmentForm:
    """A located 部门预算管理绩效考核自评表."""

    file: str
    sheet: str
    title: str
    sections: list[Section] = field(default_factory=list)
    total_label: Cell | None = None
    total_maximum: Cell | None = None
    total_score: Cell | None = None
    problems: list[Problem] = field(default_factory=list)


def _header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    for r in range(grid.height):
        keys = grid.keys[r]
        if "考核内容" not in keys:
            continue
        cols = {"content": keys.index("考核内容")}
        for c, key in enumerate(keys):
            if key in ("指标", "指标名称") and "item" not in cols:
                cols["item"] = c
            elif key in ("指标值", "分值") and "max" not in cols:
                cols["max"] = c
            elif (
                key.startswith("考核结果") or key in ("得分", "自评得分")
            ) and "score" not in cols:
                cols["score"] = c
        if {"max", "score"} <= set(cols):
            return r, cols
    return None


def is_assessment_form(grid: Grid) -> bool:
    """True when the sheet has a 考核内容 / 指标值 / 考核结果 (or 得分) header."""
    return _header(grid) is not None


def locate_assessment(grid: Grid, file: str, sheet: str) -> AssessmentForm:
    """Sections, items and the 合计 row of an assessment form.

    Examples
    --------
    >>> g = Grid([["考核内容", "指标", "指标值", "考核结果"],
    ...           ["一、决策", None, 10, 9], [None, "执行情况", 6, 6], ["合计", None, 10, 9]])
    >>> f = locate_assessment(g, "a.xlsx", "S1")
    >>> [(s.label.text, s.score.text, len(s.items)) for s in f.sections], f.total_score
    ([('一、决策', '9', 1)], Cell(text='9', address='D4'))
    """
    header, cols = _header(grid)  # type: ignore[misc]
    title = next(
        (grid.text(r, c) for r in range(header) for c in range(grid.width) if grid.text(r, c)), ""
    )
    form = AssessmentForm(file, sheet, title)

    def cell(r: int, c: int | None) -> Cell:
        if c is None:
            return Cell("", "")
        return Cell(grid.text(r, c), cell_address(r, c))

    for r in range(header + 1, grid.height):
        content = grid.text(r, cols["content"])
        content_key = label_key(content)
        item = grid.text(r, cols["item"]) if "item" in cols else ""
        if content_key.startswith(_TOTAL):
            form.total_label = cell(r, cols["content"])
            form.total_maximum = cell(r, cols["max"])
            form.total_score = cell(r, cols["score"])
            break
        if _SECTION.match(content) and not grid.is_merged_copy(r, cols["content"]):
            form.sections.append(
                Section(cell(r, cols["content"]), cell(r, cols["max"]), cell(r, cols["score"]))
            )
            continue
        if not (item or content) or not (grid.text(r, cols["max"]) or grid.formula(r, cols["max"])):
            continue
        entry = {
            "label": cell(r, cols["item"] if item else cols["content"]),
            "maximum": cell(r, cols["max"]),
            "score": cell(r, cols["score"]),
        }
        if not form.sections:
            row = r + 1
            form.problems.append(
                Problem(
                    file,
                    row,
                    "考核内容",
                    _("item before the first section (一、…)"),
                    sheet=sheet,
                    cell=entry["label"].address,
                )
            )
            continue
        form.sections[-1].items.append(entry)
    if form.total_score is None:
        form.problems.append(
            Problem(
                file,
                None,
                "合计",
                _("no 合计 row; the total is not checked"),
                "warning",
                sheet=sheet,
            )
        )
    _formula_problems(form, grid)
    return form


def _formula_problems(form: AssessmentForm, grid: Grid) -> None:
    """Score and maximum cells that hold a formula with no computed value."""
    if not grid.formulas:
        return
    formulas = {cell_address(r, c): text for (r, c), text in grid.formulas.items()}
    cells = [(form.total_maximum, "合计 分值"), (form.total_score, "合计 得分")]
    for section in form.sections:
        cells += [(section.maximum, "分值"), (section.score, "得分")]
        cells += [(i["maximum"], "指标值") for i in section.items]
        cells += [(i["score"], "考核结果") for i in section.items]
    for cell, column in cells:
        if cell is not None and cell.address in formulas:
            row = int("".join(ch for ch in cell.address if ch.isdigit()))
            message = _(FORMULA_WITHOUT_VALUE).format(formula=formulas[cell.address])
            form.problems.append(
                Problem(form.file, row, column, message, sheet=form.sheet, cell=cell.address)
            )

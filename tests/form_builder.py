"""Build 项目支出绩效自评表 workbooks by hand (openpyxl), as departments fill them in.

Independent of perfkit's own writer, so that import is tested against forms
perfkit did not make: header offsets, merged 一级/二级 cells, labels with
full-width characters, extra blanks and colons, percent-formatted cells, a
label and its value in one cell (``项目名称：城乡低保资金``, ``主管部门 : 民政局``,
``自评等级：优``, ``总分：98.02``), and formulas saved without a computed value
(openpyxl never calculates: what a program, not Excel, leaves behind).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

INDICATORS = [
    # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "保障人数", "≥12,000人", "12500人", 20, 20, ""),
    ("产出指标", "数量指标", "发放批次", "=12 次", "12次", 10, 10, ""),
    ("产出指标", "质量指标", "资金发放准确率", "≥95%", "96%", 10, 10, ""),
    ("产出指标", "时效指标", "按月发放及时率", "≥ 98 %", "90%", 10, 9.18, "部分月份延迟"),
    ("效益指标", "社会效益指标", "困难群众基本生活保障", "有效保障", "达成年度指标", 20, 20, ""),
    ("效益指标", "经济效益指标", "管理成本", "≤100万元", "110万元", 10, 9, "物价上涨"),
    ("满意度指标", "服务对象满意度指标", "受助群众满意度", "≥90%", "92%", 10, 10, ""),
]


@dataclass
class FormSpec:
    """What to write on one form; defaults give a consistent, correctly scored form."""

    year: str = "（2023年度）"
    project: str = "城乡低保资金"
    dept: str = "民政局"
    unit: str = "民政局社会救助科"
    code: str | None = None
    # 年初预算数, 全年预算数, 全年执行数 of 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金
    money: tuple = (
        ("1,000.00", "1,200.00", "1,180.50"),
        ("1,000.00", "1,100.00", "1,080.50"),
        ("0", "100.00", "100.00"),
        ("0", "0", "0"),
    )
    exec_weight: object = 10
    exec_rate: object = "98.38%"
    exec_points: object = 9.84
    indicators: list = field(default_factory=lambda: list(INDICATORS))
    total_weight: object = 100
    total_points: object = 98.02
    grade: str | None = "优"
    row_offset: int = 0
    col_offset: int = 0
    fullwidth: bool = False
    merge_levels: bool = True
    # label and value in one cell: 项目名称：…, 主管部门 : …, 项目编码:…, 总分：…, 自评等级： …
    inline: bool = False
    # cell (as on a form without offsets, e.g. "H20") → formula written instead of the value
    formulas: dict = field(default_factory=dict)


def _label(text: str, spec: FormSpec) -> str:
    if not spec.fullwidth:
        return text
    return " " + " ".join(text) + "："  # 项 目 名 称： with spaces and a full-width colon


def write_form(ws: Worksheet, spec: FormSpec) -> None:
    """Write one form on ``ws`` at the spec's offset."""
    ro, co = spec.row_offset, spec.col_offset

    def put(r: int, c: int, value: object, merge_to: tuple[int, int] | None = None) -> None:
        cell = ws.cell(ro + r + 1, co + c + 1, value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text typed as '=0起, not a formula
        if merge_to:
            ws.merge_cells(
                start_row=ro + r + 1,
                start_column=co + c + 1,
                end_row=ro + merge_to[0] + 1,
                end_column=co + merge_to[1] + 1,
            )

    put(0, 0, "项目支出绩效自评表", (0, 8))
    put(1, 0, spec.year, (1, 8))
    if spec.inline:  # each colon as forms write it: full-width, half-width, blanks around
        put(2, 0, f"项目名称：{spec.project}", (2, 8))
        put(3, 0, f"主管部门 : {spec.dept}", (3, 3))
        put(3, 4, f"实施单位：{spec.unit}", (3, 8))
    else:
        put(2, 0, _label("项目名称", spec))
        put(2, 1, spec.project, (2, 8))
        put(3, 0, _label("主管部门", spec))
        put(3, 1, spec.dept, (3, 3))
        put(3, 4, _label("实施单位", spec))
        put(3, 5, spec.unit, (3, 8))
    r = 4
    if spec.code is not None:
        if spec.inline:
            put(r, 0, f"项目编码:{spec.code}", (r, 8))
        else:
            put(r, 0, "项目编码")
            put(r, 1, spec.code, (r, 8))
        r += 1
    put(r, 0, "项目资金（万元）", (r + 4, 0))
    put(r, 1, None, (r, 2))
    for j, h in enumerate(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]):
        put(r, 3 + j, _label(h, spec) if j < 3 else h)
    rows = ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    for i, (label, amounts) in enumerate(zip(rows, spec.money, strict=True)):
        rr = r + 1 + i
        put(rr, 1, label, (rr, 2))
        for j, value in enumerate(amounts):
            put(rr, 3 + j, value)
        if i == 0:
            put(rr, 6, spec.exec_weight)
            put(rr, 7, spec.exec_rate)
            put(rr, 8, spec.exec_points)
        else:
            for j in (6, 8):
                put(rr, j, "—")
    r += 5
    put(r, 0, "年度总体目标", (r + 1, 0))
    put(r, 1, "预期目标", (r, 4))
    put(r, 5, "实际完成情况", (r, 8))
    put(r + 1, 1, "保障城乡低保对象基本生活", (r + 1, 4))
    put(r + 1, 5, "按时足额发放", (r + 1, 8))
    r += 2
    n = len(spec.indicators)
    put(r, 0, "绩效指标", (r + n, 0))
    headers = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    for j, h in enumerate([*headers, "偏差原因分析及改进措施"]):
        put(r, 1 + j, _label(h, spec) if j < 2 else h)
    first = r + 1
    for i, row in enumerate(spec.indicators):
        for j, value in enumerate(row):
            put(first + i, 1 + j, value if value != "" else None)
    if spec.merge_levels:
        for col in (0, 1):
            start = 0
            for i in range(1, n + 1):
                if i == n or spec.indicators[i][col] != spec.indicators[start][col]:
                    if i - 1 > start:
                        for k in range(start + 1, i):
                            ws.cell(ro + first + k + 1, co + col + 2).value = None
                        put(
                            first + start,
                            1 + col,
                            spec.indicators[start][col],
                            (first + i - 1, 1 + col),
                        )
                    start = i
    total = first + n
    if spec.inline:
        put(total, 0, f"总分：{spec.total_points}", (total, 8))
        if spec.grade is not None:
            put(total + 1, 0, f"自评等级： {spec.grade}", (total + 1, 8))
    else:
        put(total, 0, "总分", (total, 5))
        put(total, 6, spec.total_weight)
        put(total, 7, spec.total_points)
        if spec.grade is not None:
            put(total + 1, 0, "自评等级")
            put(total + 1, 1, spec.grade, (total + 1, 8))
    for ref, formula in spec.formulas.items():
        row, col = coordinate_to_tuple(ref)
        ws.cell(row + ro, col + co, formula)  # a formula, never calculated


def save_forms(path: Path, specs: dict[str, FormSpec]) -> Path:
    """A workbook with one form per sheet (sheet name → spec)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, spec in specs.items():
        write_form(workbook.create_sheet(name), spec)
    workbook.save(path)
    return path


def store_results(path: Path, results: dict[str, dict[str, object]]) -> Path:
    """Give formula cells the computed value Excel stores when it saves (sheet → cell → value).

    openpyxl writes ``<f>…</f><v />`` (``<v></v>`` when it writes with lxml, which
    python-docx brings; no value either way); Excel writes ``<f>…</f><v>98.02</v>``,
    and ``t="str"`` for a text result.
    """
    names = openpyxl.load_workbook(path).sheetnames
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    for sheet, cells in results.items():
        part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
        xml = parts[part].decode()
        for ref, value in cells.items():

            def fill(match: re.Match, ref: str = ref, value: object = value) -> str:
                attrs = match.group(1) + (' t="str"' if isinstance(value, str) else "")
                return f'<c r="{ref}"{attrs}>{match.group(2)}<v>{escape(str(value))}</v>'

            xml, n = re.subn(rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)(?:<v ?/>|<v></v>)', fill, xml)
            assert n == 1, f"no formula without a value at {sheet}!{ref}"
        parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path

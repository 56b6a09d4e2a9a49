"""Computed leaves against hand-computed values, and the working paper's round trip.

prepare (from a small data folder) → fill with openpyxl → score; each kind of bad
filling is reported with file, sheet and cell, all at once, and nothing is written.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from perfkit.cli import main
from perfkit.errors import InputError
from perfkit.i18n import use_language
from perfkit.keyeval import (
    evaluate_paper,
    prepare_paper,
    read_survey,
    summarise_survey,
)
from perfkit.tables import check_table, read_table

EVIL = '=HYPERLINK("http://x")/危险:名称*?'


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    _csv(
        folder / "projects.csv",
        ["年度", "项目编码", "项目名称", "部门编码", "部门名称", "年初预算数", "全年预算数",
         "全年执行数", "实际到位资金"],
        [
            [2024, "P1", "学前教育发展资金", "D1", "教育局", 200, 200, 173, 190],
            [2024, "P2", EVIL, "D1", "教育局", 100, 100, 100, 100],
            [2024, "P3", "森林植被恢复费", "D2", "林业局", 50, 50, 20, ""],
        ],
    )  # fmt: skip
    _csv(
        folder / "indicators.csv",
        ["year", "unit_code", "level1", "level2", "name", "direction", "target", "actual"],
        [
            [2024, "P1", "产出指标", "数量指标", "新建幼儿园", "正向", 100, 95],  # 95.00 %
            [2024, "P1", "产出指标", "数量指标", "生均面积超标", "反向", 10, 12],  # 80.00 %
            [2024, "P1", "产出指标", "质量指标", "验收合格", "定性", "", "部分达成"],  # 70 %
            [2024, "P1", "产出指标", "时效指标", "按期完工", "正向", 1, 1],  # 100 %
            [2024, "P1", "产出指标", "成本指标", "单位造价", "反向", 50, 40],  # 100 %
            [2024, "P1", "效益指标", "社会效益", "入园率", "正向", 90, 92],  # not an output
            [2024, "P2", "产出指标", "数量", "培训人次", "≥", 300, 100],  # 33.33 %
        ],
    )  # fmt: skip
    return folder


def _survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    answers = ["5", "4", "4", "满意", "非常满意", "3", "4", "5", "2", "4"]  # 8 of 10 satisfied
    _csv(path, ["unit_code", "respondent", "question", "answer"],
         [["P1", f"R{i}", "总体满意度", a] for i, a in enumerate(answers)])  # fmt: skip
    return path


def _leaf(paper, code: str, item: str) -> dict:
    return paper.leaves.filter((pl.col("unit_code") == code) & (pl.col("item_id") == item)).row(
        0, named=True
    )


def test_computed_leaves_against_hand_computed_values(data: Path) -> None:
    paper = prepare_paper(data, 2024, ["P1", "P2", "D1"])
    expected = {  # item → (value %, points): points = leaf points × value / target, half-up
        "2.1.1": ("95", 380),  # 资金到位率 190/200; 4 × 0.95
        "2.1.2": ("86.5", 433),  # 预算执行率 173/200; 5 × 0.865 = 4.325 → 4.33 (half-up)
        "3.1": ("87.5", 875),  # (95 + 80) / 2; 10 × 0.875
        "3.2": ("70", 560),  # 定性 部分达成: the level's default 70 %
        "3.3": ("100", 600),
        "3.4": ("100", 600),
    }
    for item, (value, cents) in expected.items():
        leaf = _leaf(paper, "P1", item)
        assert leaf["source"] == "computed", item
        assert Decimal(leaf["value"]).scaleb(-6) == Decimal(value), item
        assert leaf["points_cents"] == cents, item
    assert (
        "全年执行数 173.00 / 全年预算数 200.00 × 100% = 86.50%"
        in _leaf(paper, "P1", "2.1.2")["trace"]
    )
    assert "indicators 第 2、3 行" in _leaf(paper, "P1", "3.1")["trace"]
    p2 = _leaf(paper, "P2", "3.1")
    assert (Decimal(p2["value"]).scaleb(-6), p2["points_cents"]) == (Decimal("33.33"), 333)
    assert _leaf(paper, "P2", "3.2")["source"] == "judged"  # no 质量指标: left to the evaluator
    # the department: the sum of its projects (273 / 300 = 91 %)
    d1 = _leaf(paper, "D1", "2.1.2")
    assert (Decimal(d1["value"]).scaleb(-6), d1["points_cents"]) == (Decimal(91), 455)
    assert "2 个项目" in d1["trace"]
    # satisfaction waits for the survey
    assert _leaf(paper, "P1", "4.5")["source"] == "judged"


def test_funds_received_is_optional_and_checked(data: Path, tmp_path: Path) -> None:
    paper = prepare_paper(data, 2024, ["P3"])
    leaf = _leaf(paper, "P3", "2.1.1")
    assert leaf["source"] == "judged" and "funds_received" in leaf["trace"]
    assert Decimal(_leaf(paper, "P3", "2.1.2")["value"]).scaleb(-6) == Decimal(40)
    # the contract: optional, an amount (negative → an error with file, row and column)
    frame = pl.read_csv(data / "projects.csv", infer_schema=False)
    _, problems = check_table(read_table(frame.drop("实际到位资金"), "projects"))
    assert problems == []
    bad = frame.with_columns(pl.lit("-5").alias("实际到位资金"))
    _, problems = check_table(read_table(bad, "projects"))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (row, "实际到位资金", "金额为负数 -5") for row in (1, 2, 3)
    ]


def test_unknown_unit_is_a_clear_error(data: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        prepare_paper(data, 2024, ["P1", "NOPE", "P9"])
    assert [p.message for p in excinfo.value.problems] == [
        "--units：'NOPE' 不是 2024 年度的项目或部门",
        "--units：'P9' 不是 2024 年度的项目或部门",
    ]
    with use_language("en"), pytest.raises(InputError) as excinfo:
        prepare_paper(data, 2024, ["NOPE"])
    assert excinfo.value.problems[0].message == (
        "--units: 'NOPE' is neither a project nor a department of 2024"
    )


def _prepare(data: Path, tmp_path: Path, units: str = "P1,P2") -> Path:
    out = tmp_path / "底稿.xlsx"
    result = CliRunner().invoke(
        main,
        ["evaluate", "prepare", "--data", str(data), "--year", "2024", "--units", units,
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def _fill(
    path: Path, *, deduct: dict[str, str] | None = None, skip: set[str] = frozenset()
) -> None:
    """Fill every yellow 得分 with full points and evidence; ``deduct`` item → reason."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets[2:]:
        if sheet.sheet_state != "visible":
            continue
        for row in range(6, sheet.max_row + 1):
            item = sheet.cell(row, 1).value
            if sheet.cell(row, 7).value != "评价人评分" or item in skip:
                continue
            points = float(sheet.cell(row, 5).value)
            if deduct and item in deduct:
                sheet.cell(row, 10).value = points - 1
                sheet.cell(row, 12).value = deduct[item]
            else:
                sheet.cell(row, 10).value = points
            sheet.cell(row, 11).value = f"证据-{item}.pdf"
    book.save(path)


def test_the_workbook_layout(data: Path, tmp_path: Path) -> None:
    path = _prepare(data, tmp_path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["汇总", "说明"]
    assert book["_perfkit"].sheet_state == "veryHidden"
    titles = book.sheetnames[2:4]
    assert titles[0] == "P1 学前教育发展资金"
    assert len(titles[1]) <= 31 and not set("[]:*?/\\") & set(titles[1])
    evil = book[titles[1]]
    assert evil["A1"].value.startswith("评分底稿：=HYPERLINK")  # text, not a formula
    assert evil["A1"].data_type == "s"
    summary_name = book["汇总"]["B5"]
    assert (summary_name.value, summary_name.data_type, summary_name.quotePrefix) == (
        EVIL,
        "s",
        True,
    )
    sheet = book[titles[0]]
    assert [c.value for c in sheet[5]] == [
        "编号", "一级指标", "二级指标", "三级指标", "分值", "评分标准", "计分方式",
        "计算值（%）", "数据来源", "得分", "佐证材料", "扣分理由",
    ]  # fmt: skip
    assert sheet.protection.sheet
    rows = {sheet.cell(r, 1).value: r for r in range(6, sheet.max_row + 1)}
    computed, judged = rows["2.1.2"], rows["1.1.1"]
    assert sheet.cell(computed, 10).value == 4.33 and sheet.cell(computed, 10).protection.locked
    assert sheet.cell(computed, 8).value == 86.5
    assert "评分标准" not in sheet.cell(judged, 6).value and "立项" in sheet.cell(judged, 6).value
    for col in (10, 11, 12):
        cell = sheet.cell(judged, col)
        assert cell.value is None and not cell.protection.locked
        assert cell.fill.fgColor.rgb.endswith("FFFF00")
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$5:$5"


def test_round_trip_prepare_fill_score(data: Path, tmp_path: Path) -> None:
    path = _prepare(data, tmp_path)
    _fill(path, deduct={"1.1.1": "未提供可行性研究报告"})
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["evaluate", "score", "--workbook", str(path), "--survey", str(_survey(tmp_path)),
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    units = pl.read_csv(out / "key_evaluation_units.csv")
    # P1: judged 51 − 1 deducted; computed 3.80 + 4.33 + 8.75 + 5.60 + 6 + 6;
    # survey 80 % → 10 × 80/90
    p1 = units.filter(pl.col("unit_code") == "P1").row(0, named=True)
    assert Decimal(str(p1["total"])) == Decimal("50") + Decimal("34.48") + Decimal("8.89")
    assert p1["grade"] == "优"
    assert (p1["决策"], p1["决策_rate"]) == (19.0, 95.0)
    items = pl.read_csv(out / "key_evaluation_items.csv")
    sat = items.filter((pl.col("unit_code") == "P1") & (pl.col("item_id") == "4.5")).row(
        0, named=True
    )
    assert (sat["source"], sat["points"], sat["value"]) == ("computed", 8.89, 80.0)
    assert "有效答卷 10 份，满意 8 份" in sat["trace"]
    cut = items.filter((pl.col("unit_code") == "P1") & (pl.col("item_id") == "1.1.1")).row(
        0, named=True
    )
    assert (cut["points"], cut["reason"], cut["evidence"]) == (
        2.0,
        "未提供可行性研究报告",
        "证据-1.1.1.pdf",
    )
    # P2 has no survey rows: its satisfaction is the evaluator's (full marks)
    p2 = items.filter((pl.col("unit_code") == "P2") & (pl.col("item_id") == "4.5")).row(
        0, named=True
    )
    assert (p2["source"], p2["points"]) == ("judged", 10.0)
    evil = units.filter(pl.col("unit_code") == "P2").get_column("unit_name").item()
    assert evil == "'" + EVIL  # a formula-like name is neutralised in the CSV
    book = openpyxl.load_workbook(out / "key_evaluation.xlsx")
    assert book.sheetnames == ["评价结果", "评分表"]
    name_cell = book["评价结果"]["C3"]
    assert (name_cell.value, name_cell.quotePrefix) == (EVIL, True)
    assert "P1 学前教育发展资金：93.37 分，优" in result.output


def test_the_result_is_plain_data(data: Path, tmp_path: Path) -> None:
    path = _prepare(data, tmp_path, "P1")
    _fill(path, deduct={"4.1": "受益面未达预期"})
    result = evaluate_paper(path, satisfaction=summarise_survey(read_survey(_survey(tmp_path))))
    (obj,) = result.objects
    assert (obj.unit_code, obj.kind, obj.grade) == ("P1", "project", "优")
    assert [g.label for g in obj.groups] == ["决策", "过程", "产出", "效益"]
    assert sum(g.score for g in obj.groups) == obj.total == sum(leaf.score for leaf in obj.leaves)
    effect = obj.groups[3]
    assert (effect.points, effect.score, effect.rate) == (
        Decimal(30),
        Decimal("27.89"),
        Decimal("92.97"),
    )
    leaf = next(leaf for leaf in obj.leaves if leaf.item_id == "4.1")
    assert (leaf.score, leaf.reason, leaf.source) == (Decimal("7.00"), "受益面未达预期", "judged")
    assert leaf.criterion.startswith("项目实施对社会发展")
    computed = next(leaf for leaf in obj.leaves if leaf.item_id == "2.1.2")
    assert computed.trace.startswith(
        "预算执行率 = 全年执行数 173.00"
    ) and computed.value == Decimal("86.5")
    assert "<table" in result.to_html() and EVIL not in result.to_html()


def _problems(path: Path, tmp_path: Path) -> tuple[int, str, Path]:
    out = tmp_path / "scored"
    result = CliRunner().invoke(
        main, ["evaluate", "score", "--workbook", str(path), "--out", str(out)]
    )
    return result.exit_code, result.output, out


def test_every_bad_filling_at_once(data: Path, tmp_path: Path) -> None:
    path = _prepare(data, tmp_path, "P1")
    _fill(path, deduct={"1.2.1": ""}, skip={"1.1.2"})
    book = openpyxl.load_workbook(path)
    sheet = book["P1 学前教育发展资金"]
    rows = {sheet.cell(r, 1).value: r for r in range(6, sheet.max_row + 1)}
    sheet.cell(rows["1.1.1"], 10).value = 3.5  # above its 3 points
    sheet.cell(rows["1.3.1"], 10).value = "满分"  # not a number
    sheet.cell(rows["1.3.2"], 10).value = 2.3  # not a multiple of 0.5
    sheet.cell(rows["2.1.2"], 8).value = 100  # a computed value edited
    sheet.cell(rows["3.1"], 10).value = 10  # computed points edited
    sheet.cell(rows["2.2.1"], 5).value = 5  # 分值 edited
    sheet.cell(rows["4.2"], 11).value = None  # evidence missing: a warning only
    book.save(path)
    code, output, out = _problems(path, tmp_path)
    assert code == 1
    assert "Traceback" not in output
    assert not out.exists()
    where = "底稿.xlsx!P1 学前教育发展资金!"
    for cell, message in [
        (f"J{rows['1.1.1']}", "1.1.1 立项依据充分性：得分 3.5 超过该项分值 3"),
        (f"J{rows['1.1.2']}", "1.1.2 立项程序规范性：得分未填写"),
        (f"L{rows['1.2.1']}", "1.2.1 绩效目标合理性：得分 3.0 低于分值 4，须填写扣分理由"),
        (f"J{rows['1.3.1']}", "1.3.1 预算编制科学性：得分 '满分' 不是数字"),
        (f"J{rows['1.3.2']}", "1.3.2 资金分配合理性：得分 2.3 不是 0.5 的整数倍"),
        (f"H{rows['2.1.2']}", "2.1.2 预算执行率：计算值由数据计算，不得修改（应为 86.5）"),
        (f"J{rows['3.1']}", "3.1 产出数量：计算项得分不得修改（应为 8.75）"),
        (f"E{rows['2.2.1']}", "2.2.1 管理制度健全性：分值被改动（应为 3）"),
        (f"K{rows['4.2']}", "4.2 经济效益：未注明佐证材料（警告）"),
    ]:
        assert f"{where}{cell}：{message}" in output, (cell, output)
    assert "输入中有 8 个问题，未写出任何文件" in output


def test_a_moved_row_and_a_foreign_workbook(data: Path, tmp_path: Path) -> None:
    path = _prepare(data, tmp_path, "P1")
    _fill(path)
    book = openpyxl.load_workbook(path)
    book["P1 学前教育发展资金"].delete_rows(7)
    book.save(path)
    code, output, _ = _problems(path, tmp_path)
    assert code == 1 and "此处应为指标 1.1.2（立项程序规范性）：行被移动、插入或删除" in output
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    code, output, _ = _problems(other, tmp_path)
    assert code == 1 and "不是 perfkit 评分底稿" in output


@pytest.mark.parametrize(
    ("column", "value"),
    [(2, "-3"), (2, "x"), (5, "computed"), (6, "NaN"), (7, "1e999")],
)
def test_a_tampered_record_is_a_clear_error(
    data: Path, tmp_path: Path, column: int, value: str
) -> None:
    path = _prepare(data, tmp_path, "P1")
    _fill(path)
    book = openpyxl.load_workbook(path)
    record = book["_perfkit"]
    row = next(r for r in range(3, record.max_row + 1) if record.cell(r, 5).value == "computed")
    if column == 5:  # a judged leaf claimed as computed, with no value
        row = next(r for r in range(3, record.max_row + 1) if record.cell(r, 5).value == "judged")
    record.cell(row, column).value = value
    book.save(path)
    code, output, out = _problems(path, tmp_path)
    assert code == 1, output
    assert "记录表 _perfkit 已被改动，无法核对底稿" in output
    assert "Traceback" not in output and not out.exists()


def test_a_score_that_is_not_finite(data: Path, tmp_path: Path) -> None:
    path = _prepare(data, tmp_path, "P1")
    _fill(path)
    book = openpyxl.load_workbook(path)
    sheet = book["P1 学前教育发展资金"]
    sheet["J6"].value = "NaN"
    sheet["J7"].value = "1e999999"
    book.save(path)
    code, output, _ = _problems(path, tmp_path)
    assert code == 1 and "Traceback" not in output
    assert "J6：1.1.1 立项依据充分性：得分 'NaN' 不是数字" in output
    assert "J7：1.1.2 立项程序规范性：得分 1E+999999 超过该项分值 2" in output


def test_too_many_objects_is_a_clear_error(data: Path, tmp_path: Path) -> None:
    units = ",".join(f"P{i}" for i in range(201))
    result = CliRunner().invoke(
        main,
        ["evaluate", "prepare", "--data", str(data), "--year", "2024", "--units", units,
         "--out", str(tmp_path / "x.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 1 and "至多 200 个评价对象" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_an_unknown_qualitative_phrase_is_an_error(data: Path) -> None:
    path = data / "indicators.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("部分达成", "差不多"), encoding="utf-8"
    )
    with pytest.raises(InputError) as excinfo:
        prepare_paper(data, 2024, ["P1"])
    (problem,) = [p for p in excinfo.value.problems if p.severity == "error"]
    assert (problem.file, problem.row, problem.column) == ("indicators.csv", 4, "actual")
    assert problem.message.startswith("定性指标完成值 '差不多' 不是")

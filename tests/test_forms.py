"""Official self-evaluation forms in and out: import-forms, check-forms, export-forms.

The forms are real workbooks built by ``tests/form_builder.py`` (openpyxl, as a
department would fill them: header offsets, merged 一级/二级 cells, full-width
spaced labels, formula-like text), a real ``.xls`` converted by LibreOffice
(``tests/data/forms/``), broken and password-protected files, and the
部门预算管理绩效考核自评表 of seed 001.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner, Result
from polars.testing import assert_frame_equal

import perfkit
from perfkit.cli import main
from perfkit.forms._targets import Target, parse_target
from tests.form_builder import INDICATORS, FormSpec, save_forms, store_results

HERE = Path(__file__).resolve().parent
FORMS = HERE / "data" / "forms"
XLS = FORMS / "2023-民政局.xls"
SEED001 = FORMS / "seed001_budget_mgmt.xlsx"
HOSTILE = ['=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def text_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two consistent forms on one workbook (offsets, full-width labels) and a non-form sheet."""
    path = tmp_path_factory.mktemp("good") / "2023-民政局.xlsx"
    save_forms(
        path,
        {
            "Sheet1": FormSpec(),
            "养老": FormSpec(
                project="养老服务补贴",
                code="P-002",
                row_offset=3,
                col_offset=2,
                fullwidth=True,
                grade=None,
            ),
        },
    )
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("填表说明")["A1"] = "请按财预〔2020〕10号填报"
    workbook.save(path)
    return path


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥95%", Target("正向", "95", "%")),
        ("≤100万元", Target("反向", "100", "万元")),
        ("=0起", Target("等于", "0", "起")),
        ("≥ 1 次", Target("正向", "1", "次")),
        ("＞＝９５％", Target("正向", "95", "%")),
        ("1,000人次以上", Target("正向", "1000", "人次")),
        ("不超过 3 天", Target("反向", "3", "天")),
        ("1,23", Target(None, "1", ",23")),  # a malformed group keeps its comma: not a unit
        ("有效提升", Target("定性", None, None)),
    ],
)
def test_targets_split_into_direction_number_and_unit(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


# ---------------------------------------------------------------- import


def test_import_reads_every_field_with_its_source(good: Path) -> None:
    found = perfkit.read_forms(good)
    assert found.ok, [str(p) for p in found.problems]
    projects = found.projects
    assert projects.select(
        "year", "project_code", "project_name", "dept_name", "budget_initial"
    ).rows() == [
        ("2023", "民政局/城乡低保资金", "城乡低保资金", "民政局", "1000.00"),
        ("2023", "P-002", "养老服务补贴", "民政局", "1000.00"),
    ]
    assert projects.select("budget_full_year", "executed", "self_score", "self_grade").rows() == [
        ("1200.00", "1180.50", "98.02", "优"),
        ("1200.00", "1180.50", "98.02", None),
    ]
    # the 年度资金总额 row, shifted by the second form's offsets (3 rows, 2 columns)
    assert projects.select("source_sheet", "source_cell").rows() == [
        ("Sheet1", "B6:I6"),
        ("养老", "D10:K10"),
    ]
    ind = found.indicators.filter(pl.col("source_sheet") == "Sheet1")
    assert ind.height == len(INDICATORS)
    assert ind.select("level1").to_series().to_list() == [r[0] for r in INDICATORS]
    assert ind.select("direction", "target", "actual", "unit").rows() == [
        ("正向", "12000", "12500", "人"),
        ("等于", "12", "12", "次"),
        ("正向", "95", "96", "%"),
        ("正向", "98", "90", "%"),
        ("定性", "有效保障", "达成年度指标", None),
        ("反向", "100", "110", "万元"),
        ("正向", "90", "92", "%"),
    ]
    assert ind.get_column("source_cell").to_list()[:2] == ["B13:I13", "B14:I14"]
    second = found.indicators.filter(pl.col("source_sheet") == "养老")
    assert second.get_column("unit_code").unique().to_list() == ["P-002"]
    assert second.get_column("source_cell").to_list()[0] == "D17:K17"
    forms = found.forms
    assert forms.select("sheet", "layout", "status").rows() == [
        ("Sheet1", "项目支出绩效自评表", "imported"),
        ("养老", "项目支出绩效自评表", "imported"),
        ("填表说明", None, "not a form"),
    ]
    assert set(forms.get_column("reader").to_list()) == {"calamine"}


def test_real_xls_reads_like_the_xlsx_it_was_made_from(tmp_path: Path) -> None:
    xlsx = save_forms(
        tmp_path / XLS.with_suffix(".xlsx").name,
        {"城乡低保": FormSpec(row_offset=1, fullwidth=True)},
    )
    from_xls, from_xlsx = perfkit.read_forms(XLS), perfkit.read_forms(xlsx)
    assert from_xls.ok and from_xlsx.ok
    drop = ["source_file"]
    assert_frame_equal(from_xls.projects.drop(drop), from_xlsx.projects.drop(drop))
    assert_frame_equal(from_xls.indicators.drop(drop), from_xlsx.indicators.drop(drop))
    assert from_xls.indicators.get_column("source_cell")[0] == "B14:I14"


def test_a_bad_cell_is_reported_at_its_address_and_keeps_only_that_form_out(tmp_path: Path) -> None:
    rows = list(INDICATORS)
    rows[1] = ("产出指标", "数量指标", "发放批次", "=12 次", "九成", 10, 10, "")
    path = save_forms(
        tmp_path / "2023-民政局.xlsx",
        {"Sheet1": FormSpec(project="好项目"), "Sheet3": FormSpec(indicators=rows)},
    )
    found = perfkit.read_forms(path)
    assert [str(p) for p in found.errors] == [
        "2023-民政局.xlsx!Sheet3!F14: 实际完成值 '九成' is not a number"
    ]
    assert found.projects.get_column("project_name").to_list() == ["好项目"]
    assert found.indicators.get_column("source_sheet").unique().to_list() == ["Sheet1"]
    assert found.forms.select("sheet", "status", "errors").rows() == [
        ("Sheet1", "imported", 0),
        ("Sheet3", "not imported: errors", 1),
    ]


def test_unmerged_blank_levels_are_filled_down_with_a_warning(tmp_path: Path) -> None:
    path = save_forms(tmp_path / "f.xlsx", {"S": FormSpec(merge_levels=False)})
    sheet = openpyxl.load_workbook(path)
    ws = sheet["S"]
    ws["B14"] = None  # 一级指标 left blank for "same as above", not merged
    sheet.save(path)
    found = perfkit.read_forms(path)
    assert found.ok
    assert found.indicators.get_column("level1")[1] == "产出指标"
    (warning,) = found.problems
    assert warning.severity == "warning" and warning.cell == "B14"


def test_percent_formatted_cells_are_read_with_openpyxl(tmp_path: Path) -> None:
    path = save_forms(tmp_path / "pct.xlsx", {"S": FormSpec()})
    workbook = openpyxl.load_workbook(path)
    ws = workbook["S"]
    ws["F15"] = 0.96  # 资金发放准确率: a number in a percent-formatted cell, shown as 96%
    ws["F15"].number_format = "0%"
    workbook.save(path)
    auto = perfkit.read_forms(path)
    assert auto.forms.get_column("reader").to_list() == ["calamine+openpyxl"]
    assert auto.indicators.get_column("actual")[2] == "96"
    assert auto.ok and not auto.problems
    fast = perfkit.read_forms(path, engine="calamine")
    assert fast.indicators.get_column("actual")[2] == "96"
    assert [p.cell for p in fast.problems if p.severity == "warning"] == ["F15"]
    only = perfkit.read_forms(path, engine="openpyxl")
    assert only.forms.get_column("reader").to_list() == ["openpyxl"]
    assert_frame_equal(only.indicators, auto.indicators)


def test_broken_encrypted_and_non_excel_files_are_reported_and_others_import(
    tmp_path: Path, good: Path
) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(good, folder / good.name)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (folder / "notes.txt").write_text("not a form")  # not an Excel name: not looked at
    encrypted = folder / "加密.xlsx"
    with good.open("rb") as plain, encrypted.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    csv = tmp_path / "projects.csv"
    csv.write_text("year\n2024\n")
    out = tmp_path / "out"
    result = run("import-forms", folder, csv, tmp_path / "missing.xlsx", "--out", out)
    assert result.exit_code == 1
    assert "broken.xlsx: cannot be read as an Excel workbook" in result.output
    assert "加密.xlsx: the workbook is password-protected" in result.output
    assert "projects.csv: not an Excel workbook (.csv)" in result.output
    assert "missing.xlsx: file or folder not found" in result.output
    assert "Traceback" not in result.output
    assert "2 form(s) imported" in result.output
    assert "the forms without errors were written" in result.output
    projects = text_csv(out / "projects.csv")
    assert projects.get_column("project_name").to_list() == ["城乡低保资金", "养老服务补贴"]
    problems = text_csv(out / "problems.csv")
    assert problems.height == 4 and set(problems.get_column("severity")) == {"error"}
    assert pl.read_parquet(out / "indicators.parquet").height == 2 * len(INDICATORS)


def test_import_then_score_end_to_end(tmp_path: Path, good: Path) -> None:
    imported, scored = tmp_path / "imported", tmp_path / "scored"
    assert run("import-forms", good, "--out", imported).exit_code == 0
    result = run(
        "score",
        "--projects",
        imported / "projects.csv",
        "--indicators",
        imported / "indicators.csv",
        "--out",
        scored,
    )
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output  # the source columns are part of the contract
    units = text_csv(scored / "unit_scores.csv")
    assert units.select("unit_code", "total", "grade", "source_cell").rows() == [
        ("民政局/城乡低保资金", "98.02", "优", "B6:I6"),
        ("P-002", "98.02", "优", "D10:K10"),
    ]
    items = text_csv(scored / "item_scores.csv").filter(pl.col("item") == "按月发放及时率")
    assert items.select("points", "source_sheet", "source_cell").rows() == [
        ("9.18", "Sheet1", "B16:I16"),
        ("9.18", "养老", "D20:K20"),
    ]


def test_hostile_names_are_neutralised_in_csv_but_kept_in_parquet(tmp_path: Path) -> None:
    specs = {f"S{i}": FormSpec(project=name) for i, name in enumerate(HOSTILE)}
    path = save_forms(tmp_path / "hostile.xlsx", specs)
    found = perfkit.read_forms(path)
    assert found.projects.get_column("project_name").to_list() == HOSTILE
    found.write(tmp_path / "out")
    names = text_csv(tmp_path / "out" / "projects.csv").get_column("project_name").to_list()
    assert names == ["'" + name for name in HOSTILE]
    parquet = pl.read_parquet(tmp_path / "out" / "projects.parquet")
    assert parquet.get_column("project_name").to_list() == HOSTILE


# ---------------------------------------------------------------- label and value in one cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项目名称：城乡低保提标补助", ("项目名称", "城乡低保提标补助")),
        ("主管部门:民政局", ("主管部门", "民政局")),
        (" 主管部门 : 民政局 ", ("主管部门", "民政局")),
        ("自评等级： 良", ("自评等级", "良")),
        ("总分：89.50", ("总分", "89.50")),
        ("项 目 名 称﹕城乡低保：提标", ("项目名称", "城乡低保：提标")),  # first colon only
        ("项目名称：", None),  # a label alone: its value is in the next cell
        ("城乡低保", None),
    ],
)
def test_split_label(text: str, expected: tuple[str, str] | None) -> None:
    from perfkit.forms._grid import split_label

    assert split_label(text) == expected


def test_label_and_value_in_one_cell_read_like_neighbouring_cells(tmp_path: Path) -> None:
    (tmp_path / "two").mkdir()
    (tmp_path / "one").mkdir()
    two = save_forms(tmp_path / "two" / "f.xlsx", {"S": FormSpec(code="P-1")})
    one = save_forms(tmp_path / "one" / "f.xlsx", {"S": FormSpec(code="P-1", inline=True)})
    a, b = perfkit.read_forms(two), perfkit.read_forms(one)
    assert a.ok and b.ok and not b.problems, [str(p) for p in b.problems]
    assert_frame_equal(a.projects, b.projects)
    assert_frame_equal(a.indicators, b.indicators)
    assert b.projects.select(
        "project_code", "project_name", "dept_name", "self_score", "self_grade"
    ).row(0) == ("P-1", "城乡低保资金", "民政局", "98.02", "优")
    cells = b.detail.select("project_name_cell", "dept_name_cell", "total_points_cell").row(0)
    assert cells == ("A3", "A4", "A21")
    assert b.detail.get_column("self_grade_cell").to_list() == ["A22"]
    assert perfkit.check_forms(one).findings.height == 0


def test_an_empty_field_next_to_a_label_and_value_cell_stays_empty() -> None:
    from perfkit.forms._grid import Grid
    from perfkit.forms._project_form import locate_project_form

    grid = Grid([["项目名称", None, "主管部门：民政局"], ["实施单位", "城乡：社会救助科"]])
    fields = locate_project_form(grid, "f.xlsx", "S").fields
    assert "project_name" not in fields  # not "主管部门：民政局"
    assert fields["dept_name"] == ("民政局", "C1")
    assert fields["implementing_unit"] == ("城乡：社会救助科", "B2")  # a value with a colon


def test_a_grade_written_with_its_label_is_checked_against_the_total(tmp_path: Path) -> None:
    path = save_forms(tmp_path / "f.xlsx", {"S": FormSpec(inline=True, grade="良")})
    findings = perfkit.check_forms(path).findings
    assert findings.select("address", "check", "stated", "recomputed").rows() == [
        ("f.xlsx!S!A21", "等级按总分确定", "良", "优"),
        ("f.xlsx!S!A21", "复算等级", "良", "优"),
    ]


# ---------------------------------------------------------------- formulas without a value

FORMULAS = {"B3": '="城乡"&"低保"&"资金"', "H14": "=G14", "H20": "=SUM(H13:H19)"}


def test_formulas_without_a_computed_value_are_reported_with_their_text(tmp_path: Path) -> None:
    path = save_forms(
        tmp_path / "f.xlsx", {"ok": FormSpec(code="P-1"), "S": FormSpec(formulas=FORMULAS)}
    )
    expected = [
        f"f.xlsx!S!{cell}: formula '{formula}' has no computed value "
        "(recalculate and save it in Excel)"
        for cell, formula in FORMULAS.items()
    ]
    for engine in ("auto", "openpyxl"):
        found = perfkit.read_forms(path, engine=engine)
        assert [str(p) for p in found.problems] == expected  # not "项目名称 is empty"
        assert found.forms.select("sheet", "status").rows() == [
            ("ok", "imported"),
            ("S", "not imported: errors"),
        ]
    out = tmp_path / "problems.csv"
    result = run("check-forms", path, "--out", out)
    assert result.exit_code == 1
    rows = text_csv(out).select("cell", "message").rows()
    assert rows == [(c, e.split(": ", 1)[1]) for c, e in zip(FORMULAS, expected, strict=True)]


def test_formulas_with_a_computed_value_are_read_as_their_value(tmp_path: Path) -> None:
    path = save_forms(tmp_path / "f.xlsx", {"S": FormSpec(formulas=FORMULAS)})
    store_results(path, {"S": {"B3": "城乡低保资金", "H14": 10, "H20": 98.02}})
    found = perfkit.read_forms(path)
    assert found.ok and not found.problems, [str(p) for p in found.problems]
    assert found.projects.select("project_name", "self_score").row(0) == ("城乡低保资金", "98.02")
    assert found.indicators.get_column("self_points")[1] == "10"


def test_a_shared_formula_is_reported_with_its_own_text(tmp_path: Path) -> None:
    import zipfile

    from perfkit.forms._workbook import uncached_formulas

    path = save_forms(tmp_path / "f.xlsx", {"S": FormSpec(formulas={"H13": "=G13", "H14": "=G14"})})
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    # Excel writes a filled-down formula once, the cells below refer to it
    xml = xml.replace("<f>G13</f>", '<f t="shared" ref="H13:H14" si="0">G13</f>')
    xml = xml.replace("<f>G14</f>", '<f t="shared" si="0"/>')
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert uncached_formulas(path) == {"S": {(12, 7): "=G13", (13, 7): "=G14"}}
    assert [p.cell for p in perfkit.read_forms(path).errors] == ["H13", "H14"]


# ---------------------------------------------------------------- check


def test_a_consistent_form_has_no_findings(good: Path) -> None:
    check = perfkit.check_forms(good)
    assert check.ok and check.findings.height == 0, check.findings.to_dicts()


def test_check_lists_every_disagreement_with_cell_stated_and_recomputed(tmp_path: Path) -> None:
    rows = list(INDICATORS)
    rows[0] = (
        "产出指标",
        "数量指标",
        "保障人数",
        "≥12,000人",
        "12500人",
        20,
        22,
        "",
    )  # 得分 > 分值
    rows[3] = ("产出指标", "时效指标", "按月发放及时率", "≥ 98 %", "90%", 10, 10, "")  # rule: 9.18
    spec = FormSpec(
        indicators=rows,
        money=(
            ("1,000.00", "1,200.00", "1,180.50"),
            ("1,000.00", "1,100.00", "1,000.00"),  # parts add up to 1100 executed, not 1180.5
            ("0", "100.00", "100.00"),
            ("0", "0", "0"),
        ),
        exec_rate="95%",
        exec_points=10,
        total_points=95,
        grade="良",
    )
    path = save_forms(tmp_path / "bad.xlsx", {"S": spec})
    findings = perfkit.check_forms(path).findings
    got = {
        (r["cell"], r["check"]): (r["stated"], r["recomputed"])
        for r in findings.iter_rows(named=True)
    }
    assert got[("H13", "得分不超过分值")] == ("22", "20")
    assert got[("H16", "规则复算")] == ("10", "9.18")
    assert got[("H13", "规则复算")] == ("22", "20")
    assert got[("H6", "执行率 = 全年执行数 / 全年预算数")] == ("95%", "98.38%")
    assert got[("I6", "预算执行率得分 = 分值 × min(执行率, 1)")] == ("10", "9.84")
    assert got[("F6", "年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金")] == (
        "1180.5",
        "1100",
    )
    assert got[("H20", "总分 = 各项得分之和")] == ("95", "101")  # 91 + 10 as stated
    assert got[("H20", "复算总分")] == ("95", "98.02")
    assert got[("B21", "等级按总分确定")] == ("良", "优")
    assert got[("B21", "复算等级")] == ("良", "优")
    assert len(got) == findings.height == 10
    assert set(findings.get_column("address")) >= {"bad.xlsx!S!H13", "bad.xlsx!S!B21"}


def test_weights_not_totalling_90_and_qualitative_scores_outside_their_band(
    tmp_path: Path,
) -> None:
    rows = list(INDICATORS)
    rows[1] = ("产出指标", "数量指标", "发放批次", "=12 次", "12次", 5, 5, "")
    qual = list(INDICATORS)
    qual[4] = (
        "效益指标",
        "社会效益指标",
        "困难群众基本生活保障",
        "有效保障",
        "部分达成",
        20,
        19,
        "",
    )
    path = save_forms(
        tmp_path / "w.xlsx",
        {
            "W": FormSpec(project="W", indicators=rows, total_weight=95),
            "Q": FormSpec(project="Q", indicators=qual),
        },
    )
    findings = perfkit.check_forms(path).findings
    weights = findings.filter(pl.col("sheet") == "W")
    assert ("G13", "85", "90") in weights.select("cell", "stated", "recomputed").rows()
    assert ("G20", "95", "100") in weights.select("cell", "stated", "recomputed").rows()
    band = findings.filter(pl.col("sheet") == "Q", pl.col("check") == "评分规则")
    assert band.get_column("cell").to_list() == ["H17"]
    assert "outside the band" in band.get_column("message")[0]


def test_seed001_section_scores_do_not_add_up_to_the_stated_total(tmp_path: Path) -> None:
    out = tmp_path / "problems.xlsx"
    result = run("check-forms", SEED001, "--out", out)
    assert result.exit_code == 1
    assert (
        "seed001_budget_mgmt.xlsx!附件1!H59: 合计 90.5 is not the sum of the section scores "
        "(10 + 24 + 34 + 14 + 4.5 + 5 + 5 + 8 = 104.5)"
    ) in result.output
    sheet = openpyxl.load_workbook(out)["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    total = [dict(zip(header, r, strict=True)) for r in rows[1:] if r[2] == "H59"]
    assert len(total) == 1
    assert total[0]["填报值"] == "90.5" and total[0]["复算值"] == "104.5"
    # the section that claims 10 for items worth 9, and the item scores are within their maxima
    cells = {r[2] for r in rows[1:]}
    assert {"C4", "H4", "H27", "C59"} <= cells
    # against the built-in system: the item maxima it reconstructed from the garbled table
    check = perfkit.check_forms(SEED001)
    warned = check.findings.filter(pl.col("severity") == "warning")
    assert warned.select("cell", "stated", "recomputed").rows() == [
        ("C5", "6", "7"),
        ("C29", "14", "11"),
        ("C38", "2", "5"),
        ("C53", "0.5", "1"),
        ("C54", "0.5", "1"),
    ]


# ---------------------------------------------------------------- export


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, good: Path) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("export")
    specs = {f"H{i}": FormSpec(project=name, code=f"H{i}") for i, name in enumerate(HOSTILE)}
    hostile = save_forms(base / "hostile.xlsx", specs)
    imported, scored, forms = base / "imported", base / "scored", base / "forms"
    assert run("import-forms", good, hostile, "--out", imported).exit_code == 0
    r = run(
        "score",
        "-p",
        imported / "projects.parquet",
        "-i",
        imported / "indicators.parquet",
        "--out",
        scored,
    )
    assert r.exit_code == 0, r.output
    result = run("export-forms", "--scores", scored, "--out", forms)
    assert result.exit_code == 0, result.output
    return scored, forms


def test_export_writes_the_official_layout_for_printing(exported) -> None:
    forms = exported[1]
    assert sorted(p.name for p in forms.iterdir()) == ["2023-民政局-民政局.xlsx"]
    workbook = openpyxl.load_workbook(forms / "2023-民政局-民政局.xlsx")
    assert workbook.sheetnames == ["民政局_城乡低保资金", "P-002", "H0", "H1", "H2", "H3"]
    ws = workbook["P-002"]
    assert ws["B3"].value == "养老服务补贴"
    assert (ws["F3"].value, ws["G3"].value) == ("项目编码", "P-002")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {
        "A1:I1",
        "B3:E3",
        "G3:I3",
        "A5:A9",
        "B13:B16",
        "C13:C14",
        "A12:A19",
        "A20:F20",
    } <= merged
    assert ws["H20"].value == 98.02 and ws["H20"].number_format == "0.00"
    assert ws["B21"].value == "优"
    assert ws["E6"].number_format == "#,##0.00" and ws["H6"].number_format == "0.00%"
    assert ws["H6"].value == pytest.approx(0.9838)
    assert [ws[f"E{r}"].value for r in (13, 14, 17, 18)] == [
        "≥12000人",
        "＝12次",
        "有效保障",
        "≤100万元",
    ]
    assert ws["D13"].font.name == "宋体" and ws["D13"].border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # one page wide: fitToWidth 1 is the file format's default, which xlsxwriter leaves out
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_export_keeps_formula_like_names_as_text(exported) -> None:
    # text cells with Excel's quote prefix: shown and read back as written, never run
    forms = exported[1]
    workbook = openpyxl.load_workbook(forms / "2023-民政局-民政局.xlsx")
    names = [workbook[f"H{i}"]["B3"] for i in range(4)]
    assert [c.value for c in names] == HOSTILE
    assert {c.data_type for c in names} == {"s"}
    assert all(c.quotePrefix for c in names)
    assert not workbook["P-002"]["B3"].quotePrefix


def test_export_round_trips_through_import(exported) -> None:
    scored, forms = exported
    back = perfkit.read_forms(forms)
    assert back.ok, [str(p) for p in back.problems]
    units = pl.read_csv(scored / "unit_scores.csv", infer_schema=False)
    assert back.projects.get_column("self_score").to_list() == units.get_column("total").to_list()
    assert back.projects.get_column("self_grade").to_list() == units.get_column("grade").to_list()
    assert perfkit.check_forms(forms).ok


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs Debian's libreoffice-calc",
)
def test_libreoffice_accepts_every_exported_workbook(exported, tmp_path: Path) -> None:
    scored, forms = exported
    books = sorted(forms.glob("*.xlsx"))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", tmp_path, *books],
        check=True,
        capture_output=True,
        timeout=300,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    converted = sorted(tmp_path.glob("*.xlsx"))
    assert [p.name for p in converted] == [p.name for p in books]
    back = perfkit.read_forms(converted)
    assert back.ok, [str(p) for p in back.problems]
    units = pl.read_csv(scored / "unit_scores.csv", infer_schema=False)
    # formula-like names come back as written: the quote prefix is not part of the value
    assert back.projects.get_column("project_name").to_list() == [
        "城乡低保资金",
        "养老服务补贴",
        *HOSTILE,
    ]
    assert back.projects.select("self_score", "self_grade").rows() == list(
        units.select("total", "grade").iter_rows()
    )
    items = pl.read_csv(scored / "item_scores.csv", infer_schema=False)
    points = items.filter(pl.col("rule") != "execution_rate").get_column("points")
    assert (
        back.indicators.get_column("self_points").cast(pl.Float64).to_list()
        == points.cast(pl.Float64).to_list()
    )


# ---------------------------------------------------------------- exact exports of the sample

SAMPLE = HERE.parent / "data" / "sample"
ROUND_TRIP_NAMES = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "'=kept", "'plain"]


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """data/sample 2024 → perfkit score → perfkit export-forms --by department (nothing else)."""
    base = tmp_path_factory.mktemp("sample_export")
    for table in ("projects", "indicators"):
        frame = pl.read_csv(SAMPLE / f"{table}.csv", infer_schema=False)
        frame.filter(pl.col("year") == "2024").write_csv(base / f"{table}.csv")
    scored, forms = base / "scored", base / "forms"
    r = run("score", "-p", base / "projects.csv", "-i", base / "indicators.csv", "-o", scored)
    assert r.exit_code == 0, r.output
    r = run("export-forms", "--scores", scored, "--out", forms, "-p", base / "projects.csv")
    assert r.exit_code == 0, r.output
    return {"base": base, "scored": scored, "forms": forms}


def _numbers_in_xml(folder: Path) -> list[str]:
    import zipfile

    values = []
    for book in sorted(folder.glob("*.xlsx")):
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    xml = archive.read(name).decode()
                    for attrs, value in re.findall(r"<c ([^>]*)><v>([^<]*)</v>", xml):
                        if not re.search(r'\bt="(s|str|inlineStr|e|b)"', attrs):  # numbers only
                            values.append(value)
    return values


def test_sample_export_writes_exact_decimals(sample_export: dict[str, Path]) -> None:
    from decimal import Decimal

    numbers = _numbers_in_xml(sample_export["forms"])
    assert len(numbers) > 602 * 10
    # each <v> is the shortest text of its double: 0.734, never 0.7340000000000001
    assert [v for v in numbers if Decimal(v) != Decimal(repr(float(v)))] == []
    # the 执行率 cell is the exact fraction of the scores' rate, and 上年结转资金 the carryover
    units = pl.read_csv(sample_export["scored"] / "unit_scores.csv", infer_schema=False)
    rates = dict(units.select("unit_code", "execution_rate").iter_rows())
    projects = pl.read_csv(sample_export["base"] / "projects.csv", infer_schema=False)
    carry = dict(projects.select("project_code", "carryover").iter_rows())
    seen = 0
    for book in sorted(sample_export["forms"].glob("*.xlsx")):
        for ws in openpyxl.load_workbook(book).worksheets:
            code = ws["G3"].value
            rate, carried = ws["H6"].value, ws["E8"].value
            if rates[code] is None:  # full-year budget 0: no rate
                assert rate is None, code
            else:
                assert Decimal(repr(rate)) == Decimal(rates[code]) / 100, code
            assert Decimal(repr(carried)) == Decimal(carry[code]), code
            seen += 1
    assert seen == projects.height == 602


def test_sample_export_checks_with_zero_findings(sample_export: dict[str, Path]) -> None:
    out = sample_export["base"] / "check.csv"
    result = run("check-forms", sample_export["forms"], "--out", out)
    assert result.exit_code == 0, result.output
    assert "602 form(s) checked: 0 error(s), 0 warning(s)" in result.output
    assert text_csv(out).height == 0


def test_sample_export_imports_the_original_names_and_numbers(
    sample_export: dict[str, Path],
) -> None:
    from decimal import Decimal
    from unicodedata import normalize

    def exact(frame: pl.DataFrame, *columns: str) -> list[tuple]:
        return [
            tuple(Decimal(v) if c in columns and v is not None else v for c, v in row.items())
            for row in frame.iter_rows(named=True)
        ]

    found = perfkit.read_forms(sample_export["forms"])
    assert found.ok and not found.problems, [str(p) for p in found.problems[:5]]
    money = ("budget_initial", "budget_full_year", "executed", "carryover")
    keys = ["year", "project_code", "project_name", "dept_code", "dept_name", *money]
    original = pl.read_csv(sample_export["base"] / "projects.csv", infer_schema=False)
    back = found.projects.sort("project_code")
    assert exact(back.select(keys), *money) == exact(
        original.sort("project_code").select(keys), *money
    )
    units = read_scores_csv(sample_export["scored"], "unit_scores").sort("unit_code")
    assert exact(back.select("self_score", "self_grade"), "self_score") == exact(
        units.select("total", "grade"), "total"
    )
    # indicators: the original rows, in their order within each project; 分值 and 得分 are the
    # ones scoring used (an original blank 分值 is the engine's equal split)
    ind = pl.read_csv(sample_export["base"] / "indicators.csv", infer_schema=False)
    items = read_scores_csv(sample_export["scored"], "item_scores").filter(
        pl.col("rule") != "execution_rate"
    )
    cols = ["unit_code", "level1", "level2", "name", "direction", "unit"]

    def ordered(frame: pl.DataFrame) -> pl.DataFrame:
        quant = pl.col("direction") != "定性"
        number = {
            c: pl.when(quant).then(pl.col(c).cast(pl.Decimal(38, 6))) for c in ("target", "actual")
        }
        text = {c: pl.when(quant).then(None).otherwise(pl.col(c)) for c in ("target", "actual")}
        return frame.with_columns(
            *[e.alias(f"_{c}") for c, e in number.items()],
            *[e.alias(c) for c, e in text.items()],
            # the target splitter reads units NFKC-normalised: 台（套） is 台(套)
            pl.col("unit").map_elements(lambda u: normalize("NFKC", u), pl.String),
            pl.int_range(pl.len()).over("unit_code").alias("_n"),
        ).sort("unit_code", "_n")

    got, want = ordered(found.indicators), ordered(ind)
    shown = [*cols, "target", "actual", "_target", "_actual"]
    assert got.select(shown).rows() == want.select(shown).rows()
    scored = items.with_columns(pl.int_range(pl.len()).over("unit_code").alias("_n"))
    joined = got.join(scored, on=["unit_code", "_n"], suffix="_scored")
    assert joined.height == ind.height
    for mine, theirs in (("weight", "weight_scored"), ("self_points", "points")):
        as_decimal = [pl.col(c).cast(pl.Decimal(38, 6)) for c in (mine, theirs)]
        assert joined.filter(as_decimal[0] != as_decimal[1]).height == 0, mine


def read_scores_csv(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / f"{name}.csv", infer_schema=False)


def test_formula_like_names_round_trip_without_another_program(tmp_path: Path) -> None:
    projects = pl.read_csv(HERE / "bad_inputs" / "valid_projects.csv", infer_schema=False)
    indicators = pl.read_csv(HERE / "bad_inputs" / "valid_indicators.csv", infer_schema=False)
    base = projects.row(0, named=True)
    rows = [
        {**base, "project_code": f"N{i}", "project_name": name}
        for i, name in enumerate(ROUND_TRIP_NAMES)
    ]
    projects = pl.DataFrame(rows, schema=projects.schema)
    first = indicators.filter(pl.col("unit_code") == base["project_code"])
    indicators = pl.concat(
        [first.with_columns(pl.lit(f"N{i}").alias("unit_code")) for i in range(len(rows))]
    ).with_columns(pl.lit(ROUND_TRIP_NAMES[0]).alias("reason"))
    scored, forms = tmp_path / "scored", tmp_path / "forms"
    perfkit.score(projects, indicators).write(scored)  # CSV: the names carry their '
    assert run("export-forms", "--scores", scored, "--out", forms).exit_code == 0
    back = perfkit.read_forms(forms)
    assert back.ok, [str(p) for p in back.problems]
    assert back.projects.get_column("project_name").to_list() == ROUND_TRIP_NAMES
    assert set(back.indicators.get_column("reason")) == {ROUND_TRIP_NAMES[0]}
    book = openpyxl.load_workbook(next(forms.glob("*.xlsx")))
    cells = [book[f"N{i}"]["B3"] for i in range(len(rows))]
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False, False]
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula


def test_export_says_when_the_projects_table_cannot_give_the_carryover(
    exported, tmp_path: Path
) -> None:
    scored = exported[0]
    no_column = HERE / "bad_inputs" / "valid_projects.csv"
    for projects, message in (
        (no_column, "valid_projects.csv: the projects table has no carryover column (上年结转)"),
        (
            SAMPLE / "projects.csv",
            "projects.csv: none of the scored projects (year + project code)",
        ),
    ):
        out = tmp_path / "forms"
        result = run("export-forms", "--scores", scored, "--out", out, "-p", projects)
        assert result.exit_code == 1 and message in result.output, result.output
        assert "Traceback" not in result.output and not out.exists()


def test_export_refuses_scores_of_an_assessment_system(tmp_path: Path) -> None:
    scored = tmp_path / "scored"
    seed_csv = HERE / "data" / "seed001_assessment.csv"
    assert run("score", "-a", seed_csv, "-s", "budget-mgmt-assessment", "-o", scored).exit_code == 0
    result = run("export-forms", "--scores", scored, "--out", tmp_path / "forms")
    assert result.exit_code == 1
    assert "needs the scores of a project system" in result.output
    assert not (tmp_path / "forms").exists()


def test_problem_addresses_stay_compatible() -> None:
    plain = perfkit.Problem("p.csv", 3, "year", "bad")
    assert str(plain) == "p.csv:3: year: bad" and plain.sheet is None
    io.StringIO(str(plain))

"""The ``perfkit`` command line: what ``score`` and ``demo`` write, and how it looks."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner, Result
from polars.testing import assert_frame_equal

import perfkit
from perfkit.cli import main
from tests.by_hand import read_rows, score_by_hand

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "bad_inputs"
VALID_P = CORPUS / "valid_projects.csv"
VALID_I = CORPUS / "valid_indicators.csv"
SEED_ASSESSMENT = HERE / "data" / "seed001_assessment.csv"
SAMPLE = ROOT / "data" / "sample"
BOM = b"\xef\xbb\xbf"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)
    return result


def read_result_csv(path: Path, schema: pl.Schema) -> pl.DataFrame:
    data = path.read_bytes()
    assert data.startswith(BOM), f"{path.name} has no UTF-8 BOM"
    text = data[len(BOM) :].decode("utf-8")
    header = text.splitlines()[0].split(",")
    assert header == list(schema), f"{path.name} columns differ"
    return pl.read_csv(io.StringIO(text), schema=schema)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("score") / "out"
    result = ok(run("score", "--projects", VALID_P, "--indicators", VALID_I, "--out", out))
    return out, result


@pytest.fixture(scope="module")
def reference() -> perfkit.ScoreResult:
    return perfkit.score(VALID_P, VALID_I)


# ---------------------------------------------------------------- score: files


def test_score_writes_the_three_files(scored) -> None:
    out, result = scored
    assert sorted(p.name for p in out.iterdir()) == [
        "item_scores.csv",
        "scores.xlsx",
        "unit_scores.csv",
    ]
    assert "2024: 2 units scored" in result.output
    assert "wrote:" in result.output
    for name in ("unit_scores.csv", "item_scores.csv", "scores.xlsx"):
        assert str(out / name) in result.output
    assert not [p for p in out.parent.iterdir() if ".partial" in p.name]


def test_csvs_read_back_equal_the_result_tables(scored, reference) -> None:
    out, _ = scored
    units = read_result_csv(out / "unit_scores.csv", reference.units.schema)
    items = read_result_csv(out / "item_scores.csv", reference.items.schema)
    assert_frame_equal(units, reference.units)
    assert_frame_equal(items, reference.items)


def test_workbook_layout(scored, reference) -> None:
    out, _ = scored
    workbook = openpyxl.load_workbook(out / "scores.xlsx")
    assert workbook.sheetnames[:2] == ["单位得分", "指标得分"]
    for notes in ("说明", "等级标准", "计分规则"):
        assert notes in workbook.sheetnames
    units = workbook["单位得分"]
    headers = [c.value for c in units[1]]
    for label in ("年度", "单位编码", "总分", "等级", "预算执行率（%）", "全年预算数（万元）"):
        assert label in headers
    assert not [h for h in headers if h in ("total", "grade", "execution_rate")]
    assert units.freeze_panes == "A2"
    assert workbook["指标得分"].freeze_panes == "A2"
    total_col = headers.index("总分") + 1
    totals = [units.cell(row=r, column=total_col) for r in range(2, units.max_row + 1)]
    assert [c.value for c in totals] == reference.units.get_column("total").to_list()
    assert {c.number_format for c in totals} == {"0.00"}
    assert units.cell(row=2, column=headers.index("等级") + 1).value == "优"
    assert units.max_row == reference.units.height + 1
    items = workbook["指标得分"]
    item_headers = [c.value for c in items[1]]
    for label in ("一级指标", "三级指标/考核项", "分值", "得分", "实际完成值"):
        assert label in item_headers
    assert items.max_row == reference.items.height + 1
    # the notes sheets say what system and rounding were used, and the grade bands
    about = {row[0]: row[1] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)}
    assert "project-self-eval" in about["指标体系"]
    assert "四舍五入" in about["舍入规则"]
    bands = list(workbook["等级标准"].iter_rows(min_row=2, values_only=True))
    assert bands == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
    rules = [row[0] for row in workbook["计分规则"].iter_rows(min_row=2, values_only=True)]
    assert {"预算执行率", "正向", "定性", "反向（线性）"} <= set(rules)


def test_parquet_equals_csv(tmp_path: Path, reference) -> None:
    out = tmp_path / "out"
    ok(run("score", "-p", VALID_P, "-i", VALID_I, "--out", out, "--parquet"))
    assert {"unit_scores.parquet", "item_scores.parquet"} <= {p.name for p in out.iterdir()}
    for name, table in (("unit_scores", reference.units), ("item_scores", reference.items)):
        parquet = pl.read_parquet(out / f"{name}.parquet")
        assert_frame_equal(parquet, table)
        assert_frame_equal(read_result_csv(out / f"{name}.csv", parquet.schema), parquet)


def test_excel_max_rows_leaves_long_tables_out(tmp_path: Path, reference) -> None:
    out = tmp_path / "out"
    n_items = reference.items.height
    assert n_items > 5 >= reference.units.height
    result = ok(run("score", "-p", VALID_P, "-i", VALID_I, "--out", out, "--excel-max-rows", 5))
    assert f"item_scores has {n_items} rows" in result.output
    assert "not in scores.xlsx" in result.output
    workbook = openpyxl.load_workbook(out / "scores.xlsx")
    assert "单位得分" in workbook.sheetnames
    assert "指标得分" not in workbook.sheetnames
    about = [row[0] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)]
    assert "未放入工作簿：item_scores" in about
    items = read_result_csv(out / "item_scores.csv", reference.items.schema)
    assert items.height == n_items
    assert_frame_equal(items, reference.items)


# ---------------------------------------------------------------- formula injection

FORMULA_NAMES = {
    "P001": '=HYPERLINK("http://x","y")',
    "P002": "@SUM(A1)",
    "P003": "+1+2",
    "P004": "-5",
}
NEUTRALISED = {
    "P001": '\'=HYPERLINK("http://x","y")',
    "P002": "'@SUM(A1)",
    "P003": "'+1+2",
    "P004": "-5",
}


@pytest.fixture(scope="module")
def formula_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formula")
    projects = pl.read_csv(VALID_P, infer_schema=False)
    indicators = pl.read_csv(VALID_I, infer_schema=False)
    p2 = projects.filter(pl.col("project_code") == "P002")
    i2 = indicators.filter(pl.col("unit_code") == "P002")
    for code in ("P003", "P004"):
        projects = pl.concat([projects, p2.with_columns(pl.lit(code).alias("project_code"))])
        indicators = pl.concat([indicators, i2.with_columns(pl.lit(code).alias("unit_code"))])
    projects = projects.with_columns(
        pl.col("project_code").replace_strict(FORMULA_NAMES).alias("project_name")
    )
    projects.write_csv(folder / "projects.csv")
    indicators.write_csv(folder / "indicators.csv")
    out = folder / "out"
    ok(run("score", "-p", folder / "projects.csv", "-i", folder / "indicators.csv", "--out", out))
    return out


def test_formula_like_names_are_neutralised_in_csv(formula_run: Path) -> None:
    text = (formula_run / "unit_scores.csv").read_bytes()[len(BOM) :].decode("utf-8")
    units = pl.read_csv(io.StringIO(text), infer_schema=False)
    names = dict(units.select("unit_code", "unit_name").iter_rows())
    assert names == NEUTRALISED


def test_formula_like_names_are_text_cells_in_xlsx(formula_run: Path) -> None:
    workbook = openpyxl.load_workbook(formula_run / "scores.xlsx")
    sheet = workbook["单位得分"]
    headers = [c.value for c in sheet[1]]
    code, name = headers.index("单位编码") + 1, headers.index("名称") + 1
    cells = {sheet.cell(r, code).value: sheet.cell(r, name) for r in range(2, sheet.max_row + 1)}
    # the names as they are, in text cells with Excel's quote prefix (no apostrophe added)
    assert {k: c.value for k, c in cells.items()} == FORMULA_NAMES
    assert {c.data_type for c in cells.values()} == {"s"}  # text, never a formula
    assert all(c.quotePrefix for c in cells.values())


def test_in_memory_result_keeps_the_names(formula_run: Path) -> None:
    folder = formula_run.parent
    units = perfkit.score(folder / "projects.csv", folder / "indicators.csv").units
    assert dict(units.select("unit_code", "unit_name").iter_rows()) == FORMULA_NAMES


# ---------------------------------------------------------------- assessments, demo, errors


def test_score_assessments(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(
        run(
            "score",
            "--assessments",
            SEED_ASSESSMENT,
            "--system",
            "budget-mgmt-assessment",
            "--out",
            out,
        )
    )
    text = (out / "unit_scores.csv").read_bytes()[len(BOM) :].decode("utf-8")
    units = pl.read_csv(io.StringIO(text))
    sections = [
        "重大决策部署落实",
        "预算编制管理",
        "预算执行管理",
        "预算绩效管理",
        "资产管理",
        "预算透明度",
        "预算信息化",
        "其他事项",
    ]
    assert [c for c in units.columns if c in sections] == sections
    assert units.select("unit_code", "total", "grade").rows() == [("XZWB", 108.0, "优")]
    assert units.row(0, named=True)["base_total"] == 100.0
    assert units.select(sections).row(0) == (10.0, 25.0, 35.0, 15.0, 5.0, 5.0, 5.0, 8.0)
    items = pl.read_csv(io.StringIO((out / "item_scores.csv").read_text(encoding="utf-8-sig")))
    assert items.height == 48
    assert (out / "scores.xlsx").exists()


def test_demo_writes_every_year_and_system(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = ok(run("demo", "--data", SAMPLE, "--out", out))
    lines = result.output.splitlines()
    assert lines[-1].startswith("done:")
    for year in (2022, 2023, 2024):
        for system in ("project-self-eval", "dept-overall"):
            folder = out / str(year) / system
            assert folder.is_dir(), f"{folder} missing\n{result.output}"
            assert {"unit_scores.csv", "item_scores.csv", "scores.xlsx"} <= {
                p.name for p in folder.iterdir()
            }
            units = pl.read_csv(folder / "unit_scores.csv")
            assert units.height > 0
            assert units.get_column("year").unique().to_list() == [year]
            assert any(line.startswith(f"{year} {system}:") for line in lines)
    # what the files say, against values worked out from the CSV rows
    by_hand = score_by_hand(SAMPLE)
    assessments = read_rows(SAMPLE / "assessments.csv")
    for year in (2022, 2023, 2024):
        projects = read_rows(out / str(year) / "project-self-eval" / "unit_scores.csv")
        assert {(r["unit_code"], Decimal(r["total"]), r["grade"]) for r in projects} == {
            (p.code, p.total, p.grade) for (y, _), p in by_hand.items() if y == year
        }
        folder = out / str(year) / "dept-overall"
        departments = {
            r["dept_code"] for r in read_rows(SAMPLE / "departments.csv") if r["year"] == str(year)
        }
        units = {r["unit_code"]: Decimal(r["total"]) for r in read_rows(folder / "unit_scores.csv")}
        assert set(units) == departments
        items = read_rows(folder / "item_scores.csv")
        assert len(items) == sum(r["year"] == str(year) for r in assessments)
        sums: dict[str, Decimal] = {}
        for item in items:
            source = assessments[int(item["source_row"]) - 2]  # row 1 is the header
            assert (source["year"], source["unit_code"], source["item"]) == (
                str(year),
                item["unit_code"],
                item["item_id"],
            )
            if item["rule"] == "entered":  # the evaluator's score, as entered
                assert Decimal(item["points"]) == Decimal(source["score"])
            sums[item["unit_code"]] = sums.get(item["unit_code"], Decimal(0)) + Decimal(
                item["points"]
            )
        assert sums == units


@pytest.mark.parametrize("system", ["no-such-system", "missing/file.yaml"])
def test_unknown_system_is_a_clean_error(tmp_path: Path, system: str) -> None:
    out = tmp_path / "out"
    result = run("score", "-p", VALID_P, "-i", VALID_I, "--system", system, "--out", out)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"unknown indicator system '{system}'" in result.output
    assert "project-self-eval" in result.output  # names the built-in systems
    assert not out.exists()
    validated = run("validate", "-p", VALID_P, "-i", VALID_I, "--system", system)
    assert validated.exit_code == 1 and isinstance(validated.exception, SystemExit)
    assert f"unknown indicator system '{system}'" in validated.output


def test_wrong_inputs_for_the_system_are_a_clean_error(tmp_path: Path) -> None:
    result = run("score", "--assessments", SEED_ASSESSMENT, "--out", tmp_path / "out")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "give projects and indicators" in result.output
    result = run("score", "-p", VALID_P, "-i", VALID_I, "-s", "dept-overall", "--out", tmp_path)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "give assessments" in result.output
    assert "Traceback" not in result.output


def test_rerun_into_same_folder_leaves_no_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok(run("score", "-p", VALID_P, "-i", VALID_I, "--out", out, "--parquet"))
    merged = HERE / "data" / "merged_projects.xlsx"
    ok(run("score", "-p", merged, "-i", merged, "--out", out))
    assert sorted(p.name for p in out.iterdir()) == [
        "item_scores.csv",
        "scores.xlsx",
        "unit_scores.csv",
    ]


def test_sample_data_command_was_renamed() -> None:
    """`perfkit sample` is the verification sampling group; the generator is `sample-data`."""
    help_text = run("--help").output
    assert "sample-data" in help_text and "verify" in help_text
    assert {"plan", "draw", "reperform"} <= set(run("sample", "--help").output.split())
    assert run("sample-data", "--help").exit_code == 0

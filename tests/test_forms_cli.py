"""Options of the forms commands: export-forms --by, check-forms --assessment-system, --engine.

Scores come from the sample region (department D21, 2023–2024: the same projects in
both years); forms are built by ``tests/form_builder.py``; the 部门预算管理绩效考核自评表
is seed 001's.  Every workbook written is read back (openpyxl, perfkit.read_forms).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
import yaml
from click.testing import CliRunner, Result

import perfkit
from perfkit.cli import main
from tests.form_builder import FormSpec, save_forms

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SEED001 = ROOT / "tests" / "data" / "forms" / "seed001_budget_mgmt.xlsx"
BUILTIN = ROOT / "perfkit" / "systems" / "builtin" / "budget-mgmt-assessment.yaml"


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``perfkit score`` of D21's projects in 2023 and 2024."""
    base = tmp_path_factory.mktemp("d21")
    projects = pl.read_csv(SAMPLE / "projects.csv", infer_schema=False).filter(
        pl.col("dept_code") == "D21", pl.col("year").is_in(["2023", "2024"])
    )
    codes = projects.get_column("project_code").unique()
    indicators = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False).filter(
        pl.col("unit_code").is_in(codes.implode()), pl.col("year").is_in(["2023", "2024"])
    )
    projects.write_csv(base / "projects.csv")
    indicators.write_csv(base / "indicators.csv")
    out = base / "scored"
    result = run("score", "-p", base / "projects.csv", "-i", base / "indicators.csv", "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _units(scored: Path) -> list[dict[str, str]]:
    units = pl.read_csv(scored / "unit_scores.csv", infer_schema=False)
    return units.select("year", "unit_code", "unit_name", "total", "grade").rows(named=True)


def test_export_by_project_writes_one_workbook_per_project_and_year(
    scored: Path, tmp_path: Path
) -> None:
    units = _units(scored)
    assert len({u["unit_code"] for u in units}) < len(units)  # projects of both years
    result = run("export-forms", "--scores", scored, "--out", tmp_path / "forms", "--by", "project")
    assert result.exit_code == 0, result.output
    assert f"wrote {len(units)} workbook(s)" in result.output
    books = {p.name for p in (tmp_path / "forms").iterdir()}
    assert books == {f"{u['year']}-{u['unit_code']}.xlsx" for u in units}
    for unit in units:
        path = tmp_path / "forms" / f"{unit['year']}-{unit['unit_code']}.xlsx"
        assert openpyxl.load_workbook(path).sheetnames == [unit["unit_code"]]
        back = perfkit.read_forms(path)
        assert back.ok, [str(p) for p in back.problems]
        assert back.projects.select("year", "project_code", "self_score", "self_grade").row(0) == (
            unit["year"],
            unit["unit_code"],
            unit["total"],
            unit["grade"],
        )


def test_export_all_writes_one_workbook_with_a_sheet_per_project_and_year(
    scored: Path, tmp_path: Path
) -> None:
    units = _units(scored)
    result = run("export-forms", "--scores", scored, "--out", tmp_path / "forms", "--by", "all")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "forms").iterdir()] == ["自评表.xlsx"]
    book = tmp_path / "forms" / "自评表.xlsx"
    sheets = openpyxl.load_workbook(book).sheetnames
    assert len(sheets) == len(units) == len(set(sheets))
    # a project of both years gets its code as the sheet name once, then code-2
    first_seen: set[str] = set()
    expected = []
    for unit in units:
        code = unit["unit_code"]
        expected.append(f"{code}-2" if code in first_seen else code)
        first_seen.add(code)
    assert sheets == expected
    back = perfkit.read_forms(book)
    assert back.ok, [str(p) for p in back.problems]
    assert back.projects.select("year", "project_code", "self_score", "self_grade").rows() == [
        (u["year"], u["unit_code"], u["total"], u["grade"]) for u in units
    ]


def test_export_by_an_unknown_grouping_is_a_usage_error(scored: Path, tmp_path: Path) -> None:
    result = run("export-forms", "--scores", scored, "--out", tmp_path / "forms", "--by", "unit")
    assert result.exit_code == 2 and "'unit' is not one of" in result.output
    assert not (tmp_path / "forms").exists()


# ---------------------------------------------------------------- check-forms --assessment-system


def _as_printed(tmp_path: Path) -> Path:
    """budget-mgmt-assessment with section 一 as printed on seed 001: 重大决策执行情况 6 points.

    The section's other point goes to 落实过期目标情况 (2 points), so the system still
    adds up; checked against it, the form's C5 (6) agrees and C6 (1) does not.
    """
    system = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    system["name"] = "as-printed"
    first, second = system["groups"][0]["children"][:2]
    assert (first["id"], first["points"], second["id"], second["points"]) == ("1.1", 7, "1.2", 1)
    first["points"], second["points"] = 6, 2
    second["rule"] = {"kind": "entered", "step": 0.5}
    path = tmp_path / "as-printed.yaml"
    path.write_text(yaml.safe_dump(system, allow_unicode=True), encoding="utf-8")
    return path


def _warnings(csv: Path) -> list[tuple[str, str, str]]:
    findings = pl.read_csv(csv, infer_schema=False)
    warned = findings.filter(pl.col("severity") == "warning")
    return warned.select("cell", "stated", "recomputed").rows()


def test_check_forms_compares_item_maxima_with_the_assessment_system_given(
    tmp_path: Path,
) -> None:
    builtin = run("check-forms", SEED001, "--out", tmp_path / "builtin.csv")
    assert builtin.exit_code == 1  # the seed's total is wrong whatever the system
    assert ("C5", "6", "7") in _warnings(tmp_path / "builtin.csv")
    system = _as_printed(tmp_path)
    out = tmp_path / "as-printed.csv"
    result = run("check-forms", SEED001, "--out", out, "--assessment-system", system)
    assert result.exit_code == 1
    warned = _warnings(out)
    assert ("C6", "1", "2") in warned
    assert not [w for w in warned if w[0] == "C5"]
    assert f"C6: 指标值 1 differs from item 1.2 (落实过期目标情况) of system {system}" in (
        result.output
    )


def test_check_forms_with_an_unknown_assessment_system(tmp_path: Path) -> None:
    out = tmp_path / "problems.csv"
    result = run("check-forms", SEED001, "--out", out, "--assessment-system", "no-such-system")
    assert result.exit_code == 1
    assert "unknown indicator system 'no-such-system'" in result.output
    assert "Traceback" not in result.output and not out.exists()


# ---------------------------------------------------------------- --engine


@pytest.fixture(scope="module")
def percent_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A form whose 资金发放准确率 actual is 0.96 in a cell formatted as a percent (96%)."""
    path = save_forms(tmp_path_factory.mktemp("pct") / "pct.xlsx", {"S": FormSpec()})
    workbook = openpyxl.load_workbook(path)
    workbook["S"]["F15"] = 0.96
    workbook["S"]["F15"].number_format = "0%"
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("engine", "reader", "actual", "warned"),
    [
        (None, "calamine+openpyxl", "96", []),
        ("auto", "calamine+openpyxl", "96", []),
        ("openpyxl", "openpyxl", "96", []),
        ("calamine", "calamine", "96", ["F15"]),  # the number format is unknown: a warning
    ],
)
def test_import_forms_engine(
    percent_form: Path,
    tmp_path: Path,
    engine: str | None,
    reader: str,
    actual: str,
    warned: list[str],
) -> None:
    out = tmp_path / "imported"
    args = ["import-forms", percent_form, "--out", out] + (["--engine", engine] if engine else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    forms = pl.read_csv(out / "forms.csv", infer_schema=False)
    assert forms.get_column("reader").to_list() == [reader]
    assert f"read with {reader} 1" in result.output
    indicators = pl.read_csv(out / "indicators.csv", infer_schema=False)
    assert indicators.get_column("actual")[2] == actual
    if not warned:  # problems.csv is written only when there are problems
        assert not (out / "problems.csv").exists()
        return
    problems = pl.read_csv(out / "problems.csv", infer_schema=False)
    assert problems.filter(pl.col("severity") == "warning").get_column("cell").to_list() == warned


@pytest.mark.parametrize(("engine", "warned"), [("openpyxl", []), ("calamine", ["F15"])])
def test_check_forms_engine(
    percent_form: Path, tmp_path: Path, engine: str, warned: list[str]
) -> None:
    out = tmp_path / "findings.csv"
    result = run("check-forms", percent_form, "--out", out, "--engine", engine)
    assert result.exit_code == 0, result.output
    findings = pl.read_csv(out, infer_schema=False)
    assert findings.filter(pl.col("severity") == "warning").get_column("cell").to_list() == warned
    assert "1 form(s) checked: 0 error(s)" in result.output


def test_an_unknown_engine_is_a_usage_error(percent_form: Path, tmp_path: Path) -> None:
    for command in (["import-forms"], ["check-forms"]):
        out = tmp_path / ("x.csv" if command == ["check-forms"] else "x")
        result = run(*command, percent_form, "--out", out, "--engine", "pandas")
        assert result.exit_code == 2 and "'pandas' is not one of" in result.output
        assert not out.exists()

"""Validation defects found while redesigning the scoring flow (issue 14, stage 2).

Each test failed before its fix: messages built after filtering the rows (wrong
sums, wrong "first on row"), a value-only entered item scoring 0 in silence, a
qualitative rule in an assessments system raising a ValueError, an amount headed
in 元 read as 万元, and six-decimal parsing that truncated instead of rounding.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import perfkit
from perfkit.cli import main
from perfkit.numbers import parse_fixed, parse_fixed_column, with_fixed_columns
from perfkit.systems import load_system
from tests.test_rules import ind, only_unit, score

HERE = Path(__file__).resolve().parent
SEED_ASSESSMENT = HERE / "data" / "seed001_assessment.csv"
SEED_LINES = SEED_ASSESSMENT.read_text(encoding="utf-8").splitlines()
ASSESSMENT_SYSTEM = "budget-mgmt-assessment"
BUILTIN = HERE.parent / "perfkit" / "systems" / "builtin"


def _assessments(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "assessments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- problems_from_mask: figures in messages are computed over every row ------------------


def test_group_weight_warning_shows_the_sum_of_the_whole_group() -> None:
    rows = [
        ind("产出指标", weight="40"),
        ind("产出指标", weight="20", actual="50"),
        ind("效益指标", weight="20"),
        ind("满意度指标", weight="10"),
    ]
    result = score(*rows)
    assert only_unit(result)["weights_given"] is True
    messages = sorted(p.message for p in result.warnings)
    assert messages == [
        # 40 + 20: before, the sum was taken over the reported row only (40.00)
        "weights of P1 (2024) in 产出指标 add up to 60.00, not the system's 50.00",
        "weights of P1 (2024) in 效益指标 add up to 20.00, not the system's 30.00",
    ]


def test_duplicate_item_names_the_first_row(tmp_path: Path) -> None:
    # item 1.2 (file line 3, row 3) given twice more at the end: both name row 3
    twice = [*SEED_LINES, "2022,XZWB,1.2,1,,", "2022,XZWB,落实过期目标情况,1,,"]
    report = perfkit.validate(system=ASSESSMENT_SYSTEM, assessments=_assessments(tmp_path, twice))
    again = [(p.row, p.message) for p in report.errors if "appears again" in p.message]
    n = len(SEED_LINES)
    assert again == [
        (n + 1, "item 1.2 of unit XZWB appears again (first on row 3)"),
        (n + 2, "item 1.2 of unit XZWB appears again (first on row 3)"),
    ]


# --- an entered / checklist item given only a value -----------------------------------------


@pytest.mark.parametrize(
    ("item", "rule"),
    [("1.1", "entered"), ("1.4", "checklist")],
)
def test_entered_item_with_only_a_value_is_an_error(tmp_path: Path, item: str, rule: str) -> None:
    lines = list(SEED_LINES)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"2022,XZWB,{item},"))
    lines[at] = f"2022,XZWB,{item},,1,"
    path = _assessments(tmp_path, lines)
    report = perfkit.validate(system=ASSESSMENT_SYSTEM, assessments=path)
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("assessments.csv", at + 1, "score")
    ]
    assert f"rule '{rule}' does not use the value 1" in report.errors[0].message
    with pytest.raises(perfkit.InputError):
        perfkit.score(system=ASSESSMENT_SYSTEM, assessments=path)


# --- a qualitative rule in an assessments system ----------------------------------------------


def _qualitative_assessment_system(tmp_path: Path) -> Path:
    """budget-mgmt-assessment with item 1.1 (entered) turned into a qualitative rule."""
    text = (BUILTIN / f"{ASSESSMENT_SYSTEM}.yaml").read_text(encoding="utf-8")
    marker = "rule: {kind: entered, step: 0.5}"
    assert marker in text
    system = tmp_path / "local-assessment.yaml"
    system.write_text(text.replace(marker, "rule: {kind: qualitative}", 1), encoding="utf-8")
    return system


def test_qualitative_rule_in_assessments_system_is_a_system_error(tmp_path: Path) -> None:
    system = _qualitative_assessment_system(tmp_path)
    with pytest.raises(perfkit.SystemDefinitionError) as excinfo:
        load_system(system)
    message = str(excinfo.value)
    assert str(system) in message
    assert "item '1.1' (重大决策执行情况)" in message
    assert "qualitative" in message
    with pytest.raises(perfkit.SystemDefinitionError):
        perfkit.score(system=system, assessments=SEED_ASSESSMENT)


def test_qualitative_rule_in_assessments_system_is_a_clean_cli_error(tmp_path: Path) -> None:
    system = _qualitative_assessment_system(tmp_path)
    out = tmp_path / "out"
    args = ["score", "--system", str(system), "--assessments", str(SEED_ASSESSMENT)]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "1.1" in result.output
    assert not out.exists() or not any(out.iterdir())


# --- an amount headed in 元 ---------------------------------------------------------------------


def test_amount_headed_in_yuan_is_refused(tmp_path: Path) -> None:
    projects = tmp_path / "projects.csv"
    lines = (HERE.parent / "data" / "sample" / "projects.csv").read_text(encoding="utf-8")
    header, _, rest = lines.partition("\n")
    assert "budget_full_year" in header.split(",")
    projects.write_text(
        header.replace("budget_full_year", "全年预算数（元）") + "\n" + rest, encoding="utf-8"
    )
    report = perfkit.validate(projects, HERE.parent / "data" / "sample" / "indicators.csv")
    # the 元 header, and so the required column is missing
    assert sorted((p.file, p.column) for p in report.errors) == [
        ("projects.csv", "budget_full_year"),
        ("projects.csv", "全年预算数（元）"),
    ]
    refused = next(p for p in report.errors if p.column == "全年预算数（元）")
    assert refused.message.startswith("amounts are read in 万元 and this header says 元")
    # the same header in 万元 (or with no unit) is read as before
    projects.write_text(
        header.replace("budget_full_year", "全年预算数（万元）") + "\n" + rest, encoding="utf-8"
    )
    assert perfkit.validate(projects, HERE.parent / "data" / "sample" / "indicators.csv").ok


# --- six decimals, rounded half-up -------------------------------------------------------------

TEXTS = ["0.0000005", "0.00000049", "-0.0000005", "1.2345675", "1.23456749", "2.0000015", "7"]
HALF_UP = [1, 0, -1, 1234568, 1234567, 2000002, 7000000]


def test_parse_fixed_rounds_half_up_beyond_six_decimals() -> None:
    df = pl.DataFrame({"x": TEXTS})
    assert df.select(parse_fixed(pl.col("x"))).to_series().to_list() == HALF_UP
    assert df.select(parse_fixed_column(df, "x")).to_series().to_list() == HALF_UP
    assert with_fixed_columns(df, {"x": 10**6}).get_column("_x").to_list() == HALF_UP
    # normalised text (full-width digits) takes the same way
    wide = pl.DataFrame({"x": ["０.００００００５", "1,000.0000005"]})
    assert wide.select(parse_fixed_column(wide, "x")).to_series().to_list() == [1, 1000000001]
    # a float column goes through its shortest text: 2.675 is 2.675000, 0.0000005 rounds up
    floats = pl.DataFrame({"x": [2.675, 0.0000005, -1.2345675]})
    assert floats.select(parse_fixed(pl.col("x"), pl.Float64)).to_series().to_list() == [
        2675000,
        1,
        -1234568,
    ]

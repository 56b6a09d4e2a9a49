"""``perfkit compare``: the files it writes, the workbook, and clear errors on bad input."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner, Result

from perfkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
POLICY = ROOT / "parameters" / "policies" / "budget-policy.yaml"
BOM = b"\xef\xbb\xbf"
CSV_FILES = [
    "transitions.csv",
    "score_changes.csv",
    "trends.csv",
    "region_trends.csv",
    "movers.csv",
    "chronic.csv",
    "low_efficiency_share.csv",
    "budget_suggestions.csv",
    "budget_by_department.csv",
    "budget_totals.csv",
    "missing_units.csv",
]


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def read_csv(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    assert data.startswith(BOM), f"{path.name} has no UTF-8 BOM"
    return pl.read_csv(io.BytesIO(data[len(BOM) :]), infer_schema=False)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("compare") / "out"
    result = run(
        "compare", "--data", SAMPLE, "--years", "2022-2024", "--out", out, "--policy", POLICY
    )
    assert result.exit_code == 0, result.output
    return out, result


def test_writes_every_file(compared: tuple[Path, Result]) -> None:
    out, result = compared
    assert sorted(p.name for p in out.iterdir()) == sorted([*CSV_FILES, "comparison.xlsx"])
    assert "compared 2022–2024" in result.output
    assert "15 low-efficiency, 8 idle" in result.output
    assert not list(out.parent.glob(".out.*.partial"))


def test_trends_csv_one_row_per_department_and_year(compared: tuple[Path, Result]) -> None:
    trends = read_csv(compared[0] / "trends.csv")
    assert trends.columns[:4] == ["dept_code", "dept_name", "year", "dept_code_then"]
    assert trends.height == 120
    assert trends.select("dept_code", "year").is_unique().all()
    d41 = trends.filter(pl.col("dept_code") == "D41").select("year", "dept_code_then", "dept_name")
    assert d41.rows() == [
        ("2022", "D12", "农业农村局"),
        ("2023", "D12", "农业农村局"),
        ("2024", "D41", "农业农村局"),
    ]
    assert "D12" not in trends.get_column("dept_code").to_list()


def test_chronic_csv(compared: tuple[Path, Result]) -> None:
    chronic = read_csv(compared[0] / "chronic.csv")
    assert chronic.columns[:7] == [
        "unit_code",
        "unit_name",
        "dept_code",
        "dept_name",
        "kind",
        "kind_label",
        "years",
    ]
    assert set(chronic.get_column("kind").to_list()) == {"low_efficiency", "idle"}
    assert dict(chronic.group_by("kind").len().iter_rows()) == {"low_efficiency": 15, "idle": 8}
    row = chronic.filter(pl.col("unit_code") == "P2022-D08-008").row(0, named=True)
    assert (row["kind"], row["years"], row["n_years"]) == ("idle", "2023-2024", "2")


def test_transitions_csv(compared: tuple[Path, Result]) -> None:
    matrix = read_csv(compared[0] / "transitions.csv")
    assert matrix.columns == [
        "from_year",
        "to_year",
        "from_grade",
        "to_grade",
        "units",
        "from_units",
        "share",
    ]
    assert matrix.height == 2 * 16


def test_budget_csv_totals_add_up(compared: tuple[Path, Result]) -> None:
    out = compared[0]
    lines = read_csv(out / "budget_suggestions.csv")
    depts = read_csv(out / "budget_by_department.csv")
    totals = read_csv(out / "budget_totals.csv").row(0, named=True)
    for column in ("base_amount", "suggested_amount", "change"):
        per_dept: dict[str, Decimal] = {}
        for dept, value in lines.select("dept_code", column).iter_rows():
            per_dept[dept] = per_dept.get(dept, Decimal(0)) + Decimal(value)
        written = {d: Decimal(v) for d, v in depts.select("dept_code", column).iter_rows()}
        assert written == per_dept
        assert sum(written.values()) == Decimal(totals[column])
    assert Decimal(totals["freed"]) == -Decimal(totals["change"]) == Decimal("3107.65")
    assert lines.filter(pl.col("reason").is_null()).height == 0


def test_workbook_has_every_table_and_notes(compared: tuple[Path, Result]) -> None:
    book = openpyxl.load_workbook(compared[0] / "comparison.xlsx", read_only=True)
    assert book.sheetnames == [
        "等级转移矩阵",
        "得分变化",
        "部门趋势",
        "全地区趋势",
        "升降最大部门",
        "持续问题项目",
        "低效资金占比",
        "预算建议（项目）",
        "预算建议（部门）",
        "预算建议（合计）",
        "缺失单位",
        "说明",
        "文件清单",
    ]
    trends_header = [c.value for c in next(book["部门趋势"].iter_rows(max_row=1))]
    assert trends_header[:4] == ["部门编码（现）", "部门名称（现）", "年度", "当年部门编码"]
    assert "资金加权平均得分" in trends_header and "优（个）" in trends_header
    budget = list(book["预算建议（项目）"].iter_rows(values_only=True))
    header = budget[0]
    assert "理由" in header and "建议安排（万元）" in header
    action = header.index("处理方式")
    assert {row[action] for row in budget[1:]} >= {"收回资金", "压减", "维持预算"}
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["比较年度"] == "2022, 2023, 2024"
    assert notes["部门更名/重新编码"] == "D12 → D41 农业农村局（2024年起）"
    assert "60%" in notes["低效项目"]


def test_thresholds_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        "compare", "--data", SAMPLE, "--out", out, "--consecutive", "3", "--idle-years", "3",
        "--low-threshold", "50", "--money-line", "15", "--years", "2022,2023,2024",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    chronic = read_csv(out / "chronic.csv")
    assert set(chronic.filter(pl.col("kind") == "idle").get_column("n_years").to_list()) == {"3"}
    share = read_csv(out / "low_efficiency_share.csv")
    assert share.get_column("line").unique().to_list() == ["15.0"]
    notes = openpyxl.load_workbook(out / "comparison.xlsx", read_only=True)["说明"]
    text = {row[0]: row[1] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert "低于 50% 连续 3 年" in text["低效项目"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "2022-20x4"], "years '2022-20x4' is not understood"),
        (["--years", "2024-2022"], "from the earlier year to the later one"),
        (["--years", "2020-2022"], "years 2020, 2021 are not in"),
        (["--years", "2024"], "needs at least two years"),
        (["--low-threshold", "abc"], "--low-threshold 'abc' is not a number"),
        (["--low-threshold", "120"], "between 0 and 100"),
        (["--consecutive", "0"], "--consecutive '0' must be a whole number"),
        (["--base-year", "2030"], "base year 2030 is not in the panel"),
        (["--policy", "parameters/policies/none.yaml"], "budget policy file not found"),
    ],
)
def test_bad_input_exits_1_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = run("compare", "--data", SAMPLE, "--out", out, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_bad_policy_names_file_and_key(tmp_path: Path) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text("grades:\n  中: {action: cut, ratio_pct: -5}\n", encoding="utf-8")
    result = run("compare", "--data", SAMPLE, "--out", tmp_path / "out", "--policy", policy)
    assert result.exit_code == 1
    assert f"{policy}: invalid budget policy" in result.output
    assert "grades.中: ratio_pct -5 must be above 0" in result.output


def test_missing_data_folder(tmp_path: Path) -> None:
    result = run("compare", "--data", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "no such folder or file" in result.output


def test_bad_rows_in_the_data_are_reported_with_file_row_column(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("indicators.csv", "departments.csv"):
        (data / name).write_bytes((SAMPLE / name).read_bytes())
    lines = (SAMPLE / "projects.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[4].split(",")
    cells[7] = "九成"  # executed
    lines[4] = ",".join(cells)
    (data / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("compare", "--data", data, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "projects.csv:5: executed: '九成' is not a number" in result.output
    assert not (tmp_path / "out").exists()


def test_a_rerun_replaces_the_files(compared: tuple[Path, Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("compare", "--data", SAMPLE, "--out", out).exit_code == 0
    first = (out / "budget_suggestions.csv").read_bytes()
    (out / "budget_suggestions.csv").write_text("stale", encoding="utf-8")
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    assert run("compare", "--data", SAMPLE, "--out", out).exit_code == 0
    assert (out / "budget_suggestions.csv").read_bytes() == first  # rewritten, deterministic
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's own file"  # not ours


def test_problems_of_every_file_are_listed_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "indicators.csv").write_bytes((SAMPLE / "indicators.csv").read_bytes())
    projects = (SAMPLE / "projects.csv").read_text(encoding="utf-8").splitlines()
    cells = projects[2].split(",")
    cells[6] = "-1"  # budget_full_year
    projects[2] = ",".join(cells)
    (data / "projects.csv").write_text("\n".join(projects) + "\n", encoding="utf-8")
    departments = (SAMPLE / "departments.csv").read_text(encoding="utf-8").splitlines()
    departments[1] = departments[1].replace("2022,D01", "20x2,D01")
    (data / "departments.csv").write_text("\n".join(departments) + "\n", encoding="utf-8")
    result = run("compare", "--data", data, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "projects.csv:3: budget_full_year: negative amount -1" in result.output
    assert "departments.csv:2: year: year must be a whole number like 2024, not '20x2'" in (
        result.output
    )

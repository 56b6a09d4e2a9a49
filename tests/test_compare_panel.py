"""The cross-year panel: inputs, department re-code chains, missing units, years, pandas."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit
import perfkit.compare as cmp
from perfkit.errors import InputError, PerfkitError
from tests.by_hand import score_by_hand
from tests.compare_builders import scores

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def sample() -> cmp.Panel:
    return cmp.panel(SAMPLE)


@pytest.fixture(scope="module")
def projects_csv() -> pl.DataFrame:
    return pl.read_csv(SAMPLE / "projects.csv", infer_schema=False)


# ------------------------------------------------------------------ the sample data


def test_every_project_year_is_in_the_panel(sample: cmp.Panel, projects_csv: pl.DataFrame) -> None:
    assert sample.years == [2022, 2023, 2024]
    assert sample.frame.height == projects_csv.height
    got = set(sample.frame.select("year", "unit_code").iter_rows())
    expected = {(int(y), c) for y, c in projects_csv.select("year", "project_code").iter_rows()}
    assert got == expected


def test_scores_match_the_hand_computation(sample: cmp.Panel) -> None:
    """Every unit-year's total, grade and execution rate, worked out row by row with decimal."""
    by_hand = score_by_hand(SAMPLE)
    assert len(by_hand) == sample.frame.height
    got = {
        (year, code): (Decimal(str(total)), grade, None if rate is None else Decimal(str(rate)))
        for year, code, total, grade, rate in sample.units.select(
            "year", "unit_code", "total", "grade", "execution_rate"
        ).iter_rows()
    }
    expected = {k: (p.total, p.grade, p.execution_rate) for k, p in by_hand.items()}
    assert got == expected


def test_renamed_department_keeps_one_history(sample: cmp.Panel) -> None:
    """D12 农牧局 became D41 农业农村局 in 2024: its projects are D41 in every year."""
    assert "D12" not in sample.frame.get_column("dept_code").to_list()
    p = sample.units.filter(pl.col("unit_code") == "P2020-D12-006").sort("year")
    assert p.select("year", "dept_code", "dept_code_then", "dept_name").rows() == [
        (2022, "D41", "D12", "农业农村局"),
        (2023, "D41", "D12", "农业农村局"),
        (2024, "D41", "D41", "农业农村局"),
    ]
    assert p.get_column("dept_name_then").to_list() == ["农牧局", "农牧局", "农业农村局"]
    assert sample.renames.rows() == [(2024, "D12", "D41", "农业农村局")]
    # the department itself is present in every year: not listed as missing
    assert sample.missing_departments.height == 0


def test_missing_units_are_listed(sample: cmp.Panel, projects_csv: pl.DataFrame) -> None:
    """data/README.md: 364 projects run all three years, 211 two, 288 one."""
    per = projects_csv.group_by("project_code").agg(pl.col("year").n_unique().alias("n"))
    partial = set(per.filter(pl.col("n") < 3).get_column("project_code").to_list())
    assert len(partial) == 211 + 288
    missing = sample.missing
    assert set(missing.get_column("unit_code").to_list()) == partial
    new = missing.filter(pl.col("unit_code") == "P2024-D41-001").row(0, named=True)
    assert new["years_present"] == "2024"
    assert new["years_missing"] == "2022,2023"
    assert (new["entered"], new["ended"], new["gap"]) == (True, False, False)
    assert new["dept_code"] == "D41"
    ended = missing.filter(pl.col("unit_code") == "P2019-D06-001").row(0, named=True)
    assert ended["ended"] and not ended["entered"]


def test_years_subset_and_years_not_in_the_data() -> None:
    p = cmp.panel(SAMPLE, years="2023-2024")
    assert p.years == [2023, 2024]
    assert p.frame.get_column("year").unique().sort().to_list() == [2023, 2024]
    with pytest.raises(PerfkitError, match=r"year 2021 is not in .*sample \(it has 2022, 2023"):
        cmp.panel(SAMPLE, years="2021-2022")
    with pytest.raises(PerfkitError, match="not understood"):
        cmp.panel(SAMPLE, years="2022-20x4")


@pytest.mark.parametrize(
    ("spec", "years"),
    [
        ("2022-2024", [2022, 2023, 2024]),
        ("2022—2024", [2022, 2023, 2024]),
        ("2024,2022", [2022, 2024]),
        ("2023", [2023]),
        (2023, [2023]),
        ([2024, "2022"], [2022, 2024]),
        (None, None),
    ],
)
def test_parse_years(spec: object, years: list[int] | None) -> None:
    assert cmp.parse_years(spec) == years


@pytest.mark.parametrize("spec", ["2024-2022", "2022-", "twenty", "", "22-24", [], [True], 12])
def test_parse_years_rejects(spec: object) -> None:
    with pytest.raises(PerfkitError, match="years"):
        cmp.parse_years(spec)


# ------------------------------------------------------------------ other inputs


def test_from_score_result_with_projects_for_carryover() -> None:
    result = perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv")
    bare = cmp.panel(result, departments=SAMPLE / "departments.csv")
    assert not bare.has_carryover
    full = cmp.panel(
        result, projects=SAMPLE / "projects.csv", departments=SAMPLE / "departments.csv"
    )
    assert full.has_carryover
    reference = cmp.panel(SAMPLE)
    cols = ["year", "unit_code", "dept_code", "total_cents", "grade", "rate_cents", "_carryover"]
    assert full.frame.select(cols).equals(reference.frame.select(cols))


def test_from_scores_file(tmp_path: Path) -> None:
    """A unit_scores.csv written by `perfkit score` (BOM, English headers) is a valid source."""
    perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv").write(tmp_path)
    p = cmp.panel(tmp_path / "unit_scores.csv", departments=SAMPLE / "departments.csv")
    reference = cmp.panel(SAMPLE)
    cols = ["year", "unit_code", "dept_code", "total_cents", "grade", "rate_cents", "_budget"]
    assert p.frame.select(cols).equals(reference.frame.select(cols))


def test_data_folder_lacking_tables(tmp_path: Path) -> None:
    (tmp_path / "projects.csv").write_bytes((SAMPLE / "projects.csv").read_bytes())
    with pytest.raises(InputError) as info:
        cmp.panel(tmp_path)
    assert "indicators not found" in str(info.value)


def test_the_kind_of_frame_given_comes_back(df_module) -> None:
    frame = scores(
        (2022, "P1", "D1", "91", "100", "100", "0"),
        (2023, "P1", "D1", "75", "100", "50", "0"),
        (2023, "P2", "D1", "85", "100", "80", "0"),
    )
    p = cmp.panel(df_module.make(frame))
    assert p.from_pandas == (df_module.name == "pandas")
    t = cmp.transitions(p)
    s = cmp.budget_suggestions(p)
    for table in (
        p.units,
        p.missing,
        t.matrix,
        t.improved,
        cmp.trends(p).departments,
        cmp.chronic(p).projects,
        s.projects,
        s.totals,
    ):
        assert isinstance(table, df_module.DataFrame)
    units = df_module.to_polars(p.units).sort("year", "unit_code")
    assert units.select("year", "unit_code", "grade").rows() == [
        (2022, "P1", "优"),
        (2023, "P1", "中"),
        (2023, "P2", "良"),
    ]
    assert df_module.to_polars(p.missing).get_column("unit_code").to_list() == ["P2"]


def test_scores_problems_name_row_and_column() -> None:
    frame = scores(
        (2022, "P1", "D1", "91", "100", "100", "0"),
        (2022, "P1", "D1", "80", "100", "x", "0"),
        (2023, None, "D1", "abc", "-5", "1", "0"),
        grade=["优", "良", "甲"],
    )
    with pytest.raises(InputError) as info:
        cmp.panel(frame)
    found = {(p.row, p.column) for p in info.value.problems}
    assert (2, "executed") in found  # 'x' is not a number
    assert (3, "unit_code") in found  # missing value
    assert (3, "total") in found  # 'abc' is not a score
    assert (3, "budget_full_year") in found  # negative amount
    assert (3, "grade") in found  # 甲 is not a grade
    assert (2, "unit_code") in found  # duplicate key with row 1
    assert all(p.file == "<scores>" for p in info.value.problems)


def test_scores_missing_columns() -> None:
    with pytest.raises(InputError) as info:
        cmp.panel(pl.DataFrame({"unit_code": ["P1"]}))
    assert {p.column for p in info.value.problems} == {"year", "total"}


def test_unknown_source_kind() -> None:
    with pytest.raises(PerfkitError, match="cannot use a int"):
        cmp.panel(42)


# ------------------------------------------------------------------ department chains


def _departments(*rows: tuple[int, str, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "year": pl.Int64,
            "dept_code": pl.String,
            "dept_name": pl.String,
            "previous_code": pl.String,
        },
        orient="row",
    )


def test_rename_chains_are_followed() -> None:
    """A → B in 2023, B → C in 2024: A's 2022 history is C's."""
    frame = scores(
        (2022, "P1", "A", "90", "100", "100", "0"),
        (2023, "P1", "B", "80", "100", "100", "0"),
        (2024, "P1", "C", "70", "100", "100", "0"),
    )
    deps = _departments(
        (2022, "A", "甲局", None), (2023, "B", "乙局", "A"), (2024, "C", "丙局", "B")
    )
    p = cmp.panel(frame, departments=deps)
    assert p.units.select("dept_code", "dept_code_then", "dept_name").rows() == [
        ("C", "A", "丙局"),
        ("C", "B", "丙局"),
        ("C", "C", "丙局"),
    ]
    t = cmp.trends(p).departments
    assert t.select("dept_code", "year", "dept_code_then").rows() == [
        ("C", 2022, "A"),
        ("C", 2023, "B"),
        ("C", 2024, "C"),
    ]


def test_a_code_reused_later_is_not_mixed_with_its_old_owner() -> None:
    """D12 became D41 in 2024; a new department takes code D12 in 2025."""
    frame = scores(
        (2023, "P1", "D12", "90", "100", "100", "0"),
        (2024, "P1", "D41", "80", "100", "100", "0"),
        (2025, "P9", "D12", "70", "100", "100", "0"),
    )
    deps = _departments(
        (2023, "D12", "农牧局", None),
        (2024, "D41", "农业农村局", "D12"),
        (2025, "D41", "农业农村局", None),
        (2025, "D12", "新设局", None),
    )
    p = cmp.panel(frame, departments=deps)
    assert p.units.select("unit_code", "year", "dept_code", "dept_name").rows() == [
        ("P1", 2023, "D41", "农业农村局"),
        ("P1", 2024, "D41", "农业农村局"),
        ("P9", 2025, "D12", "新设局"),
    ]
    warning = [w for w in p.warnings if "still used" in w.message]
    assert warning and warning[0].row == 2 and warning[0].column == "previous_code"


def test_a_split_cannot_be_followed() -> None:
    frame = scores((2023, "P1", "D12", "90", "100", "100", "0"))
    deps = _departments(
        (2023, "D12", "农牧局", None),
        (2024, "D41", "农业农村局", "D12"),
        (2024, "D42", "畜牧局", "D12"),
    )
    with pytest.raises(InputError) as info:
        cmp.panel(frame, departments=deps)
    rows = {(p.row, p.column) for p in info.value.problems if p.severity == "error"}
    assert rows == {(2, "previous_code"), (3, "previous_code")}
    assert "split" in info.value.problems[0].message


def test_department_level_scores_follow_renames() -> None:
    """Scores of departments (dept-overall): units are departments, re-codes followed."""
    result = perfkit.score(system="dept-overall", assessments=SAMPLE / "assessments.csv")
    p = cmp.panel(result, departments=SAMPLE / "departments.csv")
    assert p.units_are_departments
    d41 = p.units.filter(pl.col("unit_code") == "D41").sort("year")
    assert d41.get_column("year").to_list() == [2022, 2023, 2024]
    assert d41.get_column("dept_code_then").to_list() == ["D12", "D12", "D41"]
    assert p.missing.height == 0
    transitions = cmp.transitions(p)
    assert transitions.distribution.get_column("units").to_list() == [40, 40]
    with pytest.raises(PerfkitError, match="needs each unit's budget_full_year and executed"):
        cmp.chronic(p)


def test_perfkit_compare_is_reachable_from_perfkit() -> None:
    assert perfkit.compare.panel is cmp.panel
    assert "compare" in perfkit.__all__


def test_a_unit_scored_twice_in_a_year_is_an_error() -> None:
    frame = scores(
        (2022, "P2", "D1", "91", "100", "100", "0"),
        (2023, "P1", "D1", "80", "100", "90", "0"),
        (2023, "P1", "D2", "85", "100", "90", "0"),
    )
    with pytest.raises(InputError) as info:
        cmp.panel(frame)
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("<scores>", 3, "unit_code")
    assert problem.message == "duplicate key (year=2023, unit_code=P1) also on row 2"


def test_departments_merged_into_one_cannot_be_followed() -> None:
    """A → C in 2024 and B → C in 2025: in 2024 both C and B would be C's history."""
    frame = scores(
        (2023, "A", None, "91", "1", "1", "0"),
        (2023, "B", None, "80", "1", "1", "0"),
        (2024, "C", None, "80", "1", "1", "0"),
        (2024, "B", None, "70", "1", "1", "0"),
        (2025, "C", None, "75", "1", "1", "0"),
    ).drop("dept_code")
    deps = _departments(
        (2023, "A", "甲局", None),
        (2023, "B", "乙局", None),
        (2024, "C", "丙局", "A"),
        (2024, "B", "乙局", None),
        (2025, "C", "丙局", "B"),
    )
    with pytest.raises(
        PerfkitError, match=r"departments A, B all became C \(a merge\): their 2023"
    ):
        cmp.panel(frame, departments=deps)


def test_contract_tables_as_frames(df_module) -> None:
    tables = {
        name: df_module.read_csv_text(SAMPLE / f"{name}.csv")
        for name in ("projects", "indicators", "departments")
    }
    p = cmp.panel(**tables, years=[2023, 2024])
    assert p.from_pandas == (df_module.name == "pandas")
    assert isinstance(p.units, df_module.DataFrame)
    reference = cmp.panel(SAMPLE, years="2023-2024")
    assert p.frame.select("year", "unit_code", "dept_code", "total_cents").equals(
        reference.frame.select("year", "unit_code", "dept_code", "total_cents")
    )
    chronic = cmp.chronic(p).low_efficiency
    assert isinstance(chronic, df_module.DataFrame)
    assert "P2020-D12-006" in set(df_module.to_polars(chronic).get_column("unit_code"))

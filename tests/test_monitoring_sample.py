"""The sample region's monitoring snapshots (data/sample, data/README.md section 3).

The snapshots come from their own random stream: regenerating the sample must
leave the four yearly files byte for byte as they were before monitoring was
added (their SHA-256 below were taken then), and must reproduce the two
snapshot files exactly.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit
from perfkit.samples.region import write_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

#: SHA-256 of the yearly files as generated before the monitoring snapshots existed.
YEARLY_SHA256 = {
    "projects.csv": "69f8eb679736e860b526310e05a9538ee28c6cc88d6c2e718b2af4b133dd2dec",
    "indicators.csv": "7f5fac02149a0218cccd57be17de423f632f3916bbed34d5c0dc6bcdac56cc85",
    "departments.csv": "11ff3016d3168a2882ba0be3f146bff28b18599269e7d04f8b43d20304c9fb04",
    "assessments.csv": "e33bbf810f2a913ba74716982b3aaf994c2acd7913fd5aa0de51ca54238c5495",
}

LATE = [
    "P2019-D05-002", "P2019-D23-001", "P2021-D04-008", "P2021-D04-009", "P2021-D13-009",
    "P2021-D38-001", "P2022-D02-001", "P2022-D19-005", "P2022-D20-002", "P2024-D08-006",
    "P2024-D30-001", "P2024-D33-001",
]  # fmt: skip
RUSH = [
    "P2019-D21-001", "P2020-D03-004", "P2020-D12-005", "P2022-D01-004", "P2022-D05-001",
    "P2023-D03-004", "P2023-D06-002", "P2023-D12-001", "P2023-D24-003", "P2024-D07-001",
]  # fmt: skip
CHRONIC = [
    "P2019-D05-003", "P2019-D08-001", "P2020-D01-004", "P2020-D12-006", "P2020-D13-006",
    "P2020-D33-001", "P2021-D08-004", "P2022-D01-002", "P2022-D02-003", "P2022-D02-017",
    "P2022-D09-001", "P2022-D23-005", "P2022-D25-003", "P2022-D28-003", "P2022-D31-005",
]  # fmt: skip
DECEMBER_2024 = [
    "P2021-D03-004", "P2021-D08-003", "P2024-D08-004", "P2024-D10-004", "P2020-D17-001",
    "P2024-D18-003", "P2023-D28-001", "P2021-D31-002",
]  # fmt: skip
IDLE = [
    "P2020-D01-005", "P2021-D06-002", "P2022-D02-006", "P2022-D23-008", "P2020-D03-003",
    "P2021-D11-003", "P2021-D33-001", "P2022-D08-008",
]  # fmt: skip
BUDGET_ZERO_2024 = ["P2019-D34-001", "P2023-D12-007"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_regenerating_reproduces_every_file_and_leaves_the_yearly_ones_unchanged(tmp_path) -> None:
    written = write_sample(tmp_path)
    assert [p.name for p in written] == [
        "projects.csv",
        "indicators.csv",
        "departments.csv",
        "assessments.csv",
        "monitoring.csv",
        "indicator_progress.csv",
    ]
    for path in written:
        assert path.read_bytes() == (SAMPLE / path.name).read_bytes(), path.name
    for name, digest in YEARLY_SHA256.items():
        assert sha256(SAMPLE / name) == digest, f"{name} changed"


@pytest.fixture(scope="module")
def runs() -> dict[int, perfkit.MonitoringResult]:
    return {
        month: perfkit.monitor(
            SAMPLE / "projects.csv",
            SAMPLE / "monitoring.csv",
            SAMPLE / "indicator_progress.csv",
            indicators=SAMPLE / "indicators.csv",
            month=month,
        )
        for month in (5, 8)
    }


def alerts(run: perfkit.MonitoringResult, codes: list[str], column: str) -> set[str | None]:
    return set(run.alerts_pl.filter(pl.col("unit_code").is_in(codes)).get_column(column).to_list())


def test_snapshot_files_follow_the_contract() -> None:
    m = pl.read_csv(SAMPLE / "monitoring.csv", infer_schema=False)
    ip = pl.read_csv(SAMPLE / "indicator_progress.csv", infer_schema=False)
    assert m.columns == ["year", "month", "unit_code", "executed_to_date"]
    assert ip.columns == ["year", "month", "unit_code", "name", "actual_to_date"]
    assert (m.height, ip.height) == (1204, 8424)
    assert sorted(m.get_column("month").unique().to_list()) == ["5", "8"]
    assert m.get_column("year").unique().to_list() == ["2024"]
    assert m.get_column("executed_to_date").str.contains(r"^\d+\.\d\d$").all()


def test_spending_is_cumulative_and_within_the_year_end_figures() -> None:
    m = pl.read_csv(
        SAMPLE / "monitoring.csv", schema_overrides={"executed_to_date": pl.Decimal(18, 2)}
    )
    p = pl.read_csv(
        SAMPLE / "projects.csv",
        schema_overrides={"executed": pl.Decimal(18, 2), "budget_full_year": pl.Decimal(18, 2)},
    ).filter(pl.col("year") == 2024)
    wide = m.pivot("month", index="unit_code", values="executed_to_date").join(
        p.select(pl.col("project_code").alias("unit_code"), "executed", "budget_full_year"),
        on="unit_code",
    )
    assert wide.height == p.height == 602
    assert (wide["5"] <= wide["8"]).all()
    assert (wide["8"] <= wide["executed"]).all()
    assert (wide["8"] <= wide["budget_full_year"]).all()


@pytest.mark.parametrize(
    ("month", "sentence", "overall"),
    [
        (5, "2024年5月项目绩效监控602个137,893.79万元，总体进度46%，略高于序时进度41.67%", 46.0),
        (8, "2024年8月项目绩效监控602个137,893.79万元，总体进度68%，略高于序时进度66.67%", 68.0),
    ],
)
def test_overall_progress_is_the_seeds(runs, month, sentence, overall) -> None:
    run = runs[month]
    assert run.region_sentence == sentence
    region = run.region_pl.row(0, named=True)
    assert region["overall_progress"] == overall
    total = pl.read_csv(SAMPLE / "monitoring.csv", schema_overrides={"executed_to_date": pl.String})
    spent = sum(
        Decimal(x) for x in total.filter(pl.col("month") == month)["executed_to_date"].to_list()
    )
    share = spent * 100 / Decimal("137893.79")  # exactly 46.00 / 68.00 after half-up rounding
    assert abs(share - Decimal(overall)) < Decimal("0.005")


def test_execution_alert_counts(runs) -> None:
    may, aug = (runs[m].region_pl.row(0, named=True) for m in (5, 8))
    assert (may["red_projects"], may["yellow_projects"], may["green_projects"]) == (79, 56, 465)
    assert (aug["red_projects"], aug["yellow_projects"], aug["green_projects"]) == (51, 35, 514)
    assert may["red_budget"] == 23044.49 and aug["red_budget"] == 17533.92
    assert may["budget_zero_projects"] == aug["budget_zero_projects"] == 2


def test_lagging_projects_are_red_all_year(runs) -> None:
    lagging = CHRONIC + DECEMBER_2024 + IDLE
    for month in (5, 8):
        assert alerts(runs[month], lagging, "execution_alert") == {"red"}
        assert set(runs[month].review_pl.get_column("unit_code")) >= set(lagging)


def test_slow_starters_catch_up(runs) -> None:
    assert alerts(runs[5], LATE, "execution_alert") == {"red"}
    assert alerts(runs[8], LATE, "execution_alert") == {"green"}


def test_year_end_rush_is_red_in_may_and_august(runs) -> None:
    for month in (5, 8):
        assert alerts(runs[month], RUSH, "execution_alert") == {"red"}
    p = pl.read_csv(SAMPLE / "projects.csv").filter(
        (pl.col("year") == 2024) & pl.col("project_code").is_in(RUSH)
    )
    assert (p["executed"] >= 0.8 * p["budget_full_year"]).all()


def test_budget_zero_projects_have_no_alert(runs) -> None:
    for month in (5, 8):
        zero = runs[month].alerts_pl.filter(pl.col("execution_note") == "budget_zero")
        assert sorted(zero.get_column("unit_code")) == BUDGET_ZERO_2024
        assert zero.get_column("execution_alert").null_count() == 2


def test_over_completed_indicators_are_blue_by_august(runs) -> None:
    ind = pl.read_csv(SAMPLE / "indicators.csv", infer_schema=False).filter(
        (pl.col("year") == "2024") & (pl.col("direction") == "正向") & (pl.col("unit") != "%")
    )
    planted = (
        ind.with_columns(pl.col("target", "actual").cast(pl.Float64))
        .filter(pl.col("actual") >= 1.3 * pl.col("target"))
        .filter(~pl.col("unit_code").is_in(CHRONIC + DECEMBER_2024 + IDLE + LATE + RUSH))
        .select("unit_code", "name")
    )
    assert planted.height > 50
    aug = runs[8].indicator_alerts_pl.join(planted, on=["unit_code", "name"], how="semi")
    assert aug.height == planted.height
    assert set(aug.get_column("indicator_alert")) == {"blue"}
    blue = runs[8].indicator_alerts_pl.filter(pl.col("indicator_alert") == "blue")
    assert (blue.height, blue.get_column("unit_code").n_unique()) == (83, 81)
    may = runs[5].indicator_alerts_pl.filter(pl.col("indicator_alert") == "blue")
    assert (may.height, may.get_column("unit_code").n_unique()) == (7, 7)


def test_lagging_projects_have_a_red_indicator_in_may(runs) -> None:
    every = CHRONIC + DECEMBER_2024 + IDLE + LATE + RUSH + BUDGET_ZERO_2024
    assert alerts(runs[5], every, "indicator_alert") == {"red"}


def test_department_picture(runs) -> None:
    departments = runs[8].departments_pl
    assert departments.height == 40
    assert departments.get_column("projects").sum() == 602
    assert departments.get_column("sentence").str.contains("序时进度66.67%").all()
    d41 = departments.filter(pl.col("dept_code") == "D41").row(0, named=True)
    assert d41["dept_name"] == "农业农村局"

"""Rounding (docs/scoring.md): items half-up to 2 decimals, totals are sums of items.

Binary floating point must never move a total across a grade boundary; these
tests build scores that sit exactly on the .xx5 ties and on the 90.00 boundary.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit
from perfkit.numbers import round_half_up
from tests.builders import project

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def indicators(*rows: tuple[str, str, str, str]) -> pl.DataFrame:
    """Positive indicators of P1 given as (level1, weight, target, actual)."""
    return pl.DataFrame(
        [
            {
                "year": "2024",
                "unit_code": "P1",
                "level1": level1,
                "level2": "数量指标",
                "name": f"指标{i}",
                "direction": "正向",
                "target": target,
                "actual": actual,
                "weight": weight,
            }
            for i, (level1, weight, target, actual) in enumerate(rows, start=1)
        ]
    )


def score_weight_5(actual: str) -> tuple[float, dict]:
    """A weight-5 positive indicator (target 100) next to full-marks indicators (90 given)."""
    result = perfkit.score(
        project(),
        indicators(
            ("产出指标", "5", "100", actual),
            ("产出指标", "45", "100", "100"),
            ("效益指标", "30", "100", "100"),
            ("满意度指标", "10", "100", "100"),
        ),
    )
    item = result.items.filter(pl.col("item") == "指标1").row(0, named=True)
    return item["points"], result.units.row(0, named=True)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("40.1", 2.01),  # 5 × 40.1 / 100 = 2.005 → 2.01 (a float would give 2.00)
        ("42.5", 2.13),  # 5 × 42.5 / 100 = 2.125 → 2.13 (round-half-even would give 2.12)
        ("40.09", 2.0),  # 2.0045 → 2.00
        ("40.3", 2.02),  # 2.015 → 2.02
        ("0.1", 0.01),  # 0.005 → 0.01
        ("0.09", 0.0),  # 0.0045 → 0.00
    ],
)
def test_item_points_round_half_up(actual: str, expected: float) -> None:
    points, unit = score_weight_5(actual)
    assert points == expected
    assert round(unit["total"] * 100) == round((10 + 45 + 30 + 10 + expected) * 100)


def test_round_half_up_function() -> None:
    assert round_half_up(2.675) == Decimal("2.68")  # 2.67499999… as a double
    assert round_half_up(89.995) == Decimal("90.00")
    assert round_half_up(1.005) == Decimal("1.01")
    assert round_half_up("22.295") == Decimal("22.30")
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_up(2.665) == Decimal("2.67")
    assert round_half_up(86.23) == Decimal("86.23")
    assert round_half_up(7) == Decimal("7.00")
    assert round_half_up("2.6749") == Decimal("2.67")
    assert round_half_up(12.3456, 3) == Decimal("12.346")
    assert str(round_half_up(89.995)) == "90.00"


def test_grade_function_reads_the_rounded_score() -> None:
    assert perfkit.grade(89.995) == "优"
    assert perfkit.grade(89.994) == "良"
    assert perfkit.grade("89.99") == "良"
    assert perfkit.grade(Decimal("90")) == "优"
    assert perfkit.grade(79.995) == "良"
    assert perfkit.grade(59.995) == "中"
    assert perfkit.grade(59.99) == "差"


def _boundary_project(weight5_actual: str) -> dict:
    """预算执行率 10 + 2.01|2.00 (weight 5) + 45 + 30 + 2.99 (weight 10 at 29.9 %)."""
    result = perfkit.score(
        project(),
        indicators(
            ("产出指标", "5", "100", weight5_actual),
            ("产出指标", "45", "100", "100"),
            ("效益指标", "30", "100", "100"),
            ("满意度指标", "10", "100", "29.9"),
        ),
    )
    assert result.units.height == 1
    return result.units.row(0, named=True) | {
        "_items": result.items.sort("source_row").get_column("points").to_list()
    }


def test_total_exactly_90_from_half_up_items_is_优() -> None:
    # unrounded, the items add up to 10 + 2.005 + 45 + 30 + 2.99 = 89.995;
    # rounded items 10 + 2.01 + 45 + 30 + 2.99 = 90.00, and the total is that sum
    unit = _boundary_project("40.1")
    assert unit["_items"] == [10.0, 2.01, 45.0, 30.0, 2.99]
    assert unit["total"] == 90.0
    assert unit["grade"] == "优"
    assert unit["产出指标"] == 47.01
    assert unit["满意度指标"] == 2.99


def test_total_89_99_is_良() -> None:
    unit = _boundary_project("40.09")  # 2.0045 → 2.00
    assert unit["_items"] == [10.0, 2.0, 45.0, 30.0, 2.99]
    assert unit["total"] == 89.99
    assert unit["grade"] == "良"


def test_total_is_the_exact_sum_of_many_rounded_items() -> None:
    # ten weight-5 indicators at 1/3 (1.666… → 1.67 each) and items at .xx5 ties
    rows = [("产出指标", "5", "3", "1")] * 10 + [
        ("效益指标", "30", "100", "33.35"),
        ("满意度指标", "10", "100", "70.07"),
    ]
    result = perfkit.score(project(executed="33.35"), indicators(*rows))
    items = result.items.get_column("points").to_list()
    assert items[:1] == [3.34]  # 预算执行率 10 × 0.3335 = 3.335 → 3.34
    assert items[1:11] == [1.67] * 10
    assert items[11:] == [10.01, 7.01]  # 30 × 0.3335 = 10.005 → 10.01; 7.007 → 7.01
    unit = result.units.row(0, named=True)
    assert unit["total"] == 37.06
    assert unit["产出指标"] == 16.7
    assert round(unit["total"] * 100) == sum(round(p * 100) for p in items)


def test_sample_totals_are_sums_of_rounded_items() -> None:
    result = perfkit.score(SAMPLE / "projects.csv", SAMPLE / "indicators.csv")
    cents = (pl.col("points") * 100).round(0).cast(pl.Int64)
    by_unit = result.items.group_by("year", "unit_code").agg(cents.sum().alias("item_cents"))
    units = result.units.select(
        "year",
        "unit_code",
        (pl.col("total") * 100).round(0).cast(pl.Int64).alias("total_cents"),
        "grade",
    )
    joined = units.join(by_unit, on=["year", "unit_code"], how="full", coalesce=True)
    assert joined.height == result.units.height > 0
    assert joined.filter(
        pl.col("total_cents").is_null() | pl.col("item_cents").is_null()
    ).is_empty()
    mismatched = joined.filter(pl.col("total_cents") != pl.col("item_cents"))
    assert mismatched.is_empty(), mismatched.head(5)
    # every grade is read off the (exact) total
    system = result.system
    regraded = [perfkit.grade(Decimal(c) / 100, system) for c in joined["total_cents"]]
    assert regraded == joined.get_column("grade").to_list()
    # and every item is a two-decimal value
    assert all(abs(p * 100 - round(p * 100)) < 1e-6 for p in result.items.get_column("points"))

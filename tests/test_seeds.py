"""Published figures (docs/scoring.md, "Published figures"), reproduced by perfkit's functions.

These are real numbers from annual reports: a foreign-affairs office spent
4229.50 of 18966.53 万元 (execution 22.30 %); a prefecture's budget review cut
863354.51 of 2609623.78 (审减率 33.08 %; prefecture level 51.03 %, counties
22.14 %); departments scored 86.23 → 良 and 91.11 → 优.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit

ROOT = Path(__file__).resolve().parents[1]
LOCAL_VARIANT = ROOT / "parameters" / "systems" / "local-variant.yaml"


def test_execution_rate_of_the_foreign_affairs_office() -> None:
    assert perfkit.execution_rate(4229.50, 18966.53) == Decimal("22.30")
    assert perfkit.execution_rate("4229.50", "18966.53") == Decimal("22.30")
    assert perfkit.execution_rate(Decimal("4229.50"), Decimal("18966.53")) == Decimal("22.30")
    assert str(perfkit.execution_rate(4229.50, 18966.53)) == "22.30"


def test_execution_rate_budget_zero_is_undefined_not_an_error() -> None:
    assert perfkit.execution_rate(5, 0) is None
    with pytest.raises(ValueError, match="must not be negative"):
        perfkit.execution_rate(-1, 100)


def _office_project(system: object = "project-self-eval") -> dict:
    projects = pl.DataFrame(
        {
            "year": ["2022"],
            "project_code": ["WSB-2022"],
            "project_name": ["外事工作经费"],
            "dept_code": ["WSB"],
            "dept_name": ["自治区外事办公室"],
            "budget_initial": ["18966.53"],
            "budget_full_year": ["18966.53"],
            "executed": ["4229.50"],
        }
    )
    indicators = pl.DataFrame(
        {
            "year": ["2022"] * 3,
            "unit_code": ["WSB-2022"] * 3,
            "level1": ["产出指标", "效益指标", "满意度指标"],
            "level2": ["数量指标", "社会效益指标", "服务对象满意度指标"],
            "name": ["外事活动次数", "对外交流成效", "服务对象满意度"],
            "direction": ["正向", "定性", "≥"],
            "target": ["20", "达成年度指标", "90"],
            "actual": ["20", "达成年度指标", "95"],
        }
    )
    result = perfkit.score(projects, indicators, system=system)
    assert result.units.height == 1
    return result.units.row(0, named=True)


def test_execution_rate_of_the_foreign_affairs_office_through_the_engine() -> None:
    unit = _office_project()
    assert unit["budget_full_year"] == 18966.53
    assert unit["executed"] == 4229.5
    assert unit["execution_rate"] == 22.3
    assert unit["预算执行率"] == 2.23  # 10 × 4229.50 / 18966.53 = 2.2300… → 2.23
    assert unit["total"] == 92.23
    assert unit["grade"] == "优"
    assert unit["flag_unspent_over_20"] is True


def test_execution_points_of_the_office_under_the_local_variant() -> None:
    unit = _office_project(LOCAL_VARIANT)
    assert unit["execution_rate"] == 22.3
    assert unit["预算执行率"] == 4.46  # 20 × 0.22300 = 4.4600…


@pytest.mark.parametrize(
    ("reduced", "submitted", "expected"),
    [
        (863354.51, 2609623.78, "33.08"),  # the prefecture's budget review as a whole
        (504592.31, 988909.67, "51.03"),  # prefecture level
        (358762.2, 1620714.11, "22.14"),  # counties
    ],
)
def test_reduction_rates_of_the_prefecture(reduced: float, submitted: float, expected: str) -> None:
    assert perfkit.reduction_rate(reduced, submitted) == Decimal(expected)
    assert perfkit.reduction_rate(str(reduced), str(submitted)) == Decimal(expected)


def test_reduction_parts_add_up_to_the_whole() -> None:
    """The two levels' cuts and submissions are the published whole, and perfkit's rate of
    the summed parts is the whole's 33.08 % — money-weighted, not the mean of the two rates."""
    reduced = [Decimal("504592.31"), Decimal("358762.2")]
    submitted = [Decimal("988909.67"), Decimal("1620714.11")]
    assert (sum(reduced), sum(submitted)) == (Decimal("863354.51"), Decimal("2609623.78"))
    whole = perfkit.reduction_rate(sum(reduced), sum(submitted))
    assert whole == Decimal("33.08")
    # the same from float sums, as a user adds them in Python: no drift across the cent
    assert perfkit.reduction_rate(504592.31 + 358762.2, 988909.67 + 1620714.11) == whole
    parts = [perfkit.reduction_rate(r, s) for r, s in zip(reduced, submitted, strict=True)]
    assert parts == [Decimal("51.03"), Decimal("22.14")]
    assert sum(parts) / 2 != whole


@pytest.mark.parametrize(
    ("score", "grade"),
    [(86.23, "良"), (91.11, "优"), ("86.23", "良"), (Decimal("91.11"), "优")],
)
def test_published_grades(score: object, grade: str) -> None:
    assert perfkit.grade(score) == grade
    assert perfkit.grade(score, system="project-self-eval") == grade


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (86.23, "优"),  # 优 ≥ 80 locally
        (91.11, "优"),
        (80, "优"),
        (79.99, "良"),
        (70, "良"),
        (69.99, "中"),
        (60, "中"),
        (59.99, "差"),
    ],
)
def test_grades_under_the_local_variant_bands(score: float, grade: str) -> None:
    assert perfkit.grade(score, system=LOCAL_VARIANT) == grade
    assert perfkit.grade(score, system=str(LOCAL_VARIANT)) == grade

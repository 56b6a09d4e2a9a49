"""The scoring rules of docs/scoring.md, at their edges.

Every rule kind is checked twice: end to end through :func:`perfkit.score` on a
small hand-made project, and directly on the vectorised expressions in
:mod:`perfkit.scoring._rules`.  Numbers are exact: points are compared as the two-decimal
values the rules define.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import perfkit
from perfkit.numbers import FIXED, SCALE
from perfkit.scoring._rules import (
    equal_cents,
    execution_cents,
    over_completed,
    positive_cents,
    reverse_cents,
    share_cents,
)
from perfkit.systems._model import Flags, OverCompletion
from tests.builders import project

ROOT = Path(__file__).resolve().parents[1]
LOCAL_VARIANT = ROOT / "parameters" / "systems" / "local-variant.yaml"

# ---------------------------------------------------------------- helpers


def ind(
    level1: str = "产出指标",
    direction: str = "正向",
    target: object = "100",
    actual: object = "100",
    **extra: object,
) -> dict[str, str | None]:
    """One indicator row of P1 (the name is filled in by :func:`indicators`)."""
    row = {"level1": level1, "direction": direction, "target": target, "actual": actual, **extra}
    return {k: None if v is None else str(v) for k, v in row.items()}


def indicators(*rows: dict[str, str | None]) -> pl.DataFrame:
    """The indicators table of P1; a ``weight`` column is always present (null = not given)."""
    out = []
    for i, r in enumerate(rows, start=1):
        base = {
            "year": "2024",
            "unit_code": "P1",
            "level1": "产出指标",
            "level2": "数量指标",
            "name": f"指标{i}",
            "direction": "正向",
            "target": "100",
            "actual": "100",
            "weight": None,
        }
        base.update(r)
        out.append(base)
    columns = list(dict.fromkeys(k for r in out for k in r))
    return pl.DataFrame(
        [{c: r.get(c) for c in columns} for r in out], schema=dict.fromkeys(columns, pl.String)
    )


def score(*rows: dict[str, str | None], system: object = "project-self-eval", **proj: object):
    return perfkit.score(project(**proj), indicators(*rows), system=system)


def indicator_items(result: perfkit.ScoreResult) -> pl.DataFrame:
    return result.items.filter(pl.col("rule") != "execution_rate").sort("source_row")


def points(result: perfkit.ScoreResult) -> list[float]:
    """Indicator points in file order (the execution item left out)."""
    return indicator_items(result).get_column("points").to_list()


def only_unit(result: perfkit.ScoreResult) -> dict:
    assert result.units.height == 1
    return result.units.row(0, named=True)


def fillers(weights: tuple[str, str] = ("30", "10")) -> list[dict[str, str | None]]:
    """Full-marks 效益 and 满意度 indicators carrying the rest of the 90 points."""
    return [ind("效益指标", weight=weights[0]), ind("满意度指标", weight=weights[1])]


def score_one(
    direction: str,
    target: object,
    actual: object,
    *,
    system: object = "project-self-eval",
    **extra: object,
) -> dict:
    """Score one 产出 indicator carrying the whole 产出 weight; return its item row."""
    local = system != "project-self-eval"
    weight = "40" if local else "50"
    rows = [ind("产出指标", direction, target, actual, weight=weight, **extra), *fillers()]
    result = score(*rows, system=system)
    return indicator_items(result).row(0, named=True)


def problems_of(excinfo: pytest.ExceptionInfo) -> list[tuple]:
    return [(p.file, p.row, p.column, p.severity) for p in excinfo.value.problems]


def fx(value: str) -> int:
    """Six-decimal fixed point, as the engine holds numbers."""
    return int(Decimal(value) * SCALE)


def expr_points(fn, weights_cents, actuals, targets, *args) -> list[int]:
    """Run a rule expression over (weight cents, actual, target) rows."""
    df = pl.DataFrame(
        {
            "w": weights_cents,
            "a": [fx(a) for a in actuals],
            "t": [fx(t) for t in targets],
        },
        schema={"w": pl.Int64, "a": FIXED, "t": FIXED},
    )
    return df.select(fn(pl.col("w"), pl.col("a"), pl.col("t"), *args)).to_series().to_list()


# ---------------------------------------------------------------- positive (正向)


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("100", "100", 50.0),  # actual = target → full
        ("100", "0", 0.0),
        ("100", "150", 50.0),  # above target → full, not more
        ("100", "99.99", 50.0),  # 49.995 rounds half-up to 50.00
        ("100", "99.98", 49.99),
        ("100", "40.1", 20.05),
        ("3", "1", 16.67),  # 16.666… → 16.67
        ("0", "0", 50.0),  # target 0: actual ≥ target → full
        ("0", "5", 50.0),
    ],
)
def test_positive_through_engine(target: str, actual: str, expected: float) -> None:
    item = score_one("正向", target, actual)
    assert item["rule"] == "positive"
    assert item["weight"] == 50.0
    assert item["points"] == expected


def test_positive_symbol_is_the_same_rule() -> None:
    assert score_one("≥", "100", "40.1")["points"] == 20.05


def test_positive_expression() -> None:
    got = expr_points(
        positive_cents,
        [5000] * 6,
        ["100", "0", "150", "99.99", "5", "0"],
        ["100", "100", "100", "100", "0", "0"],
    )
    assert got == [5000, 0, 5000, 5000, 5000, 5000]


# ---------------------------------------------------------------- reverse (反向), linear


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("10", 50.0),  # actual = target → full
        ("0", 50.0),  # below target → full
        ("12.5", 37.5),  # 50 × (1 − 2.5/10)
        ("15", 25.0),
        ("13.333", 33.34),  # 50 × 0.6667 = 33.335 → 33.34
        ("19.99", 0.05),
        ("20", 0.0),  # exactly 2 × target → 0
        ("25", 0.0),  # above 2 × target → 0
    ],
)
def test_reverse_linear_through_engine(actual: str, expected: float) -> None:
    item = score_one("反向", "10", actual)
    assert item["rule"] == "reverse/linear"
    assert item["points"] == expected


def test_reverse_symbol_and_zero_target() -> None:
    assert score_one("≤", "0", "0")["points"] == 50.0
    assert score_one("≤", "0", "0.01")["points"] == 0.0


def test_reverse_linear_expression() -> None:
    got = expr_points(
        reverse_cents,
        [5000] * 6,
        ["10", "12.5", "19.99", "20", "25", "0"],
        ["10"] * 6,
    )
    assert got == [5000, 3750, 5, 0, 0, 5000]


# ---------------------------------------------------------------- reverse, ratio variant


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("10", 40.0),
        ("8", 40.0),
        ("12.5", 32.0),  # 40 × 10 / 12.5
        ("15", 26.67),  # 26.666… → 26.67
        ("20", 20.0),  # 2 × target is not 0 under the ratio variant
        ("30", 13.33),
        ("40", 10.0),
    ],
)
def test_reverse_ratio_variant_through_local_system(actual: str, expected: float) -> None:
    item = score_one("反向", "10", actual, system=LOCAL_VARIANT)
    assert item["rule"] == "reverse/ratio"
    assert item["weight"] == 40.0
    assert item["points"] == expected


def test_reverse_ratio_expression() -> None:
    got = expr_points(
        reverse_cents, [4000] * 5, ["10", "12.5", "15", "20", "40"], ["10"] * 5, "ratio"
    )
    assert got == [4000, 3200, 2667, 2000, 1000]


# ---------------------------------------------------------------- equal (等于)


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("0", "0", 50.0),  # target 0, actual 0 → full
        ("0", "0.01", 0.0),  # target 0, actual > 0 → 0
        ("0", "3", 0.0),
        ("4", "4", 50.0),  # target > 0 → as positive
        ("4", "3", 37.5),
        ("4", "5", 50.0),
    ],
)
def test_equal_through_engine(target: str, actual: str, expected: float) -> None:
    item = score_one("等于", target, actual)
    assert item["rule"] == "equal"
    assert item["points"] == expected


def test_equal_symbol() -> None:
    assert score_one("=", "0", "0")["points"] == 50.0
    assert score_one("=", "0", "1")["points"] == 0.0


def test_equal_expression() -> None:
    got = expr_points(
        equal_cents, [500] * 5, ["0", "0.01", "4", "3", "5"], ["0", "0", "4", "4", "4"]
    )
    assert got == [500, 0, 500, 375, 500]


# ---------------------------------------------------------------- qualitative (定性)

FULL = "达成年度指标"
PARTIAL = "部分达成年度指标并具有一定效果"
FAILED = "未达成年度指标且效果较差"


def qual(actual: object, level1: str = "效益指标", **extra: object) -> dict[str, str | None]:
    return ind(level1, "定性", "达成年度指标", actual, **extra)


@pytest.mark.parametrize(
    "phrases",
    [(FULL, PARTIAL, FAILED), ("达成", "部分达成", "未达成")],
    ids=["full-phrases", "short-aliases"],
)
def test_qualitative_default_points(phrases: tuple[str, str, str]) -> None:
    # 效益指标 30 split over three qualitative indicators of weight 10 each
    rows = [
        ind("产出指标", weight="50"),
        *(qual(p, weight="10") for p in phrases),
        ind("满意度指标", weight="10"),
    ]
    result = score(*rows)
    assert points(result) == [50.0, 10.0, 7.0, 3.0, 10.0]  # 100 % / 70 % / 30 %
    assert indicator_items(result).get_column("rule").to_list()[1:4] == ["qualitative"] * 3
    assert only_unit(result)["效益指标"] == 20.0
    assert only_unit(result)["total"] == 90.0


def test_qualitative_default_points_round_half_up() -> None:
    # equal split 30 over 4 → 7.5 each; 70 % of 7.5 = 5.25, 30 % = 2.25
    # equal split 50 over 3 → 16.67, 16.67, 16.66; 70 % of 16.66 = 11.662 → 11.66
    rows = [
        qual(FULL, "产出指标"),
        qual(PARTIAL, "产出指标"),
        qual(PARTIAL, "产出指标"),
        qual(PARTIAL),
        qual(FAILED),
        qual("部分达成"),
        qual("未达成"),
        ind("满意度指标"),
    ]
    result = score(*rows)
    assert indicator_items(result).get_column("weight").to_list() == [
        16.67,
        16.67,
        16.66,
        7.5,
        7.5,
        7.5,
        7.5,
        10.0,
    ]
    assert points(result) == [16.67, 11.67, 11.66, 5.25, 2.25, 5.25, 2.25, 10.0]


@pytest.mark.parametrize(
    ("actual", "entered", "expected"),
    [
        (FULL, "8", 8.0),  # lower bound of 80–100 % is inclusive
        (FULL, "10", 10.0),  # so is the upper bound
        ("达成", "9.5", 9.5),
        (PARTIAL, "6", 6.0),
        (PARTIAL, "7.99", 7.99),  # 80 % itself belongs to 达成, not to 部分达成
        ("部分达成", "6.5", 6.5),
        (FAILED, "0", 0.0),
        (FAILED, "5.99", 5.99),
        ("未达成", "3", 3.0),
    ],
)
def test_qualitative_entered_score_inside_band_is_used(
    actual: str, entered: str, expected: float
) -> None:
    rows = [ind("产出指标", weight="50"), qual(actual, weight="10", self_points=entered)]
    rows += [ind("效益指标", weight="20"), ind("满意度指标", weight="10")]
    item = indicator_items(score(*rows)).row(1, named=True)
    assert item["points"] == expected
    assert item["self_points"] == float(entered)
    assert item["points_diff"] == 0.0


@pytest.mark.parametrize(
    ("actual", "entered"),
    [
        (FULL, "7.99"),
        ("达成", "0"),
        (PARTIAL, "8"),  # the 部分达成 band is 60–<80 %
        (PARTIAL, "5.99"),
        ("部分达成", "10"),
        (FAILED, "6"),  # the 未达成 band is 0–<60 %
        ("未达成", "9"),
    ],
)
def test_qualitative_entered_score_outside_band_is_an_error(actual: str, entered: str) -> None:
    rows = [ind("产出指标", weight="50"), qual(actual, weight="10", self_points=entered)]
    rows += [ind("效益指标", weight="20"), ind("满意度指标", weight="10")]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows)
    assert problems_of(excinfo) == [("<indicators>", 2, "self_points", "error")]
    message = excinfo.value.problems[0].message
    assert f"entered score {entered} is outside the band of level" in message
    assert "of weight 10.00" in message


def test_qualitative_band_error_names_file_row_and_source_header(tmp_path: Path) -> None:
    proj = tmp_path / "projects.csv"
    inds = tmp_path / "indicators.csv"
    project().write_csv(proj)
    table = indicators(
        ind("产出指标", weight="50"),
        qual("部分达成", weight="10", self_points="9"),
        ind("效益指标", weight="20"),
        ind("满意度指标", weight="10"),
    ).rename({"weight": "分值", "self_points": "自评得分", "actual": "实际完成值"})
    table.write_csv(inds)
    with pytest.raises(perfkit.InputError) as excinfo:
        perfkit.score(proj, inds)
    # the header is row 1 of the file, so the second indicator is row 3
    assert problems_of(excinfo) == [("indicators.csv", 3, "自评得分", "error")]


def test_qualitative_invalid_phrase_is_an_error() -> None:
    rows = [ind("产出指标"), ind("效益指标"), qual("基本完成了", "满意度指标")]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows)
    assert problems_of(excinfo) == [("<indicators>", 3, "actual", "error")]
    message = excinfo.value.problems[0].message
    assert message.startswith("qualitative result '基本完成了' is not one of the three levels")
    assert FULL in message and PARTIAL in message and FAILED in message


def test_qualitative_empty_actual_is_an_error() -> None:
    rows = [ind("产出指标"), qual(None), ind("满意度指标")]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows)
    assert problems_of(excinfo) == [("<indicators>", 2, "actual", "error")]
    assert excinfo.value.problems[0].message == "missing value"


def test_qualitative_default_share_expression() -> None:
    df = pl.DataFrame(
        {"w": [1000, 1666, 750], "pct": [fx("70"), fx("70"), fx("30")]},
        schema={"w": pl.Int64, "pct": FIXED},
    )
    got = df.select(share_cents(pl.col("w"), pl.col("pct"))).to_series().to_list()
    assert got == [700, 1166, 225]


# ---------------------------------------------------------------- 预算执行率


def test_execution_rate_budget_zero_scores_zero_and_flags() -> None:
    rows = [ind("产出指标"), ind("效益指标"), ind("满意度指标")]
    unit = only_unit(score(*rows, budget_full_year="0", executed="5"))
    assert unit["预算执行率"] == 0.0
    assert unit["execution_rate"] is None
    assert unit["flag_budget_zero"] is True
    assert unit["total"] == 90.0
    assert "budget_zero" in unit["flags"].split(";")


def test_execution_rate_budget_zero_nothing_spent() -> None:
    rows = [ind("产出指标"), ind("效益指标"), ind("满意度指标")]
    unit = only_unit(score(*rows, budget_full_year="0", executed="0"))
    assert unit["预算执行率"] == 0.0
    assert unit["flag_budget_zero"] is True
    assert unit["flag_execution_over_100"] is False


def test_execution_over_budget_is_capped_and_flagged() -> None:
    rows = [ind("产出指标"), ind("效益指标"), ind("满意度指标")]
    result = score(*rows, budget_full_year="100", executed="120")
    unit = only_unit(result)
    assert unit["预算执行率"] == 10.0  # min(120/100, 1) × 10
    assert unit["execution_rate"] == 120.0  # the reported rate itself is not capped
    assert unit["flag_execution_over_100"] is True
    assert unit["flag_budget_zero"] is False
    assert unit["total"] == 100.0
    exec_item = result.items.filter(pl.col("rule") == "execution_rate").row(0, named=True)
    assert (exec_item["weight"], exec_item["points"]) == (10.0, 10.0)
    assert (exec_item["target"], exec_item["actual"]) == ("100", "120")


def test_execution_rate_partial_uses_full_year_budget() -> None:
    rows = [ind("产出指标"), ind("效益指标"), ind("满意度指标")]
    unit = only_unit(
        score(*rows, budget_initial="50", budget_full_year="18966.53", executed="4229.50")
    )
    assert unit["execution_rate"] == 22.3
    assert unit["预算执行率"] == 2.23


def test_execution_rate_twenty_points_in_local_variant() -> None:
    rows = [ind("产出指标"), ind("效益指标"), ind("满意度指标")]
    unit = only_unit(score(*rows, system=LOCAL_VARIANT, executed="40.1"))
    assert unit["预算执行率"] == 8.02  # 20 × 0.401


def test_execution_expression() -> None:
    df = pl.DataFrame(
        {"e": [fx("5"), fx("0"), fx("120"), fx("100"), fx("4229.50")]},
        schema={"e": FIXED},
    ).with_columns(pl.Series("b", [0, 0, fx("100"), fx("100"), fx("18966.53")], dtype=FIXED))
    got = df.select(execution_cents(pl.lit(1000), pl.col("e"), pl.col("b"))).to_series()
    assert got.to_list() == [0, 0, 1000, 1000, 223]


# ---------------------------------------------------------------- over-completion (超额完成)


@pytest.mark.parametrize(
    ("direction", "target", "actual", "flagged"),
    [
        ("正向", "100", "130", True),  # exactly 130 % is flagged
        ("正向", "100", "129.99", False),
        ("正向", "33.33", "43.329", True),  # exactly 130 % of a decimal target
        ("正向", "33.33", "43.3289", False),
        ("正向", "100", "500", True),
        ("等于", "10", "13", True),
        ("等于", "0", "5", False),  # no ratio to a zero target
        ("正向", "0", "5", False),
        ("反向", "10", "13", False),  # only positive and equal indicators over-complete
    ],
)
def test_over_completion_flag(direction: str, target: str, actual: str, flagged: bool) -> None:
    rows = [ind("产出指标", direction, target, actual, weight="50"), *fillers()]
    result = score(*rows)
    item = indicator_items(result).row(0, named=True)
    assert item["over_completion"] is flagged
    unit = only_unit(result)
    assert unit["flag_over_completion"] is flagged
    assert ("over_completion" in unit["flags"].split(";")) is flagged
    if direction == "正向" and flagged:
        assert item["points"] == 50.0  # default action is flag only, no deduction


def test_over_completion_expression() -> None:
    df = pl.DataFrame(
        {
            "a": [fx(x) for x in ["129.99", "130", "130.01", "43.329", "43.3289", "5"]],
            "t": [fx(x) for x in ["100", "100", "100", "33.33", "33.33", "0"]],
        },
        schema={"a": FIXED, "t": FIXED},
    )
    got = df.select(over_completed(pl.col("a"), pl.col("t"), 130)).to_series().to_list()
    assert got == [False, True, True, True, False, False]


@pytest.mark.parametrize(
    ("direction", "target", "actual", "expected", "flagged"),
    [
        ("正向", "100", "130", 36.0, True),  # 40 − 10 % of 40
        ("正向", "100", "129.99", 40.0, False),
        ("正向", "100", "200", 36.0, True),
        ("等于", "10", "13", 36.0, True),
        ("反向", "10", "13", 30.77, False),  # ratio variant: 40 × 10/13, no deduction
    ],
)
def test_local_variant_deducts_for_over_completion(
    direction: str, target: str, actual: str, expected: float, flagged: bool
) -> None:
    item = score_one(direction, target, actual, system=LOCAL_VARIANT)
    assert item["over_completion"] is flagged
    assert item["points"] == expected


def test_local_variant_deduction_on_split_weight_rounds_half_up() -> None:
    # 产出 40 split over 3 → 13.34, 13.33, 13.33; 10 % of 13.34 = 1.334 → 1.33
    rows = [
        ind("产出指标", actual="150"),
        ind("产出指标", actual="130"),
        ind("产出指标", actual="100"),
        ind("效益指标"),
        ind("满意度指标"),
    ]
    result = score(*rows, system=LOCAL_VARIANT)
    assert indicator_items(result).get_column("weight").to_list()[:3] == [13.34, 13.33, 13.33]
    assert points(result) == [12.01, 12.0, 13.33, 30.0, 10.0]
    assert only_unit(result)["total"] == 97.34


# ---------------------------------------------------------------- weights (分值)


def test_equal_split_fifty_over_three_in_file_order() -> None:
    # the 产出 rows are interleaved with 效益 rows; extra cents go to the first in file order
    rows = [
        ind("产出指标"),
        ind("效益指标"),
        ind("产出指标"),
        ind("满意度指标"),
        ind("产出指标"),
    ]
    result = score(*rows)
    items = indicator_items(result)
    assert items.get_column("weight").to_list() == [16.67, 30.0, 16.67, 10.0, 16.66]
    assert set(items.get_column("weight_source").to_list()) == {"equal_split"}
    unit = only_unit(result)
    assert unit["产出指标"] == 50.0
    assert unit["total"] == 100.0
    assert unit["weights_given"] is False


def test_equal_split_satisfaction_ten_over_three() -> None:
    rows = [ind("产出指标"), ind("效益指标")] + [ind("满意度指标") for _ in range(3)]
    weights = indicator_items(score(*rows)).get_column("weight").to_list()
    assert weights == [50.0, 30.0, 3.34, 3.33, 3.33]


def test_redistribution_without_satisfaction_is_exact() -> None:
    rows = [ind("产出指标"), ind("效益指标")]
    result = score(*rows)
    assert indicator_items(result).get_column("weight").to_list() == [56.25, 33.75]
    unit = only_unit(result)
    assert (unit["产出指标"], unit["效益指标"]) == (56.25, 33.75)
    assert unit["total"] == 100.0
    assert unit["grade"] == "优"


def test_redistribution_then_split_keeps_full_marks_exactly_100() -> None:
    # 56.25 over 7 → 8.04 ×4, 8.03 ×3; 33.75 over 4 → 8.44, 8.44, 8.44, 8.43
    rows = [ind("产出指标") for _ in range(7)] + [ind("效益指标") for _ in range(4)]
    result = score(*rows)
    weights = indicator_items(result).get_column("weight").to_list()
    assert weights == [8.04] * 4 + [8.03] * 3 + [8.44] * 3 + [8.43]
    assert sum(round(w * 100) for w in weights) == 9000
    unit = only_unit(result)
    assert unit["total"] == 100.0
    assert unit["n_indicators"] == 11


def test_given_weights_totalling_90_are_used_as_given() -> None:
    rows = [
        ind("产出指标", weight="45.5"),
        ind("产出指标", weight="4.5", actual="50"),
        ind("效益指标", weight="30"),
        ind("满意度指标", weight="10"),
    ]
    result = score(*rows)
    items = indicator_items(result)
    assert items.get_column("weight").to_list() == [45.5, 4.5, 30.0, 10.0]
    assert set(items.get_column("weight_source").to_list()) == {"given"}
    assert points(result) == [45.5, 2.25, 30.0, 10.0]
    unit = only_unit(result)
    assert unit["weights_given"] is True
    assert unit["total"] == 97.75
    assert result.warnings == []


def test_given_weights_totalling_89_is_an_error_naming_the_unit() -> None:
    rows = [
        ind("产出指标", weight="50"),
        ind("效益指标", weight="29"),
        ind("满意度指标", weight="10"),
    ]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows)
    assert problems_of(excinfo) == [("<indicators>", 1, "weight", "error")]
    assert excinfo.value.problems[0].message.startswith(
        "weights of unit P1 (2024) add up to 89, not 90"
    )
    report = perfkit.validate(project(), indicators(*rows))
    assert report.ok is False
    assert [p.message for p in report.errors] == [excinfo.value.problems[0].message]


def test_given_weights_in_local_variant_must_total_80() -> None:
    rows = [ind("产出指标", weight="50"), *fillers()]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows, system=LOCAL_VARIANT)
    assert "add up to 90, not 80" in excinfo.value.problems[0].message


def test_mixed_given_and_missing_weights_is_an_error() -> None:
    rows = [
        ind("产出指标", weight="50"),
        ind("效益指标", weight=None),
        ind("满意度指标", weight="10"),
    ]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows)
    assert problems_of(excinfo) == [("<indicators>", 2, "weight", "error")]
    assert excinfo.value.problems[0].message == (
        "weight missing while other indicators of P1 have one (give all or none)"
    )


def test_group_totals_differing_from_system_are_only_warnings() -> None:
    rows = [
        ind("产出指标", weight="60"),
        ind("效益指标", weight="20"),
        ind("满意度指标", weight="10"),
    ]
    result = score(*rows)
    assert only_unit(result)["total"] == 100.0
    # (the order of result.warnings is not stable: compare sorted)
    assert sorted((p.row, p.column, p.severity) for p in result.warnings) == [
        (1, "weight", "warning"),
        (2, "weight", "warning"),
    ]
    messages = sorted(p.message for p in result.warnings)
    assert messages == [
        "weights of P1 (2024) in 产出指标 add up to 60.00, not the system's 50.00",
        "weights of P1 (2024) in 效益指标 add up to 20.00, not the system's 30.00",
    ]
    report = perfkit.validate(project(), indicators(*rows))
    assert report.ok is True
    assert report.errors == []
    assert len(report.problems) == 2


def test_entered_points_above_weight_is_an_error() -> None:
    rows = [
        ind("产出指标", weight="50", self_points="50.01"),
        ind("效益指标", weight="30", self_points="30"),
        ind("满意度指标", weight="10", self_points="9"),
    ]
    with pytest.raises(perfkit.InputError) as excinfo:
        score(*rows)
    assert problems_of(excinfo) == [("<indicators>", 1, "self_points", "error")]
    assert excinfo.value.problems[0].message == (
        "entered score 50.01 is above its maximum (weight) 50.00"
    )


def test_entered_points_on_quantitative_indicators_are_compared_not_used() -> None:
    rows = [
        ind("产出指标", weight="50", actual="40.1", self_points="25"),
        ind("效益指标", weight="30", self_points="30"),
        ind("满意度指标", weight="10", self_points="10"),
    ]
    items = indicator_items(score(*rows))
    assert items.get_column("points").to_list() == [20.05, 30.0, 10.0]
    assert items.get_column("points_diff").to_list() == [-4.95, 0.0, 0.0]


# ---------------------------------------------------------------- flags


def full_rows() -> list[dict[str, str | None]]:
    return [ind("产出指标"), ind("效益指标"), ind("满意度指标")]


@pytest.mark.parametrize(
    ("executed", "self_score", "flagged"),
    [
        ("79.99", "100", True),  # self-score 100 with execution below 80 %
        ("80", "100", False),  # 80 % is not below 80 %
        ("50", "99.99", False),  # only a self-score of exactly 100
        ("0", "100", True),
    ],
)
def test_flag_self_100_low_execution(executed: str, self_score: str, flagged: bool) -> None:
    unit = only_unit(score(*full_rows(), executed=executed, self_score=self_score))
    assert unit["flag_self_100_low_execution"] is flagged
    assert ("self_100_low_execution" in unit["flags"].split(";")) is flagged


def test_flag_self_100_low_execution_with_budget_zero() -> None:
    unit = only_unit(score(*full_rows(), budget_full_year="0", executed="0", self_score="100"))
    assert unit["flag_self_100_low_execution"] is True


@pytest.mark.parametrize(
    ("self_score", "diff", "flagged"),
    [
        ("94.99", -5.01, True),  # more than 5 points below the recomputed 100
        ("95", -5.0, False),  # exactly 5 is not "more than 5"
        ("95.01", -4.99, False),
        ("100", 0.0, False),
    ],
)
def test_flag_self_score_diff(self_score: str, diff: float, flagged: bool) -> None:
    unit = only_unit(score(*full_rows(), self_score=self_score))
    assert unit["total"] == 100.0
    assert unit["score_diff"] == diff
    assert unit["flag_self_score_diff"] is flagged


def test_flag_self_score_diff_above_the_recomputed_score() -> None:
    # total 90.00 (budget 0 → 预算执行率 0); self-score 95.01 is 5.01 above
    unit = only_unit(score(*full_rows(), budget_full_year="0", executed="0", self_score="95.01"))
    assert unit["total"] == 90.0
    assert unit["score_diff"] == 5.01
    assert unit["flag_self_score_diff"] is True


def test_flag_self_score_diff_on_a_grade_mismatch() -> None:
    # 2 points apart but the self-grade 良 differs from the recomputed 优
    unit = only_unit(score(*full_rows(), self_score="98", self_grade="良"))
    assert unit["grade"] == "优"
    assert unit["flag_self_score_diff"] is True
    assert unit["flag_self_grade_better"] is False


def test_flag_self_grade_better() -> None:
    unit = only_unit(score(*full_rows(), executed="0", self_score="92", self_grade="优"))
    assert unit["total"] == 90.0
    assert unit["grade"] == "优"
    assert unit["flag_self_grade_better"] is False
    rows = [ind("产出指标", actual="50"), ind("效益指标"), ind("满意度指标")]
    unit = only_unit(score(*rows, self_score="92", self_grade="优"))
    assert (unit["total"], unit["grade"]) == (75.0, "中")
    assert unit["flag_self_grade_better"] is True


# ---------------------------------------------------------------- configurable thresholds


def _with(system: str | Path = "project-self-eval", **update: object) -> perfkit.System:
    return perfkit.load_system(system).model_copy(update=update)


# Regression: at f30613a over_completion.threshold_pct went through float and int()
# (int(float(100.07) * 10**4) == 1000699), so 100.0699 % of target was flagged.
def test_over_completion_threshold_with_decimals_is_exact() -> None:
    system = _with(over_completion=OverCompletion(threshold_pct=Decimal("100.07")))
    rows = [ind("产出指标", "正向", "100", "100.0699", weight="50"), *fillers()]
    item = indicator_items(perfkit.score(project(), indicators(*rows), system=system)).row(
        0, named=True
    )
    assert item["over_completion"] is False


def test_over_completion_threshold_with_decimals_flags_at_the_threshold() -> None:
    system = _with(over_completion=OverCompletion(threshold_pct=Decimal("100.07")))
    rows = [ind("产出指标", "正向", "100", "100.07", weight="50"), *fillers()]
    item = indicator_items(perfkit.score(project(), indicators(*rows), system=system)).row(
        0, named=True
    )
    assert item["over_completion"] is True


# Regression: at f30613a flags.unspent_above_pct was truncated with int() (20.5 → 20).
def test_unspent_threshold_with_decimals_is_exact() -> None:
    system = _with(flags=Flags(unspent_above_pct=Decimal("20.5")))
    unit = only_unit(
        perfkit.score(project(executed="79.6"), indicators(*full_rows()), system=system)
    )
    assert unit["flag_unspent_over_20"] is False
    unit = only_unit(
        perfkit.score(project(executed="79.4"), indicators(*full_rows()), system=system)
    )
    assert unit["flag_unspent_over_20"] is True  # 20.6 % unspent


# Regression: at f30613a flags.self_100_execution_below_pct was truncated (79.5 → 79).
def test_self_100_execution_threshold_with_decimals_is_exact() -> None:
    system = _with(flags=Flags(self_100_execution_below_pct=Decimal("79.5")))
    proj = project(executed="79.2", self_score="100")
    unit = only_unit(perfkit.score(proj, indicators(*full_rows()), system=system))
    assert unit["flag_self_100_low_execution"] is True
    proj = project(executed="79.5", self_score="100")
    unit = only_unit(perfkit.score(proj, indicators(*full_rows()), system=system))
    assert unit["flag_self_100_low_execution"] is False


# ---------------------------------------------------------------- optional weight column


# Regression: at f30613a a table without the optional weight column crashed in
# scoring._assign_weights (polars ColumnNotFoundError 'weight').
def test_indicators_without_weight_column_are_split_equally() -> None:
    table = indicators(ind("产出指标"), ind("效益指标"), ind("满意度指标")).drop("weight")
    result = perfkit.score(project(), table)
    assert indicator_items(result).get_column("weight").to_list() == [50.0, 30.0, 10.0]
    assert only_unit(result)["total"] == 100.0


def test_given_weights_without_satisfaction_compare_with_the_redistributed_share() -> None:
    rows = [ind("产出指标", weight="56.25"), ind("效益指标", weight="33.75")]
    result = score(*rows)
    assert result.warnings == []
    assert only_unit(result)["total"] == 100.0


def test_split_weights_without_a_required_group_is_an_error() -> None:
    with pytest.raises(perfkit.InputError) as excinfo:
        score(ind("产出指标"), ind("满意度指标"))
    assert problems_of(excinfo) == [("<indicators>", 1, "level1", "error")]
    assert excinfo.value.problems[0].message == (
        "unit P1 (2024): no 效益指标 indicators (the system requires them)"
    )


def test_given_weights_without_a_required_group_are_reported() -> None:
    rows = [ind("产出指标", weight="80"), ind("满意度指标", weight="10")]
    report = perfkit.validate(project(), indicators(*rows))
    assert any("效益指标" in p.message for p in report.problems)


def test_self_score_above_total_is_reported() -> None:
    report = perfkit.validate(project(self_score="105"), indicators(*full_rows()))
    assert [(p.row, p.column) for p in report.problems] == [(1, "self_score")]

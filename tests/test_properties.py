"""Properties of the scoring rules, checked with hypothesis.

The key property is exactness: the engine's points, in cents, equal an
independent computation in Python's ``decimal`` with ROUND_HALF_UP on the
numbers as written (two-decimal strings), for every rule kind.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import perfkit
from perfkit.numbers import FIXED, SCALE, round_half_up
from perfkit.scoring._rules import equal_cents, positive_cents, reverse_cents
from perfkit.scoring._weights import equal_split_cents

SETTINGS = settings(deadline=None, max_examples=200)

DIRECTIONS = {"positive": "正向", "reverse": "反向", "equal": "等于"}


def text_of(cents: int) -> str:
    """Integer hundredths → a number as a person writes it (``12``, ``0.5``, ``3.07``)."""
    whole, frac = divmod(cents, 100)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:02d}".rstrip("0")


#: non-negative numbers with at most two decimals, as text; small and large
amounts = st.one_of(
    st.integers(0, 10_000),
    st.integers(0, 10**10),
    st.sampled_from([0, 1, 5, 50, 100, 125, 200, 333, 1000, 10_000]),
).map(text_of)
#: targets: any amount, or a round one, so that half-cent ties (2.005, 2.125) come up often
target_texts = st.one_of(
    amounts, st.sampled_from(["100", "10", "1000", "200", "50", "8", "4", "2.5", "0.5", "0"])
)
#: weights in cents: 0.01 … 89.99 (the rest of the 90 points goes to a filler indicator)
weight_cents = st.one_of(
    st.integers(1, 8999), st.sampled_from([1, 5, 25, 50, 125, 250, 500, 1000, 2500, 4500])
)
rule_kinds = st.sampled_from(sorted(DIRECTIONS))


def expected_cents(kind: str, target: str, actual: str, weight: int) -> int:
    """Points in cents by the rules of docs/scoring.md, in ``decimal`` with ROUND_HALF_UP.

    The reverse formula ``w × (1 − (a − t)/t)`` is written ``w × (2t − a) / t`` so
    that a single division is done (at 60 digits, exact at every half-cent tie).
    """
    t, a, w = Decimal(target), Decimal(actual), Decimal(weight) / 100
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        if kind == "equal" and t == 0:
            value = w if a <= 0 else Decimal(0)
        elif kind in ("positive", "equal"):
            value = w if (t <= 0 or a >= t) else w * a / t
        elif a <= t:
            value = w
        elif a >= 2 * t:
            value = Decimal(0)
        else:
            value = w * (2 * t - a) / t
        return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fixed(text: str) -> int:
    return int(Decimal(text) * SCALE)


def rule_expr(kind: str):
    return {"positive": positive_cents, "reverse": reverse_cents, "equal": equal_cents}[kind]


def run_rule(kind: str, weights: list[int], actuals: list[str], targets: list[str]) -> list[int]:
    df = pl.DataFrame(
        {"w": weights, "a": [fixed(x) for x in actuals], "t": [fixed(x) for x in targets]},
        schema={"w": pl.Int64, "a": FIXED, "t": FIXED},
    )
    expr = rule_expr(kind)(pl.col("w"), pl.col("a"), pl.col("t"))
    return df.select(expr).to_series().to_list()


# ---------------------------------------------------------------- bounds and monotonicity


@SETTINGS
@given(
    kind=rule_kinds,
    cases=st.lists(st.tuples(target_texts, amounts, weight_cents), min_size=1, max_size=20),
)
def test_points_stay_within_zero_and_weight(kind: str, cases: list[tuple]) -> None:
    targets, actuals, weights = (list(c) for c in zip(*cases, strict=True))
    got = run_rule(kind, weights, actuals, targets)
    for cents, w in zip(got, weights, strict=True):
        assert 0 <= cents <= w


@SETTINGS
@given(target=target_texts, weight=weight_cents, actuals=st.lists(amounts, min_size=2, max_size=20))
def test_positive_points_do_not_decrease_with_actual(
    target: str, weight: int, actuals: list[str]
) -> None:
    actuals = sorted(actuals, key=Decimal)
    got = run_rule("positive", [weight] * len(actuals), actuals, [target] * len(actuals))
    assert got == sorted(got)


@SETTINGS
@given(target=target_texts, weight=weight_cents, actuals=st.lists(amounts, min_size=2, max_size=20))
def test_reverse_points_do_not_increase_with_actual(
    target: str, weight: int, actuals: list[str]
) -> None:
    actuals = sorted(actuals, key=Decimal)
    n = len(actuals)
    for variant in ("linear", "ratio"):
        df = pl.DataFrame(
            {"w": [weight] * n, "a": [fixed(x) for x in actuals], "t": [fixed(target)] * n},
            schema={"w": pl.Int64, "a": FIXED, "t": FIXED},
        )
        got = (
            df.select(reverse_cents(pl.col("w"), pl.col("a"), pl.col("t"), variant))
            .to_series()
            .to_list()
        )
        assert got == sorted(got, reverse=True), variant
        assert all(0 <= c <= weight for c in got)


# ---------------------------------------------------------------- exactness


@SETTINGS
@given(
    kind=rule_kinds,
    cases=st.lists(st.tuples(target_texts, amounts, weight_cents), min_size=1, max_size=20),
)
def test_rule_expressions_equal_decimal_half_up(kind: str, cases: list[tuple]) -> None:
    targets, actuals, weights = (list(c) for c in zip(*cases, strict=True))
    got = run_rule(kind, weights, actuals, targets)
    assert got == [expected_cents(kind, *c) for c in cases]


def _tables(cases: list[tuple[str, str, str, int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One project per case: the case's 产出 indicator plus a full-marks 效益 filler."""
    projects, indicators = [], []
    for i, (kind, target, actual, weight) in enumerate(cases):
        code = f"P{i:03d}"
        projects.append(
            {
                "year": "2024",
                "project_code": code,
                "project_name": f"项目{i}",
                "dept_code": "D1",
                "dept_name": "测试部门",
                "budget_initial": "100",
                "budget_full_year": "100",
                "executed": "100",
            }
        )
        common = {"year": "2024", "unit_code": code, "level2": "数量指标"}
        indicators.append(
            common
            | {
                "level1": "产出指标",
                "name": "被测指标",
                "direction": DIRECTIONS[kind],
                "target": target,
                "actual": actual,
                "weight": text_of(weight),
            }
        )
        indicators.append(
            common
            | {
                "level1": "效益指标",
                "name": "补足指标",
                "direction": "正向",
                "target": "1",
                "actual": "1",
                "weight": text_of(9000 - weight),
            }
        )
    return pl.DataFrame(projects), pl.DataFrame(indicators)


@SETTINGS
@given(
    cases=st.lists(
        st.tuples(rule_kinds, target_texts, amounts, weight_cents), min_size=1, max_size=12
    )
)
def test_engine_cents_equal_decimal_half_up(cases: list[tuple[str, str, str, int]]) -> None:
    projects, indicators = _tables(cases)
    result = perfkit.score(projects, indicators)
    tested = result.items.filter(pl.col("item") == "被测指标").sort("unit_code")
    assert tested.height == len(cases)
    got = [round(p * 100) for p in tested.get_column("points")]
    assert got == [expected_cents(*c) for c in cases]
    # the displayed float is exactly the two-decimal value
    for p, cents in zip(tested.get_column("points"), got, strict=True):
        assert Decimal(str(p)) == Decimal(cents) / 100
    assert [round(w * 100) for w in tested.get_column("weight")] == [c[3] for c in cases]
    # totals: 预算执行率 10 + the tested points + the full filler, exactly
    totals = [round(t * 100) for t in result.units.sort("unit_code").get_column("total")]
    assert totals == [1000 + e + 9000 - c[3] for e, c in zip(got, cases, strict=True)]


@SETTINGS
@given(cents=st.integers(0, 100_000))
def test_grade_is_read_off_the_rounded_total(cents: int) -> None:
    score = Decimal(cents) / 100
    expected = "优" if cents >= 9000 else "良" if cents >= 8000 else "中" if cents >= 6000 else "差"
    assert perfkit.grade(score) == expected
    assert perfkit.grade(str(score)) == expected
    assert round_half_up(float(score)) == score.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- equal split


@SETTINGS
@given(total=st.integers(0, 10_000_000), n=st.integers(1, 200))
def test_equal_split_cents(total: int, n: int) -> None:
    parts = equal_split_cents(total, n)
    assert len(parts) == n
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1
    # extra cents go to the first items: the list never increases
    assert parts == sorted(parts, reverse=True)
    base, extra = divmod(total, n)
    assert parts == [base + 1] * extra + [base] * (n - extra)

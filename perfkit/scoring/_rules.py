"""The scoring rules as vectorised polars expressions (评分规则).

Each function returns one expression that scores every row at once, in integer
cents (see :mod:`perfkit.numbers`): ``weight`` is cents, ``actual``,
``target`` and money are six-decimal fixed point.  The rules are documented in
``docs/scoring.md`` ("Rule kinds"); the formulas below are also what
:data:`RULE_FORMULAS` shows to reviewers.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from perfkit.numbers import FIXED, SCALE, ratio_cents

__all__ = [
    "RULE_FORMULAS",
    "equal_cents",
    "execution_cents",
    "over_completed",
    "positive_cents",
    "reverse_cents",
    "share_cents",
]

#: Rule name (as written in ``item_scores``) → how its points are computed.
RULE_FORMULAS: dict[str, str] = {
    "execution_rate": (
        "预算执行率：分值 × min(全年执行数 / 全年预算数, 1)；全年预算数为 0 时得 0 分并标记"
    ),
    "positive": "正向指标：实际值 ≥ 目标值得满分，否则 分值 × 实际值 / 目标值",
    "reverse/linear": (
        "反向指标：实际值 ≤ 目标值得满分；目标值 < 实际值 < 2×目标值 时 "
        "分值 × (1 − (实际值 − 目标值) / 目标值)；实际值 ≥ 2×目标值 得 0 分"
    ),
    "reverse/ratio": "反向指标（比值法）：实际值 ≤ 目标值得满分，否则 分值 × 目标值 / 实际值",
    "equal": "等于指标：目标值为 0 时实际值 ≤ 0 得满分否则 0 分；目标值 > 0 时同正向指标",
    "qualitative": (
        "定性指标：达成 80–100%、部分达成 60–<80%、未达成 0–<60% 的分值；"
        "有评分者录入得分且在档内的用录入分，否则按默认比例（100% / 70% / 30%）"
    ),
    "stepped": "分档计分：按计算值所在档次得分",
    "yes_no": "是否项：是得满分，否得 0 分",
    "checklist": "子项清单：得分为达到的子项分值之和",
    "deduction": "扣分制：满分减扣分，最低 0 分",
    "entered": "评分者录入得分，不得超过该项分值",
}


def _w(weight_cents: pl.Expr) -> pl.Expr:
    return weight_cents.cast(pl.Int64)


def positive_cents(weight_cents: pl.Expr, actual: pl.Expr, target: pl.Expr) -> pl.Expr:
    """正向 (≥): full when actual ≥ target (or target ≤ 0), else weight × actual / target.

    Examples
    --------
    >>> df = pl.DataFrame({"w": [1000] * 3, "a": [95, 100, 120], "t": [100] * 3},
    ...                   schema={"w": pl.Int64, "a": FIXED, "t": FIXED})
    >>> df.select(positive_cents(pl.col("w"), pl.col("a"), pl.col("t"))).to_series().to_list()
    [950, 1000, 1000]
    """
    w = _w(weight_cents)
    return (
        pl.when((target <= 0) | (actual >= target))
        .then(w)
        .otherwise(ratio_cents(w, actual, target))
    )


def reverse_cents(
    weight_cents: pl.Expr, actual: pl.Expr, target: pl.Expr, variant: str = "linear"
) -> pl.Expr:
    """反向 (≤): full when actual ≤ target; linear or ratio decline above it.

    Examples
    --------
    >>> df = pl.DataFrame({"w": [1000] * 4, "a": [100, 150, 200, 250], "t": [100] * 4},
    ...                   schema={"w": pl.Int64, "a": FIXED, "t": FIXED})
    >>> df.select(reverse_cents(pl.col("w"), pl.col("a"), pl.col("t"))).to_series().to_list()
    [1000, 500, 0, 0]
    >>> df.select(reverse_cents(pl.col("w"), pl.col("a"), pl.col("t"), "ratio")
    ...           ).to_series().to_list()
    [1000, 667, 500, 400]
    """
    w = _w(weight_cents)
    full = actual <= target
    if variant == "ratio":
        return pl.when(full).then(w).otherwise(ratio_cents(w, target, actual))
    return (
        pl.when(full)
        .then(w)
        .when(actual >= target * 2)
        .then(pl.lit(0, pl.Int64))
        .otherwise(ratio_cents(w, target * 2 - actual, target))
    )


def equal_cents(weight_cents: pl.Expr, actual: pl.Expr, target: pl.Expr) -> pl.Expr:
    """等于 (=): target 0 → full if actual ≤ 0 else 0; target > 0 → as positive.

    Examples
    --------
    >>> df = pl.DataFrame({"w": [500] * 3, "a": [0, 1, 3], "t": [0, 0, 4]},
    ...                   schema={"w": pl.Int64, "a": FIXED, "t": FIXED})
    >>> df.select(equal_cents(pl.col("w"), pl.col("a"), pl.col("t"))).to_series().to_list()
    [500, 0, 375]
    """
    w = _w(weight_cents)
    at_zero = pl.when(actual <= 0).then(w).otherwise(pl.lit(0, pl.Int64))
    return pl.when(target == 0).then(at_zero).otherwise(positive_cents(w, actual, target))


def execution_cents(weight_cents: pl.Expr, executed: pl.Expr, budget: pl.Expr) -> pl.Expr:
    """预算执行率 points: weight × min(executed / budget, 1); budget 0 → 0.

    Examples
    --------
    >>> df = pl.DataFrame({"e": [4_229_500_000, 5, 1], "b": [18_966_530_000, 0, 1]},
    ...                   schema={"e": FIXED, "b": FIXED})
    >>> df.select(execution_cents(pl.lit(1000), pl.col("e"), pl.col("b"))).to_series().to_list()
    [223, 0, 1000]
    """
    w = _w(weight_cents)
    capped = pl.min_horizontal(executed, budget)
    return pl.when(budget <= 0).then(pl.lit(0, pl.Int64)).otherwise(ratio_cents(w, capped, budget))


def share_cents(weight_cents: pl.Expr, pct: pl.Expr) -> pl.Expr:
    """``pct`` % (fixed point) of the weight, rounded half-up to cents.

    Examples
    --------
    >>> pl.select(share_cents(pl.lit(1000), pl.lit(70 * 10**6, FIXED))).item()
    700
    """
    return ratio_cents(_w(weight_cents), pct, pl.lit(100 * SCALE, FIXED))


def over_completed(actual: pl.Expr, target: pl.Expr, threshold_pct: Decimal | int) -> pl.Expr:
    """超额完成: actual ≥ threshold % of a positive target (exact comparison).

    Examples
    --------
    >>> df = pl.DataFrame({"a": [129, 130, 131], "t": [100] * 3}, schema={"a": FIXED, "t": FIXED})
    >>> df.select(over_completed(pl.col("a"), pl.col("t"), 130)).to_series().to_list()
    [False, True, True]
    """
    pct = pl.lit(int(Decimal(threshold_pct) * SCALE), FIXED)  # exact: percent × SCALE
    return (target > 0) & (actual * (100 * SCALE) >= target * pct)

"""Per-unit flags (风险提示): signals that a self-evaluation needs checking.

``docs/scoring.md`` ("Flags") lists them; each is an exact comparison on fixed-point
money and integer-cent points, so that a flag never depends on float noise.
Thresholds come from the system's ``flags`` section.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from perfkit.fixedpoint import FIXED, SCALE, to_cents
from perfkit.grading import grade_expr, grade_rank
from perfkit.systems import System

__all__ = ["FLAG_LABELS", "unit_flags"]

#: Flag code → Chinese label used in reports.
FLAG_LABELS: dict[str, str] = {
    "over_completion": "超额完成（实际值≥目标值130%）",
    "budget_zero": "全年预算数为0，执行率无法计算",
    "execution_over_100": "执行数超过全年预算数",
    "unspent_over_20": "预算结余超过20%",
    "self_score_diff": "自评分与复算分差异较大或等级不一致",
    "self_grade_better": "自评等级高于复算等级",
    "self_100_low_execution": "自评满分但执行率偏低",
    "score_rate_above_execution": "指标得分率明显高于预算执行率",
}


def _fx(value: Decimal) -> pl.Expr:
    return pl.lit(int(value * SCALE), FIXED)


def unit_flags(units: pl.DataFrame, system: System) -> pl.DataFrame:
    """Add ``flag_<code>`` booleans and a ``flags`` text (codes joined by ``;``).

    ``units`` carries fixed-point ``budget_full_year``, ``executed``, optional
    ``self_score``/``self_grade``, and cents ``_total_cents``, ``_ind_cents``,
    ``_ind_max`` and the boolean ``_over``.
    """
    f = system.flags
    b, e = pl.col("budget_full_year"), pl.col("executed")
    hundred = 100 * SCALE  # thresholds are exact: percent × SCALE as integers
    total = pl.col("_total_cents")
    exprs = {
        "over_completion": pl.col("_over").fill_null(False),
        "budget_zero": b == 0,
        "execution_over_100": e > b,
        "unspent_over_20": (b > 0) & ((b - e) * hundred > b * _fx(f.unspent_above_pct)),
        "score_rate_above_execution": (b > 0)
        & (
            pl.col("_ind_cents").cast(FIXED) * b * hundred
            > pl.col("_ind_max").cast(FIXED) * e * _fx(100 + f.score_rate_above_execution_rel_pct)
        ),
    }
    if "self_score" in units.columns:
        if "self_grade" not in units.columns:
            units = units.with_columns(
                grade_expr(to_cents(pl.col("self_score")), system).alias("self_grade")
            )
        rank = grade_rank(system)
        self_cents = to_cents(pl.col("self_score"))
        self_rank = pl.col("self_grade").replace_strict(rank, default=None, return_dtype=pl.Int32)
        new_rank = pl.col("grade").replace_strict(rank, default=None, return_dtype=pl.Int32)
        diff_limit = int(f.self_score_diff_points * 100)
        low_exec = (b == 0) | (e * hundred < b * _fx(f.self_100_execution_below_pct))
        exprs |= {
            "self_score_diff": ((self_cents - total).abs() > diff_limit) | (self_rank != new_rank),
            "self_grade_better": self_rank < new_rank,
            "self_100_low_execution": (self_cents == 10000) & low_exec,
        }
    flag_cols = [expr.fill_null(False).alias(f"flag_{code}") for code, expr in exprs.items()]
    units = units.with_columns(flag_cols)
    joined = pl.concat_str(
        [pl.when(pl.col(f"flag_{code}")).then(pl.lit(code)) for code in exprs],
        separator=";",
        ignore_nulls=True,
    )
    return units.with_columns(joined.alias("flags"))

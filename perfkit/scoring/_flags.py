"""Per-unit flags (风险提示): signals that a self-evaluation needs checking.

``docs/scoring.md`` ("Flags") lists them; each is an exact comparison on fixed-point
money and integer-cent points, so that a flag never depends on float noise.
Thresholds and severities come from the system's ``flags`` section.

Each flag has a severity (高/中/低, ``high``/``medium``/``low``); a unit's
``risk_level`` is its most severe flag's, and ``risk_order`` ranks the
flagged units of a year: most severe first, then the largest 全年预算数
(ties by unit code), so that a reader checks the riskiest money first.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from perfkit.numbers import FIXED, SCALE, to_cents
from perfkit.present._labels import FLAG_LABELS, SEVERITY_LABELS
from perfkit.scoring._grading import grade_expr, grade_rank
from perfkit.systems import System

__all__ = [
    "FLAG_LABELS",
    "SEVERITY_LABELS",
    "add_risk_order",
    "flag_labels",
    "risk_level",
    "risk_rank",
    "sort_by_risk",
    "unit_flags",
]

_RANK = {code: i for i, code in enumerate(SEVERITY_LABELS)}


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
    level = risk_level(f.severity, list(exprs))
    return units.with_columns(joined.alias("flags"), level.alias("risk_level"))


def risk_level(severity: dict[str, str], codes: list[str]) -> pl.Expr:
    """The most severe of the raised ``flag_<code>`` columns (``high``/``medium``/``low``).

    Null when no flag is raised.

    Examples
    --------
    >>> df = pl.DataFrame({"flag_a": [True, False, False], "flag_b": [True, True, False]})
    >>> df.select(risk_level({"a": "low", "b": "high"}, ["a", "b"])).to_series().to_list()
    ['high', 'high', None]
    """
    worst = pl.min_horizontal(
        pl.when(pl.col(f"flag_{code}")).then(pl.lit(_RANK[severity[code]])) for code in codes
    )
    return worst.replace_strict({i: c for c, i in _RANK.items()}, return_dtype=pl.String)


def risk_rank(column: str = "risk_level") -> pl.Expr:
    """A risk level as a sort key: 0 for ``high``, 1 ``medium``, 2 ``low``, null for none.

    Examples
    --------
    >>> df = pl.DataFrame({"risk_level": ["low", None, "high"]})
    >>> df.select(risk_rank()).to_series().to_list()
    [2, None, 0]
    """
    return pl.col(column).replace_strict(_RANK, default=None, return_dtype=pl.Int8)


def sort_by_risk(frame: pl.DataFrame) -> pl.DataFrame:
    """Units most at risk first: most severe flag, then the largest 全年预算数, then code.

    Units without a flag come last (in the same money order).

    Examples
    --------
    >>> df = pl.DataFrame({"unit_code": ["A", "B", "C", "D"], "budget_full_year": [5.0, 90, 20, 99],
    ...                    "risk_level": ["high", "low", "high", None]})
    >>> sort_by_risk(df)["unit_code"].to_list()
    ['C', 'A', 'B', 'D']
    """
    keys = [risk_rank(), pl.col("budget_full_year"), pl.col("unit_code")]
    return frame.sort(keys, descending=[False, True, False], nulls_last=True, maintain_order=True)


def add_risk_order(units: pl.DataFrame) -> pl.DataFrame:
    """Add ``risk_order``: 1, 2, … over the flagged units of each year (see :func:`sort_by_risk`).

    Units without a flag get null.  One sort, no loop per row.

    Examples
    --------
    >>> df = pl.DataFrame({"year": [2024, 2024, 2024, 2023], "unit_code": ["A", "B", "C", "A"],
    ...                    "budget_full_year": [5.0, 90, 20, 1],
    ...                    "risk_level": ["high", None, "high", "low"]})
    >>> add_risk_order(df)["risk_order"].to_list()
    [2, None, 1, 1]
    """
    indexed = units.with_row_index("_risk_i")
    ranked = sort_by_risk(indexed.filter(pl.col("risk_level").is_not_null()))
    within = pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    order = within.over("year") if "year" in units.columns else within
    ranked = ranked.select("_risk_i", order.alias("risk_order"))
    return indexed.join(ranked, on="_risk_i", how="left", maintain_order="left").drop("_risk_i")


def flag_labels(severity: dict[str, str], columns: list[str], separator: str = "；") -> pl.Expr:
    """A unit's raised flags in words, most severe first, joined with ``separator``.

    ``severity`` is a system's ``flags.severity``; ``columns`` are the
    frame's columns (flags absent from it are left out).

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> severity = load_system("project-self-eval").flags.severity
    >>> df = pl.DataFrame({"flag_over_completion": [True], "flag_self_grade_better": [True]})
    >>> df.select(flag_labels(severity, df.columns)).item()
    '自评等级高于复算等级；超额完成（实际值≥目标值130%）'
    """
    codes = sorted(
        (c for c in FLAG_LABELS if f"flag_{c}" in columns), key=lambda c: _RANK[severity[c]]
    )
    return pl.concat_str(
        [pl.when(pl.col(f"flag_{c}")).then(pl.lit(FLAG_LABELS[c])) for c in codes],
        separator=separator,
        ignore_nulls=True,
    )

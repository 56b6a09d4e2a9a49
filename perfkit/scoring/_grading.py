"""Grades from scores (等级评定): bands are data, read off the rounded total in cents."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from perfkit.numbers import round_half_up
from perfkit.systems import System, load_system

__all__ = ["grade", "grade_expr", "grade_rank"]


def _bands(system: System | str) -> list[tuple[str, int]]:
    system = load_system(system)
    return [(b.grade, int(b.min * 100)) for b in system.grades]


def grade_expr(total_cents: pl.Expr, system: System | str = "project-self-eval") -> pl.Expr:
    """Grade of integer-cent totals by the system's bands (lower bounds inclusive).

    Examples
    --------
    >>> df = pl.DataFrame({"c": [9000, 8999, 8000, 6000, 5999]})
    >>> df.select(grade_expr(pl.col("c"))).to_series().to_list()
    ['优', '良', '良', '中', '差']
    """
    bands = _bands(system)
    expr = pl.lit(bands[-1][0])
    for name, low in reversed(bands[:-1]):
        expr = pl.when(total_cents >= low).then(pl.lit(name)).otherwise(expr)
    return pl.when(total_cents.is_null()).then(None).otherwise(expr).alias("grade")


def grade_rank(system: System | str = "project-self-eval") -> dict[str, int]:
    """Grade → rank (0 is the best), for comparing grades.

    Examples
    --------
    >>> grade_rank()
    {'优': 0, '良': 1, '中': 2, '差': 3}
    """
    return {name: i for i, (name, _) in enumerate(_bands(system))}


def grade(score: float | str | Decimal, system: System | str = "project-self-eval") -> str:
    """Grade of one score, rounded half-up to two decimals first (seed: 86.23 → 良).

    Examples
    --------
    >>> grade(86.23), grade(91.11), grade(89.995), grade(59.99)
    ('良', '优', '优', '差')
    """
    cents = int(round_half_up(score) * 100)
    for name, low in _bands(system):
        if cents >= low:
            return name
    return _bands(system)[-1][0]

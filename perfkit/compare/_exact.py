"""Exact helpers shared by the comparison modules: half-up ratios and frame output."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from perfkit.numbers import FIXED, SCALE

#: Fixed-point units in one cent of 万元 (amounts are rounded to 0.01 万元).
CENT = SCALE // 100


def half_up_div(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator`` rounded half-up to an integer (signed numerator, den > 0).

    Examples
    --------
    >>> df = pl.DataFrame({"n": [5, -5, 4, 7], "d": [2, 2, 2, 0]})
    >>> df.select(half_up_div(pl.col("n"), pl.col("d"))).to_series().to_list()
    [3, -3, 2, None]
    """
    d = pl.when(denominator > 0).then(denominator)
    magnitude = (numerator.abs() * 2 + d) // (d * 2)
    return pl.when(numerator < 0).then(magnitude * -1).otherwise(magnitude)


def percent_cents(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """``part / whole × 100`` in hundredths of a percent, half-up; null when ``whole`` is 0.

    Examples
    --------
    >>> df = pl.DataFrame({"e": [4_229_500_000, 1, 0], "b": [18_966_530_000, 3, 0]},
    ...                   schema={"e": pl.Int128, "b": pl.Int128})
    >>> df.select(percent_cents(pl.col("e"), pl.col("b"))).to_series().to_list()
    [2230, 3333, None]
    """
    return half_up_div(part.cast(FIXED) * 10_000, whole.cast(FIXED))  # Int128: rates are unbounded


def hundredths(value: Decimal | int | str) -> int:
    """A percentage or score as an integer number of hundredths, refusing finer values.

    Examples
    --------
    >>> hundredths("60"), hundredths(Decimal("12.5"))
    (6000, 1250)
    """
    d = Decimal(str(value)) * 100
    if d != d.to_integral_value():
        raise ValueError(f"{value} has more than two decimals")
    return int(d)


def fixed_lit(value: Decimal | int | str) -> pl.Expr:
    """A decimal value as a fixed-point literal."""
    return pl.lit(int(Decimal(str(value)) * SCALE), FIXED)


def out(frame: pl.DataFrame, pandas: bool) -> Any:
    """The frame as the user handed data in: pandas when they gave pandas."""
    return frame.to_pandas() if pandas else frame

"""Exact helpers shared by the comparison modules: percentages, hundredths and frame output.

Half-up division itself is :func:`perfkit.numbers.div_half_up`.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from perfkit.i18n import _
from perfkit.numbers import FIXED, SCALE, div_half_up

#: Fixed-point units in one cent of 万元 (amounts are rounded to 0.01 万元).
CENT = SCALE // 100


def percent_cents(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """``part / whole × 100`` in hundredths of a percent, half-up; null when ``whole`` is 0.

    Examples
    --------
    >>> df = pl.DataFrame({"e": [4_229_500_000, 1, 0], "b": [18_966_530_000, 3, 0]},
    ...                   schema={"e": pl.Int128, "b": pl.Int128})
    >>> df.select(percent_cents(pl.col("e"), pl.col("b"))).to_series().to_list()
    [2230, 3333, None]
    """
    return div_half_up(part.cast(FIXED) * 10_000, whole.cast(FIXED))  # Int128: rates are unbounded


def hundredths(value: Decimal | int | str) -> int:
    """A percentage or score as an integer number of hundredths, refusing finer values.

    Examples
    --------
    >>> hundredths("60"), hundredths(Decimal("12.5"))
    (6000, 1250)
    """
    d = Decimal(str(value)) * 100
    if d != d.to_integral_value():
        raise ValueError(_("{value} has more than two decimals").format(value=value))
    return int(d)


def fixed_lit(value: Decimal | int | str) -> pl.Expr:
    """A decimal value as a fixed-point literal."""
    return pl.lit(int(Decimal(str(value)) * SCALE), FIXED)

"""Alert colours (预警等级) and the exact band decision.

``docs/monitoring.md``: a progress ratio (execution or indicator progress ÷ time
progress × 100) below 60 is red, 60 to below 80 yellow, 80 and above green;
an indicator at or above 120 % of its annual target is blue.  Lower bounds are
inclusive: exactly 60 is yellow and exactly 80 is green.

Every ratio is handed over as an exact fraction ``numerator / denominator``
of Int128 integers (fixed-point amounts times the integer parts of the time
progress), and a band is decided by cross-multiplication
(``numerator < 60 · denominator``), so binary floating point never decides a
colour.  Ratios are *shown* truncated (not rounded) to two decimals, so the
figure a reader sees is always on the same side of 60 and 80 as the exact
value (59.996 is shown as 59.99, and is red).
"""

from __future__ import annotations

import polars as pl

from perfkit.numbers import FIXED, cents_to_float, div_half_up

__all__ = [
    "ALERTS",
    "ALERT_RANK",
    "BLUE_FROM_PCT",
    "GREEN_FROM",
    "YELLOW_FROM",
    "band",
    "percent_floor",
    "percent_half_up",
]

RED, YELLOW, GREEN, BLUE = "red", "yellow", "green", "blue"
#: The alert colours, as written in ``alerts.csv``.
ALERTS = (RED, YELLOW, GREEN, BLUE)
#: Worst first: a project's indicator alert is its worst indicator's (blue — a
#: target probably set too low — needs more attention than green).
ALERT_RANK = {RED: 0, YELLOW: 1, BLUE: 2, GREEN: 3}
#: Ratio (in %) from which an alert is yellow, and from which it is green.
YELLOW_FROM = 60
GREEN_FROM = 80
#: Share of the annual target (in %) from which an indicator is blue.
BLUE_FROM_PCT = 120


def band(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """red / yellow / green for the ratio ``numerator / denominator`` in percent (exact).

    ``denominator`` must be positive where the result is used.

    Examples
    --------
    >>> df = pl.DataFrame({"n": [5999, 6000, 7999, 8000, 12000], "d": [100] * 5},
    ...                   schema={"n": FIXED, "d": FIXED})
    >>> df.select(band(pl.col("n"), pl.col("d"))).to_series().to_list()
    ['red', 'yellow', 'yellow', 'green', 'green']
    """
    n, d = numerator.cast(FIXED), denominator.cast(FIXED)
    return (
        pl.when(n < d * YELLOW_FROM)
        .then(pl.lit(RED))
        .when(n < d * GREEN_FROM)
        .then(pl.lit(YELLOW))
        .otherwise(pl.lit(GREEN))
    )


def percent_floor(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator`` (a percentage) truncated to two decimals, as a float.

    Examples
    --------
    >>> df = pl.DataFrame({"n": [599_996, 200], "d": [10_000, 3]}, schema={"n": FIXED, "d": FIXED})
    >>> df.select(percent_floor(pl.col("n"), pl.col("d"))).to_series().to_list()
    [59.99, 66.66]
    """
    n, d = numerator.cast(FIXED), denominator.cast(FIXED)
    safe = pl.when(d > 0).then(d).otherwise(pl.lit(1, FIXED))
    return pl.when(d > 0).then(cents_to_float((n * 100) // safe))


def percent_half_up(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator`` (a percentage, numerator ≥ 0) rounded half-up to 2 decimals.

    Examples
    --------
    >>> df = pl.DataFrame({"n": [200, 422_950 * 100], "d": [3, 1_896_653]},
    ...                   schema={"n": FIXED, "d": FIXED})      # 4229.50 / 18966.53 × 100
    >>> df.select(percent_half_up(pl.col("n"), pl.col("d"))).to_series().to_list()
    [66.67, 22.3]
    """
    return cents_to_float(div_half_up(numerator.cast(FIXED) * 100, denominator.cast(FIXED)))

"""Execution alerts (执行进度预警): execution rate to date against time progress.

For each monitored project::

    execution rate  = executed_to_date / budget_full_year × 100
    progress ratio  = execution rate / time progress × 100
                    = executed_to_date × q × 100 / (budget_full_year × p)

with time progress ``p / q`` (:mod:`perfkit.monitoring._timeprogress`).  The
ratio is < 60 red, 60 to < 80 yellow, ≥ 80 green, decided exactly by
:func:`perfkit.monitoring._bands.band`.  A full-year budget of 0 leaves the
rate undefined: no alert, ``execution_note = "budget_zero"`` — never a
division error.
"""

from __future__ import annotations

import polars as pl

from perfkit.monitoring._bands import band, percent_floor, percent_half_up
from perfkit.monitoring._timeprogress import TimeProgress
from perfkit.numbers import FIXED, div_half_up, fixed_to_float

__all__ = ["BUDGET_ZERO", "execution_alerts"]

#: ``execution_note`` of a project whose full-year budget is 0.
BUDGET_ZERO = "budget_zero"


def _money_half_up(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """A fixed-point amount ``numerator / denominator`` rounded half-up to 0.01 (万元)."""
    cents = div_half_up(numerator, 10_000 * denominator)  # 0.01 in fixed point is 10**4
    return fixed_to_float(cents * 10_000)


def execution_alerts(frame: pl.DataFrame, time: TimeProgress) -> pl.DataFrame:
    """Add execution rate, progress ratio and alert to monitored projects.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per project with ``budget_full_year`` and ``executed_to_date``
        as fixed point (Int128, see :mod:`perfkit.numbers`).
    time : TimeProgress
        The run's time progress.

    Returns
    -------
    polars.DataFrame
        ``frame`` plus ``time_progress``, ``execution_rate`` (%, half-up),
        ``execution_progress`` (% of time progress, truncated),
        ``execution_alert`` (red/yellow/green, null when the budget is 0),
        ``execution_note``, ``expected_to_date`` (budget × time progress) and
        ``behind_schedule`` (how much less than that was spent, ≥ 0); money
        columns become floats in 万元 for display, the exact values stay in
        ``_budget`` and ``_executed``.

    Examples
    --------
    >>> from perfkit.monitoring._timeprogress import time_progress
    >>> df = pl.DataFrame({"budget_full_year": [100, 100, 100, 100, 0],
    ...                    "executed_to_date": [29, 30, 39, 40, 0]},
    ...                   schema={"budget_full_year": FIXED, "executed_to_date": FIXED})
    >>> out = execution_alerts(df, time_progress(2024, 6))    # time progress 50 %
    >>> out["execution_progress"].to_list()
    [58.0, 60.0, 78.0, 80.0, None]
    >>> out["execution_alert"].to_list(), out["execution_note"].to_list()[-1]
    (['red', 'yellow', 'yellow', 'green', None], 'budget_zero')
    """
    p, q = time.numerator, time.denominator
    budget = pl.col("budget_full_year").cast(FIXED)
    executed = pl.col("executed_to_date").cast(FIXED)
    zero = budget <= 0
    numerator = executed * (q * 100)
    denominator = budget * p
    expected = budget * p  # / q
    behind = pl.max_horizontal(expected - executed * q, pl.lit(0, FIXED))
    return frame.with_columns(
        pl.lit(float(time.percent)).alias("time_progress"),
        percent_half_up(executed * 100, budget).alias("execution_rate"),
        percent_floor(numerator, denominator).alias("execution_progress"),
        pl.when(~zero).then(band(numerator, denominator)).alias("execution_alert"),
        pl.when(zero).then(pl.lit(BUDGET_ZERO)).alias("execution_note"),
        _money_half_up(expected, q).alias("expected_to_date"),
        _money_half_up(behind, q).alias("behind_schedule"),
        budget.alias("_budget"),
        executed.alias("_executed"),
    ).with_columns(
        fixed_to_float(pl.col("_budget")).alias("budget_full_year"),
        fixed_to_float(pl.col("_executed")).alias("executed_to_date"),
    )

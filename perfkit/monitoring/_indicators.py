"""Indicator alerts (指标进度预警): cumulative completion against the time-progress target.

Formulas (``T`` annual target, ``A`` cumulative actual to date, time progress
``p / q``; the ratio is compared with 60 and 80 exactly, as for execution):

=====================  ==================================================  =========================
direction              ratio (%)                                           special cases
=====================  ==================================================  =========================
正向 (≥), ``positive``  A / (T × p/q) × 100                                 A ≥ 120 % of T → blue;
                                                                           T = 0 → green (met)
等于 (=), ``equal``     as 正向 when T > 0                                   T = 0 → green if A ≤ 0,
                                                                           else red
反向 (≤), ``reverse``   (T × p/q) / A × 100 — the mirror of 正向: the        A > T (the whole year's
                       ratio falls as the cumulative value eats into the    ceiling already passed)
                       ceiling faster than time passes; A at the pro-rated  → red; A ≤ 0 → green;
                       ceiling gives 100                                    T = 0 → green if A ≤ 0,
                                                                           else red
定性, ``qualitative``    达成 → green, 部分达成 → yellow, 未达成 → red
=====================  ==================================================  =========================

Blue (≥ 120 % of the annual target: the target was probably set too low) is
given to 正向 indicators and to 等于 indicators with a positive target, whose
rule is the 正向 one; a 反向 indicator is never blue — being far below a
ceiling is the point of the ceiling.  Like the contract's ``actual_to_date``
(累计完成值), every quantitative value is taken as cumulative since 1 January:
an indicator that is a level rather than a running total (a rate, a unit cost,
a payment period) is pro-rated all the same.
"""

from __future__ import annotations

import polars as pl

from perfkit.monitoring._bands import BLUE_FROM_PCT, band, percent_floor, percent_half_up
from perfkit.monitoring._inputs import QUALITATIVE_ALERTS
from perfkit.monitoring._timeprogress import TimeProgress
from perfkit.numbers import FIXED, div_half_up, fixed_to_float

__all__ = ["indicator_alerts"]


def indicator_alerts(frame: pl.DataFrame, time: TimeProgress) -> pl.DataFrame:
    """Judge indicator progress rows: ``indicator_alert`` with ``progress``, ``basis``, ``note``.

    Also adds ``time_progress``, ``expected_value`` (target × time progress)
    and ``completion`` (actual as % of the annual target).

    Parameters
    ----------
    frame : polars.DataFrame
        Indicator progress rows with ``direction`` (code), ``target`` and
        ``actual_to_date`` (fixed point) and ``level`` (qualitative level 1–3).
    time : TimeProgress
        The run's time progress.

    Examples
    --------
    >>> from perfkit.monitoring._timeprogress import time_progress
    >>> S = 10**6
    >>> df = pl.DataFrame({
    ...     "direction": ["positive", "positive", "positive", "reverse", "reverse", "equal",
    ...                   "qualitative"],
    ...     "target": [100 * S, 100 * S, 100 * S, 100 * S, 100 * S, 0, None],
    ...     "actual_to_date": [30 * S, 40 * S, 120 * S, 50 * S, 101 * S, 1 * S, None],
    ...     "level": [None, None, None, None, None, None, 2]},
    ...     schema={"direction": pl.String, "target": FIXED, "actual_to_date": FIXED,
    ...             "level": pl.Int32})
    >>> out = indicator_alerts(df, time_progress(2024, 6))    # time progress 50 %
    >>> out["indicator_alert"].to_list()
    ['yellow', 'green', 'blue', 'green', 'red', 'red', 'yellow']
    >>> out["progress"].to_list()
    [60.0, 80.0, 240.0, 100.0, 49.5, None, None]
    """
    p, q = time.numerator, time.denominator
    direction = pl.col("direction")
    t = pl.col("target").cast(FIXED)
    a = pl.col("actual_to_date").cast(FIXED)
    positive_rule = (direction == "positive") | ((direction == "equal") & (t > 0))
    positive_ratio = (a * (q * 100), t * p)
    reverse_ratio = (t * (p * 100), a * q)
    basis = (
        pl.when(direction == "qualitative")
        .then(pl.lit("qualitative"))
        .when((direction == "equal") & (t == 0))
        .then(pl.lit("equal_zero"))
        .when(positive_rule & (t == 0))
        .then(pl.lit("target_zero"))
        .when(direction == "reverse")
        .then(pl.lit("reverse"))
        .when(direction == "equal")
        .then(pl.lit("equal"))
        .otherwise(pl.lit("positive"))
    )
    work = frame.with_columns(basis.alias("basis"))
    b = pl.col("basis")
    ratio_rule = b.is_in(["positive", "equal"])
    blue = ratio_rule & (a * 100 >= t * BLUE_FROM_PCT)
    over_ceiling = (b == "reverse") & (a > t)
    alert = (
        pl.when(b == "qualitative")
        .then(
            pl.col("level").replace_strict(QUALITATIVE_ALERTS, default=None, return_dtype=pl.String)
        )
        .when(b == "equal_zero")
        .then(pl.when(a <= 0).then(pl.lit("green")).otherwise(pl.lit("red")))
        .when(b == "target_zero")
        .then(pl.lit("green"))
        .when(blue)
        .then(pl.lit("blue"))
        .when(ratio_rule)
        .then(band(*positive_ratio))
        .when(over_ceiling)
        .then(pl.lit("red"))
        .when(b == "reverse")
        .then(pl.when(a <= 0).then(pl.lit("green")).otherwise(band(*reverse_ratio)))
    )
    progress = (
        pl.when(ratio_rule)
        .then(percent_floor(*positive_ratio))
        .when((b == "reverse") & (t > 0) & (a > 0))
        .then(percent_floor(*reverse_ratio))
    )
    quantitative = b != "qualitative"
    note = (
        pl.when(blue)
        .then(pl.lit(f"已达年度指标值的{BLUE_FROM_PCT}%及以上，目标可能偏低"))
        .when(over_ceiling)
        .then(pl.lit("累计值已超过全年上限"))
        .when(b == "target_zero")
        .then(pl.lit("年度指标值为0"))
        .when((b == "reverse") & (a <= 0))
        .then(pl.lit("累计值为0"))
    )
    expected = div_half_up(t * p, 10_000 * q) * 10_000  # T × p/q, half-up to 0.01 (10**4)
    return work.with_columns(
        pl.lit(float(time.percent)).alias("time_progress"),
        pl.when(quantitative).then(fixed_to_float(expected)).alias("expected_value"),
        progress.alias("progress"),
        pl.when(quantitative & (t > 0) & (a >= 0))
        .then(percent_half_up(a * 100, t))
        .alias("completion"),
        alert.alias("indicator_alert"),
        note.alias("note"),
    )

"""Monitoring snapshots of the sample region (示例监控数据): May and August of the last year.

:func:`perfkit.samples.region.generate_sample` calls :func:`monitoring_tables`
after it has made the yearly tables.  The snapshots are drawn from their own
random stream — ``numpy.random.default_rng([seed, MONITORING_STREAM])`` — so
adding them leaves every draw of the yearly tables, and their files, exactly
as they were.

Every project of the last year gets a cumulative ``executed_to_date`` for May
and August, never above its year-end ``executed`` (nor its budget) and never
going down, and every indicator a cumulative ``actual_to_date``.  The region's
overall progress is set to the seed's figures exactly: **46 %** of the
full-year budget spent by May (time progress 41.67 %) and **68 %** by August
(66.67 %).  Planted, besides the yearly roles that carry over (chronic low
execution, idle projects, December money, budgets of 0):

* ``LATE`` — slow starters: red in May, green in August;
* ``RUSH`` — year-end rush (年底突击花钱): red in May and August although the
  year ends with ≥ 80 % spent;
* over-target indicators: every 正向 count indicator of an on-track project
  that ends the year at ≥ 130 % of its target has passed 120 % of it by August
  (blue).

``data/README.md`` lists the codes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from perfkit.numbers import round_half_up

__all__ = ["MONITORING_MONTHS", "MONITORING_STREAM", "OVERALL_PROGRESS", "monitoring_tables"]

#: Second entropy word of the snapshots' own random stream.
MONITORING_STREAM = 7
#: The months monitored, as the seed county does (May and August).
MONITORING_MONTHS = (5, 8)
#: Overall progress (% of the full-year budget spent) by month: the seed's figures.
OVERALL_PROGRESS = {5: 46, 8: 68}

# monitoring roles (besides the yearly roles of samples/region.py)
ON_TRACK, LATE, RUSH, LAGGING, NOTHING = "on_track", "late", "rush", "lagging", "nothing"
N_LATE, N_RUSH = 12, 10
QUAL = ("达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差")
BUDGET_INDICATOR = "项目支出控制数"


def _monitoring_role(yearly: str, full: int, executed: int) -> str:
    if full == 0 or executed == 0:
        return NOTHING
    if yearly in ("chronic", "december", "stalling", "seed"):
        return LAGGING
    return ON_TRACK


def monitoring_tables(
    projects: Sequence[dict[str, Any]],
    indicators: Sequence[dict[str, Any]],
    roles: dict[str, str],
    year: int,
    seed: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``monitoring`` and ``indicator_progress`` rows for May and August of ``year``.

    Parameters
    ----------
    projects, indicators : sequence of dict
        The generated rows (all years); only ``year``'s are used.
    roles : dict
        Project code → its planted yearly role in ``year``.
    year : int
        The monitored year (the sample's last).
    seed : int
        The sample's seed; the stream is ``default_rng([seed, MONITORING_STREAM])``.

    Returns
    -------
    (list of dict, list of dict)
        Rows of ``monitoring`` and ``indicator_progress``, month by month in
        the order of the projects.
    """
    rng = np.random.default_rng([seed, MONITORING_STREAM])
    mine = [r for r in projects if r["year"] == year]
    full = [int(r["budget_full_year"] * 100) for r in mine]
    executed = [int(r["executed"] * 100) for r in mine]
    cap = [min(f, e) for f, e in zip(full, executed, strict=True)]
    role = [
        _monitoring_role(roles.get(r["project_code"], "normal"), f, e)
        for r, f, e in zip(mine, full, executed, strict=True)
    ]
    # planted among on-track projects that end the year at ≥ 80 % spent and are not tiny
    eligible = [
        i
        for i, r in enumerate(role)
        if r == ON_TRACK and executed[i] >= 0.8 * full[i] and full[i] >= 5000
    ]
    picks = [eligible[int(j)] for j in rng.permutation(len(eligible))[: N_LATE + N_RUSH]]
    for n, i in enumerate(picks):
        role[i] = LATE if n < N_LATE else RUSH
    may, aug = _draw_spending(rng, role, full, cap)
    total = sum(full)
    adjustable = [i for i, r in enumerate(role) if r == ON_TRACK]
    _calibrate(may, [0] * len(may), cap, adjustable, _share(total, OVERALL_PROGRESS[5]))
    _calibrate(aug, may, cap, adjustable, _share(total, OVERALL_PROGRESS[8]))
    monitoring_rows = [
        {
            "year": year,
            "month": month,
            "unit_code": r["project_code"],
            "executed_to_date": Decimal(cents).scaleb(-2),
        }
        for month, amounts in zip(MONITORING_MONTHS, (may, aug), strict=True)
        for r, cents in zip(mine, amounts, strict=True)
    ]
    index = {r["project_code"]: i for i, r in enumerate(mine)}
    by_project: dict[str, list[dict[str, Any]]] = {r["project_code"]: [] for r in mine}
    for row in indicators:
        if row["year"] == year:
            by_project[row["unit_code"]].append(row)
    progress_rows: list[dict[str, Any]] = []
    shares = {code: _output_shares(rng, role[index[code]]) for code in by_project}
    values: dict[tuple[str, str], tuple[str, str]] = {}
    for r in mine:
        code = r["project_code"]
        i = index[code]
        for ind in by_project[code]:
            values[(code, ind["name"])] = _progress_values(
                rng, ind, role[i], shares[code], (may[i], aug[i])
            )
    for m, month in enumerate(MONITORING_MONTHS):
        for r in mine:
            code = r["project_code"]
            for ind in by_project[code]:
                progress_rows.append(
                    {
                        "year": year,
                        "month": month,
                        "unit_code": code,
                        "name": ind["name"],
                        "actual_to_date": values[(code, ind["name"])][m],
                    }
                )
    return monitoring_rows, progress_rows


def _share(total: int, percent: int) -> int:
    """``percent`` % of ``total`` cents, half-up."""
    return int(round_half_up(Fraction(total * percent, 100), 0))


def _draw_spending(
    rng: np.random.Generator, role: list[str], full: list[int], cap: list[int]
) -> tuple[list[int], list[int]]:
    """Cumulative spending in May and August (cents), by role; before calibration."""
    may, aug = [], []
    for r, f, c in zip(role, full, cap, strict=True):
        if r == NOTHING:
            m5 = m8 = 0
        elif r == LAGGING:  # a share of an already low year: red
            m5 = round(c * rng.uniform(0.2, 0.4))
            m8 = round(c * rng.uniform(0.45, 0.6))
        elif r == LATE:  # red in May (< 25 % of the budget), green in August (≥ 56 %)
            m5 = round(f * rng.uniform(0.05, 0.2))
            m8 = round(min(c, f * rng.uniform(0.56, 0.72)))
        elif r == RUSH:  # red in both months, spent at the end of the year
            m5 = round(f * rng.uniform(0.03, 0.15))
            m8 = round(f * rng.uniform(0.18, 0.33))
        else:
            m5 = round(c * rng.uniform(0.3, 0.95))
            m8 = round(c * rng.uniform(0.72, 1.0))
        may.append(min(m5, c))
        aug.append(min(max(m8, m5), c))
    return may, aug


def _calibrate(
    amounts: list[int], floor: list[int], cap: list[int], adjustable: list[int], target: int
) -> None:
    """Scale the adjustable amounts (within ``floor``…``cap``) so that all add up to ``target``.

    Exact for the default sample region; a much smaller one may lack the room
    and then stays as close as the caps allow.
    """
    fixed = sum(a for i, a in enumerate(amounts) if i not in set(adjustable))
    need = target - fixed
    above = sum(amounts[i] - floor[i] for i in adjustable)
    base = sum(floor[i] for i in adjustable)
    if above > 0:
        factor = Decimal(need - base) / Decimal(above)
        for i in adjustable:
            scaled = floor[i] + int(round_half_up(Decimal(amounts[i] - floor[i]) * factor, 0))
            amounts[i] = min(max(scaled, floor[i]), cap[i])
    # the remainder (rounding, caps): one cent at a time would be slow; take it in order of room
    left = target - sum(amounts)
    order = sorted(adjustable, key=lambda i: (-(cap[i] - floor[i]), i))
    for i in order:
        if left == 0:
            break
        step = min(left, cap[i] - amounts[i]) if left > 0 else max(left, floor[i] - amounts[i])
        amounts[i] += step
        left -= step
    # a small generated region may not reach the target: its overall progress is then close


def _output_shares(rng: np.random.Generator, role: str) -> tuple[float, float]:
    """Share of the year's output delivered by May and by August."""
    if role == NOTHING:
        return 0.0, 0.0
    if role in (LAGGING, RUSH):
        return rng.uniform(0.1, 0.25), rng.uniform(0.3, 0.5)
    if role == LATE:
        return rng.uniform(0.1, 0.25), rng.uniform(0.65, 0.92)
    return rng.uniform(0.4, 0.65), rng.uniform(0.65, 0.92)


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _text(value: Decimal) -> str:
    return format(value, "f")


def _progress_values(
    rng: np.random.Generator,
    ind: dict[str, Any],
    role: str,
    shares: tuple[float, float],
    spent: tuple[int, int],
) -> tuple[str, str]:
    """``actual_to_date`` text in May and August for one indicator."""
    direction, actual, target = ind["direction"], ind["actual"], ind["target"]
    if direction == "定性":
        level = QUAL.index(actual)
        if role == NOTHING:
            return QUAL[2], QUAL[2]
        slow = role in (LAGGING, RUSH, LATE)
        if slow:  # one level behind; slow starters catch up by August
            may = min(2, level + 1)
            aug = level if role == LATE else may
        else:  # on track: 达成 at year end is often only 部分达成 in May
            may = 1 if level == 0 and rng.random() < 0.6 else level
            aug = 1 if level == 0 and rng.random() < 0.2 else level
        return QUAL[may], QUAL[aug]
    if direction == "等于":  # accidents (0) and standards: levels, as at year end
        return actual, actual
    if direction == "反向" and ind["name"] == BUDGET_INDICATOR:  # spending so far, 万元
        return tuple(_text(Decimal(c).scaleb(-2)) for c in spent)  # type: ignore[return-value]
    decimals = _decimals(actual)
    final = float(actual)
    if direction == "正向" and ind["unit"] == "%":  # a rate: near its level
        low = 0.6 if role in (LAGGING, RUSH) else 0.92
        may_v = round_half_up(final * rng.uniform(low, 1.0), decimals)
        aug_v = max(may_v, round_half_up(final * rng.uniform(low, 1.0), decimals))
        return _text(may_v), _text(aug_v)
    s5, s8 = shares
    if direction == "反向" and role == ON_TRACK:  # a ceiling used no faster than time passes
        s5, s8 = s5 * 0.65, s8 * 0.72
    may_v = round_half_up(final * s5, decimals)
    aug_v = round_half_up(final * s8, decimals)
    over = (
        direction == "正向"
        and role == ON_TRACK
        and Decimal(actual) >= Decimal(target) * Decimal("1.3")
    )
    if over:  # over-completed at year end: past 120 % of the target by August (blue)
        may_v = round_half_up(final * rng.uniform(0.45, 0.7), decimals)
        floor = Decimal(math.ceil(Decimal(target) * Decimal("1.2") * 10**decimals)).scaleb(
            -decimals
        )
        aug_v = min(
            Decimal(actual), max(floor, round_half_up(final * rng.uniform(0.93, 1.0), decimals))
        )
    aug_v = max(aug_v, may_v)
    return _text(may_v), _text(aug_v)

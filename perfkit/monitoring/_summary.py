"""Department and region summaries (部门、全区汇总) and the monitoring sentence.

For every department, and for the whole region: the number of monitored
projects and their money, the projects and money by execution alert colour,
projects by their worst indicator alert, and the overall progress — total
``executed_to_date`` / total ``budget_full_year`` — against time progress, in
the words of an annual report: “总体进度46%，略高于序时进度41.67%”.  The
overall progress gets a colour too, by the same bands as a project
(``execution_alert`` of the department or region).

The comparison is exact.  Within ``SLIGHT_POINTS`` (5) percentage points
either side the word is 略高于 / 略低于; beyond, 高于 / 低于; exactly equal,
持平.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from perfkit.i18n import N_, _, get_language, use_language
from perfkit.monitoring._bands import band, percent_floor, percent_half_up
from perfkit.monitoring._execution import BUDGET_ZERO
from perfkit.monitoring._timeprogress import TimeProgress
from perfkit.numbers import FIXED, SCALE, fixed_to_float, round_half_up

__all__ = ["SLIGHT_POINTS", "percent_text", "relation", "summarise"]

#: Overall progress within this many percentage points of time progress is 略高于/略低于.
SLIGHT_POINTS = 5
EXECUTION_COLOURS = ("red", "yellow", "green")
INDICATOR_COLOURS = ("red", "yellow", "green", "blue")


def percent_text(value: Decimal) -> str:
    """A percentage for a sentence: two decimals at most, no trailing zeros.

    Examples
    --------
    >>> [percent_text(Decimal(x)) for x in ("46.00", "41.67", "45.50")]
    ['46%', '41.67%', '45.5%']
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def money_text(fixed: int) -> str:
    """A fixed-point amount (万元) for a sentence: thousands separators, two decimals at most.

    Examples
    --------
    >>> money_text(24_066 * 10**6), money_text(1_234_567_800_000)
    ('24,066', '1,234,567.8')
    """
    value = round_half_up(Decimal(fixed) / SCALE)
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def relation(executed: int, budget: int, time: TimeProgress) -> str | None:
    """How overall progress ``executed / budget`` compares with time progress (exact).

    Examples
    --------
    >>> from perfkit.monitoring._timeprogress import time_progress
    >>> may = time_progress(2024, 5)
    >>> relation(46, 100, may), relation(47, 100, may), relation(5, 12, may), relation(30, 100, may)
    ('slightly_above', 'above', 'equal', 'below')
    >>> relation(0, 0, may) is None
    True
    """
    if budget <= 0:
        return None
    p, q = time.numerator, time.denominator
    diff = executed * q - budget * p  # sign of overall − time progress, scaled by budget × q
    slight = abs(diff) * 100 <= SLIGHT_POINTS * budget * q
    if diff == 0:
        return "equal"
    if diff > 0:
        return "slightly_above" if slight else "above"
    return "slightly_below" if slight else "below"


def _aggregations() -> list[pl.Expr]:
    alert, budget = pl.col("execution_alert"), pl.col("_budget")
    exprs = [
        pl.len().alias("projects"),
        budget.sum().alias("_budget_sum"),
        pl.col("_executed").sum().alias("_executed_sum"),
    ]
    for colour in EXECUTION_COLOURS:
        exprs += [
            (alert == colour).sum().alias(f"{colour}_projects"),
            budget.filter(alert == colour).sum().alias(f"_{colour}_budget"),
        ]
    exprs.append((pl.col("execution_note") == BUDGET_ZERO).sum().alias("budget_zero_projects"))
    exprs += [
        (pl.col("indicator_alert") == c).sum().alias(f"indicator_{c}_projects")
        for c in INDICATOR_COLOURS
    ]
    return exprs


def summarise(
    alerts: pl.DataFrame,
    time: TimeProgress,
    not_reported: pl.DataFrame,
    *,
    by_department: bool,
    with_indicators: bool,
    language: str | None = "zh",
) -> pl.DataFrame:
    """Summarise project alerts per department (``by_department``) or for the whole region.

    Returns one row per department (or one row), with ``sentence`` (overall
    progress against time progress) and ``detail`` (projects and money by
    colour) in ``language``: Chinese by default, as data (the summary CSVs do
    not change with the language); ``None`` for the chosen language (what the
    command line prints).
    """
    keys = ["dept_code", "dept_name"] if by_department else []
    if by_department:
        grouped = alerts.group_by(keys, maintain_order=True).agg(_aggregations()).sort(keys)
        missing = not_reported.group_by("dept_code").agg(pl.len().alias("not_reported"))
        grouped = grouped.join(missing, on="dept_code", how="left", maintain_order="left")
        grouped = grouped.with_columns(pl.col("not_reported").fill_null(0).cast(pl.UInt32))
    else:
        grouped = alerts.select(
            pl.col("dept_code").n_unique().alias("departments"), *_aggregations()
        ).with_columns(pl.lit(not_reported.height, pl.UInt32).alias("not_reported"))
    budget_sum = pl.col("_budget_sum").cast(FIXED)
    ratio = (
        pl.col("_executed_sum").cast(FIXED) * (time.denominator * 100),
        budget_sum * time.numerator,
    )
    grouped = grouped.with_columns(
        percent_floor(*ratio).alias("execution_progress"),
        pl.when(budget_sum > 0).then(band(*ratio)).alias("execution_alert"),
        fixed_to_float(budget_sum).alias("budget_full_year"),
        fixed_to_float(pl.col("_executed_sum")).alias("executed_to_date"),
        percent_half_up(pl.col("_executed_sum") * 100, budget_sum).alias("overall_progress"),
        pl.lit(float(time.percent)).alias("time_progress"),
        *[fixed_to_float(pl.col(f"_{c}_budget")).alias(f"{c}_budget") for c in EXECUTION_COLOURS],
    )
    rows = grouped.select("_executed_sum", "_budget_sum", *keys, "projects").to_dicts()
    relations, sentences, details = [], [], []
    colour_rows = grouped.to_dicts()
    for row, full in zip(rows, colour_rows, strict=True):
        executed, budget = int(row["_executed_sum"] or 0), int(row["_budget_sum"] or 0)
        rel = relation(executed, budget, time)
        relations.append(rel)
        with use_language(language or get_language()):
            scope = _("{name}: ").format(name=row["dept_name"]) if by_department else ""
            sentences.append(_sentence(scope, row["projects"], executed, budget, rel, time))
            details.append(_detail(full, with_indicators))
    out = grouped.with_columns(
        pl.Series("relation", relations, dtype=pl.String),
        pl.Series("sentence", sentences, dtype=pl.String),
        pl.Series("detail", details, dtype=pl.String),
    )
    front = [*keys, *([] if by_department else ["departments"])]
    ordered = [
        *front,
        "projects",
        "budget_full_year",
        "executed_to_date",
        "overall_progress",
        "time_progress",
        "relation",
        "execution_progress",
        "execution_alert",
    ]
    for colour in EXECUTION_COLOURS:
        ordered += [f"{colour}_projects", f"{colour}_budget"]
    ordered += ["budget_zero_projects"]
    if with_indicators:
        ordered += [f"indicator_{c}_projects" for c in INDICATOR_COLOURS]
    ordered += ["not_reported", "sentence", "detail"]
    return out.select(ordered)


def _sentence(
    scope: str, projects: int, executed: int, budget: int, rel: str | None, time: TimeProgress
) -> str:
    tp = percent_text(time.percent)
    head = _(
        "{scope}{period} performance monitoring: {projects} project(s), {money} (10k yuan)"
    ).format(scope=scope, period=_period(time), projects=projects, money=money_text(budget))
    if rel is None:
        return _(
            "{head}; full-year budget 0, the overall progress cannot be computed "
            "(time progress {time_progress})"
        ).format(head=head, time_progress=tp)
    overall = percent_text(round_half_up(Decimal(executed * 100) / Decimal(budget)))
    if rel == "equal":
        return _(
            "{head}; overall progress {overall}, level with the time progress {time_progress}"
        ).format(head=head, overall=overall, time_progress=tp)
    return _(
        "{head}; overall progress {overall}, {relation} the time progress {time_progress}"
    ).format(head=head, overall=overall, relation=_(_RELATIONS[rel]), time_progress=tp)


#: The relation to time progress, in the sentence (the Chinese: RELATION_LABELS).
_RELATIONS = {
    "above": N_("above"),
    "slightly_above": N_("slightly above"),
    "slightly_below": N_("slightly below"),
    "below": N_("below"),
}
#: The alert colours, in the sentence (the Chinese: ALERT_LABELS).
_COLOURS = {"red": N_("red"), "yellow": N_("yellow"), "green": N_("green"), "blue": N_("blue")}


def _period(time: TimeProgress) -> str:
    """The period in the sentence: ``2024年8月`` / ``截至2024年8月31日`` (English: ISO-like)."""
    if time.as_of is not None:
        d = time.as_of
        return _("as of {year}-{month}-{day}").format(year=d.year, month=d.month, day=d.day)
    return _("{year}-{month}").format(year=time.year, month=time.month)


def _detail(row: dict, with_indicators: bool) -> str:
    parts = []
    for c in EXECUTION_COLOURS:
        money = money_text(int(row[f"_{c}_budget"] or 0))
        parts.append(
            _("{colour} {n} ({money} (10k yuan))").format(
                colour=_(_COLOURS[c]), n=row[f"{c}_projects"], money=money
            )
        )
    text = _("execution alerts: {parts}").format(parts=_(", ").join(parts))
    if row["budget_zero_projects"]:
        text += _(", full-year budget 0: {n}").format(n=row["budget_zero_projects"])
    if with_indicators:
        ind = _(", ").join(
            _("{colour} {n}").format(colour=_(_COLOURS[c]), n=row[f"indicator_{c}_projects"])
            for c in INDICATOR_COLOURS
        )
        text += _("; indicator alerts (by each project's worst indicator): {parts}").format(
            parts=ind
        )
    if row["not_reported"]:
        text += _("; projects with no executed amount reported: {n}").format(n=row["not_reported"])
    return text

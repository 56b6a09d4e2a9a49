"""Chronic problems across years (持续性问题): low-efficiency and idle projects.

**Low efficiency (低效项目)** — a project-year is *low* when its execution
rate is below the threshold (default 60 %).  The rate is the one reported in
the score tables: executed / full-year budget × 100, rounded half-up to
0.01 %, computed exactly from the fixed-point amounts; the comparison with the
threshold is an integer comparison in hundredths of a percent, so 59.99 % is
low and exactly 60.00 % is not.  A year with a full-year budget of 0 has no
rate and is not low.  A project is chronically low-efficient when it is low in
at least ``consecutive`` (default 2) consecutive years.

**Idle (闲置项目 / 沉淀资金)** — money carried over and not spent.  A
project-year is *idle* when it had money (full-year budget > 0) and spent
nothing (executed = 0).  Idle years form a run when they are consecutive and
each year after the first received carry-over (``carryover`` > 0: the unspent
money of the year before was carried into it).  A project is idle when such a
run lasts at least ``idle_years`` (default 2) years.  Where the data give no
carry-over amount (no ``carryover`` column, e.g. scores handed in without the
projects table, or an empty cell) the carry-over condition cannot be checked
and consecutive years with money and no spending count;
:attr:`Chronic.idle_rule` says which rule was applied.

The two kinds do not overlap: a year that belongs to a qualifying idle run
is an idle year, not a low one (0 % executed is the extreme of low execution,
and 闲置 is the more specific finding).  A project that spent a little in
2022 and nothing in 2023–2024 is therefore idle 2023–2024 and not
low-efficient (one low year).  Runs are counted over consecutive calendar
years that the panel holds; a year in which the project is absent breaks a run.

**Low-efficiency money (低效无效资金占比)** — per department (current code) and
year, the share of its project money (full-year budgets) in projects that are
idle as of that year (an idle run up to that year of at least ``idle_years``)
or below the threshold in that year and the ``consecutive − 1`` years before
(idle years included: as of 2023, a project at 22 % in 2022 and 0 % in 2023
counts even though only 2023–2024 later make it idle), against the line
(default 10 %).  The
share is rounded half-up to 0.01 % and a department is over the line when that
share is above it (exactly 10.00 % is not over); ``low_efficiency_money`` and
``idle_money`` give the two parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit._limits import format_expr
from perfkit.compare._exact import hundredths, percent_cents
from perfkit.compare._panel import Panel
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import cents_text, cents_to_float, fixed_to_float
from perfkit.present._labels import KIND_LABELS

__all__ = [
    "DEFAULT_CONSECUTIVE",
    "DEFAULT_IDLE_YEARS",
    "DEFAULT_LOW_THRESHOLD",
    "DEFAULT_MONEY_LINE",
    "Chronic",
    "chronic",
]

#: Execution rate (percent) below which a project-year is low.
DEFAULT_LOW_THRESHOLD = Decimal(60)
#: Consecutive low years that make a project chronically low-efficient.
DEFAULT_CONSECUTIVE = 2
#: Consecutive idle years that make a project idle.
DEFAULT_IDLE_YEARS = 2
#: The line for low-efficiency money as a percent of a department's project money.
DEFAULT_MONEY_LINE = Decimal(10)


@dataclass(eq=False)
class Chronic:
    """Chronic low-efficiency and idle projects, and low-efficiency money per department.

    Frames come back as pandas when the panel was built from pandas.

    Attributes
    ----------
    low_threshold, money_line : Decimal
        Percentages used.
    consecutive, idle_years : int
        Run lengths used.
    idle_rule : str
        The idle rule applied (with or without the carry-over condition).
    """

    _projects: pl.DataFrame
    _money_share: pl.DataFrame
    _status: pl.DataFrame
    low_threshold: Decimal
    consecutive: int
    idle_years: int
    money_line: Decimal
    idle_rule: str
    from_pandas: bool = False

    @property
    def projects(self) -> Any:
        """One row per run: ``unit_code, unit_name, dept_code, dept_name, kind, kind_label,
        years, first_year, last_year, n_years, ongoing, execution_rates, budget_full_year,
        executed, unspent`` (money of the run's last year).

        ``ongoing`` is true when the run reaches the panel's last year.
        """
        return like_input(self._projects, self.from_pandas)

    @property
    def low_efficiency(self) -> Any:
        """The low-efficiency runs only."""
        return like_input(
            self._projects.filter(pl.col("kind") == "low_efficiency"), self.from_pandas
        )

    @property
    def idle(self) -> Any:
        """The idle runs only."""
        return like_input(self._projects.filter(pl.col("kind") == "idle"), self.from_pandas)

    @property
    def money_share(self) -> Any:
        """Per department and year: project money, low-efficiency money, share, ``over_line``."""
        return like_input(self._money_share, self.from_pandas)

    @property
    def status(self) -> Any:
        """Per unit and year: ``low``, ``idle`` and the run lengths up to that year."""
        return like_input(self._status, self.from_pandas)

    def over_line(self, year: int | None = None) -> Any:
        """Departments whose low-efficiency money share is above the line (last year by default).

        Examples
        --------
        >>> from perfkit.compare import panel, chronic
        >>> c = chronic(panel("data/sample"))
        >>> c.over_line(2024).get_column("dept_code").to_list()
        ['D01', 'D08', 'D23', 'D25', 'D33']
        """
        shares = self._money_share
        year = year if year is not None else shares.get_column("year").max()
        return like_input(
            shares.filter((pl.col("year") == year) & pl.col("over_line")), self.from_pandas
        )


def _percent(value: Decimal | int | float | str, what: str) -> int:
    try:
        cents = hundredths(value)
    except (ValueError, ArithmeticError):
        raise PerfkitError(
            _("{what} {value!r} must be a percentage with at most two decimals").format(
                what=what, value=value
            )
        ) from None
    if not 0 <= cents <= 10_000:
        raise PerfkitError(
            _("{what} {value} must be between 0 and 100 (percent)").format(what=what, value=value)
        )
    return cents


def _runs(ordered: pl.DataFrame, flag: str, link: pl.Expr) -> pl.DataFrame:
    """Runs of rows where ``flag`` holds, in a frame sorted by unit (``_uid``) and year.

    Adds ``_<flag>_run`` (the row index where the run starts), ``<flag>_years``
    (the run's length up to and including the row, 0 off a run) and
    ``_<flag>_total`` (the run's whole length) — shifts and fills only, no sort
    or group-by.
    """
    same = (pl.col("_uid") == pl.col("_uid").shift(1)) & (
        pl.col("year") - pl.col("year").shift(1) == 1
    )
    cont = (pl.col(flag) & pl.col(flag).shift(1) & same & link).fill_null(False)
    start = pl.col(flag) & ~cont
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    run = pl.when(start).then(index).forward_fill()
    frame = ordered.with_columns(
        pl.when(pl.col(flag)).then(run).alias(f"_{flag}_run"),
        cont.alias("_cont"),
    ).with_columns(
        pl.when(pl.col(flag))
        .then(index - pl.col(f"_{flag}_run") + 1)
        .otherwise(0)
        .cast(pl.Int32)
        .alias(f"{flag}_years")
    )
    ends = pl.col(flag) & ~pl.col("_cont").shift(-1).fill_null(False)
    total = pl.when(ends).then(pl.col(f"{flag}_years")).backward_fill()
    return frame.with_columns(
        pl.when(pl.col(flag)).then(total).otherwise(0).alias(f"_{flag}_total")
    ).drop("_cont")


def chronic(
    panel: Panel,
    *,
    low_threshold: Decimal | int | str = DEFAULT_LOW_THRESHOLD,
    consecutive: int = DEFAULT_CONSECUTIVE,
    idle_years: int = DEFAULT_IDLE_YEARS,
    money_line: Decimal | int | str = DEFAULT_MONEY_LINE,
) -> Chronic:
    """Find chronically low-efficient and idle projects (低效、闲置项目).

    Parameters
    ----------
    panel : Panel
        From :func:`perfkit.compare.panel`; needs money columns.
    low_threshold : Decimal, int or str
        Execution rate in percent below which a year is low (default 60).
        Give text or Decimal for fractions (``"62.5"``).
    consecutive : int
        Consecutive low years that make a project low-efficient (default 2).
    idle_years : int
        Consecutive idle years that make a project idle (default 2).
    money_line : Decimal, int or str
        The line for a department's low-efficiency money share (default 10 %).

    Returns
    -------
    Chronic

    Examples
    --------
    >>> from perfkit.compare import panel, chronic
    >>> c = chronic(panel("data/sample"))
    >>> c.low_efficiency.height, c.idle.height
    (15, 8)
    >>> c.projects.filter(pl.col("unit_code") == "P2020-D12-006").select(
    ...     "dept_code", "kind", "years").row(0)
    ('D41', 'low_efficiency', '2022-2024')
    """
    panel.require_money(_("the chronic-problem analysis"))
    threshold = _percent(low_threshold, "low_threshold")
    line = _percent(money_line, "money_line")
    for name, value in (("consecutive", consecutive), ("idle_years", idle_years)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise PerfkitError(
                _("{name} must be a whole number of years ≥ 1, not {value!r}").format(
                    name=name, value=value
                )
            )
    frame = panel.frame  # sorted by unit and year
    known = panel.carryover_known
    frame = frame.with_columns(
        ((pl.col("_budget") > 0) & (pl.col("_executed") == 0)).fill_null(False).alias("idle"),
    )
    # carried over: carry-over > 0; where the data do not give it, it cannot be checked
    link = (pl.col("_carryover") > 0).fill_null(True)
    frame = _runs(frame, "idle", link)
    # a year of a qualifying idle run is idle, not low: the idle label is the more specific one
    in_idle_run = pl.col("_idle_total") >= idle_years
    frame = frame.with_columns(
        ((pl.col("rate_cents") < threshold) & ~(pl.col("idle") & in_idle_run))
        .fill_null(False)
        .alias("low")
    )
    frame = _runs(frame, "low", pl.lit(True))
    # for the money share as of each year: below the threshold, idle years included
    frame = _runs(
        frame.with_columns(below=(pl.col("rate_cents") < threshold).fill_null(False)),
        "below",
        pl.lit(True),
    )
    idle_rule = "idle: full-year budget > 0 and executed = 0 in consecutive years, " + (
        "each year after the first with carry-over > 0"
        if known == frame.height
        else "each year after the first with carry-over > 0 where the data give it "
        f"(not checked on {frame.height - known:,} unit-year(s) without a carryover amount)"
        if known
        else "(no carryover column: the carry-over condition was not checked)"
    )
    last_year = panel.years[-1]
    runs = (
        pl.concat(
            [
                _run_table(frame, "low", "low_efficiency", consecutive, last_year),
                _run_table(frame, "idle", "idle", idle_years, last_year),
            ]
        )
        .sort("dept_code", "_uid", "kind", "first_year")
        .drop("_uid")
    )
    status = frame.select(
        "year",
        "_uid",
        "unit_code",
        "dept_code",
        "low",
        "low_years",
        (pl.col("low_years") >= consecutive).alias("low_efficiency"),
        "idle",
        "idle_years",
        (pl.col("idle_years") >= idle_years).alias("idle_project"),
    )
    share = _money_share(frame, panel, consecutive, idle_years, line)
    return Chronic(
        _projects=runs,
        _money_share=share,
        _status=status,
        low_threshold=Decimal(threshold) / 100,
        consecutive=consecutive,
        idle_years=idle_years,
        money_line=Decimal(line) / 100,
        idle_rule=idle_rule,
        from_pandas=panel.from_pandas,
    )


def _run_table(
    frame: pl.DataFrame, flag: str, kind: str, min_years: int, last_year: int
) -> pl.DataFrame:
    rows = frame.filter(pl.col(flag) & (pl.col(f"_{flag}_total") >= min_years))
    rate = pl.when(pl.col("rate_cents").is_not_null()).then(
        format_expr("{}%", cents_text(pl.col("rate_cents")))
    )
    runs = rows.group_by(f"_{flag}_run", maintain_order=True).agg(
        pl.col("_uid").first(),
        pl.col("unit_code").first(),
        pl.col("unit_name").last(),
        pl.col("dept_code").last(),
        pl.col("dept_name").last(),
        pl.col("year").first().alias("first_year"),
        pl.col("year").last().alias("last_year"),
        pl.len().cast(pl.Int32).alias("n_years"),
        rate.fill_null("—").str.join(";").alias("execution_rates"),
        pl.col("_budget").last().alias("_b"),
        pl.col("_executed").last().alias("_e"),
    )
    years = pl.when(pl.col("n_years") == 1).then(pl.col("first_year").cast(pl.String))
    years = years.otherwise(format_expr("{}-{}", pl.col("first_year"), pl.col("last_year")))
    return runs.select(
        "_uid",
        "unit_code",
        "unit_name",
        "dept_code",
        "dept_name",
        pl.lit(kind).alias("kind"),
        pl.lit(KIND_LABELS[kind]).alias("kind_label"),
        years.alias("years"),
        "first_year",
        "last_year",
        "n_years",
        (pl.col("last_year") == last_year).alias("ongoing"),
        "execution_rates",
        fixed_to_float(pl.col("_b")).alias("budget_full_year"),
        fixed_to_float(pl.col("_e")).alias("executed"),
        fixed_to_float(pl.col("_b") - pl.col("_e")).alias("unspent"),
    )


def _money_share(
    frame: pl.DataFrame, panel: Panel, consecutive: int, idle_years: int, line: int
) -> Any:
    idle = pl.col("idle_years") >= idle_years
    low = (pl.col("below_years") >= consecutive) & ~idle
    per = frame.group_by("dept_code", "year").agg(
        pl.len().cast(pl.Int64).alias("projects"),
        low.sum().cast(pl.Int64).alias("low_efficiency_projects"),
        idle.sum().cast(pl.Int64).alias("idle_projects"),
        pl.col("_budget").sum().alias("_total"),
        pl.col("_budget").filter(low).sum().alias("_low"),
        pl.col("_budget").filter(idle).sum().alias("_idle"),
    )
    share = percent_cents(pl.col("_low") + pl.col("_idle"), pl.col("_total"))
    return (
        per.join(panel.department_map.names, on="dept_code", how="left")
        .with_columns(share.alias("_share"))
        .select(
            "dept_code",
            "dept_name",
            "year",
            "projects",
            "low_efficiency_projects",
            "idle_projects",
            fixed_to_float(pl.col("_total")).alias("budget_full_year"),
            fixed_to_float(pl.col("_low")).alias("low_efficiency_money"),
            fixed_to_float(pl.col("_idle")).alias("idle_money"),
            cents_to_float(pl.col("_share")).alias("low_efficiency_share"),
            pl.lit(float(Decimal(line) / 100)).alias("line"),
            (pl.col("_share") > line).fill_null(False).alias("over_line"),
        )
        .sort("dept_code", "year")
    )

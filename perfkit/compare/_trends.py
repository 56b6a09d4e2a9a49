"""Department and region trends over the years (部门与全地区趋势).

Per department (under its **current** code for its whole history) and for the
whole region, year by year: units scored, the plain mean score and the
money-weighted mean score (weights: full-year budgets), the grade mix (counts
and shares), full-year budget, spending and the execution rate of the
summed money; plus the change of the mean score on the year before.  The
largest movers are the departments whose mean score changed most between
their first and last year in the panel.

All figures are computed exactly (integer cents and fixed-point money) and
rounded half-up to two decimals once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit.compare._exact import percent_cents
from perfkit.compare._panel import Panel
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import FIXED, cents_to_float, div_half_up, fixed_to_float

__all__ = ["MOVER_MEASURES", "Trends", "movers", "trends"]

#: Measures :func:`movers` can rank departments by.
MOVER_MEASURES = ("mean_score", "weighted_score", "execution_rate")


@dataclass(eq=False)
class Trends:
    """Department and region figures per year, and the largest movers.

    Frames come back as pandas when the panel was built from pandas.
    """

    _departments: pl.DataFrame
    _region: pl.DataFrame
    grades: list[str]
    from_pandas: bool = False

    @property
    def departments(self) -> Any:
        """One row per department (current code) and year; see :func:`trends`."""
        return like_input(self._departments, self.from_pandas)

    @property
    def region(self) -> Any:
        """One row per year for the whole region (全地区)."""
        return like_input(self._region, self.from_pandas)

    def movers(self, n: int = 5, by: str = "mean_score") -> Any:
        """The ``n`` departments that rose most and the ``n`` that fell most; see :func:`movers`."""
        return movers(self, n=n, by=by)

    def department(self, dept_code: str) -> Any:
        """The rows of one department (current code).

        Examples
        --------
        >>> from perfkit.compare import panel, trends
        >>> trends(panel("data/sample")).department("D41").select(
        ...     "year", "dept_code_then").rows()
        [(2022, 'D12'), (2023, 'D12'), (2024, 'D41')]
        """
        rows = self._departments.filter(pl.col("dept_code") == dept_code)
        if rows.height == 0:
            raise PerfkitError(
                _("department {dept_code!r} is not in the panel").format(dept_code=dept_code)
            )
        return like_input(rows, self.from_pandas)


def _figures(frame: pl.DataFrame, keys: list[str], grades: list[str]) -> pl.DataFrame:
    """Aggregate a panel frame by ``keys``: scores, grade mix, money (exact until shown)."""
    cents = pl.col("total_cents").cast(FIXED)
    budget = pl.col("_budget")
    agg = frame.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("units"),
        cents.sum().alias("_cents"),
        (cents * budget).sum().alias("_weighted"),
        budget.sum().alias("_budget"),
        pl.col("_executed").sum().alias("_executed"),
        budget.null_count().alias("_no_budget"),
        *[(pl.col("grade") == g).sum().cast(pl.Int64).alias(f"grade_{g}") for g in grades],
    )
    has_money = pl.col("_no_budget") == 0
    return agg.select(
        *keys,
        "units",
        cents_to_float(div_half_up(pl.col("_cents"), pl.col("units").cast(FIXED))).alias(
            "mean_score"
        ),
        cents_to_float(
            pl.when(has_money).then(div_half_up(pl.col("_weighted"), pl.col("_budget")))
        ).alias("weighted_score"),
        *[pl.col(f"grade_{g}") for g in grades],
        *[
            cents_to_float(percent_cents(pl.col(f"grade_{g}"), pl.col("units"))).alias(f"share_{g}")
            for g in grades
        ],
        fixed_to_float(pl.when(has_money).then(pl.col("_budget"))).alias("budget_full_year"),
        fixed_to_float(pl.when(has_money).then(pl.col("_executed"))).alias("executed"),
        cents_to_float(
            pl.when(has_money).then(percent_cents(pl.col("_executed"), pl.col("_budget")))
        ).alias("execution_rate"),
        div_half_up(pl.col("_cents"), pl.col("units").cast(FIXED)).alias("_mean_cents"),
    )


def trends(panel: Panel) -> Trends:
    """Per department and for the region: scores, grade mix, money and execution by year.

    Departments are reported under their current code and name for every
    year (a department renamed in 2024 shows its 2022 figures under the new
    code; ``dept_code_then`` says which code the data used that year).

    Columns of :attr:`Trends.departments` (and, without the department
    columns, :attr:`Trends.region`, which adds ``departments``):

    ``dept_code, dept_name, year, dept_code_then, units, mean_score,
    weighted_score, grade_<g>…, share_<g>…, budget_full_year, executed,
    execution_rate, score_change``

    * ``mean_score``: the plain mean of the units' totals;
    * ``weighted_score``: Σ(total × full-year budget) / Σ full-year budget;
    * ``share_<g>``: percent of the units with grade ``g``;
    * ``execution_rate``: Σ executed / Σ full-year budget × 100;
    * ``score_change``: ``mean_score`` minus the year before's (null in a
      department's first year, or after a year it was absent).

    Examples
    --------
    >>> from perfkit.compare import panel, trends
    >>> t = trends(panel("data/sample"))
    >>> t.departments.height   # 40 departments × 3 years
    120
    >>> t.region.select("year", "units").rows()
    [(2022, 594), (2023, 606), (2024, 602)]
    """
    grades = panel.grades
    frame = panel.frame
    depts = _figures(frame, ["dept_code", "year"], grades)
    then = panel.dept_years.group_by("dept_code", "year").agg(
        pl.col("dept_code_then").sort().str.join(",")
    )
    names = panel.department_map.names
    depts = (
        depts.join(then, on=["dept_code", "year"], how="left")
        .join(names, on="dept_code", how="left")
        .sort("dept_code", "year")
    )
    depts = _with_change(depts, ["dept_code"])
    front = ["dept_code", "dept_name", "year", "dept_code_then"]
    depts = depts.select(*front, *[c for c in depts.columns if c not in front])
    region = _figures(frame.with_columns(pl.lit("全地区").alias("_all")), ["_all", "year"], grades)
    n_depts = frame.group_by("year").agg(
        pl.col("dept_code").n_unique().cast(pl.Int64).alias("departments")
    )
    region = region.join(n_depts, on="year").drop("_all").sort("year").pipe(_with_change, [])
    region = region.select(
        "year", "departments", *[c for c in region.columns if c not in ("year", "departments")]
    )
    return Trends(depts, region, grades, panel.from_pandas)


def _with_change(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    prev_year = pl.col("year").shift(1)
    prev_mean = pl.col("_mean_cents").shift(1)
    if keys:
        prev_year, prev_mean = prev_year.over(keys), prev_mean.over(keys)
    change = pl.when(pl.col("year") - prev_year == 1).then(pl.col("_mean_cents") - prev_mean)
    return frame.with_columns(cents_to_float(change).alias("score_change")).drop("_mean_cents")


def movers(trends: Trends, n: int = 5, by: str = "mean_score") -> Any:
    """Departments whose figure rose most and fell most between their first and last year.

    Parameters
    ----------
    trends : Trends
        From :func:`trends`.
    n : int
        How many risers and how many fallers.
    by : str
        ``mean_score`` (default), ``weighted_score`` or ``execution_rate``.

    Returns
    -------
    DataFrame
        ``dept_code, dept_name, from_year, to_year, from_value, to_value,
        change, direction`` (``上升``/``下降``), risers first (largest rise
        first), then fallers (largest fall first); departments with no change
        are left out.  Ties are broken by department code.

    Examples
    --------
    >>> from perfkit.compare import panel, trends
    >>> m = trends(panel("data/sample")).movers(n=3)
    >>> m.get_column("direction").to_list()
    ['上升', '上升', '上升', '下降', '下降', '下降']
    """
    if by not in MOVER_MEASURES:
        raise PerfkitError(
            _("movers by {by!r}: use one of {measures}").format(
                by=by, measures=", ".join(MOVER_MEASURES)
            )
        )
    if n <= 0:
        raise PerfkitError(_("n must be a positive number of departments, not {n}").format(n=n))
    d = trends._departments.filter(pl.col(by).is_not_null())
    ends = (
        d.sort("dept_code", "year")
        .group_by("dept_code", maintain_order=True)
        .agg(
            pl.col("dept_name").last(),
            pl.col("year").first().alias("from_year"),
            pl.col("year").last().alias("to_year"),
            pl.col(by).first().alias("from_value"),
            pl.col(by).last().alias("to_value"),
        )
    )
    cents = (pl.col("to_value") * 100).round(0) - (pl.col("from_value") * 100).round(0)
    ends = ends.filter(pl.col("from_year") < pl.col("to_year")).with_columns(
        cents_to_float(cents.cast(pl.Int64)).alias("change"), cents.alias("_c")
    )
    up = ends.filter(pl.col("_c") > 0).sort(["_c", "dept_code"], descending=[True, False]).head(n)
    down = ends.filter(pl.col("_c") < 0).sort(["_c", "dept_code"]).head(n)
    result = pl.concat(
        [
            up.with_columns(pl.lit("上升").alias("direction")),
            down.with_columns(pl.lit("下降").alias("direction")),
        ]
    ).drop("_c")
    return like_input(result, trends.from_pandas)

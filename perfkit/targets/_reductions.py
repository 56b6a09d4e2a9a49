"""Budget review reductions (预算评审审减): the amount cut and the 审减率, exact.

The ``budget_requests`` table (docs/data-contract.md#budget_requests) gives, per
project, what was asked (``requested`` [申报数]) and what the review approved
(``approved`` [审定数]), in 万元.  :func:`reductions` gives the cut
(``reduced = requested − approved``) and the 审减率 (``reduced / requested × 100``,
half-up to 0.01 %) per project, department, region and in total — computed in fixed
point, so the published figures come out to the cent: 863354.51 of 2609623.78 万元 →
33.08 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.numbers import cents_to_float, div_half_up, fixed_text, fixed_to_float
from perfkit.tables._contract import Column, TableSpec
from perfkit.tables._read import TableInput, read_table
from perfkit.tables._validate import Check, check_table, run_checks
from perfkit.targets._messages import text

__all__ = ["BUDGET_REQUESTS", "Reductions", "reductions"]


def _col(name: str, kind: str, required: bool, *aliases: str) -> Column:
    return Column(name, kind, required, tuple(aliases))


#: The ``budget_requests`` table: one row per project of a planning year.
BUDGET_REQUESTS = TableSpec(
    "budget_requests",
    "预算申报与审定",
    (
        _col("year", "year", True, "年度", "年份"),
        _col("project_code", "text", True, "项目编码", "项目代码"),
        _col("project_name", "text", False, "项目名称"),
        _col("dept_code", "text", True, "部门编码", "部门代码"),
        _col("dept_name", "text", False, "部门名称"),
        _col("region", "text", False, "地区", "区域"),
        _col("requested", "amount", True, "申报数", "申报金额", "送审数"),
        _col("approved", "amount", True, "审定数", "审定金额"),
    ),
    key=("year", "project_code"),
)


@dataclass(eq=False)
class Reductions:
    """Cuts and 审减率 per project, department, region and in total.

    Each frame has ``requested, approved, reduced`` (万元) and ``reduction_rate``
    (percent, two decimals; null when nothing was requested).
    """

    projects_pl: pl.DataFrame
    departments_pl: pl.DataFrame
    regions_pl: pl.DataFrame
    total_pl: pl.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    from_pandas: bool = False

    @property
    def projects(self) -> Any:
        """Per project (pandas when pandas was handed in)."""
        return like_input(self.projects_pl, self.from_pandas)

    @property
    def departments(self) -> Any:
        """Per department."""
        return like_input(self.departments_pl, self.from_pandas)

    @property
    def regions(self) -> Any:
        """Per region (when the table has ``region``)."""
        return like_input(self.regions_pl, self.from_pandas)

    @property
    def total(self) -> Any:
        """The whole table in one row."""
        return like_input(self.total_pl, self.from_pandas)


def _shown(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sums of the fixed-point amounts per ``keys``, the rate exact, then floats to show."""
    sums = (
        frame.group_by(keys, maintain_order=True).agg(pl.col("_req").sum(), pl.col("_app").sum())
        if keys
        else frame.select(pl.col("_req").sum(), pl.col("_app").sum())
    )
    reduced = pl.col("_req") - pl.col("_app")
    rate = div_half_up(reduced * 10_000, pl.col("_req"))  # hundredths of a percent
    return sums.select(
        *keys,
        fixed_to_float(pl.col("_req")).alias("requested"),
        fixed_to_float(pl.col("_app")).alias("approved"),
        fixed_to_float(reduced).alias("reduced"),
        cents_to_float(rate).alias("reduction_rate"),
    )


def reductions(requests: TableInput) -> Reductions:
    """The budget review's cuts (审减) per project, department, region and in total.

    Parameters
    ----------
    requests : path or frame
        The ``budget_requests`` table.

    Raises
    ------
    InputError
        Every problem: a missing column, a negative amount, an approved amount above
        the request, a duplicate project.

    Examples
    --------
    >>> r = reductions(pl.DataFrame({
    ...     "year": ["2025"] * 2, "project_code": ["P1", "P2"], "dept_code": ["D1", "D2"],
    ...     "region": ["州本级", "县级"], "requested": ["988909.67", "1620714.11"],
    ...     "approved": ["484317.36", "1261951.91"]}))
    >>> r.total_pl.row(0)
    (2609623.78, 1746269.27, 863354.51, 33.08)
    >>> r.regions_pl.select("region", "reduction_rate").rows()
    [('州本级', 51.03), ('县级', 22.14)]
    """
    raw = read_table(requests, BUDGET_REQUESTS)
    typed, problems = check_table(raw)
    problems += run_checks(
        typed,
        raw,
        [
            Check(
                (pl.col("requested") >= 0) & (pl.col("approved") > pl.col("requested")),
                "approved",
                format_expr(
                    text("approved_over_request"),
                    fixed_text(pl.col("approved")),
                    fixed_text(pl.col("requested")),
                ),
            )
        ],
    )
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    work = typed.with_columns(pl.col("requested").alias("_req"), pl.col("approved").alias("_app"))
    for name in ("project_name", "dept_name", "region"):
        if name not in work.columns:
            work = work.with_columns(pl.lit(None, pl.String).alias(name))
    projects = _shown(
        work, ["year", "project_code", "project_name", "dept_code", "dept_name", "region"]
    )
    departments = (
        _shown(work, ["year", "dept_code"])
        .join(
            work.select("dept_code", "dept_name").unique(subset=["dept_code"], keep="first"),
            on="dept_code",
            how="left",
        )
        .select(
            "year", "dept_code", "dept_name", "requested", "approved", "reduced", "reduction_rate"
        )
    )
    regions = _shown(work.filter(pl.col("region").is_not_null()), ["year", "region"])
    total = _shown(work, [])
    return Reductions(projects, departments, regions, total, problems, raw.from_pandas)

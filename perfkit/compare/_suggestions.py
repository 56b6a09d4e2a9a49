"""Next year's budget suggestions (下年度预算安排建议) from a policy and the findings.

For every project present in the base year (by default the panel's last
year) the policy's rule for its grade applies, and the chronic rules apply
when the project is low-efficient or idle *as of the base year* (its run
reaches the base year).  Each rule gives an amount; the smallest wins
(largest cut).  Amounts are exact: the base is the fixed-point amount from
the data, each suggested amount is rounded half-up to 0.01 万元 with integer
arithmetic, the change is suggested − base, and department and region totals
are exact sums of the lines — so the lines always add up to the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit._limits import format_expr
from perfkit.compare._chronic import Chronic, chronic
from perfkit.compare._exact import CENT, percent_cents
from perfkit.compare._panel import Panel, display_columns
from perfkit.compare._policy import Action, BudgetPolicy, load_policy
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import FIXED, cents_to_float, div_half_up, fixed_to_float
from perfkit.present._labels import APPLIED_RULE_LABELS

__all__ = ["BudgetSuggestions", "budget_suggestions"]


@dataclass(eq=False)
class BudgetSuggestions:
    """Suggested budgets per project, with totals per department and for the region.

    Frames come back as pandas when the panel was built from pandas.

    Attributes
    ----------
    base_year : int
        The year whose budgets are the base; suggestions are for ``base_year + 1``.
    policy : BudgetPolicy
        The policy applied.
    chronic : Chronic
        The chronic findings used.
    """

    _projects: pl.DataFrame
    _departments: pl.DataFrame
    _totals: pl.DataFrame
    base_year: int
    policy: BudgetPolicy
    chronic: Chronic
    from_pandas: bool = False

    @property
    def projects(self) -> Any:
        """One line per project: base, suggested amount, change, rule applied and reason.

        Columns: ``year, budget_year, unit_code, unit_name, dept_code,
        dept_name, grade, total, execution_rate, low_efficiency_years,
        idle_years, base_amount, suggested_amount, change, cut_pct, action,
        applied_rule, reason`` (``applied_rule``: ``grade``, ``low_efficiency`` or
        ``idle``, the rule that set the amount) (amounts in 万元; ``change`` = suggested − base).
        """
        return like_input(self._projects, self.from_pandas)

    @property
    def departments(self) -> Any:
        """Per department: base, suggested, change, freed, counts and low-efficiency share."""
        return like_input(self._departments, self.from_pandas)

    @property
    def totals(self) -> Any:
        """The region's totals (one row), the exact sum of the departments."""
        return like_input(self._totals, self.from_pandas)


def _amount(base: pl.Expr, keep_hundredths: pl.Expr) -> pl.Expr:
    """``base × keep / 100 %`` rounded half-up to 0.01 万元, in fixed point."""
    return div_half_up(base * keep_hundredths.cast(FIXED), 10_000 * CENT) * CENT


def _to_cents(value: pl.Expr) -> pl.Expr:
    return div_half_up(value, CENT) * CENT


def _rule_amount(action: Action, base: pl.Expr, executed: pl.Expr) -> pl.Expr:
    keep = action.keep_hundredths
    if keep is None:  # to_executed: what was spent, never more than the base
        return _to_cents(pl.min_horizontal(base, executed))
    return _amount(base, pl.lit(keep, pl.Int64))


def budget_suggestions(
    panel: Panel,
    policy: str | Path | BudgetPolicy | dict[str, Any] | None = None,
    *,
    base_year: int | None = None,
    chronic_result: Chronic | None = None,
    low_threshold: Decimal | int | str | None = None,
    consecutive: int | None = None,
    idle_years: int | None = None,
    money_line: Decimal | int | str | None = None,
) -> BudgetSuggestions:
    """Suggest next year's budget of every project, with the reason (结果应用).

    Parameters
    ----------
    panel : Panel
        From :func:`perfkit.compare.panel`; needs money columns.
    policy : path, mapping, BudgetPolicy or None
        The budget policy (:func:`perfkit.compare.load_policy`); None for the
        default (= ``parameters/policies/budget-policy.yaml``).
    base_year : int, optional
        The year whose budgets are the base (default: the panel's last year).
    chronic_result : Chronic, optional
        Chronic findings already computed; otherwise computed here with the
        policy's thresholds.
    low_threshold, consecutive, idle_years, money_line : optional
        Override the policy's thresholds (when ``chronic_result`` is not given).

    Returns
    -------
    BudgetSuggestions

    Examples
    --------
    >>> from perfkit.compare import panel, budget_suggestions
    >>> s = budget_suggestions(panel("data/sample"))
    >>> line = s.projects.filter(pl.col("unit_code") == "P2020-D01-005").row(0, named=True)
    >>> line["base_amount"], line["suggested_amount"], line["applied_rule"]
    (870.0, 0.0, 'idle')
    >>> line["reason"]
    '2024年评价等级为差：压减30%；结转资金连续3年未支出（2022—2024）：收回闲置资金；多项适用，取压减最多者（闲置项目）'
    """
    panel.require_money(_("budget suggestions"))
    policy_source = str(policy) if isinstance(policy, (str, Path)) else "the policy"
    rules = load_policy(policy)
    rules.check_grades(panel.grades, policy_source)
    year = panel.years[-1] if base_year is None else base_year
    if year not in panel.years:
        raise PerfkitError(
            _("base year {year} is not in the panel ({years})").format(year=year, years=panel.years)
        )
    if chronic_result is None:
        low = rules.low_efficiency
        chronic_result = chronic(
            panel,
            low_threshold=low.threshold_pct if low_threshold is None else low_threshold,
            consecutive=low.consecutive if consecutive is None else consecutive,
            idle_years=rules.idle.min_years if idle_years is None else idle_years,
            money_line=low.money_line_pct if money_line is None else money_line,
        )
    found = chronic_result
    status = found._status.filter(pl.col("year") == year).select(
        "_uid", "low_years", "low_efficiency", "idle_years", "idle_project"
    )
    rows = (
        panel.frame.filter(pl.col("year") == year)
        .join(status, on="_uid", how="left", maintain_order="left")
        .with_columns(display_columns())
    )
    base_col = "_budget" if rules.base == "budget_full_year" else "_initial"
    if rows.get_column(base_col).null_count():
        raise PerfkitError(
            _(
                "{policy_source}: base {base} is not known for every project "
                "of {year} (give the projects table with budget_initial)"
            ).format(policy_source=policy_source, base=rules.base, year=year)
        )
    base, executed = pl.col(base_col), pl.col("_executed")
    grade_amount = pl.lit(None, FIXED)
    grade_text = pl.lit(None, pl.String)
    grade_action = pl.lit(None, pl.String)
    for grade, action in rules.grades.items():
        hit = pl.col("grade") == grade
        grade_amount = (
            pl.when(hit).then(_rule_amount(action, base, executed)).otherwise(grade_amount)
        )
        grade_text = (
            pl.when(hit)
            .then(pl.lit(f"{year}年评价等级为{grade}：{action.describe()}"))
            .otherwise(grade_text)
        )
        grade_action = pl.when(hit).then(pl.lit(action.action)).otherwise(grade_action)
    low_rule, idle_rule = rules.low_efficiency, rules.idle
    thr = _pct_text(found.low_threshold)
    low_on = pl.col("low_efficiency").fill_null(False)
    idle_on = pl.col("idle_project").fill_null(False)
    first_low = pl.lit(year) - pl.col("low_years") + 1
    first_idle = pl.lit(year) - pl.col("idle_years") + 1
    low_text = pl.when(low_on).then(
        format_expr(
            f"执行率连续{{}}年低于{thr}%（{{}}—{year}）：{low_rule.describe()}",
            pl.col("low_years"),
            first_low,
        )
    )
    idle_text = pl.when(idle_on).then(
        format_expr(
            f"结转资金连续{{}}年未支出（{{}}—{year}）：{idle_rule.describe()}",
            pl.col("idle_years"),
            first_idle,
        )
    )
    amounts = rows.with_columns(
        grade_amount.alias("_grade_amt"),
        pl.when(low_on).then(_rule_amount(low_rule, base, executed)).alias("_low_amt"),
        pl.when(idle_on).then(_rule_amount(idle_rule, base, executed)).alias("_idle_amt"),
        grade_text.alias("_grade_txt"),
        grade_action.alias("_grade_act"),
        low_text.alias("_low_txt"),
        idle_text.alias("_idle_txt"),
    ).with_columns(
        pl.min_horizontal("_grade_amt", "_low_amt", "_idle_amt").alias("_suggested"),
    )
    deciding = (
        pl.when(pl.col("_idle_amt") == pl.col("_suggested"))
        .then(pl.lit("idle"))
        .when(pl.col("_low_amt") == pl.col("_suggested"))
        .then(pl.lit("low_efficiency"))
        .otherwise(pl.lit("grade"))
    )
    amounts = amounts.with_columns(deciding.alias("applied_rule"))
    n_rules = 1 + low_on.cast(pl.Int8) + idle_on.cast(pl.Int8)
    winner = pl.col("applied_rule").replace_strict(APPLIED_RULE_LABELS, return_dtype=pl.String)
    reason = pl.concat_str(
        [pl.col("_grade_txt"), pl.col("_low_txt"), pl.col("_idle_txt")],
        separator="；",
        ignore_nulls=True,
    )
    reason = (
        pl.when(n_rules > 1)
        .then(format_expr("{}；多项适用，取压减最多者（{}）", reason, winner))
        .otherwise(reason)
    )
    reason = pl.when(base == 0).then(format_expr("{}（基数为0）", reason)).otherwise(reason)
    action = (
        pl.when(pl.col("applied_rule") == "idle")
        .then(pl.lit(idle_rule.action))
        .when(pl.col("applied_rule") == "low_efficiency")
        .then(pl.lit(low_rule.action))
        .otherwise(pl.col("_grade_act"))
    )
    change = pl.col("_suggested") - base
    runs = _run_text(year)
    lines = amounts.with_columns(
        reason.alias("reason"),
        action.alias("action"),
        change.alias("_change"),
        base.alias("_base"),
    ).sort("dept_code", "_uid")
    projects = lines.select(
        "year",
        (pl.col("year") + 1).alias("budget_year"),
        "unit_code",
        "unit_name",
        "dept_code",
        "dept_name",
        "grade",
        "total",
        "execution_rate",
        pl.when(low_on).then(runs(pl.col("low_years"))).alias("low_efficiency_years"),
        pl.when(idle_on).then(runs(pl.col("idle_years"))).alias("idle_years"),
        fixed_to_float(pl.col("_base")).alias("base_amount"),
        fixed_to_float(pl.col("_suggested")).alias("suggested_amount"),
        fixed_to_float(pl.col("_change")).alias("change"),
        cents_to_float(
            percent_cents(pl.col("_base") - pl.col("_suggested"), pl.col("_base"))
        ).alias("cut_pct"),
        "action",
        "applied_rule",
        "reason",
    )
    departments = _department_totals(lines, found, year)
    totals = _region_totals(lines, year)
    return BudgetSuggestions(
        _projects=projects,
        _departments=departments,
        _totals=totals,
        base_year=year,
        policy=rules,
        chronic=found,
        from_pandas=panel.from_pandas,
    )


def _pct_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _run_text(year: int) -> Callable[[pl.Expr], pl.Expr]:
    def text(n: pl.Expr) -> pl.Expr:
        return format_expr(f"{{}}-{year}", pl.lit(year) - n + 1)

    return text


def _sums() -> list[pl.Expr]:
    cut = pl.col("_suggested") < pl.col("_base")
    return [
        pl.len().cast(pl.Int64).alias("projects"),
        pl.col("_base").sum().alias("_b"),
        pl.col("_suggested").sum().alias("_s"),
        pl.col("_change").sum().alias("_c"),
        cut.sum().cast(pl.Int64).alias("projects_cut"),
        ((pl.col("_suggested") == 0) & (pl.col("_base") > 0))
        .sum()
        .cast(pl.Int64)
        .alias("projects_to_zero"),
        (pl.col("applied_rule") == "low_efficiency")
        .sum()
        .cast(pl.Int64)
        .alias("by_low_efficiency"),
        (pl.col("applied_rule") == "idle").sum().cast(pl.Int64).alias("by_idle"),
    ]


def _money(frame: pl.DataFrame) -> list[pl.Expr]:
    return [
        fixed_to_float(pl.col("_b")).alias("base_amount"),
        fixed_to_float(pl.col("_s")).alias("suggested_amount"),
        fixed_to_float(pl.col("_c")).alias("change"),
        fixed_to_float(pl.col("_b") - pl.col("_s")).alias("freed"),
        cents_to_float(percent_cents(pl.col("_b") - pl.col("_s"), pl.col("_b"))).alias("cut_pct"),
    ]


def _department_totals(lines: pl.DataFrame, found: Chronic, year: int) -> pl.DataFrame:
    per = lines.group_by("dept_code").agg(pl.col("dept_name").first(), *_sums())
    share = found._money_share.filter(pl.col("year") == year).select(
        "dept_code", "low_efficiency_share", "over_line"
    )
    return (
        per.join(share, on="dept_code", how="left")
        .select(
            pl.lit(year).alias("year"),
            pl.lit(year + 1).alias("budget_year"),
            "dept_code",
            "dept_name",
            "projects",
            *_money(per),
            "projects_cut",
            "projects_to_zero",
            "by_low_efficiency",
            "by_idle",
            "low_efficiency_share",
            "over_line",
        )
        .sort("dept_code")
    )


def _region_totals(lines: pl.DataFrame, year: int) -> pl.DataFrame:
    per = lines.select(*_sums())
    return per.select(
        pl.lit(year).alias("year"),
        pl.lit(year + 1).alias("budget_year"),
        pl.lit(lines.get_column("dept_code").n_unique(), pl.Int64).alias("departments"),
        "projects",
        *_money(per),
        "projects_cut",
        "projects_to_zero",
        "by_low_efficiency",
        "by_idle",
    )

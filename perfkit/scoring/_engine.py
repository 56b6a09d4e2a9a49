"""Scoring project self-evaluations against an indicators system (项目支出绩效自评复算).

The second half of the project flow, read → check → **compute** → write
(docs/architecture.md#how-a-score-is-computed).  :func:`compute_projects` takes
tables that :func:`~perfkit.scoring._check.check_projects` found clean, with their
weights assigned, scores every indicator with one vectorised expression per rule
kind, adds the budget-execution item, sums rounded item points to totals, grades
them and raises the per-unit flags.  It checks nothing: a problem found here would
be a defect of the checks.  :func:`score_projects` is the two steps in one call.
"""

from __future__ import annotations

import polars as pl

from perfkit.numbers import (
    FIXED,
    SCALE,
    cents_to_float,
    div_half_up,
    fixed_text,
    fixed_to_float,
    ratio_cents,
    to_cents,
)
from perfkit.scoring._check import _KEY, CheckedProjects, check_projects
from perfkit.scoring._flags import add_risk_order, unit_flags
from perfkit.scoring._grading import grade_expr
from perfkit.scoring._result import ScoreResult
from perfkit.scoring._rules import (
    execution_cents,
    over_completed,
    share_cents,
)
from perfkit.systems import System, qualitative_rule
from perfkit.tables._contract import SOURCE_COLUMNS
from perfkit.tables._read import RawTable

__all__ = ["compute_projects", "score_projects"]


def _indicator_points(ind: pl.DataFrame, system: System) -> pl.DataFrame:
    """Points in cents for every indicator, one expression per rule kind."""
    rules = system.indicator_rules
    w, a, t = pl.col("weight_cents"), pl.col("actual"), pl.col("target")
    qual_rule = qualitative_rule(system)
    default_pct = {i: int(lv.default_pct * SCALE) for i, lv in enumerate(qual_rule.levels, 1)}
    reverse_variant = getattr(rules["reverse"], "variant", "linear")
    entered = to_cents(pl.col("self_points")) if "self_points" in ind.columns else pl.lit(None)
    direction = pl.col("direction")
    # every rule is "full", "zero", an entered score, or weight × N / D: choose N and D per
    # direction and divide once (one Int128 division per row instead of one per rule kind)
    linear = reverse_variant != "ratio"
    is_pos = direction == "positive"
    is_rev = direction == "reverse"
    is_eq = direction == "equal"
    is_qual = direction == "qualitative"
    full = (
        ((is_pos | (is_eq & (t > 0))) & ((t <= 0) | (a >= t)))
        | (is_rev & (a <= t))
        | (is_eq & (t == 0) & (a <= 0))
    )
    zero = (is_eq & (t == 0) & (a > 0)) | (is_rev & (a >= t * 2) if linear else pl.lit(False))
    numerator = (
        pl.when(is_qual)
        .then(pl.col("level").replace_strict(default_pct, default=None, return_dtype=FIXED))
        .when(is_rev)
        .then(t * 2 - a if linear else t)
        .otherwise(a)
    )
    denominator = (
        pl.when(is_qual)
        .then(pl.lit(100 * SCALE, FIXED))
        .when(is_rev & ~pl.lit(linear))
        .then(a)
        .otherwise(t)
    )
    points = (
        pl.when(is_qual & entered.is_not_null())
        .then(entered)
        .when(full)
        .then(w)
        .when(zero)
        .then(pl.lit(0, pl.Int64))
        .otherwise(ratio_cents(w, numerator, denominator))
    )
    rule_name = (
        pl.when(direction == "reverse")
        .then(pl.lit(f"reverse/{reverse_variant}"))
        .otherwise(direction)
    )
    oc = system.over_completion
    over = (
        direction.is_in(["positive", "equal"]) & over_completed(a, t, oc.threshold_pct)
    ).fill_null(False)
    if oc.action == "deduct":
        cut = share_cents(w, pl.lit(int(oc.deduct_pct * SCALE), FIXED))
        points = pl.when(over).then(pl.max_horizontal(points - cut, pl.lit(0))).otherwise(points)
    ratio = pl.when((direction != "qualitative") & (t > 0)).then(
        fixed_to_float(a) / fixed_to_float(t)
    )
    return ind.with_columns(
        points.cast(pl.Int64).alias("points_cents"),
        rule_name.alias("rule"),
        over.alias("over_completion"),
        ratio.alias("ratio"),
    )


def score_projects(p_raw: RawTable, i_raw: RawTable, system: System) -> ScoreResult:
    """Check, then score, project self-evaluations (vectorised; all problems at once).

    Parameters
    ----------
    p_raw, i_raw : RawTable
        The ``projects`` and ``indicators`` tables as read.
    system : System
        A ``kind: indicators`` system such as ``project-self-eval``.

    Returns
    -------
    ScoreResult
        Units and items in the order of the projects file.

    Raises
    ------
    InputError
        With every problem found, before anything is scored.

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> from perfkit.systems import load_system
    >>> r = score_projects(read_table("data/sample/projects.csv", "projects"),
    ...                    read_table("data/sample/indicators.csv", "indicators"),
    ...                    load_system("project-self-eval"))
    >>> r.units.columns[:4]
    ['year', 'unit_code', 'unit_name', 'dept_code']
    """
    return compute_projects(check_projects(p_raw, i_raw, system), system)


def compute_projects(checked: CheckedProjects, system: System) -> ScoreResult:
    """Score tables already checked clean (no checks here; see :func:`check_projects`).

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> from perfkit.systems import load_system
    >>> system = load_system("project-self-eval")
    >>> checked = check_projects(read_table("data/sample/projects.csv", "projects"),
    ...                          read_table("data/sample/indicators.csv", "indicators"), system)
    >>> compute_projects(checked, system).units.height == checked.projects.height
    True
    """
    ind = _indicator_points(checked.indicators, system)
    exec_group = system.execution_group
    assert exec_group is not None
    exec_cents = int(exec_group.points * 100)
    proj = checked.projects.rename({"project_code": "unit_code"}).with_columns(
        pl.col("_row").alias(_KEY),
        execution_cents(pl.lit(exec_cents), pl.col("executed"), pl.col("budget_full_year")).alias(
            "points_cents"
        ),
    )
    items = _item_table(proj, ind, system, exec_group.label, exec_cents)
    units = _unit_table(proj, ind, system, exec_group.label)
    return ScoreResult(
        system=system,
        units=units,
        items=items,
        warnings=list(checked.warnings),
        from_pandas=checked.from_pandas,
    )


def _item_table(
    proj: pl.DataFrame, ind: pl.DataFrame, system: System, exec_label: str, exec_cents: int
) -> pl.DataFrame:
    labels = {g.id: g.label for g in system.data_groups}
    has_self = "self_points" in ind.columns
    indicator_items = ind.select(
        _KEY,
        "year",
        "unit_code",
        pl.col("group_id").replace_strict(labels, default=None).alias("group"),
        "level2",
        pl.col("name").alias("item"),
        "rule",
        "direction",
        cents_to_float(pl.col("weight_cents")).alias("weight"),
        "weight_source",
        pl.col("target_text").alias("target"),
        pl.col("actual_text").alias("actual"),
        *[pl.col(c) for c in ("unit",) if c in ind.columns],
        pl.col("ratio").round(4),
        cents_to_float(pl.col("points_cents")).alias("points"),
        *([fixed_to_float(pl.col("self_points")).alias("self_points")] if has_self else []),
        "over_completion",
        *[pl.col(c) for c in ("reason",) if c in ind.columns],
        *[pl.col(c) for c in SOURCE_COLUMNS if c in ind.columns],
        pl.col("_row").alias("source_row"),
    )
    exec_items = proj.select(
        _KEY,
        "year",
        "unit_code",
        pl.lit(exec_label).alias("group"),
        pl.lit(None, pl.String).alias("level2"),
        pl.lit(exec_label).alias("item"),
        pl.lit("execution_rate").alias("rule"),
        pl.lit(None, pl.String).alias("direction"),
        pl.lit(exec_cents / 100).alias("weight"),
        pl.lit("system").alias("weight_source"),
        fixed_text(pl.col("budget_full_year")).alias("target"),
        fixed_text(pl.col("executed")).alias("actual"),
        pl.when(pl.col("budget_full_year") > 0)
        .then(fixed_to_float(pl.col("executed")) / fixed_to_float(pl.col("budget_full_year")))
        .round(4)
        .alias("ratio"),
        cents_to_float(pl.col("points_cents")).alias("points"),
        pl.lit(False).alias("over_completion"),
        *[pl.col(c) for c in SOURCE_COLUMNS if c in proj.columns],
        pl.col("_row").alias("source_row"),
    )
    # the full record: each project's 预算执行率 row (projects order), then every indicator
    # (unit order, file order within).  Interleaving them would gather every text column of
    # millions of rows again; the workbook for people sorts each unit's items together.
    items = pl.concat([exec_items, indicator_items], how="diagonal_relaxed")
    if has_self:
        items = items.with_columns(
            (pl.col("points") - pl.col("self_points")).round(2).alias("points_diff")
        )
    columns = [c for c in items.columns if c not in (_KEY, "source_row")]
    return items.select([*columns, "source_row"])


def _unit_table(
    proj: pl.DataFrame, ind: pl.DataFrame, system: System, exec_label: str
) -> pl.DataFrame:
    groups = system.data_groups
    # every group gets its column; empty (not applicable) where a unit has no such indicator,
    # as when the 满意度指标 points were moved to 产出/效益
    shown = list(groups)
    per_unit = ind.group_by(_KEY).agg(
        *[
            pl.col("points_cents").filter(pl.col("group_id") == g.id).sum().alias(g.label)
            for g in shown
        ],
        *[(pl.col("group_id") == g.id).any().alias(f"_has_{g.id}") for g in shown],
        pl.col("points_cents").sum().alias("_ind_cents"),
        pl.col("weight_cents").sum().alias("_ind_max"),
        pl.col("over_completion").any().alias("_over"),
        pl.len().alias("n_indicators"),
        (pl.col("weight_source") == "given").all().alias("weights_given"),
    )
    units = proj.join(per_unit, on=_KEY, how="left", maintain_order="left")
    labels = [g.label for g in shown]
    total = pl.col("points_cents") + pl.sum_horizontal([pl.col(c) for c in labels])
    units = units.with_columns(total.alias("_total_cents"))
    units = units.with_columns(grade_expr(pl.col("_total_cents"), system))
    units = add_risk_order(unit_flags(units, system))
    use = {g: r.label for g, r in system.result_use.items()}
    b, e = pl.col("budget_full_year"), pl.col("executed")
    # Int128: executed 10⁹ over a budget of 0.000001 is a rate of 10¹⁷ %, beyond Int64 in cents
    rate_cents = div_half_up(e * 10_000, b)  # null where b ≤ 0
    cols = [
        "year",
        "unit_code",
        pl.col("project_name").alias("unit_name"),
        "dept_code",
        "dept_name",
        *([pl.col("category")] if "category" in units.columns else []),
        fixed_to_float(pl.col("budget_initial")).alias("budget_initial"),
        fixed_to_float(b).alias("budget_full_year"),
        fixed_to_float(e).alias("executed"),
        cents_to_float(rate_cents).alias("execution_rate"),
        cents_to_float(pl.col("points_cents")).alias(exec_label),
        *[
            pl.when(pl.col(f"_has_{g.id}")).then(cents_to_float(pl.col(g.label))).alias(g.label)
            for g in shown
        ],
        cents_to_float(pl.col("_total_cents")).alias("total"),
        "grade",
    ]
    if "self_score" in units.columns:
        cols += [
            fixed_to_float(pl.col("self_score")).alias("self_score"),
            "self_grade",
            cents_to_float(to_cents(pl.col("self_score")) - pl.col("_total_cents")).alias(
                "score_diff"
            ),
        ]
    cols += [
        cents_to_float(div_half_up(pl.col("_ind_cents") * 10_000, pl.col("_ind_max"))).alias(
            "indicator_score_rate"
        ),
        "n_indicators",
        "weights_given",
        pl.col("grade").replace_strict(use, default=None).alias("result_use"),
        "flags",
        pl.col("^flag_.*$"),
        "risk_level",
        "risk_order",
        *[pl.col(c) for c in SOURCE_COLUMNS if c in units.columns],
    ]
    return units.select(cols)

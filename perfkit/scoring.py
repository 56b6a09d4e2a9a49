"""Scoring project self-evaluations against an indicators system (项目支出绩效自评复算).

:func:`score_projects` checks the ``projects`` and ``indicators`` tables
together (every problem at once), assigns weights, scores every indicator with
one vectorised expression per rule kind, adds the budget-execution item, sums
rounded item points to totals, grades them and raises the per-unit flags.
"""

from __future__ import annotations

import polars as pl

from perfkit.errors import InputError, Problem
from perfkit.fixedpoint import (
    FIXED,
    SCALE,
    cents_text,
    cents_to_float,
    fixed_text,
    fixed_to_float,
    to_cents,
)
from perfkit.flags import unit_flags
from perfkit.grading import grade_expr
from perfkit.readers import RawTable
from perfkit.result import ScoreResult
from perfkit.rules import (
    equal_cents,
    execution_cents,
    over_completed,
    positive_cents,
    reverse_cents,
    share_cents,
)
from perfkit.systems import System
from perfkit.systems.model import QualitativeRule
from perfkit.validation import check_table, problems_from_mask
from perfkit.weights import split_weights

__all__ = ["score_projects"]

_UNIT = ["year", "unit_code"]


def _norm(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


def _lookup(expr: pl.Expr, mapping: dict[str, object], dtype: pl.DataType) -> pl.Expr:
    keys = {k.lower(): v for k, v in mapping.items()}
    return _norm(expr).replace_strict(keys, default=None, return_dtype=dtype)


def _qualitative_levels(system: System) -> tuple[QualitativeRule, dict[str, int]]:
    rule = system.indicator_rules["qualitative"]
    assert isinstance(rule, QualitativeRule)
    phrases = {}
    for i, level in enumerate(rule.levels, start=1):
        for word in (level.phrase, *level.aliases):
            phrases["".join(word.split())] = i
    return rule, phrases


def check_indicators(
    projects: pl.DataFrame,
    indicators: pl.DataFrame,
    p_raw: RawTable,
    i_raw: RawTable,
    system: System,
) -> tuple[pl.DataFrame, list[Problem]]:
    """Cross-table and rule checks; returns indicators with ``group_id`` and ``level``."""
    problems: list[Problem] = []
    group_map = {w: g.id for g in system.data_groups for w in (g.label, *g.aliases)}
    qual_rule, phrases = _qualitative_levels(system)
    ind = indicators.with_columns(
        _lookup(pl.col("level1"), group_map, pl.String).alias("group_id"),
        _lookup(pl.col("actual_text"), phrases, pl.Int32).alias("level"),
        (pl.col("direction") != "qualitative").alias("_quant"),
    )
    accepted = "、".join(g.label for g in system.data_groups)
    problems += problems_from_mask(
        ind,
        pl.col("level1").is_not_null() & pl.col("group_id").is_null(),
        i_raw,
        "level1",
        pl.format(f"一级指标 '{{}}' is not one of {accepted}", pl.col("level1")),
    )

    known = projects.select("year", pl.col("project_code").alias("unit_code")).unique()
    orphans = ind.join(known, on=_UNIT, how="anti")
    problems += problems_from_mask(
        orphans,
        pl.col("unit_code").is_not_null() & pl.col("year").is_not_null(),
        i_raw,
        "unit_code",
        pl.format(
            f"no project {{}} in {p_raw.source} for year {{}}", pl.col("unit_code"), pl.col("year")
        ),
    )
    lonely = projects.join(
        ind.select(pl.col("unit_code").alias("project_code"), "year").unique(),
        on=["year", "project_code"],
        how="anti",
    )
    problems += problems_from_mask(
        lonely,
        pl.col("project_code").is_not_null(),
        p_raw,
        "project_code",
        pl.format(f"project {{}} has no indicators in {i_raw.source}", pl.col("project_code")),
    )

    quant = pl.col("_quant").fill_null(False)
    for col in ("target", "actual"):
        text = pl.col(f"{col}_text")
        problems += problems_from_mask(
            ind,
            quant & text.is_not_null() & pl.col(col).is_null(),
            i_raw,
            col,
            pl.format(
                "'{}' is not a number (a quantitative indicator needs a number; put the "
                "unit such as % in the unit column)",
                text,
            ),
        )
    problems += problems_from_mask(
        ind,
        quant & (pl.col("target") < 0),
        i_raw,
        "target",
        pl.format("target {} must not be negative", pl.col("target_text")),
    )
    problems += problems_from_mask(
        ind,
        quant & (pl.col("direction") == "positive") & (pl.col("actual") < 0),
        i_raw,
        "actual",
        pl.format("actual {} must not be negative for a 正向 indicator", pl.col("actual_text")),
    )
    levels = " / ".join(lv.phrase for lv in qual_rule.levels)
    problems += problems_from_mask(
        ind,
        (pl.col("direction") == "qualitative")
        & pl.col("actual_text").is_not_null()
        & pl.col("level").is_null(),
        i_raw,
        "actual",
        pl.format(
            f"qualitative result '{{}}' is not one of the three levels: {levels}",
            pl.col("actual_text"),
        ),
    )

    if "weight" in ind.columns:
        w = pl.col("weight")
        given = w.is_not_null().sum().over(_UNIT)
        problems += problems_from_mask(
            ind,
            w.is_null() & (given > 0),
            i_raw,
            "weight",
            pl.format(
                "weight missing while other indicators of {} have one (give all or none)",
                pl.col("unit_code"),
            ),
        )
        problems += problems_from_mask(
            ind, w <= 0, i_raw, "weight", pl.format("weight {} must be above 0", w)
        )
        problems += problems_from_mask(
            ind, w % (SCALE // 100) != 0, i_raw, "weight", "weight has more than two decimals"
        )
        need = int(system.indicator_points * SCALE)
        exec_points = system.total - system.indicator_points
        totals = (
            ind.group_by(_UNIT)
            .agg(pl.col("_row").min(), w.sum().alias("_sum"), w.is_null().sum().alias("_missing"))
            .filter((pl.col("_missing") == 0) & (pl.col("_sum") != need))
        )
        problems += problems_from_mask(
            totals,
            pl.lit(True),
            i_raw,
            "weight",
            pl.format(
                f"weights of unit {{}} ({{}}) add up to {{}}, not {system.indicator_points}"
                f" ({system.total} minus 预算执行率 {exec_points})",
                pl.col("unit_code"),
                pl.col("year"),
                fixed_text(pl.col("_sum")),
            ),
        )
    if "self_points" in ind.columns:
        problems += problems_from_mask(
            ind,
            pl.col("self_points") < 0,
            i_raw,
            "self_points",
            "entered score must not be negative",
        )
    return ind, problems


def _assign_weights(
    ind: pl.DataFrame, system: System, i_raw: RawTable
) -> tuple[pl.DataFrame, list[Problem]]:
    has_weight = "weight" in ind.columns
    given_units = (
        ind.filter(pl.col("weight").is_not_null()).select(_UNIT).unique()
        if (has_weight)
        else pl.DataFrame(schema={"year": pl.Int32, "unit_code": pl.String})
    )
    given = ind.join(given_units, on=_UNIT, how="semi")
    absent = ind.join(given_units, on=_UNIT, how="anti")
    given = given.with_columns(
        (pl.col("weight") // (SCALE // 100)).cast(pl.Int64).alias("weight_cents"),
        pl.lit("given").alias("weight_source"),
    )
    split, unsplittable = split_weights(absent, system)
    split = split.with_columns(pl.lit("equal_split").alias("weight_source"))
    first_rows = absent.group_by(_UNIT).agg(pl.col("_row").min())
    bad = unsplittable.join(first_rows, on=_UNIT)
    problems = problems_from_mask(
        bad,
        pl.lit(True),
        i_raw,
        "level1",
        pl.format("unit {} ({}): {}", pl.col("unit_code"), pl.col("year"), pl.col("message")),
    )
    out = pl.concat([given, split.select(given.columns)], how="vertical").sort("_row")
    # group totals that differ from the system's group points are only a warning
    if has_weight and given.height:
        expected = {g.id: int(g.points * 100) for g in system.data_groups}
        sums = (
            given.group_by([*_UNIT, "group_id"])
            .agg(pl.col("weight_cents").sum(), pl.col("_row").min())
            .with_columns(
                pl.col("group_id")
                .replace_strict(expected, default=None, return_dtype=pl.Int64)
                .alias("_expected")
            )
            .filter(pl.col("weight_cents") != pl.col("_expected"))
        )
        labels = {g.id: g.label for g in system.data_groups}
        problems += problems_from_mask(
            sums,
            pl.lit(True),
            i_raw,
            "weight",
            pl.format(
                "weights of {} ({}) in {} add up to {}, not the system's {}",
                pl.col("unit_code"),
                pl.col("year"),
                pl.col("group_id").replace_strict(labels, default=""),
                cents_text(pl.col("weight_cents")),
                cents_text(pl.col("_expected")),
            ),
            severity="warning",
        )
    return out, problems


def _indicator_points(ind: pl.DataFrame, system: System) -> pl.DataFrame:
    """Points in cents for every indicator, one expression per rule kind."""
    rules = system.indicator_rules
    w, a, t = pl.col("weight_cents"), pl.col("actual"), pl.col("target")
    qual_rule, _ = _qualitative_levels(system)
    default_pct = {i: int(lv.default_pct * SCALE) for i, lv in enumerate(qual_rule.levels, 1)}
    reverse_variant = getattr(rules["reverse"], "variant", "linear")
    entered = to_cents(pl.col("self_points")) if "self_points" in ind.columns else pl.lit(None)
    qual_default = share_cents(
        w, pl.col("level").replace_strict(default_pct, default=None, return_dtype=FIXED)
    )
    direction = pl.col("direction")
    points = (
        pl.when(direction == "positive")
        .then(positive_cents(w, a, t))
        .when(direction == "reverse")
        .then(reverse_cents(w, a, t, reverse_variant))
        .when(direction == "equal")
        .then(equal_cents(w, a, t))
        .when(direction == "qualitative")
        .then(pl.coalesce(entered, qual_default))
    )
    rule_name = (
        pl.when(direction == "reverse")
        .then(pl.lit(f"reverse/{reverse_variant}"))
        .otherwise(direction)
    )
    oc = system.over_completion
    over = (
        direction.is_in(["positive", "equal"]) & over_completed(a, t, float(oc.threshold_pct))
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


def _check_entered_points(ind: pl.DataFrame, system: System, i_raw: RawTable) -> list[Problem]:
    """Entered scores above the weight, and qualitative scores outside their level's band."""
    if "self_points" not in ind.columns:
        return []
    sp = to_cents(pl.col("self_points"))
    w = pl.col("weight_cents")
    problems = problems_from_mask(
        ind,
        sp > w,
        i_raw,
        "self_points",
        pl.format(
            "entered score {} is above its maximum (weight) {}",
            fixed_text(pl.col("self_points")),
            cents_text(w),
        ),
    )
    qual_rule, _ = _qualitative_levels(system)
    for i, level in enumerate(qual_rule.levels, start=1):
        low = w * int(level.min_pct * 100)  # cents × pct·100 → compare in cents·10⁴
        high = w * int(level.max_pct * 100)
        scaled = sp * 10_000
        outside = (scaled < low) | ((scaled > high) if level.max_inclusive else (scaled >= high))
        close = "]" if level.max_inclusive else ")"
        mask = (pl.col("direction") == "qualitative") & (pl.col("level") == i) & outside
        problems += problems_from_mask(
            ind,
            mask,
            i_raw,
            "self_points",
            pl.format(
                f"entered score {{}} is outside the band of level '{level.phrase}' "
                f"([{level.min_pct}%, {level.max_pct}%{close} of weight {{}})",
                fixed_text(pl.col("self_points")),
                cents_text(w),
            ),
        )
    return problems


def score_projects(p_raw: RawTable, i_raw: RawTable, system: System) -> ScoreResult:
    """Validate and score project self-evaluations (vectorised; all problems at once).

    Parameters
    ----------
    p_raw, i_raw : RawTable
        The ``projects`` and ``indicators`` tables as read.
    system : System
        A ``kind: indicators`` system such as ``project-self-eval``.

    Returns
    -------
    ScoreResult

    Raises
    ------
    InputError
        With every problem found, before anything is scored.

    Examples
    --------
    >>> from perfkit.readers import read_table
    >>> from perfkit.systems import load_system
    >>> r = score_projects(read_table("data/sample/projects.csv", "projects"),
    ...                    read_table("data/sample/indicators.csv", "indicators"),
    ...                    load_system("project-self-eval"))
    >>> r.units.columns[:4]
    ['year', 'unit_code', 'unit_name', 'dept_code']
    """
    projects, problems = check_table(p_raw)
    indicators, i_problems = check_table(i_raw)
    problems += i_problems
    ind, cross = check_indicators(projects, indicators, p_raw, i_raw, system)
    problems += cross
    if _has_errors(problems):
        raise InputError(problems)
    ind, weight_problems = _assign_weights(ind, system, i_raw)
    problems += weight_problems + _check_entered_points(ind, system, i_raw)
    if _has_errors(problems):
        raise InputError(problems)

    ind = _indicator_points(ind, system)
    exec_group = system.execution_group
    assert exec_group is not None
    exec_cents = int(exec_group.points * 100)
    proj = projects.rename({"project_code": "unit_code"}).with_columns(
        execution_cents(pl.lit(exec_cents), pl.col("executed"), pl.col("budget_full_year")).alias(
            "points_cents"
        )
    )
    items = _item_table(proj, ind, system, exec_group.label, exec_cents)
    units = _unit_table(proj, ind, system, exec_group.label)
    warnings = [p for p in problems if p.severity != "error"]
    return ScoreResult(
        system=system,
        units=units,
        items=items,
        warnings=warnings,
        from_pandas=p_raw.from_pandas or i_raw.from_pandas,
    )


def _has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _item_table(
    proj: pl.DataFrame, ind: pl.DataFrame, system: System, exec_label: str, exec_cents: int
) -> pl.DataFrame:
    labels = {g.id: g.label for g in system.data_groups}
    optional = [c for c in ("self_points", "reason", "unit") if c in ind.columns]
    indicator_items = ind.select(
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
        *[pl.col(c) for c in ("unit",) if c in optional],
        pl.col("ratio").round(4),
        cents_to_float(pl.col("points_cents")).alias("points"),
        *(
            [fixed_to_float(pl.col("self_points")).alias("self_points")]
            if "self_points" in optional
            else []
        ),
        "over_completion",
        *[pl.col(c) for c in ("reason",) if c in optional],
        pl.col("_row").alias("source_row"),
    )
    exec_items = proj.select(
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
        pl.col("_row").alias("source_row"),
    )
    items = pl.concat([exec_items, indicator_items], how="diagonal_relaxed")
    if "self_points" in items.columns:
        items = items.with_columns(
            (pl.col("points") - pl.col("self_points")).round(2).alias("points_diff")
        )
    order = pl.when(pl.col("rule") == "execution_rate").then(0).otherwise(1)
    return items.sort(["year", "unit_code", order, "source_row"], maintain_order=True)


def _unit_table(
    proj: pl.DataFrame, ind: pl.DataFrame, system: System, exec_label: str
) -> pl.DataFrame:
    labels = {g.id: g.label for g in system.data_groups}
    by_group = (
        ind.group_by([*_UNIT, "group_id"])
        .agg(pl.col("points_cents").sum())
        .with_columns(pl.col("group_id").replace_strict(labels, default=None))
    )
    wide = by_group.pivot(on="group_id", index=_UNIT, values="points_cents")
    present = [g.label for g in system.data_groups if g.label in wide.columns]
    per_unit = ind.group_by(_UNIT).agg(
        pl.col("points_cents").sum().alias("_ind_cents"),
        pl.col("weight_cents").sum().alias("_ind_max"),
        pl.col("over_completion").any().alias("_over"),
        pl.len().alias("n_indicators"),
        (pl.col("weight_source") == "given").all().alias("weights_given"),
    )
    units = (
        proj.join(wide, on=_UNIT, how="left")
        .join(per_unit, on=_UNIT, how="left")
        .with_columns([pl.col(c).fill_null(0) for c in present])
    )
    total = pl.col("points_cents") + pl.sum_horizontal([pl.col(c) for c in present])
    units = units.with_columns(total.alias("_total_cents"))
    units = units.with_columns(grade_expr(pl.col("_total_cents"), system))
    units = unit_flags(units, system)
    use = {g: r.label for g, r in system.result_use.items()}
    b, e = pl.col("budget_full_year"), pl.col("executed")
    rate_cents = (
        pl.when(b > 0).then((e * 20000 + b) // (b * 2)).cast(pl.Int64)
    )  # percent, 2 decimals, half-up
    cols = [
        "year",
        "unit_code",
        pl.col("project_name").alias("unit_name"),
        "dept_code",
        "dept_name",
        *([pl.col("category")] if "category" in units.columns else []),
        fixed_to_float(b).alias("budget_full_year"),
        fixed_to_float(e).alias("executed"),
        cents_to_float(rate_cents).alias("execution_rate"),
        cents_to_float(pl.col("points_cents")).alias(exec_label),
        *[cents_to_float(pl.col(c)).alias(c) for c in present],
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
        pl.when(pl.col("_ind_max") > 0)
        .then((pl.col("_ind_cents") * 10000 / pl.col("_ind_max")).round(0) / 100)
        .alias("indicator_score_rate"),
        "n_indicators",
        "weights_given",
        pl.col("grade").replace_strict(use, default=None).alias("result_use"),
        "flags",
        pl.col("^flag_.*$"),
    ]
    return units.sort(["year", "unit_code"]).select(cols)

"""Scoring project self-evaluations against an indicators system (项目支出绩效自评复算).

:func:`score_projects` checks the ``projects`` and ``indicators`` tables
together (every problem at once), assigns weights, scores every indicator with
one vectorised expression per rule kind, adds the budget-execution item, sums
rounded item points to totals, grades them and raises the per-unit flags.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import polars as pl

from perfkit.errors import InputError, Problem, problem_order
from perfkit.numbers import (
    FIXED,
    SCALE,
    cents_text,
    cents_to_float,
    fixed_text,
    fixed_to_float,
    map_unique,
    ratio_cents,
    to_cents,
)
from perfkit.scoring._flags import add_risk_order, unit_flags
from perfkit.scoring._grading import grade_expr
from perfkit.scoring._result import ScoreResult
from perfkit.scoring._rules import (
    execution_cents,
    over_completed,
    share_cents,
)
from perfkit.scoring._segments import position_in_unit, unit_total
from perfkit.scoring._weights import split_weights
from perfkit.systems import System
from perfkit.systems._model import QualitativeRule
from perfkit.tables._contract import SOURCE_COLUMNS, text_key
from perfkit.tables._read import RawTable
from perfkit.tables._validate import (
    Check,
    check_table,
    not_a_number,
    problems_from_mask,
    run_checks,
)

__all__ = ["score_projects"]

_UNIT = ["year", "unit_code"]
#: Integer key of a unit: its row in the projects file (for fast windows, joins, sorts).
_KEY = "_unit"


def _lookup(
    frame: pl.DataFrame,
    column: str,
    mapping: dict[str, object],
    dtype: pl.DataType,
    where: pl.Expr | None = None,
) -> pl.Expr:
    """Look text up in ``mapping`` after NFKC, blank removal and case folding."""
    keys = {text_key(k): v for k, v in mapping.items()}
    return map_unique(frame, column, lambda v: keys.get(text_key(v)), dtype, where)


def _above_zero(text: object) -> bool:
    """True when a number's text is above 0 (``1e-9`` is, though fixed point reads it as 0)."""
    try:
        return Decimal(unicodedata.normalize("NFKC", str(text)).replace(",", "").strip()) > 0
    except ArithmeticError:
        return False


def _qualitative_levels(system: System) -> tuple[QualitativeRule, dict[str, int]]:
    rule = system.indicator_rules["qualitative"]
    assert isinstance(rule, QualitativeRule)
    phrases = {}
    for i, level in enumerate(rule.levels, start=1):
        for word in (level.phrase, *level.aliases):
            phrases[word] = i
    return rule, phrases


def check_indicators(
    projects: pl.DataFrame,
    indicators: pl.DataFrame,
    p_raw: RawTable,
    i_raw: RawTable,
    system: System,
) -> tuple[pl.DataFrame, list[Problem]]:
    """Cross-table and rule checks.

    Returns the indicators with ``group_id``, ``level`` (qualitative level 1–3)
    and ``_unit`` (the project's row in the projects file; for an indicator of
    no known project, minus its own row) and every problem found.
    """
    group_map = {w: g.id for g in system.data_groups for w in (g.label, *g.aliases)}
    qual_rule, phrases = _qualitative_levels(system)
    keyed = projects.select(
        "year", pl.col("project_code").alias("unit_code"), pl.col("_row").alias("_prow")
    ).unique(subset=_UNIT, keep="first", maintain_order=True)
    if "weight" in indicators.columns:  # the text as given, to tell 'missing' from 'bad'
        indicators = indicators.with_columns(i_raw.frame.get_column("weight").alias("_weight_text"))
    qualitative = pl.col("direction") == "qualitative"
    ind = indicators.join(keyed, on=_UNIT, how="left", maintain_order="left").with_columns(
        _lookup(indicators, "level1", group_map, pl.String).alias("group_id"),
        _lookup(indicators, "actual_text", phrases, pl.Int32, where=qualitative).alias("level"),
        (~qualitative).alias("_quant"),
    )
    ind = (
        ind.with_columns(pl.coalesce("_prow", -pl.col("_row")).alias(_KEY))
        .drop("_prow")
        .sort(_KEY, maintain_order=True)  # units contiguous, file order within: see segments
    )
    accepted = "、".join(g.label for g in system.data_groups)
    levels = " / ".join(
        lv.phrase + (f"（简写：{'、'.join(lv.aliases)}）" if lv.aliases else "")
        for lv in qual_rule.levels
    )
    quant = pl.col("_quant").fill_null(False)
    checks = [
        Check(
            pl.col("level1").is_not_null() & pl.col("group_id").is_null(),
            "level1",
            pl.format(f"一级指标 '{{}}' is not one of {accepted}", pl.col("level1")),
        ),
        Check(
            (pl.col(_KEY) < 0) & pl.col("unit_code").is_not_null() & pl.col("year").is_not_null(),
            "unit_code",
            pl.format(
                f"no project {{}} in {p_raw.source} for year {{}}",
                pl.col("unit_code"),
                pl.col("year"),
            ),
        ),
        Check(
            quant & (pl.col("target") < 0),
            "target",
            pl.format("target {} must not be negative", pl.col("target_text")),
        ),
        Check(
            quant & (pl.col("direction") == "positive") & (pl.col("actual") < 0),
            "actual",
            pl.format("actual {} must not be negative for a 正向 indicator", pl.col("actual_text")),
        ),
        Check(
            (pl.col("direction") == "qualitative")
            & pl.col("actual_text").is_not_null()
            & pl.col("level").is_null(),
            "actual",
            pl.format(
                f"qualitative result '{{}}' is not one of the three levels: {levels}",
                pl.col("actual_text"),
            ),
        ),
    ]
    for col in ("target", "actual"):
        text = pl.col(f"{col}_text")
        checks.append(
            Check(
                quant & not_a_number(ind, f"{col}_text", col),
                col,
                pl.format(
                    "'{}' is not a number (a quantitative indicator needs a number, written "
                    "as 95, 95%, ≥95%, ≤100万元 or 不超过3天)",
                    text,
                ),
            )
        )
    if "weight" in ind.columns:
        w = pl.col("weight")
        given = unit_total(w.is_not_null(), _KEY) > 0
        # a positive weight too small for fixed point (1e-9) reads as 0: say what was given
        tiny = map_unique(ind, "_weight_text", _above_zero, pl.Boolean, where=w == 0)
        tiny = tiny.fill_null(False)
        checks += [
            Check(
                w.is_null() & given,
                "weight",
                pl.format(
                    "weight missing while other indicators of {} have one (give all or none)",
                    pl.col("unit_code"),
                ),
            ),
            Check(
                (w <= 0) & ~tiny,
                "weight",
                pl.format("weight {} must be above 0", pl.col("_weight_text").cast(pl.String)),
            ),
            Check(
                (w % (SCALE // 100) != 0) | ((w == 0) & tiny),
                "weight",
                pl.format(
                    "weight {} has more than two decimals", pl.col("_weight_text").cast(pl.String)
                ),
            ),
        ]
    problems_p = _project_checks(projects, p_raw, system)
    if "self_points" in ind.columns:
        checks.append(
            Check(pl.col("self_points") < 0, "self_points", "entered score must not be negative")
        )
    problems = problems_p + run_checks(ind, i_raw, checks)

    with_indicators = ind.get_column(_KEY).unique().implode()
    first_of_key = pl.col("_row").min().over("year", "project_code")  # duplicates: see first
    lonely = projects.filter(~first_of_key.is_in(with_indicators))
    problems += problems_from_mask(
        lonely,
        pl.col("project_code").is_not_null(),
        p_raw,
        "project_code",
        pl.format(f"project {{}} has no indicators in {i_raw.source}", pl.col("project_code")),
    )
    if "weight" in ind.columns:
        need = int(system.indicator_points * SCALE)
        exec_points = system.total - system.indicator_points
        totals = (
            ind.group_by(_KEY)
            .agg(
                pl.col("_row").min(),
                pl.col("unit_code").first(),
                pl.col("year").first(),
                pl.col("weight").sum().alias("_sum"),
                pl.col("weight").is_null().sum().alias("_missing"),
            )
            .filter((pl.col("_missing") == 0) & (pl.col("_sum") != need))
        )
        problems += problems_from_mask(
            totals,
            pl.lit(True),
            i_raw,
            "weight",
            pl.format(
                f"weights of unit {{}} ({{}}) add up to {{}}, not "
                f"{system.indicator_points} ({system.total} minus 预算执行率 "
                f"{exec_points})",
                pl.col("unit_code"),
                pl.col("year"),
                fixed_text(pl.col("_sum")),
            ),
        )
    return ind, problems


def _project_checks(projects: pl.DataFrame, p_raw: RawTable, system: System) -> list[Problem]:
    """A stated self-score must lie within [0, total]; a stated self-grade must be a grade."""
    checks = []
    if "self_score" in projects.columns:
        top = int(system.total * SCALE)
        checks.append(
            Check(
                (pl.col("self_score") < 0) | (pl.col("self_score") > top),
                "self_score",
                pl.format(
                    f"self-score {{}} is outside 0–{system.total}", fixed_text(pl.col("self_score"))
                ),
            )
        )
    if "self_grade" in projects.columns:
        grades = [b.grade for b in system.grades]
        checks.append(
            Check(
                pl.col("self_grade").is_not_null() & ~pl.col("self_grade").is_in(grades),
                "self_grade",
                pl.format(
                    f"self-grade '{{}}' is not one of {'、'.join(grades)}", pl.col("self_grade")
                ),
            )
        )
    return run_checks(projects, p_raw, checks)


def _assign_weights(
    ind: pl.DataFrame, system: System, i_raw: RawTable
) -> tuple[pl.DataFrame, list[Problem]]:
    """Given weights where a unit gives them, else the equal split; rows stay in order."""
    has_weight = "weight" in ind.columns
    given = unit_total(pl.col("weight").is_not_null(), _KEY) > 0 if has_weight else pl.lit(False)
    split, unsplittable = split_weights(ind.with_columns(given.alias("_given")), system, key=_KEY)
    given_cents = (
        (pl.col("weight") // (SCALE // 100)).cast(pl.Int64)
        if has_weight
        else pl.lit(None, pl.Int64)
    )
    out = split.with_columns(
        pl.when(pl.col("_given"))
        .then(given_cents)
        .otherwise(pl.col("weight_cents"))
        .alias("weight_cents"),
        pl.when(pl.col("_given"))
        .then(pl.lit("given"))
        .otherwise(pl.lit("equal_split"))
        .alias("weight_source"),
    )
    problems: list[Problem] = []
    if unsplittable.height:  # rare: only then find each unit's first row for the message
        firsts = (
            out.filter(pl.col(_KEY) > 0)  # unknown projects: reported already
            .group_by(_KEY)
            .agg(pl.col("_row").min(), pl.col("unit_code").first(), pl.col("year").first())
        )
        problems += problems_from_mask(
            unsplittable.join(firsts, on=_KEY),
            pl.lit(True),
            i_raw,
            "level1",
            pl.format("unit {} ({}): {}", pl.col("unit_code"), pl.col("year"), pl.col("message")),
        )
    # group totals that differ from the unit's group points (50/30/10, or 56.25/33.75 after
    # redistribution) are only a warning; units whose weights are missing or do not total 90
    # have an error already.  Segment sums on the unit-sorted rows: no hashing.
    if has_weight and out.select(pl.col("_given").any()).item():
        labels = {g.id: g.label for g in system.data_groups}
        need = int(system.indicator_points * 100)
        group = pl.col("group_id")
        complete = (unit_total(pl.col("weight").is_null(), _KEY) == 0) & (
            unit_total(pl.col("weight_cents").fill_null(0), _KEY) == need
        )
        group_sum = pl.coalesce(
            [
                pl.when(group == g.id).then(
                    unit_total(pl.when(group == g.id).then(pl.col("weight_cents")), _KEY)
                )
                for g in system.data_groups
            ]
        )
        first_of_group = pl.coalesce(
            [position_in_unit(group == g.id, _KEY) == 0 for g in system.data_groups]
        )
        mask = pl.col("_given") & complete & first_of_group & (group_sum != pl.col("group_cents"))
        problems += problems_from_mask(
            out,
            mask,
            i_raw,
            "weight",
            pl.format(
                "weights of {} ({}) in {} add up to {}, not the system's {}",
                pl.col("unit_code"),
                pl.col("year"),
                group.replace_strict(labels, default=""),
                cents_text(group_sum),
                cents_text(pl.col("group_cents")),
            ),
            severity="warning",
        )
    return out.drop("_given", "group_cents"), problems


def _indicator_points(ind: pl.DataFrame, system: System) -> pl.DataFrame:
    """Points in cents for every indicator, one expression per rule kind."""
    rules = system.indicator_rules
    w, a, t = pl.col("weight_cents"), pl.col("actual"), pl.col("target")
    qual_rule, _ = _qualitative_levels(system)
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


def _check_entered_points(ind: pl.DataFrame, system: System, i_raw: RawTable) -> list[Problem]:
    """Entered scores above the weight, and qualitative scores outside their level's band."""
    if "self_points" not in ind.columns:
        return []
    sp = to_cents(pl.col("self_points"))
    w = pl.col("weight_cents")
    checks = [
        Check(
            sp > w,
            "self_points",
            pl.format(
                "entered score {} is above its maximum (weight) {}",
                fixed_text(pl.col("self_points")),
                cents_text(w),
            ),
        )
    ]
    qual_rule, _ = _qualitative_levels(system)
    for i, level in enumerate(qual_rule.levels, start=1):
        low = w * int(level.min_pct * 100)  # compare cents·10⁴ with cents × pct·100
        high = w * int(level.max_pct * 100)
        scaled = sp * 10_000
        outside = (scaled < low) | ((scaled > high) if level.max_inclusive else (scaled >= high))
        close = "]" if level.max_inclusive else ")"
        checks.append(
            Check(
                (pl.col("direction") == "qualitative") & (pl.col("level") == i) & outside,
                "self_points",
                pl.format(
                    f"entered score {{}} is outside the band of level '{level.phrase}' "
                    f"([{level.min_pct}%, {level.max_pct}%{close} of weight {{}})",
                    fixed_text(pl.col("self_points")),
                    cents_text(w),
                ),
            )
        )
    return run_checks(ind, i_raw, checks)


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
    projects, problems = check_table(p_raw)
    indicators, i_problems = check_table(i_raw)
    problems += i_problems
    ind, cross = check_indicators(projects, indicators, p_raw, i_raw, system)
    problems += cross
    ind, weight_problems = _assign_weights(ind, system, i_raw)
    problems += weight_problems + _check_entered_points(ind, system, i_raw)
    if _has_errors(problems):
        raise InputError(problems)

    ind = _indicator_points(ind, system)
    exec_group = system.execution_group
    assert exec_group is not None
    exec_cents = int(exec_group.points * 100)
    proj = projects.rename({"project_code": "unit_code"}).with_columns(
        pl.col("_row").alias(_KEY),
        execution_cents(pl.lit(exec_cents), pl.col("executed"), pl.col("budget_full_year")).alias(
            "points_cents"
        ),
    )
    items = _item_table(proj, ind, system, exec_group.label, exec_cents)
    units = _unit_table(proj, ind, system, exec_group.label)
    warnings = sorted((p for p in problems if p.severity != "error"), key=problem_order)
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
    rate_cents = pl.when(b > 0).then((e * 20000 + b) // (b * 2))
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
        pl.when(pl.col("_ind_max") > 0)
        .then(
            cents_to_float(
                (pl.col("_ind_cents") * 20000 + pl.col("_ind_max")) // (pl.col("_ind_max") * 2)
            )
        )
        .alias("indicator_score_rate"),
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

"""Checking project self-evaluations before they are scored (复算前的校验).

The first half of the project flow, read → **check** → compute → write
(docs/architecture.md#how-a-score-is-computed): :func:`check_projects` types the
``projects`` and ``indicators`` tables, checks them together — contract, cross-table
keys, rule values, weights, entered scores — and lists every problem at once.
Checks that need a computed value compute it here: the weights (given, or the equal
split with redistribution) are assigned before entered scores are compared with them,
and the engine (:mod:`perfkit.scoring._engine`) takes those weights as they are.
Nothing here scores.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem, problem_order
from perfkit.i18n import _
from perfkit.numbers import (
    SCALE,
    cents_text,
    fixed_text,
    map_unique,
    to_cents,
)
from perfkit.scoring._segments import position_in_unit, unit_total
from perfkit.scoring._weights import split_weights
from perfkit.systems import System, qualitative_levels, qualitative_rule
from perfkit.tables._contract import text_key
from perfkit.tables._read import RawTable
from perfkit.tables._validate import (
    Check,
    check_table,
    not_a_number,
    problems_from_mask,
    run_checks,
)

__all__ = ["CheckedProjects", "check_indicators", "check_projects"]

_UNIT = ["year", "unit_code"]
#: Integer key of a unit: its row in the projects file (for fast windows, joins, sorts).
_KEY = "_unit"


@dataclass(frozen=True)
class CheckedProjects:
    """Project tables known to be clean, with what the checks computed on the way.

    Attributes
    ----------
    projects : polars.DataFrame
        The typed ``projects`` table (``_row`` kept).
    indicators : polars.DataFrame
        The typed ``indicators`` with ``group_id``, ``level`` (qualitative level
        1–3), ``_unit`` (the project's row), ``weight_cents`` and ``weight_source``,
        sorted by unit, file order within a unit.
    warnings : list of Problem
        Problems that do not block scoring, in file and row order.
    from_pandas : bool
        True when an input was a pandas frame (results go back as pandas).
    """

    projects: pl.DataFrame
    indicators: pl.DataFrame
    warnings: list[Problem]
    from_pandas: bool


def check_projects(p_raw: RawTable, i_raw: RawTable, system: System) -> CheckedProjects:
    """Type and check ``projects`` and ``indicators`` together; every problem at once.

    Parameters
    ----------
    p_raw, i_raw : RawTable
        The ``projects`` and ``indicators`` tables as read.
    system : System
        A ``kind: indicators`` system such as ``project-self-eval``.

    Returns
    -------
    CheckedProjects
        Clean tables for :func:`perfkit.scoring._engine.compute_projects`.

    Raises
    ------
    InputError
        With every problem found (errors and warnings) when any is an error.

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> from perfkit.systems import load_system
    >>> checked = check_projects(read_table("data/sample/projects.csv", "projects"),
    ...                          read_table("data/sample/indicators.csv", "indicators"),
    ...                          load_system("project-self-eval"))
    >>> {"weight_cents", "weight_source", "level"} <= set(checked.indicators.columns)
    True
    """
    projects, problems = check_table(p_raw)
    indicators, i_problems = check_table(i_raw)
    problems += i_problems
    ind, cross = check_indicators(projects, indicators, p_raw, i_raw, system)
    problems += cross
    ind, weight_problems = _assign_weights(ind, system, i_raw)
    problems += weight_problems + _check_entered_points(ind, system, i_raw)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return CheckedProjects(
        projects=projects,
        indicators=ind,
        warnings=sorted(problems, key=problem_order),
        from_pandas=p_raw.from_pandas or i_raw.from_pandas,
    )


def _lookup(
    frame: pl.DataFrame,
    column: str,
    mapping: Mapping[str, object],
    dtype: pl.DataType | type[pl.DataType],
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
    qual_rule, phrases = qualitative_rule(system), qualitative_levels(system)
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
            format_expr(
                _("一级指标 '{{}}' is not one of {accepted}").format(accepted=accepted),
                pl.col("level1"),
            ),
        ),
        Check(
            (pl.col(_KEY) < 0) & pl.col("unit_code").is_not_null() & pl.col("year").is_not_null(),
            "unit_code",
            format_expr(
                _("no project {{}} in {source} for year {{}}").format(source=p_raw.source),
                pl.col("unit_code"),
                pl.col("year"),
            ),
        ),
        Check(
            quant & (pl.col("target") < 0),
            "target",
            format_expr(_("target {} must not be negative"), pl.col("target_text")),
        ),
        Check(
            quant & (pl.col("direction") == "positive") & (pl.col("actual") < 0),
            "actual",
            format_expr(
                _("actual {} must not be negative for a 正向 indicator"), pl.col("actual_text")
            ),
        ),
        Check(
            (pl.col("direction") == "qualitative")
            & pl.col("actual_text").is_not_null()
            & pl.col("level").is_null(),
            "actual",
            format_expr(
                _("qualitative result '{{}}' is not one of the three levels: {levels}").format(
                    levels=levels
                ),
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
                format_expr(
                    _(
                        "'{}' is not a number (a quantitative indicator needs a number, written "
                        "as 95, 95%, ≥95%, ≤100万元 or 不超过3天)"
                    ),
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
                format_expr(
                    _("weight missing while other indicators of {} have one (give all or none)"),
                    pl.col("unit_code"),
                ),
            ),
            Check(
                (w <= 0) & ~tiny,
                "weight",
                format_expr(_("weight {} must be above 0"), pl.col("_weight_text").cast(pl.String)),
            ),
            Check(
                (w % (SCALE // 100) != 0) | ((w == 0) & tiny),
                "weight",
                format_expr(
                    _("weight {} has more than two decimals"),
                    pl.col("_weight_text").cast(pl.String),
                ),
            ),
        ]
    problems_p = _project_checks(projects, p_raw, system)
    if "self_points" in ind.columns:
        checks.append(
            Check(pl.col("self_points") < 0, "self_points", _("entered score must not be negative"))
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
        format_expr(
            _("project {{}} has no indicators in {source}").format(source=i_raw.source),
            pl.col("project_code"),
        ),
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
            format_expr(
                _(
                    "weights of unit {{}} ({{}}) add up to {{}}, not {points} "
                    "({total} minus 预算执行率 {execution})"
                ).format(points=system.indicator_points, total=system.total, execution=exec_points),
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
                format_expr(
                    _("self-score {{}} is outside 0–{total}").format(total=system.total),
                    fixed_text(pl.col("self_score")),
                ),
            )
        )
    if "self_grade" in projects.columns:
        grades = [b.grade for b in system.grades]
        checks.append(
            Check(
                pl.col("self_grade").is_not_null() & ~pl.col("self_grade").is_in(grades),
                "self_grade",
                format_expr(
                    _("self-grade '{{}}' is not one of {grades}").format(grades="、".join(grades)),
                    pl.col("self_grade"),
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
            format_expr(
                _("unit {} ({}): {}"), pl.col("unit_code"), pl.col("year"), pl.col("message")
            ),
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
            format_expr(
                _("weights of {} ({}) in {} add up to {}, not the system's {}"),
                pl.col("unit_code"),
                pl.col("year"),
                group.replace_strict(labels, default=""),
                cents_text(group_sum),
                cents_text(pl.col("group_cents")),
            ),
            severity="warning",
        )
    return out.drop("_given", "group_cents"), problems


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
            format_expr(
                _("entered score {} is above its maximum (weight) {}"),
                fixed_text(pl.col("self_points")),
                cents_text(w),
            ),
        )
    ]
    qual_rule = qualitative_rule(system)
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
                format_expr(
                    _(
                        "entered score {{}} is outside the band of level '{level}' "
                        "([{low}%, {high}%{close} of weight {{}})"
                    ).format(
                        level=level.phrase, low=level.min_pct, high=level.max_pct, close=close
                    ),
                    fixed_text(pl.col("self_points")),
                    cents_text(w),
                ),
            )
        )
    return run_checks(ind, i_raw, checks)

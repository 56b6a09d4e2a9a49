"""Computed leaves (计算指标): the measures a key evaluation takes from the data, never typed.

Each measure is a rate in percent, in six-decimal fixed point (:mod:`perfkit.numbers`),
for every evaluated object (a project, or a department: the sum of its projects) at
once, with a trace in words that names the rows it came from:

- ``execution_rate`` 预算执行率 = executed / budget_full_year × 100;
- ``funds_in_place_rate`` 资金到位率 = funds_received / budget_full_year × 100
  (``funds_received`` is optional in ``projects``: without it the leaf is judged);
- ``output_quantity`` / ``_quality`` / ``_timeliness`` / ``_cost``: the mean completion of
  the object's own 数量/质量/时效/成本指标 in ``indicators`` — each indicator's completion
  is the points its direction's rule gives out of 100.00 (正向 actual/target capped at
  100 %, 反向 and 等于 as in scoring, 定性 the level's default share), half-up to
  0.01 %; the mean is half-up to 0.01 %;
- ``satisfaction_rate`` / ``satisfaction_index``: the survey's pooled rate or index.

A measure without data (no such indicators, no ``funds_received``, no survey) is
*unavailable*: the working paper leaves that leaf to the evaluator and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.i18n import _
from perfkit.numbers import FIXED, SCALE, cents_text, div_half_up, map_unique, to_cents
from perfkit.scoring._rules import equal_cents, positive_cents, reverse_cents
from perfkit.systems import System, qualitative_rule
from perfkit.tables._contract import text_key

__all__ = ["OUTPUT_LEVEL2", "Objects", "measure_values", "pick_objects"]

#: Output measures → the 二级指标 of ``indicators`` they average (text_key compared,
#: with or without the trailing 指标).
OUTPUT_LEVEL2 = {
    "output_quantity": "数量",
    "output_quality": "质量",
    "output_timeliness": "时效",
    "output_cost": "成本",
}
_FULL = 10_000  # 100.00 % in cents of a percent
_CENTS_TO_FIXED = SCALE // 100

_SCHEMA = {
    "unit_code": pl.String,
    "measure": pl.String,
    "value": FIXED,
    "trace": pl.String,
}


@dataclass(frozen=True)
class Objects:
    """The evaluated objects of a year: ``unit_code``, ``kind`` (project/department), ``name``.

    ``projects`` holds the checked project rows of the year with the object each
    belongs to (``unit_code``): a project is its own object, a department's
    projects all belong to it.
    """

    year: int
    table: pl.DataFrame
    projects: pl.DataFrame


def pick_objects(projects: pl.DataFrame, year: int, codes: list[str], source: str) -> Objects:
    """The objects named by ``codes``: project codes or department codes of ``year``.

    Raises
    ------
    InputError
        A code that is neither a project nor a department of that year (every one).

    Examples
    --------
    >>> p = pl.DataFrame({"_row": [2, 3], "year": [2024, 2024], "project_code": ["P1", "P2"],
    ...                   "project_name": ["甲", "乙"], "dept_code": ["D1", "D1"],
    ...                   "dept_name": ["民政局", "民政局"]})
    >>> pick_objects(p, 2024, ["P2", "D1"], "projects.csv").table.rows()
    [('P2', 'project', '乙', 'D1'), ('D1', 'department', '民政局', 'D1')]
    """
    year_rows = projects.filter(pl.col("year") == year)
    by_project = year_rows.select(
        pl.col("project_code").alias("unit_code"),
        pl.lit("project").alias("kind"),
        pl.col("project_name").alias("name"),
        "dept_code",
    )
    by_dept = (
        year_rows.group_by("dept_code", maintain_order=True)
        .agg(pl.col("dept_name").first())
        .select(
            pl.col("dept_code").alias("unit_code"),
            pl.lit("department").alias("kind"),
            pl.col("dept_name").alias("name"),
            "dept_code",
        )
    )
    projects_known = by_project.get_column("unit_code").to_list()
    known = pl.concat([by_project, by_dept.filter(~pl.col("unit_code").is_in(projects_known))])
    wanted = pl.DataFrame({"unit_code": codes, "_order": range(len(codes))})
    table = wanted.join(known, on="unit_code", how="left").sort("_order")
    missing = table.filter(pl.col("kind").is_null()).get_column("unit_code").to_list()
    if missing:
        raise InputError(
            Problem(
                source,
                None,
                "project_code",
                _("--units: '{code}' is neither a project nor a department of {year}").format(
                    code=code, year=year
                ),
            )
            for code in missing
        )
    table = table.drop("_order")
    members = year_rows.join(
        table.select("unit_code", "kind", pl.col("dept_code").alias("_d")),
        left_on="project_code",
        right_on="unit_code",
        how="inner",
    ).with_columns(pl.col("project_code").alias("unit_code"))
    depts = year_rows.join(
        table.filter(pl.col("kind") == "department").select("unit_code"),
        left_on="dept_code",
        right_on="unit_code",
        how="inner",
    ).with_columns(pl.col("dept_code").alias("unit_code"))
    cols = [*year_rows.columns, "unit_code"]
    return Objects(year, table, pl.concat([members.select(cols), depts.select(cols)]))


def _money_rate(objects: Objects, column: str, measure: str, what: str) -> pl.DataFrame:
    if column not in objects.projects.columns:
        return pl.DataFrame(schema=_SCHEMA)
    p = objects.projects
    grouped = p.group_by("unit_code", maintain_order=True).agg(
        pl.col(column).sum().alias("_num"),
        pl.col(column).null_count().alias("_nulls"),
        pl.col("budget_full_year").sum().alias("_den"),
        pl.len().alias("_n"),
        pl.col("_row").cast(pl.String).str.join("、").alias("_rows"),
    )
    grouped = grouped.filter(pl.col("_nulls") == 0)
    value = div_half_up(pl.col("_num") * (100 * SCALE), pl.col("_den"))
    shown = cents_text(div_half_up(pl.col("_num") * _FULL, pl.col("_den")))
    label = "全年执行数" if column == "executed" else "实际到位资金"
    return grouped.select(
        "unit_code",
        pl.lit(measure).alias("measure"),
        pl.when(pl.col("_den") > 0).then(value).otherwise(0).cast(FIXED).alias("value"),
        pl.when(pl.col("_den") > 0)
        .then(
            format_expr(
                f"{what} = {label} {{}} / 全年预算数 {{}} × 100% = {{}}%"
                "（projects 第 {} 行，{} 个项目）",
                cents_text(to_cents(pl.col("_num"))),
                cents_text(to_cents(pl.col("_den"))),
                shown,
                pl.col("_rows"),
                pl.col("_n"),
            )
        )
        .otherwise(
            format_expr(f"{what}：全年预算数为 0，得 0 分（projects 第 {{}} 行）", pl.col("_rows"))
        )
        .alias("trace"),
    )


def _completion_cents(indicators: pl.DataFrame, system: System) -> pl.Expr:
    """Each indicator's completion in cents of a percent (10000 = 100.00 %)."""
    w = pl.lit(_FULL, pl.Int64)
    actual, target, direction = pl.col("actual"), pl.col("target"), pl.col("direction")
    reverse = system.indicator_rules["reverse"]
    variant = getattr(reverse, "variant", "linear")
    levels = qualitative_rule(system).levels
    phrase_pct = {
        text_key(word): int(level.default_pct * 100)
        for level in levels
        for word in (level.phrase, *level.aliases)
    }
    qualitative = map_unique(
        indicators, "actual_text", lambda t: phrase_pct.get(text_key(t)), pl.Int64
    )
    return (
        pl.when(direction == "positive")
        .then(positive_cents(w, actual, target))
        .when(direction == "reverse")
        .then(reverse_cents(w, actual, target, variant))
        .when(direction == "equal")
        .then(equal_cents(w, actual, target))
        .when(direction == "qualitative")
        .then(qualitative)
    ).cast(pl.Int64)


def _output_rates(
    objects: Objects, indicators: pl.DataFrame | None, system: System
) -> pl.DataFrame:
    if indicators is None or indicators.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    level2 = {v: k for k, v in OUTPUT_LEVEL2.items()}
    keys = {
        **{text_key(v): k for v, k in level2.items()},
        **{text_key(v + "指标"): k for v, k in level2.items()},
    }
    rows = indicators.filter(pl.col("year") == objects.year).join(
        objects.table.select("unit_code"), on="unit_code", how="inner"
    )
    rows = rows.with_columns(
        map_unique(rows, "level2", lambda t: keys.get(text_key(t)), pl.String).alias("measure")
    ).filter(pl.col("measure").is_not_null())
    if rows.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    rows = rows.with_columns(_completion_cents(rows, system).alias("_c")).filter(
        pl.col("_c").is_not_null()
    )
    grouped = rows.group_by("unit_code", "measure", maintain_order=True).agg(
        pl.col("_c").sum().alias("_sum"),
        pl.len().alias("_n"),
        format_expr("{} {}%", pl.col("name"), cents_text(pl.col("_c")))
        .str.join("、")
        .alias("_each"),
        pl.col("_row").cast(pl.String).str.join("、").alias("_rows"),
        pl.col("level2").first().alias("_level2"),
    )
    mean = div_half_up(pl.col("_sum"), pl.col("_n"))
    return grouped.select(
        "unit_code",
        "measure",
        (mean * _CENTS_TO_FIXED).cast(FIXED).alias("value"),
        format_expr(
            "{} {} 项平均完成率 = {}%（{}；indicators 第 {} 行）",
            pl.col("_level2"),
            pl.col("_n"),
            cents_text(mean),
            pl.col("_each"),
            pl.col("_rows"),
        ).alias("trace"),
    )


def _satisfaction(objects: Objects, summary: pl.DataFrame | None) -> pl.DataFrame:
    if summary is None:
        return pl.DataFrame(schema=_SCHEMA)
    pooled = summary.filter(pl.col("question") == "ALL")
    if "unit_code" not in pooled.columns:  # one survey: the one object's
        pooled = pooled.join(objects.table.select("unit_code"), how="cross")
    pooled = pooled.join(objects.table.select("unit_code"), on="unit_code", how="inner")
    frames = []
    for measure, column, what in (
        ("satisfaction_rate", "rate", "满意率"),
        ("satisfaction_index", "index", "满意度指数"),
    ):
        cents = (pl.col(column) * 100).round(0).cast(pl.Int64)
        frames.append(
            pooled.select(
                "unit_code",
                pl.lit(measure).alias("measure"),
                (cents * _CENTS_TO_FIXED).cast(FIXED).alias("value"),
                format_expr(
                    f"{what} {{}}%（满意度调查：有效答卷 {{}} 份，满意 {{}} 份；"
                    "95% 置信区间 {}%–{}%）",
                    cents_text(cents),
                    pl.col("n"),
                    pl.col("satisfied"),
                    pl.col("ci_low"),
                    pl.col("ci_high"),
                ).alias("trace"),
            )
        )
    return pl.concat(frames)


def measure_values(
    objects: Objects,
    system: System,
    indicators: pl.DataFrame | None = None,
    survey_summary: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every available measure of every object: ``unit_code, measure, value, trace``.

    ``value`` is percent in six-decimal fixed point; a measure that cannot be computed
    from the data given has no row.

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> p = pl.DataFrame({"_row": [2], "year": [2024], "project_code": ["P1"],
    ...     "project_name": ["甲"], "dept_code": ["D1"], "dept_name": ["民政局"],
    ...     "budget_full_year": [200 * 10**6], "executed": [173 * 10**6]},
    ...     schema_overrides={"budget_full_year": FIXED, "executed": FIXED})
    >>> objs = pick_objects(p, 2024, ["P1"], "projects.csv")
    >>> m = measure_values(objs, load_system("project-evaluation"))
    >>> m.get_column("value").to_list()
    [86500000]
    >>> print(m.get_column("trace")[0])
    预算执行率 = 全年执行数 173.00 / 全年预算数 200.00 × 100% = 86.50%（projects 第 2 行，1 个项目）
    """
    frames = [
        _money_rate(objects, "executed", "execution_rate", "预算执行率"),
        _money_rate(objects, "funds_received", "funds_in_place_rate", "资金到位率"),
        _output_rates(objects, indicators, system),
        _satisfaction(objects, survey_summary),
    ]
    return pl.concat([f.select(list(_SCHEMA)).cast(_SCHEMA) for f in frames])  # type: ignore[arg-type]

"""The review rules (审核规则): every finding of a plan, vectorised over the whole plan.

Each rule is one polars expression (or a join and a group-by) over every indicator of
every project at once — no Python loop per row.  A rule gives rows of
``unit_code, name, _row, column, message`` (``_row``: the plan's row the finding is
about, null for a finding about the whole project); :func:`findings` adds the rule,
its family, severity and suggestion.  The rules, their severities and thresholds are
listed in docs/targets.md#the-rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from perfkit._limits import format_expr
from perfkit.numbers import SCALE, div_half_up, fixed_text
from perfkit.targets._library import Library, name_key
from perfkit.targets._messages import message, suggestion, text

__all__ = ["RULES", "ReviewSettings", "find"]

#: Rule id → severity.  The family is the part before the dot.
RULES: dict[str, str] = {
    "completeness.missing_level1": "error",
    "completeness.missing_output_kind": "warning",
    "completeness.duplicate_name": "error",
    "clarity.no_number": "error",
    "clarity.no_unit": "warning",
    "clarity.qualitative_share": "warning",
    "clarity.direction_contradiction": "error",
    "clarity.reverse_zero": "warning",
    "relevance.vague_benefit": "error",
    "relevance.unit_category": "warning",
    "relevance.cost_over_budget": "error",
    "relevance.outside_library": "info",
    "relevance.missing_common": "info",
    "ambition.target_low": "warning",
    "ambition.overachieved_not_raised": "warning",
    "ambition.raised_after_shortfall": "warning",
    "ambition.budget_up_chronic_low": "warning",
}


@dataclass(frozen=True)
class ReviewSettings:
    """The thresholds of the rules (perfkit's defaults; docs/targets.md#the-rules).

    Attributes
    ----------
    required_level1 : tuple of str
        一级指标 every project must have (产出, 效益, 满意度).
    output_kinds : tuple of str
        二级指标 the 产出 indicators must cover (数量, 质量, 时效, 成本).
    qualitative_limit : int
        Largest share of 定性 indicators in a project, percent.
    overachieved : int
        Last year's actual at or above this percent of its target: 持续超额.
    shortfall : int
        Last year's completion below this percent: raising the target is 目标偏高.
    low_execution : int
        Execution rate (percent) below which a year is low (as the cross-year comparison's
        chronic low efficiency, docs/comparison.md).
    consecutive : int
        Low years in a row, up to the year before the plan, that make a project
        chronically low.

    Examples
    --------
    >>> ReviewSettings().qualitative_limit
    50
    """

    required_level1: tuple[str, ...] = ("产出", "效益", "满意度")
    output_kinds: tuple[str, ...] = ("数量", "质量", "时效", "成本")
    qualitative_limit: int = 50
    overachieved: int = 130
    shortfall: int = 60
    low_execution: int = 60
    consecutive: int = 2


_SCHEMA = pl.Schema(
    {
        "unit_code": pl.String(),
        "name": pl.String(),
        "_row": pl.Int64(),
        "column": pl.String(),
        "message": pl.String(),
        "rule": pl.String(),
    }
)
_QUANT = pl.col("direction").is_in(["positive", "reverse", "equal"])


def _level1(expr: pl.Expr) -> pl.Expr:
    """一级指标 text → 产出 / 效益 / 满意度 (产出指标, 产出, 服务对象满意度指标 …)."""
    key = name_key(expr)
    return (
        pl.when(key.str.contains("满意"))
        .then(pl.lit("满意度"))
        .when(key.str.contains("产出"))
        .then(pl.lit("产出"))
        .when(key.str.contains("效益"))
        .then(pl.lit("效益"))
        .otherwise(key)
    )


def _out(frame: pl.DataFrame, rule: str, message: pl.Expr, column: str | None) -> pl.DataFrame:
    return frame.select(
        pl.col("unit_code"),
        (pl.col("name") if "name" in frame.columns else pl.lit(None, pl.String)).alias("name"),
        (pl.col("_row") if "_row" in frame.columns else pl.lit(None)).cast(pl.Int64).alias("_row"),
        pl.lit(column, pl.String).alias("column"),
        message.alias("message"),
        pl.lit(rule).alias("rule"),
    )


def _num(expr: pl.Expr) -> pl.Expr:
    """A fixed-point number as text for a message (``95``, ``0.5``)."""
    return fixed_text(expr)


def prepare(plan: pl.DataFrame, projects: pl.DataFrame, library: Library) -> pl.DataFrame:
    """The plan joined to its project (category, budget) and to the library (vectorised)."""
    info = projects.select(
        pl.col("project_code").alias("unit_code"),
        pl.col("category")
        if "category" in projects.columns
        else pl.lit(None, pl.String).alias("category"),
        pl.col("budget_full_year").alias("_budget"),
    ).unique(subset=["unit_code"], keep="first")
    frame = (
        plan if "unit" in plan.columns else plan.with_columns(pl.lit(None, pl.String).alias("unit"))
    )
    frame = frame.join(info, on="unit_code", how="left", maintain_order="left").with_columns(
        _level1(pl.col("level1")).alias("_l1"),
        name_key(pl.col("level2")).alias("_l2"),
        name_key(pl.col("name")).alias("_key"),
        name_key(pl.col("category")).alias("_cat"),
        name_key(pl.col("unit")).str.replace_all("％", "%").alias("_unit"),
    )
    names = library.names
    covered = pl.Series(
        "_cat", sorted(set(library.entries.get_column("_cat").to_list()) - {"*"}), pl.String
    )
    own = frame.join(names, on=["_cat", "_key"], how="left", maintain_order="left")
    common = names.filter(pl.col("_cat") == "*").drop("_cat").rename({"lib_name": "_common"})
    own = own.join(common, on="_key", how="left", maintain_order="left")
    return own.with_columns(
        pl.coalesce("lib_name", "_common").alias("lib_name"),
        pl.col("_cat").is_in(covered.implode()).alias("_in_library"),
    ).drop("_common")


def find(
    frame: pl.DataFrame,
    projects: pl.DataFrame,
    library: Library,
    settings: ReviewSettings,
    plan_year: int,
    history_projects: pl.DataFrame | None,
    history_indicators: pl.DataFrame | None,
) -> pl.DataFrame:
    """Every finding of the prepared plan (:func:`prepare`), rules in :data:`RULES` order."""
    parts = [
        *_completeness(frame, projects, settings),
        *_clarity(frame, settings),
        *_relevance(frame, library),
    ]
    if history_indicators is not None:
        parts += _ambition_targets(frame, history_indicators, settings, plan_year)
    if history_projects is not None:
        parts.append(_budget_up_chronic_low(projects, history_projects, settings, plan_year))
    found = (
        pl.concat([p.cast(_SCHEMA) for p in parts if p.height])
        if any(p.height for p in parts)
        else pl.DataFrame(schema=_SCHEMA)
    )
    order = {rule: i for i, rule in enumerate(RULES)}
    return found.with_columns(
        pl.col("rule").replace_strict(RULES, return_dtype=pl.String).alias("severity"),
        pl.col("rule").str.split(".").list.first().alias("family"),
        pl.col("rule")
        .replace_strict({r: suggestion(r) for r in RULES}, return_dtype=pl.String)
        .alias("suggestion"),
        pl.col("rule").replace_strict(order, return_dtype=pl.Int32).alias("_order"),
    )


# ------------------------------------------------------------------ completeness


def _completeness(
    frame: pl.DataFrame, projects: pl.DataFrame, settings: ReviewSettings
) -> list[pl.DataFrame]:
    units = projects.select(pl.col("project_code").alias("unit_code")).unique(maintain_order=True)
    present = frame.select("unit_code", "_l1").unique()
    wanted = units.join(pl.DataFrame({"_l1": list(settings.required_level1)}), how="cross")
    missing = wanted.join(present, on=["unit_code", "_l1"], how="anti", maintain_order="left")
    rule = "completeness.missing_level1"
    out = [
        _out(
            missing, rule, format_expr(message(rule), pl.col("unit_code"), pl.col("_l1")), "level1"
        )
    ]

    outputs = frame.filter(pl.col("_l1") == "产出")
    kinds = pl.DataFrame({"_kind": list(settings.output_kinds)})
    having = outputs.select("unit_code").unique().join(kinds, how="cross")
    covered = (
        outputs.select("unit_code", "_l2")
        .unique()
        .join(kinds, how="cross")
        .filter(pl.col("_l2").str.contains(pl.col("_kind"), literal=True))
        .select("unit_code", "_kind")
        .unique()
    )
    lacking = having.join(covered, on=["unit_code", "_kind"], how="anti").sort("unit_code")
    lacking = lacking.join(kinds.with_row_index("_k"), on="_kind").sort("unit_code", "_k")
    rule = "completeness.missing_output_kind"
    out.append(
        _out(
            lacking,
            rule,
            format_expr(message(rule), pl.col("unit_code"), format_expr("{}指标", pl.col("_kind"))),
            "level2",
        )
    )

    first = pl.col("_row").min().over("unit_code", "_key")
    dup = frame.filter((pl.len().over("unit_code", "_key") > 1) & (pl.col("_row") != first))
    dup = (
        frame.with_columns(first.alias("_first")).filter(
            (pl.len().over("unit_code", "_key") > 1) & (pl.col("_row") != pl.col("_first"))
        )
        if dup.height
        else dup.with_columns(pl.lit(None, pl.Int64).alias("_first"))
    )
    rule = "completeness.duplicate_name"
    out.append(
        _out(
            dup,
            rule,
            format_expr(message(rule), pl.col("name"), pl.col("unit_code"), pl.col("_first")),
            "name",
        )
    )
    return out


# ------------------------------------------------------------------ clarity


def _written(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(text("blank"))


def _clarity(frame: pl.DataFrame, settings: ReviewSettings) -> list[pl.DataFrame]:
    out = []
    rule = "clarity.no_number"
    hit = frame.filter(_QUANT & pl.col("target").is_null())
    out.append(
        _out(
            hit,
            rule,
            format_expr(message(rule), pl.col("name"), _written(pl.col("_target_written"))),
            "target",
        )
    )
    rule = "clarity.no_unit"
    hit = frame.filter(_QUANT & pl.col("target").is_not_null() & pl.col("unit").is_null())
    out.append(
        _out(
            hit, rule, format_expr(message(rule), pl.col("name"), pl.col("_target_written")), "unit"
        )
    )
    rule = "clarity.qualitative_share"
    share = (
        frame.group_by("unit_code", maintain_order=True)
        .agg(
            pl.len().alias("_n"),
            (pl.col("direction") == "qualitative").sum().alias("_q"),
        )
        .filter(pl.col("_q") * 100 > settings.qualitative_limit * pl.col("_n"))
    )
    out.append(
        _out(
            share,
            rule,
            format_expr(
                message(rule),
                pl.col("unit_code"),
                pl.col("_n"),
                pl.col("_q"),
                div_half_up(pl.col("_q").cast(pl.Int64) * 100, pl.col("_n").cast(pl.Int64)),
                pl.lit(settings.qualitative_limit),
            ),
            "direction",
        )
    )
    rule = "clarity.direction_contradiction"
    written = pl.col("_target_written")
    symbol = (
        pl.when(name_key(written).str.contains(r"^(>=|≥|≧|不低于|不少于|大于|>)|以上$"))
        .then(pl.lit("positive"))
        .when(name_key(written).str.contains(r"^(<=|≤|≦|不高于|不超过|不多于|小于|<)|(以下|以内)$"))
        .then(pl.lit("reverse"))
        .when(name_key(written).str.contains(r"^(==|=|等于)\d"))
        .then(pl.lit("equal"))
    )
    hit = frame.with_columns(symbol.alias("_sym")).filter(
        pl.col("_sym").is_not_null()
        & pl.col("direction").is_not_null()
        & (pl.col("_sym") != pl.col("direction"))
    )
    out.append(
        _out(
            hit,
            rule,
            format_expr(
                message(rule),
                pl.col("name"),
                written,
                pl.col("direction").replace_strict(
                    {"positive": "正向", "reverse": "反向", "equal": "等于", "qualitative": "定性"},
                    return_dtype=pl.String,
                ),
            ),
            "direction",
        )
    )
    rule = "clarity.reverse_zero"
    hit = frame.filter((pl.col("direction") == "reverse") & (pl.col("target") == 0))
    out.append(_out(hit, rule, format_expr(message(rule), pl.col("name")), "target"))
    return out


# ------------------------------------------------------------------ relevance


def _relevance(frame: pl.DataFrame, library: Library) -> list[pl.DataFrame]:
    out = []
    benefit = pl.col("_l1") == "效益"
    phrases = library.vague.get_column("_key").drop_nulls().unique().sort().to_list()
    rule = "relevance.vague_benefit"
    if phrases:
        pattern = "(" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")"
        vague = pl.coalesce(
            pl.col("_key").str.extract(pattern, 1),
            name_key(pl.col("_target_written")).str.extract(pattern, 1),
        )
        hit = frame.with_columns(vague.alias("_phrase")).filter(
            benefit & pl.col("_phrase").is_not_null()
        )
        # the phrase as the library writes it
        shown = library.vague.select(pl.col("_key").alias("_phrase"), pl.col("phrase")).unique(
            subset=["_phrase"], keep="first"
        )
        hit = hit.join(shown, on="_phrase", how="left", maintain_order="left")
        out.append(
            _out(hit, rule, format_expr(message(rule), pl.col("name"), pl.col("phrase")), "name")
        )
    rule = "relevance.unit_category"
    units = (
        library.entries.filter(_level1(pl.col("level1")) == "效益")
        .select("_cat", name_key(pl.col("unit")).alias("_unit"))
        .drop_nulls()
        .unique()
    )
    listed = units.group_by("_cat").agg(pl.col("_unit").sort().str.join("、").alias("_units"))
    hit = (
        frame.filter(
            benefit
            & pl.col("_in_library")
            & pl.col("lib_name").is_null()
            & pl.col("_unit").is_not_null()
        )
        .join(
            units.with_columns(pl.lit(True).alias("_fits")),
            on=["_cat", "_unit"],
            how="left",
            maintain_order="left",
        )
        .filter(pl.col("_fits").is_null())
        .join(listed, on="_cat", how="left", maintain_order="left")
    )
    out.append(
        _out(
            hit,
            rule,
            format_expr(
                message(rule),
                pl.col("name"),
                pl.col("unit"),
                pl.col("category"),
                pl.col("_units").fill_null(text("none")),
            ),
            "unit",
        )
    )
    rule = "relevance.cost_over_budget"
    money = (
        frame.filter(
            (pl.col("_l1") == "产出")
            & pl.col("_l2").str.contains("成本")
            & pl.col("_unit").is_in(["万元", "元"])
            & pl.col("direction").is_in(["reverse", "equal"])
            & pl.col("target").is_not_null()
        )
        .with_columns(
            # in 元 × 10⁻⁶ (exact): 万元 × 10 000
            pl.when(pl.col("_unit") == "万元")
            .then(pl.col("target") * 10_000)
            .otherwise(pl.col("target"))
            .alias("_yuan")
        )
        .group_by("unit_code", maintain_order=True)
        .agg(pl.col("_yuan").sum(), pl.col("_budget").first(), pl.col("_row").min())
        .filter(pl.col("_budget").is_not_null() & (pl.col("_yuan") > pl.col("_budget") * 10_000))
    )
    out.append(
        _out(
            money,
            rule,
            format_expr(
                message(rule),
                _num(div_half_up(pl.col("_yuan"), 10_000 * (SCALE // 100)) * (SCALE // 100)),
                _num(pl.col("_budget")),
            ),
            "target",
        )
    )
    rule = "relevance.outside_library"
    hit = frame.filter(pl.col("_in_library") & pl.col("lib_name").is_null())
    out.append(
        _out(hit, rule, format_expr(message(rule), pl.col("name"), pl.col("category")), "name")
    )
    rule = "relevance.missing_common"
    wanted = (
        frame.filter(pl.col("_in_library"))
        .select("unit_code", "_cat", "category")
        .unique(subset=["unit_code"], keep="first", maintain_order=True)
        .join(library.entries.select("_cat", "name", pl.col("_key").alias("_lib_key")), on="_cat")
    )
    have = frame.filter(pl.col("lib_name").is_not_null()).select(
        "unit_code", name_key(pl.col("lib_name")).alias("_lib_key")
    )
    lacking = (
        wanted.join(have, on=["unit_code", "_lib_key"], how="anti", maintain_order="left")
        .group_by("unit_code", maintain_order=True)
        .agg(pl.col("category").first(), pl.col("name").str.join("、").alias("_names"))
        .drop("name", strict=False)
    )
    out.append(
        _out(
            lacking,
            rule,
            format_expr(message(rule), pl.col("category"), pl.col("_names")),
            None,
        )
    )
    return out


# ------------------------------------------------------------------ ambition


def _ambition_targets(
    frame: pl.DataFrame, history: pl.DataFrame, settings: ReviewSettings, plan_year: int
) -> list[pl.DataFrame]:
    """Targets against the same project's same indicator in the latest earlier year."""
    unit = (
        name_key(pl.col("unit")).str.replace_all("％", "%")
        if "unit" in history.columns
        else (pl.lit(None, pl.String))
    )
    last = (
        history.filter(pl.col("year") < plan_year)
        .select(
            "unit_code",
            name_key(pl.col("name")).alias("_key"),
            pl.col("year").alias("_h_year"),
            pl.col("direction").alias("_h_dir"),
            pl.col("target").alias("_h_target"),
            pl.col("actual").alias("_h_actual"),
            unit.alias("_h_unit"),
        )
        # the latest earlier year of each project's indicator
        .filter(pl.col("_h_year") == pl.col("_h_year").max().over("unit_code", "_key"))
        .unique(subset=["unit_code", "_key"], keep="last", maintain_order=True)
    )
    joined = frame.join(last, on=["unit_code", "_key"], how="inner", maintain_order="left").filter(
        (pl.col("direction") == pl.col("_h_dir"))
        & _QUANT
        & pl.col("target").is_not_null()
        & pl.col("_h_target").is_not_null()
        & pl.col("_h_actual").is_not_null()
        & (
            (pl.col("_unit") == pl.col("_h_unit"))
            | (pl.col("_unit").is_null() & pl.col("_h_unit").is_null())
        )
    )
    positive = pl.col("direction") == "positive"
    over = (
        positive
        & (pl.col("_h_target") > 0)
        & (pl.col("_h_actual") * 100 >= pl.col("_h_target") * settings.overachieved)
        & (pl.col("target") <= pl.col("_h_target"))
    )
    at_ceiling = (pl.col("_unit") == "%") & (pl.col("target") >= 100 * SCALE)
    low = (
        (positive & (pl.col("target") <= pl.col("_h_actual")) & ~at_ceiling)
        | (
            (pl.col("direction") == "reverse")
            & (pl.col("_h_actual") > 0)  # at 0 a reverse target cannot follow (0 is 等于)
            & (pl.col("target") > pl.col("_h_actual"))
        )
    ) & ~over
    shortfall = (
        positive
        & (pl.col("_h_target") > 0)
        & (pl.col("_h_actual") * 100 < pl.col("_h_target") * settings.shortfall)
        & (pl.col("target") > pl.col("_h_target"))
    )
    completion = div_half_up(pl.col("_h_actual") * 100, pl.col("_h_target"))
    out = []
    rule = "ambition.target_low"
    out.append(
        _out(
            joined.filter(low),
            rule,
            format_expr(
                message(rule),
                pl.col("name"),
                _num(pl.col("target")),
                pl.col("_h_year"),
                _num(pl.col("_h_actual")),
            ),
            "target",
        )
    )
    rule = "ambition.overachieved_not_raised"
    out.append(
        _out(
            joined.filter(over),
            rule,
            format_expr(
                message(rule),
                pl.col("name"),
                pl.col("_h_year"),
                _num(pl.col("_h_actual")),
                _num(pl.col("_h_target")),
                completion,
                _num(pl.col("target")),
            ),
            "target",
        )
    )
    rule = "ambition.raised_after_shortfall"
    out.append(
        _out(
            joined.filter(shortfall),
            rule,
            format_expr(
                message(rule),
                pl.col("name"),
                pl.col("_h_year"),
                _num(pl.col("_h_target")),
                completion,
                _num(pl.col("_h_actual")),
                _num(pl.col("target")),
            ),
            "target",
        )
    )
    return out


def _budget_up_chronic_low(
    projects: pl.DataFrame, history: pl.DataFrame, settings: ReviewSettings, plan_year: int
) -> pl.DataFrame:
    """A budget increase for a project low in execution in each of the last years."""
    years = list(range(plan_year - settings.consecutive, plan_year))
    rates = history.filter(pl.col("year").is_in(years)).select(
        pl.col("project_code").alias("unit_code"),
        "year",
        pl.col("budget_full_year").alias("_h_budget"),
        (
            (pl.col("budget_full_year") > 0)
            & (pl.col("executed") * 100 < pl.col("budget_full_year") * settings.low_execution)
        ).alias("_low"),
        div_half_up(pl.col("executed") * 10_000, pl.col("budget_full_year")).alias("_rate"),
    )
    chronic = (
        rates.sort("year")
        .group_by("unit_code", maintain_order=True)
        .agg(
            pl.col("_low").all().alias("_all_low"),
            pl.len().alias("_n"),
            pl.col("_h_budget").last(),
            pl.col("year").last().alias("_h_year"),
            pl.col("_rate").last(),
        )
        .filter(
            pl.col("_all_low") & (pl.col("_n") == len(years)) & (pl.col("_h_year") == plan_year - 1)
        )
    )
    plan = projects.select(
        pl.col("project_code").alias("unit_code"), pl.col("budget_full_year").alias("_budget")
    ).unique(subset=["unit_code"], keep="first", maintain_order=True)
    hit = plan.join(chronic, on="unit_code", how="inner", maintain_order="left").filter(
        pl.col("_budget") > pl.col("_h_budget")
    )
    rule = "ambition.budget_up_chronic_low"
    return _out(
        hit,
        rule,
        format_expr(
            message(rule),
            pl.lit(settings.consecutive),
            pl.lit(settings.low_execution),
            pl.col("_h_year"),
            _num(pl.col("_rate") * (SCALE // 100)),
            _num(pl.col("_h_budget")),
            _num(pl.col("_budget")),
        ),
        "budget_full_year",
    )

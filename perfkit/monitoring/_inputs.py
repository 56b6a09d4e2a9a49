"""Reading and cross-checking the monitoring inputs (监控数据校验), every problem at once.

Four tables take part: ``projects`` (read as :data:`~perfkit.tables._contract.MIDYEAR_PROJECTS`:
mid-year, ``executed`` may be left out or empty), ``monitoring``, and — for
indicator progress — ``indicator_progress`` with the annual targets and
directions from ``indicators`` (read as :data:`~perfkit.tables._contract.INDICATOR_TARGETS`:
``actual`` may be empty).  Besides each table's own contract checks, rows are
checked across tables:

* a ``monitoring`` or ``indicator_progress`` row of a project that is not in
  ``projects`` for that year;
* ``executed_to_date`` lower than in an earlier month of the same project
  (cumulative spending cannot go down);
* an ``indicator_progress`` row whose indicator (``name``, matched like every
  user text after NFKC, blank removal and case folding) is not among the
  project's indicators, or matches more than one;
* a value that does not fit its indicator: a number for a 定性 indicator must
  be one of the three level phrases (or 达成 / 部分达成 / 未达成), a
  quantitative one a number (≥ 0 for 正向), and a quantitative target a number
  ≥ 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem, problem_order
from perfkit.i18n import _
from perfkit.numbers import fixed_text, map_unique
from perfkit.systems import QualitativeRule, System, qualitative_rule
from perfkit.tables._contract import INDICATOR_TARGETS, MIDYEAR_PROJECTS, text_key
from perfkit.tables._read import RawTable, TableInput, read_table
from perfkit.tables._validate import Check, check_table, not_a_number, run_checks

__all__ = ["QUALITATIVE_ALERTS", "MonitoringInputs", "read_inputs"]

#: Qualitative level (1 达成, 2 部分达成, 3 未达成) → alert colour.
QUALITATIVE_ALERTS = {1: "green", 2: "yellow", 3: "red"}


@dataclass
class MonitoringInputs:
    """The typed monitoring tables (``_row`` kept) and the raw tables they came from."""

    projects: pl.DataFrame
    monitoring: pl.DataFrame
    progress: pl.DataFrame | None
    raws: dict[str, RawTable]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def from_pandas(self) -> bool:
        """True when the user handed pandas frames."""
        return any(raw.from_pandas for raw in self.raws.values())


def read_inputs(
    projects: TableInput,
    monitoring: TableInput,
    indicator_progress: TableInput | None = None,
    indicators: TableInput | None = None,
    system: System | None = None,
) -> tuple[MonitoringInputs | None, list[Problem]]:
    """Read, type and cross-check the inputs; return them with every problem found.

    Returns ``(None, problems)`` when a table cannot be read at all (its
    problems and the other tables' problems are all listed).

    Examples
    --------
    >>> p = pl.DataFrame({"year": ["2024"], "project_code": ["P1"], "project_name": ["项目"],
    ...                   "dept_code": ["D1"], "dept_name": ["部门"], "budget_full_year": ["100"]})
    >>> m = pl.DataFrame({"year": ["2024", "2024", "2024"], "month": ["5", "8", "8"],
    ...                   "unit_code": ["P1", "P1", "P9"], "executed_to_date": ["40", "30", "1"]})
    >>> inputs, problems = read_inputs(p, m)
    >>> for problem in problems: print(problem)     # doctest: +NORMALIZE_WHITESPACE
    <monitoring> 第2行 executed_to_date：累计执行数 30 低于 40（月份 5，第 1 行）：累计支出不能减少
    <monitoring> 第3行 unit_code：没有项目 P9（在 <projects> 中，年度 2024）
    """
    sources: list[tuple[str, TableInput, object]] = [
        ("projects", projects, MIDYEAR_PROJECTS),
        ("monitoring", monitoring, "monitoring"),
    ]
    if indicator_progress is not None:
        sources.append(("indicator_progress", indicator_progress, "indicator_progress"))
        if indicators is not None:
            sources.append(("indicators", indicators, INDICATOR_TARGETS))
    problems: list[Problem] = []
    raws: dict[str, RawTable] = {}
    typed: dict[str, pl.DataFrame] = {}
    for name, source, spec in sources:
        try:
            raw = read_table(source, spec)  # type: ignore[arg-type]
        except InputError as exc:
            problems += exc.problems
            continue
        raws[name] = raw
        frame, found = check_table(raw)
        typed[name] = frame
        problems += found
    if indicator_progress is not None and indicators is None:
        problems.append(
            Problem(
                raws["indicator_progress"].source if "indicator_progress" in raws else "<inputs>",
                None,
                None,
                _(
                    "indicator progress needs the annual targets and directions: "
                    "give the indicators table too (--indicators)"
                ),
            )
        )
    if len(typed) < len(sources):
        return None, sorted(problems, key=problem_order)
    p_raw = raws["projects"]
    known = (
        typed["projects"]
        .select("year", pl.col("project_code").alias("unit_code"), pl.lit(True).alias("_known"))
        .unique(subset=["year", "unit_code"])
    )
    problems += _monitoring_problems(typed["monitoring"], raws["monitoring"], known, p_raw)
    progress = None
    if "indicator_progress" in typed and "indicators" in typed:
        progress, found = _progress_with_targets(
            typed["indicator_progress"], raws["indicator_progress"],
            typed["indicators"], raws["indicators"], known, p_raw,
            QualitativeRule() if system is None else qualitative_rule(system),
        )  # fmt: skip
        problems += found
    warnings = [p for p in problems if p.severity != "error"]
    inputs = MonitoringInputs(typed["projects"], typed["monitoring"], progress, raws, warnings)
    return inputs, sorted(problems, key=problem_order)


def _unknown_project(known: pl.DataFrame, p_raw: RawTable) -> tuple[pl.Expr, pl.Expr]:
    mask = (
        pl.col("_known").is_null()
        & pl.col("unit_code").is_not_null()
        & pl.col("year").is_not_null()
    )
    message = format_expr(
        _("no project {} in {} for year {}"),
        pl.col("unit_code"),
        pl.lit(p_raw.source),
        pl.col("year"),
    )
    return mask, message


def _monitoring_problems(
    frame: pl.DataFrame, raw: RawTable, known: pl.DataFrame, p_raw: RawTable
) -> list[Problem]:
    keys = ["year", "unit_code"]
    work = (
        frame.join(known, on=keys, how="left", maintain_order="left")
        .sort([*keys, "month"], nulls_last=True, maintain_order=True)
        .with_columns(
            pl.col("executed_to_date").shift(1).over(keys).alias("_prev"),
            pl.col("month").shift(1).over(keys).alias("_prev_month"),
            pl.col("_row").shift(1).over(keys).alias("_prev_row"),
        )
    )
    unknown, message = _unknown_project(known, p_raw)
    decreasing = (
        pl.col("executed_to_date").is_not_null()
        & pl.col("_prev").is_not_null()
        & pl.col("month").is_not_null()
        & (pl.col("executed_to_date") < pl.col("_prev"))
    )
    checks = [
        Check(unknown, "unit_code", message),
        Check(
            decreasing,
            "executed_to_date",
            format_expr(
                _(
                    "executed_to_date {} is below {} of month {} (row {}): "
                    "cumulative spending cannot go down"
                ),
                fixed_text(pl.col("executed_to_date")),
                fixed_text(pl.col("_prev")),
                pl.col("_prev_month"),
                pl.col("_prev_row"),
            ),
        ),
    ]
    return run_checks(work, raw, checks)


def _name_key(frame: pl.DataFrame) -> pl.Expr:
    return map_unique(frame, "name", text_key, pl.String).alias("_name_key")


def _progress_with_targets(
    progress: pl.DataFrame,
    raw: RawTable,
    indicators: pl.DataFrame,
    i_raw: RawTable,
    known: pl.DataFrame,
    p_raw: RawTable,
    rule: QualitativeRule,
) -> tuple[pl.DataFrame, list[Problem]]:
    """Join each progress row to its indicator (direction, target) and check the values."""
    keys = ["year", "unit_code", "_name_key"]
    targets = (
        indicators.with_columns(_name_key(indicators))
        .select(
            *keys,
            "level1",
            "level2",
            "direction",
            "target",
            "target_text",
            *(["unit"] if "unit" in indicators.columns else []),
            pl.col("_row").alias("_target_row"),
            pl.len().over(keys).alias("_matches"),
            pl.col("_row").min().over(keys).alias("_first_row"),
            pl.col("_row").max().over(keys).alias("_last_row"),
        )
        .unique(subset=keys, keep="first", maintain_order=True)
    )
    if "unit" not in targets.columns:
        targets = targets.with_columns(pl.lit(None, pl.String).alias("unit"))
    words = rule.phrase_levels(text_key)
    qualitative = pl.col("direction") == "qualitative"
    joined = (
        progress.with_columns(_name_key(progress))
        .join(known, on=["year", "unit_code"], how="left", maintain_order="left")
        .join(targets, on=keys, how="left", maintain_order="left")
    )
    joined = joined.with_columns(
        map_unique(
            joined, "actual_to_date_text", lambda v: words.get(text_key(v)), pl.Int32, qualitative
        ).alias("level")
    )
    unknown, message = _unknown_project(known, p_raw)
    matched = pl.col("_matches").is_not_null()
    quant = matched & ~qualitative
    levels = rule.accepted_text()
    checks = [
        Check(unknown, "unit_code", message),
        Check(
            pl.col("_known").is_not_null() & pl.col("name").is_not_null() & ~matched,
            "name",
            format_expr(
                _("indicator '{}' is not an indicator of {} in {} for year {}"),
                pl.col("name"),
                pl.col("unit_code"),
                pl.lit(i_raw.source),
                pl.col("year"),
            ),
        ),
        Check(
            pl.col("_matches") > 1,
            "name",
            format_expr(
                _(
                    "indicator '{}' of {} matches {} indicators in {} "
                    "(rows {} to {}); indicator names must be unique within a project"
                ),
                pl.col("name"),
                pl.col("unit_code"),
                pl.col("_matches"),
                pl.lit(i_raw.source),
                pl.col("_first_row"),
                pl.col("_last_row"),
            ),
        ),
        Check(
            matched
            & qualitative
            & pl.col("actual_to_date_text").is_not_null()
            & pl.col("level").is_null(),
            "actual_to_date",
            format_expr(
                _("qualitative progress '{}' of indicator '{}' is not one of {}"),
                pl.col("actual_to_date_text"),
                pl.col("name"),
                pl.lit(levels),
            ),
        ),
        Check(
            quant & not_a_number(joined, "actual_to_date_text", "actual_to_date"),
            "actual_to_date",
            format_expr(
                "'{}' is not a number (indicator '{}' is quantitative)",
                pl.col("actual_to_date_text"),
                pl.col("name"),
            ),
        ),
        Check(
            quant & (pl.col("direction") == "positive") & (pl.col("actual_to_date") < 0),
            "actual_to_date",
            format_expr(
                "actual_to_date {} must not be negative for a 正向 indicator",
                pl.col("actual_to_date_text"),
            ),
        ),
    ]
    problems = run_checks(joined, raw, checks)
    # targets that cannot be judged: reported on the indicators file, once per indicator
    used = targets.join(
        joined.filter(quant).select(keys).unique(), on=keys, how="semi", maintain_order="left"
    ).with_columns(pl.col("_target_row").alias("_row"))
    target_checks = [
        Check(
            not_a_number(used, "target_text", "target"),
            "target",
            format_expr(
                "target '{}' is not a number (the indicator is quantitative)", pl.col("target_text")
            ),
        ),
        Check(
            pl.col("target") < 0,
            "target",
            format_expr("target {} must not be negative", pl.col("target_text")),
        ),
    ]
    problems += run_checks(used, i_raw, target_checks)
    return joined.drop("_known", "_matches", "_first_row", "_last_row"), problems

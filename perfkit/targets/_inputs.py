"""Reading the inputs of a target review (审核数据): the plan, its projects, the history.

* ``projects`` of the planning year, read as the mid-year variant of the contract's table
  (``executed`` and ``budget_initial`` may be left out: the year has not begun);
  ``budget_full_year`` is the project's planned budget;
* the plan (``indicators`` of the planning year): targets, no actuals — ``actual`` and
  even ``target`` may be blank (a quantitative target without a number is a *finding*,
  not an input error), and a target whose symbol contradicts its 指标方向 is reported as
  a finding too;
* the history (optional): a folder holding the contract's ``projects`` and
  ``indicators`` of earlier years (the sample region's ``data/sample`` is one).

Input errors (a plan row for a project not in ``projects``, an unreadable file, a year
in the history that is not earlier than the plan) stop the review with every problem
listed, as everywhere in perfkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem, problem_order
from perfkit.tables._contract import INDICATORS, MIDYEAR_PROJECTS, PROJECTS
from perfkit.tables._read import RawTable, TableInput, find_table, read_table
from perfkit.tables._validate import Check, check_table, run_checks
from perfkit.targets._messages import text

__all__ = ["PLAN_INDICATORS", "ReviewInputs", "read_review_inputs"]

#: ``indicators`` as a plan (绩效目标申报): no actuals, and a blank target is a finding.
PLAN_INDICATORS = INDICATORS.with_optional("actual", "target", variant="plan")


@dataclass
class ReviewInputs:
    """The typed inputs of a review (``_row`` kept), and where they came from."""

    projects: pl.DataFrame
    plan: pl.DataFrame
    plan_year: int
    history_projects: pl.DataFrame | None
    history_indicators: pl.DataFrame | None
    raws: dict[str, RawTable]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def from_pandas(self) -> bool:
        """True when the user handed pandas frames."""
        return any(raw.from_pandas for raw in self.raws.values())


def _is_contradiction(message: str) -> bool:
    return "矛盾" in message or "contradicts the direction" in message


def _read(
    name: str, source: TableInput, spec: object, raws: dict, problems: list
) -> pl.DataFrame | None:
    try:
        raw = read_table(source, spec)  # type: ignore[arg-type]
    except InputError as exc:
        problems += exc.problems
        return None
    raws[name] = raw
    typed, found = check_table(raw)
    if name == "plan":
        # a contradiction between the target's symbol and 指标方向 is a finding of the review
        target = raw.header("target")
        # (the contract's message, in either language: see tables._validate "contradiction")
        found = [p for p in found if not (p.column == target and _is_contradiction(p.message))]
        typed = typed.join(
            raw.frame.select("_row", pl.col("target").cast(pl.String).alias("_target_written"))
            if "target" in raw.frame.columns
            else raw.frame.select("_row", pl.lit(None, pl.String).alias("_target_written")),
            on="_row",
            how="left",
        )
    problems += found
    return typed


def read_review_inputs(
    projects: TableInput, plan: TableInput, history: str | Path | None = None
) -> ReviewInputs:
    """Read, type and cross-check the inputs of a review; raise with every problem.

    Examples
    --------
    >>> p = pl.DataFrame({"year": ["2025"], "project_code": ["P1"], "project_name": ["培训"],
    ...                   "dept_code": ["D1"], "dept_name": ["部门"], "budget_full_year": ["10"]})
    >>> i = pl.DataFrame({"year": ["2025"], "unit_code": ["P9"], "level1": ["产出指标"],
    ...                   "level2": ["数量指标"], "name": ["培训人次"], "direction": ["正向"],
    ...                   "target": ["100"]})
    >>> try:
    ...     read_review_inputs(p, i)
    ... except InputError as exc:
    ...     print(exc.problems[0])
    <indicators> 第1行 unit_code：项目 P9 不在项目表 <projects> 的 2025 年项目中
    """
    problems: list[Problem] = []
    raws: dict[str, RawTable] = {}
    typed = {
        "projects": _read("projects", projects, MIDYEAR_PROJECTS, raws, problems),
        "plan": _read("plan", plan, PLAN_INDICATORS, raws, problems),
    }
    history_tables: dict[str, pl.DataFrame | None] = {"projects": None, "indicators": None}
    if history is not None:
        for table, spec in (("projects", PROJECTS), ("indicators", INDICATORS)):
            found = find_table(history, table)
            if found is None:
                problems.append(
                    Problem(
                        str(history), None, None, text("history_missing").format(history, table)
                    )
                )
                continue
            history_tables[table] = _read(f"history_{table}", found, spec, raws, problems)
    plan_year = 0
    if typed["projects"] is not None and typed["plan"] is not None:
        plan_frame, project_frame = typed["plan"], typed["projects"]
        years = sorted(plan_frame.get_column("year").drop_nulls().unique().to_list())
        if len(years) > 1:
            problems.append(
                Problem(
                    raws["plan"].source,
                    None,
                    raws["plan"].header("year"),
                    text("plan_year_mixed").format("、".join(map(str, years))),
                )
            )
        plan_year = years[-1] if years else 0
        known = project_frame.select(
            "year", pl.col("project_code").alias("unit_code"), pl.lit(True).alias("_known")
        ).unique(subset=["year", "unit_code"])
        joined = plan_frame.join(known, on=["year", "unit_code"], how="left", maintain_order="left")
        problems += run_checks(
            joined,
            raws["plan"],
            [
                Check(
                    pl.col("_known").is_null()
                    & pl.col("unit_code").is_not_null()
                    & pl.col("year").is_not_null(),
                    "unit_code",
                    format_expr(
                        text("unknown_project"),
                        pl.col("unit_code"),
                        pl.lit(raws["projects"].source),
                        pl.col("year"),
                    ),
                )
            ],
        )
        for table in ("projects", "indicators"):
            frame = history_tables[table]
            name = f"history_{table}"
            if frame is not None and plan_year:
                problems += run_checks(
                    frame,
                    raws[name],
                    [
                        Check(
                            pl.col("year") >= plan_year,
                            "year",
                            format_expr(
                                text("history_not_earlier"), pl.col("year"), pl.lit(plan_year)
                            ),
                        )
                    ],
                )[:1]
    errors = [p for p in problems if p.severity == "error"]
    if errors or typed["projects"] is None or typed["plan"] is None:
        raise InputError(problems)
    return ReviewInputs(
        projects=typed["projects"],
        plan=typed["plan"],
        plan_year=plan_year,
        history_projects=history_tables["projects"],
        history_indicators=history_tables["indicators"],
        raws=raws,
        warnings=sorted(problems, key=problem_order),
    )

"""Target review (绩效目标审核): findings, a score per project, the files to send back.

:func:`review_targets` reads the plan (read → check), applies every rule of
:mod:`perfkit.targets._rules` at once, scores each project with a review system (an
``assessments`` system such as the built-in ``target-review``: one item per rule family,
a deduction per finding, conclusion bands as grades) through the assessments engine of
:mod:`perfkit.scoring`, and returns a :class:`TargetReview` that writes
``findings.csv``, ``review.csv`` and ``review.xlsx`` (one sheet per department,
severities coloured) atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit.errors import Problem
from perfkit.present._labels import TARGET_SEVERITY_LABELS, column_label
from perfkit.present._table import people_words
from perfkit.scoring._assessment import score_assessments
from perfkit.systems import System, load_system
from perfkit.tables._read import TableInput, read_table
from perfkit.tables._write import atomic_output, write_csv, write_excel
from perfkit.targets._inputs import ReviewInputs, read_review_inputs
from perfkit.targets._library import Library, load_library
from perfkit.targets._rules import RULES, ReviewSettings, find, prepare

__all__ = ["FILES", "SEVERITY_WEIGHTS", "TargetReview", "review_targets"]

#: What a review writes.
FILES = ("findings.csv", "review.csv", "review.xlsx")
#: How many deductions a finding of each severity counts for (perfkit's convention).
SEVERITY_WEIGHTS = {"error": "1", "warning": "0.5", "info": "0"}
#: Findings columns, in order.
FINDING_COLUMNS = [
    "unit_code", "project_name", "dept_code", "dept_name", "name", "rule", "family",
    "severity", "message", "suggestion", "file", "row", "column",
]  # fmt: skip
#: Severity word → cell format (red errors, amber warnings, blue notes).
SEVERITY_FORMATS: dict[str, dict[str, Any]] = {
    TARGET_SEVERITY_LABELS["error"]: {"bg_color": "#d32f2f", "font_color": "#FFFFFF", "bold": True},
    TARGET_SEVERITY_LABELS["warning"]: {"bg_color": "#fbc02d", "font_color": "#000000"},
    TARGET_SEVERITY_LABELS["info"]: {"bg_color": "#bbdefb", "font_color": "#000000"},
}


@dataclass(eq=False)
class TargetReview:
    """The result of a review: findings, one row per project, and how to write them.

    Attributes
    ----------
    findings_pl : polars.DataFrame
        One row per finding: ``unit_code, project_name, dept_code, dept_name, name, rule,
        family, severity, message, suggestion, file, row, column``.
    review_pl : polars.DataFrame
        One row per project: ``unit_code, project_name, dept_code, dept_name, score,
        conclusion, result_use, n_error, n_warning, n_info`` and the points per family.
    plan_year : int
    system : System
    warnings : list of Problem
    """

    findings_pl: pl.DataFrame
    review_pl: pl.DataFrame
    plan_year: int
    system: System
    warnings: list[Problem] = field(default_factory=list)
    from_pandas: bool = False

    @property
    def findings(self) -> Any:
        """The findings (pandas when pandas was handed in)."""
        return like_input(self.findings_pl, self.from_pandas)

    @property
    def review(self) -> Any:
        """One row per project (pandas when pandas was handed in)."""
        return like_input(self.review_pl, self.from_pandas)

    def department_sheets(self) -> dict[str, pl.DataFrame]:
        """Sheet name → that department's projects and their findings, for the workbook.

        Every project has at least one row (a project without findings: its score and
        conclusion, the finding columns empty).
        """
        depts = (
            self.review_pl.select("dept_code", "dept_name")
            .unique(maintain_order=True)
            .sort("dept_code")
        )
        used: set[str] = set()
        sheets: dict[str, pl.DataFrame] = {}
        # every project of the department, with its findings (a project without any: one row)
        rows = self.review_pl.select(
            "unit_code", "project_name", "dept_code", "score", "conclusion"
        ).join(
            self.findings_pl.drop("project_name", "dept_code", "dept_name"),
            on="unit_code",
            how="left",
            maintain_order="left",
        )
        for code, name in depts.iter_rows():
            title = sheet_title(f"{code} {name or ''}", used)
            shown = rows.filter(pl.col("dept_code") == code).select(
                "unit_code", "project_name", "score", "conclusion", "severity", "rule", "name",
                "message", "suggestion", "file", "row", "column",
            )  # fmt: skip
            sheets[title] = people_words(shown, "targets")
        return sheets

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``findings.csv``, ``review.csv`` and ``review.xlsx`` into ``out_dir``.

        All or nothing (:class:`perfkit.tables.atomic_output`); text that a spreadsheet
        would run as a formula is neutralised.
        """
        output = atomic_output(Path(out_dir), owns=FILES)
        with output as tmp:
            write_csv(self.findings_pl, tmp / "findings.csv")
            write_csv(self.review_pl, tmp / "review.csv")
            summary = people_words(
                self.review_pl.sort("score", "unit_code").select(
                    "dept_code",
                    "dept_name",
                    "unit_code",
                    "project_name",
                    "score",
                    "conclusion",
                    "result_use",
                    "n_error",
                    "n_warning",
                    "n_info",
                ),
                "targets",
            )
            write_excel(
                tmp / "review.xlsx",
                {"审核结论": summary, **self.department_sheets()},
                label=lambda c: column_label(c, "targets"),
                cell_formats={"severity": SEVERITY_FORMATS},
            )
        return output.written


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


def sheet_title(text: str, used: set[str]) -> str:
    """A safe, unique sheet name (no ``[]:*?/\\``, no control characters, ≤ 31 characters).

    Examples
    --------
    >>> used = set()
    >>> a, b = sheet_title("D01 教育局", used), sheet_title("D0/1 [x]*", used)
    >>> a, b, sheet_title("D01 教育局", used)
    ('D01 教育局', 'D0_1 _x__', 'D01 教育局 (2)')
    """
    base = _SHEET_FORBIDDEN.sub("_", text).strip().strip("'")[:31] or "部门"
    title, n = base, 1
    while title.casefold() in used or title.casefold() == "审核结论":
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.casefold())
    return title


def review_targets(
    projects: TableInput,
    plan: TableInput,
    *,
    history: str | Path | None = None,
    library: Library | TableInput | None = None,
    system: str | Path | System = "target-review",
    settings: ReviewSettings | None = None,
) -> TargetReview:
    """Review a planning year's targets (绩效目标审核).

    Parameters
    ----------
    projects : path or frame
        The planning year's ``projects`` (``budget_full_year``: the planned budget;
        ``executed`` may be left out).
    plan : path or frame
        The planning year's ``indicators``: targets, no actuals.
    history : path, optional
        A folder with earlier years' ``projects`` and ``indicators`` (the ambition rules
        need it).
    library : Library or path, optional
        A user library read after the starter library (default: the starter library).
    system : str, Path or System
        The review system (an ``assessments`` system whose item ids are the rule
        families); default the built-in ``target-review``.
    settings : ReviewSettings, optional
        The rules' thresholds.

    Returns
    -------
    TargetReview

    Raises
    ------
    InputError
        Every problem of the inputs (a plan row for an unknown project …); nothing is
        reviewed.

    Examples
    --------
    >>> p = pl.DataFrame({"year": ["2025"], "project_code": ["P1"], "project_name": ["业务培训"],
    ...                   "dept_code": ["D1"], "dept_name": ["局"], "budget_full_year": ["10"],
    ...                   "category": ["培训"]})
    >>> i = pl.DataFrame({"year": ["2025"] * 2, "unit_code": ["P1"] * 2,
    ...                   "level1": ["产出指标", "效益指标"], "level2": ["数量指标", "经济效益"],
    ...                   "name": ["培训人次", "带动经济发展"], "direction": ["正向", "正向"],
    ...                   "target": ["≥200人次", "60"]})
    >>> r = review_targets(p, i)
    >>> r.review_pl.select("score", "conclusion").row(0)
    (60.0, '修改后通过')
    >>> r.findings_pl.filter(pl.col("severity") == "error").get_column("rule").to_list()
    ['completeness.missing_level1', 'relevance.vague_benefit']
    """
    settings = settings or ReviewSettings()
    review_system = load_system(system)
    inputs = read_review_inputs(projects, plan, history)
    lib = (
        library
        if isinstance(library, Library)
        else (load_library() if library is None else load_library(library))
    )
    frame = prepare(inputs.plan, inputs.projects, lib)
    found = find(
        frame, inputs.projects, lib, settings, inputs.plan_year,
        inputs.history_projects, inputs.history_indicators,
    )  # fmt: skip
    findings = _located(found, inputs)
    review = _scored(findings, inputs, review_system)
    return TargetReview(
        findings, review, inputs.plan_year, review_system, inputs.warnings, inputs.from_pandas
    )


def _located(found: pl.DataFrame, inputs: ReviewInputs) -> pl.DataFrame:
    """Findings with their project, department and place in the files (file, row, header)."""
    plan_raw, projects_raw = inputs.raws["plan"], inputs.raws["projects"]
    info = inputs.projects.select(
        pl.col("project_code").alias("unit_code"), "project_name", "dept_code", "dept_name",
        pl.col("_row").alias("_project_row"),
    ).unique(subset=["unit_code"], keep="first")  # fmt: skip
    on_projects = pl.col("column") == "budget_full_year"
    headers = {
        c: plan_raw.header(c) for c in ("level1", "level2", "name", "direction", "target", "unit")
    }
    return (
        found.join(info, on="unit_code", how="left", maintain_order="left")
        .with_columns(
            pl.when(on_projects)
            .then(pl.lit(projects_raw.source))
            .otherwise(pl.lit(plan_raw.source))
            .alias("file"),
            pl.when(on_projects)
            .then(pl.col("_project_row"))
            .otherwise(pl.col("_row"))
            .alias("row"),
            pl.when(on_projects)
            .then(pl.lit(projects_raw.header("budget_full_year")))
            .otherwise(pl.col("column").replace(headers))
            .alias("column"),
        )
        .sort("dept_code", "unit_code", "_order", "row", nulls_last=True, maintain_order=True)
        .select(FINDING_COLUMNS)
    )


def _scored(findings: pl.DataFrame, inputs: ReviewInputs, system: System) -> pl.DataFrame:
    """One row per project: the review system's score from the findings, and counts."""
    projects = inputs.projects.select(
        pl.col("project_code").alias("unit_code"), "project_name", "dept_code", "dept_name"
    ).unique(subset=["unit_code"], keep="first", maintain_order=True)
    items = pl.DataFrame({"item": [g.id for g in system.groups]})
    weights = pl.col("severity").replace_strict(
        {k: int(float(v) * 2) for k, v in SEVERITY_WEIGHTS.items()}, return_dtype=pl.Int64
    )
    counted = findings.group_by("unit_code", pl.col("family").alias("item")).agg(
        weights.sum().alias("_halves")
    )
    entered = (
        projects.select("unit_code")
        .join(items, how="cross")
        .join(counted, on=["unit_code", "item"], how="left")
        .select(
            pl.lit(str(inputs.plan_year)).alias("year"),
            "unit_code",
            "item",
            pl.lit(None, pl.String).alias("score"),
            (pl.col("_halves").fill_null(0) / 2).cast(pl.String).alias("value"),
        )
    )
    scored = score_assessments(read_table(entered, "assessments"), system).units
    counts = findings.group_by("unit_code").agg(
        *[(pl.col("severity") == s).sum().cast(pl.Int64).alias(f"n_{s}") for s in SEVERITY_WEIGHTS]
    )
    families = [g.label for g in system.groups]
    return (
        projects.join(
            scored.select(
                "unit_code",
                pl.col("total").alias("score"),
                pl.col("grade").alias("conclusion"),
                "result_use",
                *families,
            ),
            on="unit_code",
            how="left",
        )
        .join(counts, on="unit_code", how="left")
        .with_columns(pl.col(f"n_{s}").fill_null(0) for s in SEVERITY_WEIGHTS)
        .sort("dept_code", "unit_code")
    )


def rule_ids() -> list[str]:
    """Every rule id, in the order findings list them.

    Examples
    --------
    >>> rule_ids()[0]
    'completeness.missing_level1'
    """
    return list(RULES)

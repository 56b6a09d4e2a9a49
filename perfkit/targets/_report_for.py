# ruff: noqa: E501
"""The target review report's one call (绩效目标审核报告): check the parameters, review, write.

``notebooks/target_review.ipynb`` calls :func:`report_for` and only presents what it
returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import N_, _
from perfkit.tables._read import find_table
from perfkit.targets._library import load_library
from perfkit.targets._review import TargetReview, review_targets

__all__ = ["TargetReviewReport", "report_for"]

#: Rows of the longer lists a report shows.
WEAKEST_SHOWN = 15
DEPARTMENTS_SHOWN = 15
FINDINGS_SHOWN = 200

_TEXTS = {
    "not_found": N_("{what} {path!r}: not found (relative paths are taken from the repository root)"),
    "no_table": N_("{what} {path}: no {table} table in it"),
    "year": N_("year {year} is not the plan's year {plan_year}"),
    "dept": N_("dept_code {dept!r} has no project in the {year} plan"),
    "intro_region": N_("The {year} plan: {projects} projects of {depts} departments, {findings} findings."),
    "intro_dept": N_("The {year} plan of {dept}: {projects} projects, {findings} findings."),
}  # fmt: skip


def _path(text: object, what: str) -> Path:
    """A path as given, else from the repository root when run from ``notebooks/``."""
    path = Path(str(text))
    if path.is_absolute() or path.exists():
        return path
    for base in (Path(".."), Path("../..")):
        if (base / path).exists():
            return base / path
    raise PerfkitError(_(_TEXTS["not_found"]).format(what=what, path=str(text)))


def _folder(text: object, what: str, tables: tuple[str, ...]) -> Path:
    folder = _path(text, what)
    for table in tables:
        if find_table(folder, table) is None:
            raise PerfkitError(_(_TEXTS["no_table"]).format(what=what, path=folder, table=table))
    return folder


@dataclass(eq=False)
class TargetReviewReport:
    """What the notebook shows: the review, its summaries and the files written."""

    review: TargetReview
    dept: str | None
    intro: str
    parameters: pl.DataFrame
    conclusions: pl.DataFrame
    departments: pl.DataFrame
    rules: pl.DataFrame
    weakest: pl.DataFrame
    findings: pl.DataFrame
    written: list[str]


def _scoped(review: TargetReview, dept: str | None) -> TargetReview:
    if dept is None:
        return review
    return replace(
        review,
        findings_pl=review.findings_pl.filter(pl.col("dept_code") == dept),
        review_pl=review.review_pl.filter(pl.col("dept_code") == dept),
    )


def report_for(
    *,
    year: int,
    data_dir: str,
    history_dir: str = "",
    dept_code: str = "",
    library_path: str = "",
    system: str = "target-review",
    output_dir: str = "",
) -> TargetReviewReport:
    """Check the notebook's parameters, review the plan and write the outputs.

    Parameters
    ----------
    year : int
        The planning year (the plan must hold it).
    data_dir : str
        Folder with the planning year's ``projects`` and ``indicators``.
    history_dir : str
        Folder with earlier years' ``projects`` and ``indicators`` ("" for none).
    dept_code : str
        A department ("" for the whole region); its workbook then holds its projects only.
    library_path, system, output_dir : str
        A user library file (""), the review system, the output folder ("" writes nothing).

    Examples
    --------
    >>> r = report_for(year=2025, data_dir="data/sample/plan_2025", history_dir="data/sample",
    ...                dept_code="D41")
    >>> r.dept, r.review.review_pl.get_column("dept_code").unique().to_list()
    ('D41', ['D41'])
    """
    plan_dir = _folder(data_dir, "data_dir", ("projects", "indicators"))
    history = (
        _folder(history_dir, "history_dir", ("projects", "indicators")) if history_dir else None
    )
    library = load_library(_path(library_path, "library_path")) if library_path else None
    full = review_targets(
        find_table(plan_dir, "projects"),  # type: ignore[arg-type]
        find_table(plan_dir, "indicators"),  # type: ignore[arg-type]
        history=history,
        library=library,
        system=str(_path(system, "system")) if system.endswith((".yaml", ".yml")) else system,
    )
    if full.plan_year != int(year):
        raise PerfkitError(_(_TEXTS["year"]).format(year=year, plan_year=full.plan_year))
    dept = dept_code.strip() or None
    if dept is not None and dept not in set(full.review_pl.get_column("dept_code")):
        raise PerfkitError(_(_TEXTS["dept"]).format(dept=dept, year=year))
    scoped = _scoped(full, dept)
    review, findings = scoped.review_pl, scoped.findings_pl
    written = [str(p) for p in scoped.write(output_dir)] if output_dir else []
    name = str(review.get_column("dept_name").first() or "") if dept and review.height else ""
    intro = (
        _(_TEXTS["intro_dept"]).format(
            year=year, dept=f"{dept} {name}", projects=review.height, findings=findings.height
        )
        if dept
        else _(_TEXTS["intro_region"]).format(
            year=year,
            projects=review.height,
            depts=review.get_column("dept_code").n_unique(),
            findings=findings.height,
        )
    )
    parameters = pl.DataFrame(
        {
            "item": ["year", "data_dir", "history_dir", "dept_code", "library", "system"],
            "value": [
                str(year), str(plan_dir), str(history or ""), dept or "", library_path,
                scoped.system.title,
            ],
        }
    )  # fmt: skip
    conclusions = (
        review.group_by("conclusion")
        .agg(pl.len().alias("projects"))
        .join(
            pl.DataFrame({"conclusion": [g.grade for g in scoped.system.grades]}).with_row_index(),
            on="conclusion",
            how="left",
        )
        .sort("index")
        .drop("index")
    )
    departments = (
        review.group_by("dept_code", "dept_name")
        .agg(
            pl.len().alias("projects"),
            (pl.col("n_error") + pl.col("n_warning") + pl.col("n_info")).sum().alias("n_findings"),
            pl.col("n_error").sum(),
            pl.col("n_warning").sum(),
            pl.col("score").mean().round(2).alias("score"),
        )
        .sort(["n_findings", "dept_code"], descending=[True, False])
        .head(DEPARTMENTS_SHOWN)
    )
    rules = (
        findings.group_by("rule", "severity")
        .agg(pl.len().alias("n_findings"), pl.col("unit_code").n_unique().alias("projects"))
        .sort(["n_findings", "rule"], descending=[True, False])
    )
    weakest = (
        review.sort(["score", "n_error", "unit_code"], descending=[False, True, False])
        .select(
            "dept_code", "unit_code", "project_name", "score", "conclusion", "n_error", "n_warning"
        )
        .head(WEAKEST_SHOWN)
    )
    shown = (
        findings.filter(pl.col("severity") != "info")
        .select("unit_code", "name", "severity", "rule", "message", "suggestion", "row", "column")
        .head(FINDINGS_SHOWN)
    )
    return TargetReviewReport(
        scoped, dept, intro, parameters, conclusions, departments, rules, weakest, shown, written
    )

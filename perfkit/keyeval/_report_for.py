"""The key-evaluation notebook's one call (重点评价报告): check the parameters, score, write.

``notebooks/key_evaluation.ipynb`` calls :func:`report_for` and only presents what it
returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.errors import InputError, PerfkitError, Problem
from perfkit.i18n import _
from perfkit.keyeval._paper import read_paper
from perfkit.keyeval._result import KeyEvaluation, score_paper
from perfkit.keyeval._survey import read_survey, summarise_survey
from perfkit.numbers import fixed_to_float
from perfkit.tables._read import find_table, read_table
from perfkit.tables._validate import check_table
from perfkit.tables._write import atomic_output, atomic_write_text, write_csv

__all__ = ["KeyEvaluationReport", "report_for"]


@dataclass(eq=False)
class KeyEvaluationReport:
    """What the key-evaluation notebook shows: the result, the survey summary, the files.

    ``money`` has one row per object whose projects of the year are known (``unit_code``,
    ``n_projects``, ``budget_full_year``, ``executed``: sums in 万元, not yet rounded); it
    is empty without a data folder. ``money_all``: the same for all the objects together
    (each project once), None unless every object's is known.
    """

    result: KeyEvaluation
    survey: pl.DataFrame | None
    written: list[Path] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)
    money: pl.DataFrame = field(default_factory=lambda: _no_money())
    money_all: dict[str, Any] | None = None  # every object's projects, each counted once

    def summary(self) -> dict[str, Any]:
        """What the batch runner's index shows (``summary.json``): the object's score and grade.

        One object: its code and name (also as ``dept_code``/``dept_name``, the index's
        columns), year, ``score`` (the total) and ``grade``, and — when its projects of
        the year are in the data folder — ``n_projects``, ``budget_full_year`` and
        ``executed`` (万元, rounded to 0.01 as a department's summary writes them; left
        out, never 0, when they cannot be known); several: ``objects``, a list of those,
        and at the top level the money of all of them (each project counted once) when
        every object's is known.

        Examples
        --------
        >>> import tempfile
        >>> r = report_for(year=2024, output_dir=tempfile.mkdtemp(), units=["P2022-D31-005"],
        ...     workbook="data/sample/key_evaluation_2024/working_paper_filled.xlsx",
        ...     survey="data/sample/key_evaluation_2024/survey.csv",
        ...     data_dir="data/sample/key_evaluation_2024")
        >>> s = r.summary(); s["dept_code"], s["score"], s["grade"], s["budget_full_year"]
        ('P2022-D31-005', 91.54, '优', 60.8)
        """
        money = {row["unit_code"]: row for row in self.money.iter_rows(named=True)}
        objects = [
            {
                "dept_code": obj.unit_code,
                "dept_name": obj.name,
                "unit_code": obj.unit_code,
                "unit_name": obj.name,
                "kind": obj.kind,
                "year": obj.year,
                "system": self.result.system.name,
                "score": float(obj.total),
                "grade": obj.grade,
                "result_use": obj.result_use,
                **_money_keys(money.get(obj.unit_code)),
            }
            for obj in self.result.objects
        ]
        if len(objects) == 1:
            return objects[0]
        top: dict[str, Any] = {"year": self.result.year, "system": self.result.system.name}
        top.update(_money_keys(self.money_all))
        return {**top, "objects": objects}

    @property
    def units(self) -> pl.DataFrame:
        """One row per object: code, name, kind, total, grade, result use."""
        return self.result.units.select(
            "unit_code", "unit_name", "kind", "total", "grade", "result_use"
        )

    @property
    def groups(self) -> pl.DataFrame:
        """One row per object and group (决策, 过程, …): points, score, score rate (%)."""
        rows = [
            (obj.unit_code, obj.name, g.label, float(g.points), float(g.score), float(g.rate))
            for obj in self.result.objects
            for g in obj.groups
        ]
        return pl.DataFrame(
            rows,
            schema=["unit_code", "unit_name", "group", "max_points", "points", "score_rate"],
            orient="row",
        )

    @property
    def deductions(self) -> pl.DataFrame:
        """Judged leaves below their points: the score, the reason and the evidence."""
        items = self.result.items
        return items.filter(
            (pl.col("source") == "judged") & (pl.col("points") < pl.col("max_points"))
        ).select("unit_code", "item_id", "item", "max_points", "points", "reason", "evidence")

    @property
    def computed(self) -> pl.DataFrame:
        """Computed leaves: the value, the points and the data trace."""
        return self.result.items.filter(pl.col("source") == "computed").select(
            "unit_code", "item_id", "item", "max_points", "value", "points", "trace"
        )


def _no_money() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "unit_code": pl.String,
            "n_projects": pl.UInt32,
            "budget_full_year": pl.Float64,
            "executed": pl.Float64,
        }
    )


def _money_keys(row: dict[str, Any] | None) -> dict[str, Any]:
    """The summary's money keys (none when the projects are not known).

    Rounded as :meth:`perfkit.evaluation.DepartmentEvaluation.summary` writes a
    department's: Python's ``round(sum, 2)`` of the float sum.
    """
    if row is None:
        return {}
    return {
        "n_projects": int(row["n_projects"]),
        "budget_full_year": round(row["budget_full_year"], 2),
        "executed": round(row["executed"], 2),
    }


# as perfkit.evaluation sums a department's: each row's fixed point to float, then the sum
_SUMS = (
    pl.len().cast(pl.UInt32).alias("n_projects"),
    fixed_to_float(pl.col("budget_full_year")).sum().alias("budget_full_year"),
    fixed_to_float(pl.col("executed")).sum().alias("executed"),
)


def _object_money(
    data_dir: str | Path, year: int, objects: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, Any] | None]:
    """Each object's projects of ``year`` in ``data_dir``: count, full-year budget, executed.

    ``objects`` has ``unit_code`` and ``kind`` (``project``: the project's own rows;
    ``department``: the department's projects). An object without rows is left out. The
    second value is the money of all the objects' rows, each row once, when every object
    has rows (else None).

    Raises
    ------
    InputError
        No projects table in ``data_dir``, or every problem of it (file, row, column).
    """
    path = find_table(data_dir, "projects")
    if path is None:
        raise InputError(
            [Problem(str(data_dir), None, None, _("no projects table (.csv, .xlsx or .parquet)"))]
        )
    frame, problems = check_table(read_table(path, "projects"))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    rows = frame.filter(pl.col("year") == year).with_row_index("_once")
    kinds = objects.select("unit_code", "kind")
    members = pl.concat(
        [
            rows.join(
                kinds.filter(pl.col("kind") == "project"),
                left_on="project_code",
                right_on="unit_code",
            ).with_columns(pl.col("project_code").alias("unit_code")),
            rows.join(
                kinds.filter(pl.col("kind") == "department"),
                left_on="dept_code",
                right_on="unit_code",
            ).with_columns(pl.col("dept_code").alias("unit_code")),
        ],
        how="diagonal_relaxed",
    )
    money = members.group_by("unit_code", maintain_order=True).agg(*_SUMS)
    money = kinds.select("unit_code").join(
        money, on="unit_code", how="inner", maintain_order="left"
    )
    if money.height < kinds.height or kinds.is_empty():
        return money, None
    once = members.unique("_once")
    return money, once.select(*_SUMS).row(0, named=True)


def _problems(
    year: int,
    units: list[str] | None,
    system: str,
    workbook: str | Path,
    survey: str | Path | None,
    notes: str | Path | None,
    output_dir: str | Path,
    data_dir: str | Path | None = None,
) -> list[str]:
    problems = []
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        problems.append(
            _("year must be a whole number like 2024, not {value!r}").format(value=year)
        )
    if not Path(workbook).is_file():
        problems.append(_("workbook: no such file {path}").format(path=workbook))
    for name, path in (("survey", survey), ("notes", notes)):
        if path is not None and not Path(path).is_file():
            problems.append(_("{name}: no such file {path}").format(name=name, path=path))
    if data_dir is not None and not Path(data_dir).is_dir():
        problems.append(
            _("{option} {path}: no such folder").format(option="data_dir", path=data_dir)
        )
    if units is not None and not all(isinstance(u, str) and u for u in units):
        problems.append(_("units must be a list of codes, or None for every object"))
    if not isinstance(system, str) or not system:
        problems.append(_("system must be a system's name"))
    if Path(output_dir).exists() and not Path(output_dir).is_dir():
        problems.append(_("output_dir {path} is a file, not a folder").format(path=output_dir))
    return problems


def report_for(
    *,
    year: int,
    workbook: str | Path,
    output_dir: str | Path,
    units: list[str] | str | None = None,
    system: str = "project-evaluation",
    survey: str | Path | None = None,
    notes: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> KeyEvaluationReport:
    """Check the parameters, read and score the filled working paper, write the results.

    Parameters
    ----------
    year : int
        The year evaluated; must be the working paper's.
    workbook : path
        The filled working paper (``perfkit evaluate prepare``, then filled).
    output_dir : path
        Folder for ``key_evaluation_units.csv``, ``key_evaluation_items.csv``,
        ``key_evaluation.xlsx``, ``summary.json`` (the batch index's score and grade,
        :meth:`KeyEvaluationReport.summary`) and ``survey_summary.csv`` with a survey.
    units : list of str or str, optional
        The objects to show (all of the paper's by default); each must be in the paper.
        One code may be given as a string (a schedule's run per object).
    system : str
        The indicator system; must be the one the paper was prepared with.
    survey : path, optional
        The satisfaction survey: the satisfaction leaves are computed from it.
    notes : path, optional
        The evaluator's notes file for the report's text (checked to exist; the report
        is written by :func:`perfkit.documents.key_evaluation_files`).
    data_dir : path, optional
        The data folder the paper was prepared from: its ``projects`` table gives each
        object's full-year budget and execution of the year for ``summary.json`` (the
        batch index's 全年预算 column). Without it, or for an object without project
        rows, the money is left out.

    Raises
    ------
    PerfkitError
        Every bad parameter at once; the paper's and the survey's problems as
        :func:`perfkit.keyeval.read_paper` and :func:`perfkit.keyeval.read_survey` list them.

    Examples
    --------
    >>> import tempfile
    >>> report = report_for(year=2024, output_dir=tempfile.mkdtemp(),
    ...     workbook="data/sample/key_evaluation_2024/working_paper_filled.xlsx",
    ...     survey="data/sample/key_evaluation_2024/survey.csv")
    >>> report.units.get_column("kind").to_list()
    ['project', 'project', 'project', 'project']
    """
    if isinstance(units, str):
        units = [units] if units else None
    problems = _problems(year, units, system, workbook, survey, notes, output_dir, data_dir)
    if problems:
        raise PerfkitError(_("bad parameters:") + "\n" + "\n".join(problems))
    summary = summarise_survey(read_survey(survey)) if survey is not None else None
    filled = read_paper(workbook, satisfaction=summary)
    wrong = []
    if filled.year != year:
        wrong.append(
            _("year {year} is not the paper's year {paper}").format(year=year, paper=filled.year)
        )
    if filled.system.name != system:
        wrong.append(
            _("system {system} is not the paper's system {paper}").format(
                system=system, paper=filled.system.name
            )
        )
    codes = filled.leaves.get_column("unit_code").unique(maintain_order=True).to_list()
    missing = [u for u in units or [] if u not in codes]
    if missing:
        wrong.append(
            _("units not in the paper: {missing} (it has {codes})").format(
                missing=", ".join(missing), codes=", ".join(codes)
            )
        )
    if wrong:
        raise PerfkitError(_("bad parameters:") + "\n" + "\n".join(wrong))
    if units:
        filled = type(filled)(
            filled.system,
            filled.year,
            filled.leaves.filter(pl.col("unit_code").is_in(units)),
            filled.warnings,
            filled.source,
        )
    result = score_paper(filled)
    money, money_all = (
        _object_money(data_dir, result.year, result.units)
        if data_dir is not None
        else (_no_money(), None)
    )
    written = result.write(output_dir)
    if summary is not None:
        with atomic_output(Path(output_dir), owns=("survey_summary.csv",)) as tmp:
            write_csv(summary, tmp / "survey_summary.csv")
        written.append(Path(output_dir) / "survey_summary.csv")
    sources = [Path(workbook), *([Path(survey)] if survey is not None else [])]
    report = KeyEvaluationReport(result, summary, written, sources, money, money_all)
    text = json.dumps(report.summary(), ensure_ascii=False, indent=2)
    written.append(atomic_write_text(Path(output_dir) / "summary.json", text))
    return report

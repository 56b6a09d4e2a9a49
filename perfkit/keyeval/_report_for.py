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

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.keyeval._paper import read_paper
from perfkit.keyeval._result import KeyEvaluation, score_paper
from perfkit.keyeval._survey import read_survey, summarise_survey
from perfkit.tables._write import atomic_output, atomic_write_text, write_csv

__all__ = ["KeyEvaluationReport", "report_for"]


@dataclass(eq=False)
class KeyEvaluationReport:
    """What the key-evaluation notebook shows: the result, the survey summary, the files."""

    result: KeyEvaluation
    survey: pl.DataFrame | None
    written: list[Path] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the batch runner's index shows (``summary.json``): the object's score and grade.

        One object: its code and name (also as ``dept_code``/``dept_name``, the index's
        columns), year, ``score`` (the total) and ``grade``; several: ``objects``, a list
        of those.

        Examples
        --------
        >>> import tempfile
        >>> r = report_for(year=2024, output_dir=tempfile.mkdtemp(), units=["P2022-D31-005"],
        ...     workbook="data/sample/key_evaluation_2024/working_paper_filled.xlsx",
        ...     survey="data/sample/key_evaluation_2024/survey.csv")
        >>> s = r.summary(); s["dept_code"], s["score"], s["grade"]
        ('P2022-D31-005', 91.54, '优')
        """
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
            }
            for obj in self.result.objects
        ]
        if len(objects) == 1:
            return objects[0]
        return {"year": self.result.year, "system": self.result.system.name, "objects": objects}

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


def _problems(
    year: int,
    units: list[str] | None,
    system: str,
    workbook: str | Path,
    survey: str | Path | None,
    notes: str | Path | None,
    output_dir: str | Path,
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
    problems = _problems(year, units, system, workbook, survey, notes, output_dir)
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
    written = result.write(output_dir)
    if summary is not None:
        with atomic_output(Path(output_dir), owns=("survey_summary.csv",)) as tmp:
            write_csv(summary, tmp / "survey_summary.csv")
        written.append(Path(output_dir) / "survey_summary.csv")
    sources = [Path(workbook), *([Path(survey)] if survey is not None else [])]
    report = KeyEvaluationReport(result, summary, written, sources)
    text = json.dumps(report.summary(), ensure_ascii=False, indent=2)
    written.append(atomic_write_text(Path(output_dir) / "summary.json", text))
    return report

"""The key-evaluation notebook's one call (重点评价报告): check the parameters, score, write.

``notebooks/key_evaluation.ipynb`` calls :func:`report_for` and only presents what it
returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.keyeval._paper import read_paper
from perfkit.keyeval._result import KeyEvaluation, score_paper
from perfkit.keyeval._survey import read_survey, summarise_survey
from perfkit.tables._write import atomic_output, write_csv

__all__ = ["KeyEvaluationReport", "report_for"]


@dataclass(eq=False)
class KeyEvaluationReport:
    """What the key-evaluation notebook shows: the result, the survey summary, the files."""

    result: KeyEvaluation
    survey: pl.DataFrame | None
    written: list[Path] = field(default_factory=list)

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
    units: list[str] | None = None,
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
        ``key_evaluation.xlsx`` (and ``survey_summary.csv`` with a survey).
    units : list of str, optional
        The objects to show (all of the paper's by default); each must be in the paper.
    system : str
        The indicator system; must be the one the paper was prepared with.
    survey : path, optional
        The satisfaction survey: the satisfaction leaves are computed from it.
    notes : path, optional
        The evaluator's notes file for the report's text (checked to exist; the report
        itself comes with the documents engine, docs/key-evaluations.md).

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
    return KeyEvaluationReport(result, summary, written)

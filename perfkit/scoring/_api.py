"""The two verbs most users need: :func:`score` and :func:`validate`.

``score`` is read → check → compute (the caller writes); ``validate`` is read →
check.  See docs/architecture.md#how-a-score-is-computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.errors import InputError, PerfkitError, Problem, problems_frame
from perfkit.i18n import _
from perfkit.scoring._assessment import CheckedAssessments, check_assessments, compute_assessments
from perfkit.scoring._check import CheckedProjects, check_projects
from perfkit.scoring._engine import compute_projects
from perfkit.scoring._result import ScoreResult
from perfkit.systems import System, load_system
from perfkit.tables._read import RawTable, TableInput, read_table
from perfkit.tables._validate import check_table

__all__ = ["ValidationReport", "score", "validate"]


def score(
    projects: TableInput | None = None,
    indicators: TableInput | None = None,
    *,
    system: str | Path | System = "project-self-eval",
    assessments: TableInput | None = None,
) -> ScoreResult:
    """Validate the inputs and score them against an indicator system (复算评分).

    Parameters
    ----------
    projects, indicators : path, polars.DataFrame or pandas.DataFrame
        The contract's ``projects`` and ``indicators`` tables, for systems of
        kind ``indicators`` (such as ``project-self-eval``).
    system : str, Path or System
        A built-in system name, a YAML file, or a loaded :class:`System`.
    assessments : path or frame
        The ``assessments`` table, for systems of kind ``assessments``
        (``budget-mgmt-assessment``, ``dept-overall``).

    Returns
    -------
    ScoreResult
        ``.units`` and ``.items`` as polars frames; ``.to_pandas()`` for pandas.

    Raises
    ------
    InputError
        Listing every problem in the inputs (nothing is scored).

    Examples
    --------
    >>> import perfkit
    >>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv",
    ...                   system="project-self-eval")
    >>> sorted(r.units["grade"].unique().to_list())
    ['中', '优', '差', '良']
    """
    loaded = load_system(system)
    checked = _check(loaded, projects, indicators, assessments)
    if isinstance(checked, CheckedProjects):
        return compute_projects(checked, loaded)
    return compute_assessments(checked, loaded)


def _check(
    system: System,
    projects: TableInput | None,
    indicators: TableInput | None,
    assessments: TableInput | None,
) -> CheckedProjects | CheckedAssessments:
    """Read the tables the system needs and check them: the first two steps of the flow.

    Raises :class:`InputError` with every problem when any is an error.
    """
    if system.kind == "indicators":
        if projects is None or indicators is None:
            raise PerfkitError(
                _("system {name} scores projects: give projects and indicators").format(
                    name=system.name
                )
            )
        p_raw, i_raw = read_tables((projects, "projects"), (indicators, "indicators"))
        return check_projects(p_raw, i_raw, system)
    if assessments is None:
        raise PerfkitError(
            _("system {name} scores evaluator-entered items: give assessments").format(
                name=system.name
            )
        )
    return check_assessments(read_table(assessments, "assessments"), system)


def read_tables(*sources: tuple[TableInput, str]) -> list[RawTable]:
    """Read several tables; if any cannot be read, report the problems of all of them.

    The tables that could be read are still checked against the contract, so a
    missing column in one file does not hide the row problems of another.
    """
    tables, problems = [], []
    for source, name in sources:
        try:
            tables.append(read_table(source, name))
        except InputError as exc:
            problems += exc.problems
    if problems:
        for raw in tables:
            problems += [p for p in check_table(raw)[1] if p not in raw.problems]
            problems += raw.problems
        raise InputError(
            problems,
            summary=f"{sum(p.severity == 'error' for p in problems)} "
            "problem(s) reading the input; nothing was written",
        )
    return tables


@dataclass
class ValidationReport:
    """Every problem found in the inputs; ``ok`` when none is an error."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that block scoring."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks scoring."""
        return not self.errors

    def to_frame(self) -> pl.DataFrame:
        """The problems as a polars frame (file, row, column, message, severity)."""
        return problems_frame(self.problems)

    def __str__(self) -> str:
        if not self.problems:
            return "no problems found"
        return "\n".join(str(p) for p in self.problems)


def validate(
    projects: TableInput | None = None,
    indicators: TableInput | None = None,
    *,
    system: str | Path | System = "project-self-eval",
    assessments: TableInput | None = None,
) -> ValidationReport:
    """Check inputs against the data contract and the system; list every problem.

    Takes the same arguments as :func:`score` and runs the same checks (the
    check step of read → check → compute; nothing is scored), but returns the
    problems instead of raising.

    Examples
    --------
    >>> import perfkit
    >>> perfkit.validate("data/sample/projects.csv", "data/sample/indicators.csv").ok
    True
    """
    loaded = load_system(system)
    try:
        checked = _check(loaded, projects, indicators, assessments)
    except InputError as exc:
        return ValidationReport(exc.problems)
    return ValidationReport(list(checked.warnings))

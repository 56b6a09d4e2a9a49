"""The cross-year panel (多年面板): every unit's score, grade and money, year by year.

A panel is built from a data folder (or the contract tables stacked over
years), which is scored with ``project-self-eval`` (or another system), or
from scores already computed (a :class:`~perfkit.ScoreResult`, its ``units``
frame, or a ``unit_scores`` file).  Departments renamed or re-coded between
years are followed through ``departments.previous_code`` so that each
department's whole history carries its current code and name.  Units absent
in some of the years are listed in :attr:`Panel.missing`, never dropped.

Money is held exactly (six-decimal fixed point) and scores in integer cents,
so that the thresholds applied later (execution below 60 %, a grade band, the
10 % line) are decided without binary floating point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._frames import is_pandas, like_input, to_polars
from perfkit._limits import format_expr
from perfkit.compare._departments import DepartmentMap, map_departments
from perfkit.compare._exact import percent_cents
from perfkit.compare._years import YearsSpec, check_years, parse_years
from perfkit.errors import InputError, PerfkitError, Problem
from perfkit.i18n import _
from perfkit.numbers import FIXED, SCALE, cents_to_float, fixed_to_float, parse_fixed, to_cents
from perfkit.scoring._api import score
from perfkit.scoring._grading import grade_expr
from perfkit.scoring._result import ScoreResult
from perfkit.systems import System, load_system
from perfkit.tables._read import RawTable, TableInput, find_table, read_table
from perfkit.tables._validate import (
    Check,
    check_table,
    duplicate_key_problems,
    problems_from_mask,
    run_checks,
)

__all__ = ["MONEY_COLUMNS", "Panel", "display_columns", "panel"]

#: Money columns a panel keeps (万元), exact inside, floats when shown.
MONEY_COLUMNS = ("budget_full_year", "executed", "carryover", "budget_initial")

_PUBLIC = [
    "year",
    "unit_code",
    "unit_name",
    "dept_code",
    "dept_name",
    "dept_code_then",
    "dept_name_then",
    "category",
    "total",
    "grade",
    "budget_full_year",
    "executed",
    "execution_rate",
    "carryover",
    "budget_initial",
]


@dataclass(eq=False)
class Panel:
    """Scores and money of every unit in every year of a comparison.

    Build one with :func:`panel`.  Frames come back as pandas when the data
    were handed in as pandas, as polars otherwise.

    Attributes
    ----------
    frame : polars.DataFrame
        The panel as the comparison functions use it (always polars, sorted
        by unit and year): codes, names and grade, and the exact figures —
        ``total_cents`` (score in cents), ``rate_cents`` (execution rate in
        hundredths of a percent, half-up; null when the full-year budget is
        0), ``_budget``, ``_executed``, ``_carryover``, ``_initial`` (fixed
        point, 10⁻⁶ 万元) and ``_uid`` (an integer per unit, in code order).
        :attr:`units` shows it with floats.
    years : list of int
        The years compared, ascending.
    system : System
        The indicator system whose grade bands apply (grades best first).
    department_map : DepartmentMap
        Codes used each year → current codes, current names, the renames.
    dept_years : polars.DataFrame
        ``year, dept_code_then, dept_code``: the codes the units used each
        year and the current code of each.
    warnings : list of Problem
        Non-blocking problems found while building the panel.
    from_pandas : bool
        True when the data came as pandas frames.
    """

    frame: pl.DataFrame
    years: list[int]
    system: System
    department_map: DepartmentMap
    missing_units: pl.DataFrame
    missing_depts: pl.DataFrame
    dept_years: pl.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    from_pandas: bool = False
    source: str = ""
    units_are_departments: bool = False

    @property
    def grades(self) -> list[str]:
        """Grade names best first (优, 良, 中, 差 for the built-in systems)."""
        return [b.grade for b in self.system.grades]

    @property
    def has_money(self) -> bool:
        """True when the panel knows each unit's full-year budget and spending."""
        return self.frame.get_column("_budget").null_count() < self.frame.height or (
            self.frame.height == 0
        )

    @property
    def has_carryover(self) -> bool:
        """True when the data give carry-over (结转结余) amounts for every unit-year."""
        return self.frame.height > 0 and self.frame.get_column("_carryover").null_count() == 0

    @property
    def carryover_known(self) -> int:
        """Unit-years whose carry-over amount the data give."""
        return self.frame.height - self.frame.get_column("_carryover").null_count()

    @property
    def units(self) -> Any:
        """One row per unit and year (public columns; pandas if pandas was given).

        Examples
        --------
        >>> p = panel("data/sample")
        >>> p.units.filter(pl.col("unit_code") == "P2020-D12-006").select(
        ...     "year", "dept_code", "dept_code_then", "dept_name").rows()  # D12 became D41
        [(2022, 'D41', 'D12', '农业农村局'),
         (2023, 'D41', 'D12', '农业农村局'),
         (2024, 'D41', 'D41', '农业农村局')]
        """
        shown = self.frame.with_columns(display_columns())
        return like_input(
            shown.select([c for c in _PUBLIC if c in shown.columns]), self.from_pandas
        )

    @property
    def missing(self) -> Any:
        """Units absent in at least one year of the panel, with the years they miss.

        Columns: ``unit_code, unit_name, dept_code, dept_name, first_year,
        last_year, years_present, years_missing, entered, ended, gap``
        (``entered``: first seen after the panel's first year; ``ended``: last
        seen before its last year; ``gap``: absent in a year between).

        Examples
        --------
        >>> m = panel("data/sample").missing
        >>> m.filter(pl.col("unit_code") == "P2024-D41-001").select(
        ...     "years_present", "years_missing", "entered").row(0)
        ('2024', '2022,2023', True)
        """
        return like_input(self.missing_units, self.from_pandas)

    @property
    def missing_departments(self) -> Any:
        """Departments (current codes) absent in at least one year of the panel."""
        return like_input(self.missing_depts, self.from_pandas)

    @property
    def renames(self) -> Any:
        """The renames followed: ``year, previous_code, dept_code, dept_name``.

        Examples
        --------
        >>> panel("data/sample").renames.rows()
        [(2024, 'D12', 'D41', '农业农村局')]
        """
        return like_input(self.department_map.renames, self.from_pandas)

    def require_money(self, what: str) -> None:
        """Raise a clear error when a step needs money columns the panel lacks."""
        if not self.has_money:
            raise PerfkitError(
                _(
                    "{what} needs each unit's budget_full_year and executed; "
                    "{source} do not have them"
                ).format(what=what, source=self.source or _("the scores"))
            )

    def __repr__(self) -> str:
        n_units = self.frame.get_column("unit_code").n_unique()
        return (
            f"Panel({self.years[0]}–{self.years[-1]}: {n_units:,} units, "
            f"{self.frame.height:,} unit-years, {self.missing_units.height:,} missing in some "
            f"years, {self.department_map.renames.height} rename(s))"
        )


def panel(
    source: str | Path | ScoreResult | Any | None = None,
    *,
    projects: TableInput | None = None,
    indicators: TableInput | None = None,
    departments: TableInput | None = None,
    years: YearsSpec = None,
    system: str | Path | System | None = None,
) -> Panel:
    """Build the cross-year panel (多年面板) from data or from scores.

    Parameters
    ----------
    source : path, ScoreResult, polars or pandas DataFrame, optional
        * a **data folder** holding the contract's ``projects`` and
          ``indicators`` (and ``departments``) tables with several years
          stacked: they are validated and scored with ``system``;
        * a :class:`~perfkit.ScoreResult`, or its ``units`` frame, or a
          ``unit_scores`` file (``.csv``/``.parquet``): scores already
          computed.  Required columns ``year, unit_code, total``; ``grade``
          (computed from ``total`` when absent), ``unit_name, dept_code,
          dept_name, budget_full_year, executed, carryover, budget_initial``
          are used when present.  Without ``dept_code`` the units are taken
          to be departments themselves.
    projects, indicators : path or frame, optional
        The contract tables stacked over years, instead of a folder.  With
        scores as ``source``, ``projects`` adds ``carryover`` and
        ``budget_initial`` (needed to tell idle money exactly).
    departments : path or frame, optional
        The ``departments`` table; its ``previous_code`` links renamed
        departments.  Found in the data folder when not given.
    years : str, int or list of int, optional
        ``"2022-2024"``, ``"2022,2024"``, a list, or None for every year in
        the data.  A year the data lack is an error.
    system : str, Path or System, optional
        Indicator system for scoring and for the grade bands
        (default ``project-self-eval``, or the ScoreResult's own).

    Returns
    -------
    Panel

    Raises
    ------
    InputError
        Every problem in the inputs (file, row, column).
    PerfkitError
        Years not in the data, a source of the wrong kind.

    Examples
    --------
    >>> import perfkit.compare as cmp
    >>> p = cmp.panel("data/sample", years="2022-2024")
    >>> p.years, p.frame.height
    ([2022, 2023, 2024], 1802)
    >>> p.units.columns[:5]
    ['year', 'unit_code', 'unit_name', 'dept_code', 'dept_name']
    """
    wanted = parse_years(years)
    label = "the data"
    dept_source: TableInput | None = departments
    from_pandas = False
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        folder = Path(source)
        label = str(folder)
        projects = projects if projects is not None else find_table(folder, "projects")
        indicators = indicators if indicators is not None else find_table(folder, "indicators")
        if dept_source is None:
            dept_source = find_table(folder, "departments")
        if projects is None or indicators is None:
            raise InputError(
                [
                    Problem(
                        str(folder),
                        None,
                        None,
                        "needs projects and indicators tables (.csv, .xlsx or .parquet)"
                        + ("" if projects is None else "; indicators not found")
                        + ("" if indicators is None else "; projects not found"),
                    )
                ],
                summary=_("nothing to compare"),
            )
        source = None
    if source is None and (projects is None or indicators is None):
        raise PerfkitError(
            _("panel() needs a data folder, scores, or both projects and indicators")
        )
    # every file's problems at once: the departments table is checked whatever the others hold
    dept_problems: list[Problem] = []
    dept_typed, dept_raw = None, None
    try:
        dept_typed, dept_raw = _departments(dept_source)
    except InputError as exc:
        dept_problems = exc.problems
    try:
        if source is None:
            frame, loaded, from_pandas, label = _scored(projects, indicators, system, label)
        else:
            frame, loaded, from_pandas, label = _from_scores(source, system, projects)
    except InputError as exc:
        if not dept_problems:
            raise
        raise InputError(exc.problems + dept_problems) from None
    if dept_problems:
        raise InputError(dept_problems)
    from_pandas = from_pandas or bool(dept_raw and dept_raw.from_pandas)
    return _build(frame, loaded, dept_typed, dept_raw, wanted, label, from_pandas)


# ----------------------------------------------------------------------------- inputs


def _typed_projects(projects: TableInput) -> tuple[pl.DataFrame, RawTable]:
    raw = read_table(projects, "projects")
    typed, problems = check_table(raw)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems)
    return typed, raw


def _scored(
    projects: TableInput, indicators: TableInput, system: Any, label: str
) -> tuple[pl.DataFrame, System, bool, str]:
    loaded = load_system(system or "project-self-eval")
    if loaded.kind != "indicators":
        raise PerfkitError(
            _(
                "system {system} scores evaluator-entered items; score it with "
                "perfkit.score and pass the ScoreResult to panel()"
            ).format(system=loaded.name)
        )
    result = score(projects, indicators, system=loaded)
    typed, raw = _typed_projects(projects)
    scores = result.units.select(
        "year",
        "unit_code",
        pl.col("total").mul(100).round(0).cast(pl.Int64).alias("total_cents"),
        "grade",
    )
    base = typed.select(
        pl.col("year").cast(pl.Int32),
        pl.col("project_code").alias("unit_code"),
        pl.col("project_name").alias("unit_name"),
        "dept_code",
        "dept_name",
        *([pl.col("category")] if "category" in typed.columns else []),
        pl.col("budget_full_year").alias("_budget"),
        pl.col("executed").alias("_executed"),
        (pl.col("carryover") if "carryover" in typed.columns else pl.lit(None, FIXED)).alias(
            "_carryover"
        ),
        pl.col("budget_initial").alias("_initial"),
    )
    frame = base.join(scores, on=["year", "unit_code"], how="left", maintain_order="left")
    return frame, loaded, result.from_pandas or raw.from_pandas, label


def _from_scores(
    source: Any, system: Any, projects: TableInput | None
) -> tuple[pl.DataFrame, System, bool, str]:
    from_pandas = False
    if isinstance(source, ScoreResult):
        frame, label, from_pandas = source.units, "<scores>", source.from_pandas
        loaded = load_system(system) if system is not None else source.system
        first_row = 1
    elif isinstance(source, pl.DataFrame):
        frame, label, first_row = source, "<scores>", 1
        loaded = load_system(system or "project-self-eval")
    elif is_pandas(source):
        frame, label, first_row, from_pandas = to_polars(source), "<scores>", 1, True
        loaded = load_system(system or "project-self-eval")
    elif isinstance(source, (str, Path)):
        path = Path(source)
        frame, label, first_row = _read_scores_file(path), path.name, 2
        loaded = load_system(system or "project-self-eval")
    else:
        raise PerfkitError(
            _(
                "panel() cannot use a {kind}: give a data folder, a ScoreResult, a scores frame or "
                "file"
            ).format(kind=type(source).__name__)
        )
    typed = _normalise_scores(frame, label, first_row, loaded)
    if projects is not None:
        exact, _problems = _typed_projects(projects)
        money = exact.select(
            pl.col("year").cast(pl.Int32),
            pl.col("project_code").alias("unit_code"),
            pl.col("budget_full_year").alias("_budget_p"),
            pl.col("executed").alias("_executed_p"),
            (pl.col("carryover") if "carryover" in exact.columns else pl.lit(None, FIXED)).alias(
                "_carryover_p"
            ),
            pl.col("budget_initial").alias("_initial_p"),
        )
        typed = typed.join(money, on=["year", "unit_code"], how="left", maintain_order="left")
        typed = typed.with_columns(
            pl.coalesce(f"_{c}_p", f"_{c}").alias(f"_{c}")
            for c in ("budget", "executed", "carryover", "initial")
        ).drop("^_.*_p$")
    return typed, loaded, from_pandas, label


def _read_scores_file(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise InputError(
            [Problem(str(path), None, None, _("file not found"))], summary=_("no scores")
        )
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        if path.suffix.lower() == ".csv":
            return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except Exception as exc:  # a broken file is a user error
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    _("cannot be read: {exc}").format(exc=str(exc).splitlines()[0]),
                )
            ],
            summary=_("cannot read the scores"),
        ) from None
    raise InputError(
        [Problem(path.name, None, None, _("scores must be a .csv or .parquet file (unit_scores)"))],
        summary=_("cannot read the scores"),
    )


_SCORE_TEXT = ("unit_code", "unit_name", "dept_code", "dept_name", "grade", "category")


def _normalise_scores(frame: pl.DataFrame, label: str, first_row: int, system: System) -> Any:
    """Scores frame → canonical panel columns, every problem listed at once."""
    missing = [c for c in ("year", "unit_code", "total") if c not in frame.columns]
    if missing:
        raise InputError(
            [Problem(label, None, c, _("required column missing in the scores")) for c in missing],
            summary=_("{label}: the scores lack required columns; nothing was compared").format(
                label=label
            ),
        )
    work = frame.with_row_index("_row", offset=first_row).with_columns(
        pl.col("_row").cast(pl.Int64)
    )
    raw = RawTable("scores", work, label)
    exprs = [parse_fixed(pl.col("year"), work.schema["year"]).alias("_year_fx")]
    exprs.append(parse_fixed(pl.col("total"), work.schema["total"]).alias("_total_fx"))
    for c in ("budget_full_year", "executed", "carryover", "budget_initial"):
        if c in work.columns:
            exprs.append(parse_fixed(pl.col(c), work.schema[c]).alias(f"_{c}_fx"))
    work = work.with_columns(exprs).with_columns(
        pl.col(c).cast(pl.String) for c in _SCORE_TEXT if c in work.columns
    )
    checks = [
        Check(pl.col("unit_code").is_null(), "unit_code", _("missing value")),
        Check(
            ~(
                (pl.col("_year_fx") % SCALE == 0)
                & pl.col("_year_fx").is_between(1900 * SCALE, 2200 * SCALE)
            ).fill_null(False),
            "year",
            format_expr(_("year must be a whole number like 2024, not '{}'"), pl.col("year")),
        ),
        Check(
            pl.col("_total_fx").is_null() | (pl.col("_total_fx") < 0),
            "total",
            format_expr(_("'{}' is not a score"), pl.col("total")),
        ),
    ]
    for c in ("budget_full_year", "executed", "carryover", "budget_initial"):
        if c in work.columns:
            fx = pl.col(f"_{c}_fx")
            checks += [
                Check(
                    pl.col(c).is_not_null() & fx.is_null(),
                    c,
                    format_expr(_("'{}' is not a number"), pl.col(c)),
                ),
                Check(fx < 0, c, format_expr(_("negative amount {}"), pl.col(c))),
            ]
    grades = [b.grade for b in system.grades]
    if "grade" in work.columns:
        checks.append(
            Check(
                pl.col("grade").is_null() | ~pl.col("grade").is_in(grades),
                "grade",
                format_expr(
                    _("grade '{}' is not one of {} ({})"),
                    pl.col("grade"),
                    pl.lit(", ".join(grades)),
                    pl.lit(system.name),
                ),
            )
        )
    problems = run_checks(work, raw, checks)
    typed = work.with_columns((pl.col("_year_fx") // SCALE).cast(pl.Int32).alias("year"))
    if problems:  # list duplicates too; on clean input they are found after the sort
        problems += duplicate_key_problems(typed, raw, ("year", "unit_code"))
        raise InputError(
            problems, summary=_("{n} problem(s) in the scores").format(n=len(problems))
        )
    cents = to_cents(pl.col("_total_fx"))
    units_are_departments = "dept_code" not in work.columns

    def money(c: str) -> pl.Expr:
        return pl.col(f"_{c}_fx") if c in work.columns else pl.lit(None, FIXED)

    result = typed.select(
        "_row",
        "year",
        "unit_code",
        (pl.col("unit_name") if "unit_name" in work.columns else pl.lit(None, pl.String)).alias(
            "unit_name"
        ),
        pl.col("unit_code" if units_are_departments else "dept_code").alias("dept_code"),
        (
            pl.col("dept_name")
            if "dept_name" in work.columns
            else (
                pl.col("unit_name")
                if units_are_departments and "unit_name" in work.columns
                else pl.lit(None, pl.String)
            )
        ).alias("dept_name"),
        *([pl.col("category")] if "category" in work.columns else []),
        money("budget_full_year").alias("_budget"),
        money("executed").alias("_executed"),
        money("carryover").alias("_carryover"),
        money("budget_initial").alias("_initial"),
        cents.alias("total_cents"),
        (pl.col("grade") if "grade" in work.columns else grade_expr(cents, system)).alias("grade"),
    )
    if units_are_departments:
        result = result.with_columns(pl.lit(True).alias("_units_are_departments"))
    return result.with_columns(pl.lit(label).alias("_source"))


def _departments(source: TableInput | None) -> tuple[pl.DataFrame | None, RawTable | None]:
    if source is None:
        return None, None

    raw = read_table(source, "departments")
    typed, problems = check_table(raw)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return typed.with_columns(pl.col("year").cast(pl.Int32)), raw


# ----------------------------------------------------------------------------- building


def _build(
    frame: pl.DataFrame,
    system: System,
    dept_typed: pl.DataFrame | None,
    dept_raw: RawTable | None,
    wanted: list[int] | None,
    label: str,
    from_pandas: bool,
) -> Panel:
    units_are_departments = "_units_are_departments" in frame.columns
    frame = frame.drop("_units_are_departments", strict=False)
    years = check_years(wanted, frame.get_column("year").unique().to_list(), label)
    frame = frame.filter(pl.col("year").is_in(years))
    used = frame.select("year", "dept_code", "dept_name").unique()
    dmap = map_departments(used, dept_typed, dept_raw)
    errors = [p for p in dmap.problems if p.severity == "error"]
    if errors:
        raise InputError(dmap.problems)
    frame = (
        frame.rename({"dept_code": "dept_code_then", "dept_name": "dept_name_then"})
        .join(dmap.mapping, on=["year", "dept_code_then"], how="left", maintain_order="left")
        .join(dmap.names, on="dept_code", how="left", maintain_order="left")
    )
    if units_are_departments:
        frame = frame.with_columns(
            pl.col("unit_code").alias("unit_code_then"), pl.col("dept_code").alias("unit_code")
        )
        frame = frame.with_columns(pl.coalesce("dept_name", "unit_name").alias("unit_name"))
    if units_are_departments:
        merged = frame.filter(pl.col("unit_code_then").n_unique().over("year", "unit_code") > 1)
        if merged.height:
            year, code = merged["year"][0], merged["unit_code"][0]
            same = merged.filter((pl.col("unit_code") == code) & (pl.col("year") == year))
            olds = ", ".join(sorted(same["unit_code_then"].to_list()))
            raise PerfkitError(
                _(
                    "departments {olds} all became {code} (a merge): their {year} scores cannot "
                    "be followed as one department's history"
                ).format(olds=olds, code=code, year=year)
            )
    # the department codes each year's units used, and their current codes (a small table)
    dept_years = (
        used.select("year", pl.col("dept_code").alias("dept_code_then"))
        .unique()
        .join(dmap.mapping, on=["year", "dept_code_then"], how="left")
        .sort("dept_code", "year", "dept_code_then")
    )
    b, e = pl.col("_budget"), pl.col("_executed")
    # sorted by unit and year, with one integer id per unit (in code order): joins, runs and
    # groups work on the id, and a unit's rows are together, oldest first
    frame = frame.sort("unit_code", "year").with_columns(
        (pl.col("unit_code") != pl.col("unit_code").shift(1))
        .fill_null(True)
        .cum_sum()
        .cast(pl.UInt32)
        .alias("_uid"),
        pl.when(b > 0).then(percent_cents(e, b)).alias("rate_cents"),
    )
    if "_row" in frame.columns:  # scores handed in: each unit at most once a year
        _check_unique(frame)
        frame = frame.drop("_row", "_source")
    return Panel(
        frame=frame,
        years=years,
        system=system,
        department_map=dmap,
        missing_units=_missing(frame, years),
        missing_depts=_missing_departments(dept_years, dept_typed, dmap, years),
        dept_years=dept_years,
        warnings=[p for p in dmap.problems if p.severity != "error"],
        from_pandas=from_pandas,
        source=label,
        units_are_departments=units_are_departments,
    )


def _check_unique(frame: pl.DataFrame) -> None:
    """Raise on a unit scored twice in a year, naming both rows (frame sorted by unit, year)."""
    again = (pl.col("_uid") == pl.col("_uid").shift(1)) & (
        pl.col("year") == pl.col("year").shift(1)
    )
    if not frame.select(again.fill_null(False).any()).item():
        return
    marked = frame.with_columns(pl.col("_row").shift(1).alias("_first"))
    if "unit_code_then" in marked.columns:  # departments as units: name the codes as given
        marked = marked.with_columns(pl.col("unit_code_then").alias("unit_code"))
    label = frame.get_column("_source")[0]
    raw = RawTable("scores", marked, label)
    message = format_expr(
        _("duplicate key (year={}, unit_code={}) also on row {}"),
        pl.col("year"),
        pl.col("unit_code"),
        pl.col("_first"),
    )
    problems = problems_from_mask(marked, again.fill_null(False), raw, "unit_code", message)
    raise InputError(problems, summary=_("{n} problem(s) in the scores").format(n=len(problems)))


_MONEY_FIELDS = {
    "budget_full_year": "budget",
    "executed": "executed",
    "carryover": "carryover",
    "budget_initial": "initial",
}


def display_columns() -> list[pl.Expr]:
    """The panel's exact columns as the floats people read (total, money, execution rate)."""
    return [
        cents_to_float(pl.col("total_cents")).alias("total"),
        cents_to_float(pl.col("rate_cents")).alias("execution_rate"),
        *[fixed_to_float(pl.col(f"_{k}")).alias(c) for c, k in _MONEY_FIELDS.items()],
    ]


def _presence(
    frame: pl.DataFrame, key: str, years: list[int], extra: list[pl.Expr]
) -> pl.DataFrame:
    """Keys absent in some of ``years`` (one row each, ``frame`` unique by key and year).

    Each key's years are summed as a bit mask; the texts of the few distinct
    masks are built once and mapped back, so millions of units cost one group-by.
    """
    if len(years) > 62:
        raise PerfkitError(
            _("a panel of {n} years is more than perfkit compares (62)").format(n=len(years))
        )
    bits = {y: 1 << i for i, y in enumerate(years)}
    per = (
        frame.group_by(key)
        .agg(
            pl.col("year").replace_strict(bits, return_dtype=pl.Int64).sum().alias("_mask"),
            pl.len().alias("_n"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
            *extra,
        )
        .filter(pl.col("_n") < len(years))
    )
    masks = per.get_column("_mask").unique().to_list()

    def text(mask: int, present: bool) -> str:
        return ",".join(str(y) for y, b in bits.items() if bool(mask & b) == present)

    return per.with_columns(
        pl.col("_mask")
        .replace_strict({m: text(m, True) for m in masks}, return_dtype=pl.String)
        .alias("years_present"),
        pl.col("_mask")
        .replace_strict({m: text(m, False) for m in masks}, return_dtype=pl.String)
        .alias("years_missing"),
        (pl.col("first_year") > years[0]).alias("entered"),
        (pl.col("last_year") < years[-1]).alias("ended"),
        (pl.col("_n") < (pl.col("last_year") - pl.col("first_year") + 1)).alias("gap"),
    ).drop("_mask", "_n")


def _missing(frame: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    columns = [
        "unit_code",
        "unit_name",
        "dept_code",
        "dept_name",
        "first_year",
        "last_year",
        "years_present",
        "years_missing",
        "entered",
        "ended",
        "gap",
    ]
    if frame.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    # the panel is sorted by unit and year, so each unit's last row is its latest
    latest = [
        pl.col(c).last().alias(c) for c in ("unit_code", "unit_name", "dept_code", "dept_name")
    ]
    found = _presence(frame, "_uid", years, latest)
    return found.sort("_uid").select(columns)


def _missing_departments(
    dept_years: pl.DataFrame,
    dept_typed: pl.DataFrame | None,
    dmap: DepartmentMap,
    years: list[int],
) -> pl.DataFrame:
    seen = dept_years.select("year", "dept_code")
    if dept_typed is not None:
        listed = (
            dept_typed.filter(pl.col("year").is_in(years))
            .select("year", pl.col("dept_code").alias("dept_code_then"))
            .join(dmap.mapping, on=["year", "dept_code_then"], how="left")
            .select("year", pl.coalesce("dept_code", "dept_code_then").alias("dept_code"))
        )
        seen = pl.concat([seen, listed], how="vertical_relaxed")
    seen = seen.unique().join(dmap.names, on="dept_code", how="left")
    columns = [
        "dept_code",
        "dept_name",
        "first_year",
        "last_year",
        "years_present",
        "years_missing",
        "entered",
        "ended",
        "gap",
    ]
    if seen.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    return (
        _presence(seen, "dept_code", years, [pl.col("dept_name").sort_by("year").last()])
        .select(columns)
        .sort("dept_code")
    )

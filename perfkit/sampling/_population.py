"""The population a sample is drawn from (抽样总体): projects or whole departments.

A population is one year's units, sorted by unit code (so that the same units
always give the same picks, whatever the input's row order), with exact
columns for everything a design or a risk rule compares:

==================  =========  ================================================
column              dtype      meaning
==================  =========  ================================================
unit_code           String     project code, or department code
unit_name           String     project or department name
dept_code/dept_name String     the department
category            String     项目类别 (projects; null for departments)
money               Int128     全年预算数 in fixed point (10⁻⁶ 万元)
executed            Int128     全年执行数 in fixed point
total_cents         Int64      recomputed score (复算得分) in cents
grade               String     recomputed grade
self_cents          Int64      self-score (自评得分) in cents, null if not given
self_grade          String     self-evaluated grade
flag_<code>         Boolean    the scoring engine's flags (:mod:`perfkit.scoring._flags`)
n_projects          UInt32     departments only: projects aggregated
==================  =========  ================================================

**Departments** (部门整体) are aggregated from their projects: money and
spending are sums; the department's recomputed score is the money-weighted
mean of its projects' recomputed totals, and its self-score the money-weighted
mean of its projects' self-scores (both rounded half-up to cents, exactly; a
department whose projects all have budget 0 takes the plain mean).  Its flags
are the system's flags computed on these sums and scores (budget 0, spending
above budget, more than 20 % unspent, self-score off by more than 5 points or a
grade, self-grade better, self-score 100 with low execution); the two
indicator-level flags (over-completion, score rate above execution) are raised
when any of its projects raises them.  perfkit does not
use a ``dept-overall`` assessment total here: the contract's ``assessments``
table carries the department's entered item scores but no separate
self-score, so there is nothing to compare a re-score against; verifying a
department means verifying its projects, and the field workbook lists them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.errors import InputError, PerfkitError, Problem
from perfkit.i18n import _
from perfkit.numbers import FIXED, SCALE, div_half_up
from perfkit.scoring._api import score
from perfkit.scoring._flags import FLAG_LABELS, unit_flags
from perfkit.scoring._grading import grade_expr
from perfkit.scoring._result import ScoreResult
from perfkit.tables._read import TableInput, find_table
from perfkit.tables._write import file_sha256

__all__ = [
    "UNIT_KINDS",
    "Population",
    "file_sha256",
    "fingerprint",
    "load_population",
    "population_from_scores",
]

#: What a unit of the population can be.
UNIT_KINDS = ("projects", "departments")


@dataclass
class Population:
    """One year's units to sample from, with where they came from.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per unit, sorted by ``unit_code`` (columns: see the module).
    kind : str
        ``projects`` or ``departments``.
    year : int
    system : str
        The indicator system the scores come from.
    scores : ScoreResult or None
        The project scores the population was built from (for the field
        workbook: each unit's items).
    sources : dict
        Table name → ``{"path": ..., "sha256": ...}`` of the files read.
    """

    frame: pl.DataFrame
    kind: str
    year: int
    system: str = "project-self-eval"
    scores: ScoreResult | None = None
    sources: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of units."""
        return self.frame.height

    @property
    def money(self) -> int:
        """Total money in fixed point (10⁻⁶ 万元)."""
        return int(self.frame.get_column("money").sum() or 0)


def _exact(column: str, scale: int, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
    # the result tables hold the nearest double to each 2- or 6-decimal value; scaling and
    # rounding recovers the exact integer (error < 10⁻⁹ of a unit for amounts < 10⁹ 万元)
    return (pl.col(column) * scale).round(0).cast(dtype)


def population_from_scores(
    result: ScoreResult, *, year: int | None = None, kind: str = "projects"
) -> Population:
    """The population of one year's projects (or departments) from a scoring result.

    Parameters
    ----------
    result : ScoreResult
        From :func:`perfkit.score` with a project system.
    year : int, optional
        Needed when the result holds several years.
    kind : {"projects", "departments"}

    Examples
    --------
    >>> import perfkit
    >>> r = perfkit.score("data/sample/projects.csv", "data/sample/indicators.csv")
    >>> pop = population_from_scores(r, year=2023)
    >>> pop.size, pop.frame["unit_code"].is_sorted()
    (606, True)
    >>> population_from_scores(r, year=2023, kind="departments").size
    40
    """
    if kind not in UNIT_KINDS:
        raise PerfkitError(
            _("unknown unit kind {kind!r}; use projects or departments").format(kind=kind)
        )
    units = result.units
    if "budget_full_year" not in units.columns:
        raise PerfkitError(
            _("system {system} scores no projects; sampling needs project scores").format(
                system=result.system.name
            )
        )
    years = sorted(units.get_column("year").unique().to_list())
    if year is None:
        if len(years) != 1:
            raise PerfkitError(
                _("the data hold the years {choices}: choose one (--year)").format(
                    choices=", ".join(map(str, years))
                )
            )
        year = years[0]
    if year not in years:
        raise PerfkitError(
            _("no units in year {year}; the data hold {choices}").format(
                year=year, choices=", ".join(map(str, years)) or _("none")
            )
        )
    units = units.filter(pl.col("year") == year)
    flags = [c for c in units.columns if c.startswith("flag_")]
    has_self = "self_score" in units.columns
    frame = units.select(
        pl.col("unit_code"),
        pl.col("unit_name"),
        pl.col("dept_code"),
        pl.col("dept_name"),
        (pl.col("category") if "category" in units.columns else pl.lit(None, pl.String)).alias(
            "category"
        ),
        _exact("budget_full_year", SCALE, FIXED).alias("money"),
        _exact("executed", SCALE, FIXED).alias("executed"),
        _exact("total", 100, pl.Int64).alias("total_cents"),
        pl.col("grade"),
        (_exact("self_score", 100, pl.Int64) if has_self else pl.lit(None, pl.Int64)).alias(
            "self_cents"
        ),
        (pl.col("self_grade") if has_self else pl.lit(None, pl.String)).alias("self_grade"),
        *[pl.col(f) for f in flags],
    )
    if kind == "departments":
        frame = _departments(frame, flags, result)
    return Population(frame.sort("unit_code"), kind, int(year), result.system.name, scores=result)


def _weighted_cents(cents: str) -> pl.Expr:
    """Money-weighted mean of integer cents, rounded half-up exactly (plain mean if no money)."""
    c, m = pl.col(cents).cast(FIXED), pl.col("money")
    have = pl.col(cents).is_not_null()
    weight = m.filter(have).sum()
    weighted = (c * m).filter(have).sum()
    plain_n = have.sum().cast(FIXED)
    plain = c.filter(have).sum()
    return (
        pl.when(weight > 0)
        .then(div_half_up(weighted, weight))
        .when(plain_n > 0)
        .then(div_half_up(plain, plain_n))
        .otherwise(None)
        .cast(pl.Int64)
    )


def _departments(frame: pl.DataFrame, flags: list[str], result: ScoreResult) -> pl.DataFrame:
    per_project = ("flag_over_completion", "flag_score_rate_above_execution")
    depts = (
        frame.sort("unit_code")
        .group_by("dept_code", maintain_order=True)
        .agg(
            pl.col("dept_name").first(),
            pl.col("money").sum(),
            pl.col("executed").sum(),
            _weighted_cents("total_cents").alias("total_cents"),
            _weighted_cents("self_cents").alias("self_cents"),
            *[pl.col(f).any() for f in flags if f in per_project],
            pl.len().alias("n_projects"),
        )
        .with_columns(
            pl.col("dept_code").alias("unit_code"),
            pl.col("dept_name").alias("unit_name"),
            pl.lit(None, pl.String).alias("category"),
            grade_expr(pl.col("total_cents"), result.system).alias("grade"),
        )
    )
    # the department's own flags, by the system's thresholds on its sums and weighted scores;
    # over-completion and score rate above execution are indicator-level: any project's
    has_self = depts["self_cents"].null_count() < depts.height
    work = depts.with_columns(
        pl.col("money").alias("budget_full_year"),
        pl.col("total_cents").alias("_total_cents"),
        pl.lit(0, pl.Int64).alias("_ind_cents"),
        pl.lit(0, pl.Int64).alias("_ind_max"),
        pl.lit(False).alias("_over"),
    )
    if has_self:
        work = work.with_columns(
            (pl.col("self_cents").cast(FIXED) * (SCALE // 100)).alias("self_score")
        )
    flagged = unit_flags(work, result.system)
    own = [c for c in flagged.columns if c.startswith("flag_") and c not in per_project]
    depts = depts.with_columns(flagged.select(own)).with_columns(
        (
            grade_expr(pl.col("self_cents"), result.system) if has_self else pl.lit(None, pl.String)
        ).alias("self_grade")
    )
    cols = ["unit_code", "unit_name", "dept_code", "dept_name", "category", "money", "executed"]
    cols += ["total_cents", "grade", "self_cents", "self_grade"]
    cols += [f for f in flags if f in depts.columns] + ["n_projects"]
    return depts.select(cols)


def fingerprint(frame: pl.DataFrame, columns: list[str]) -> str:
    """SHA-256 of the given columns of a population, rows sorted by unit code.

    The columns are written as CSV text (integers for money and cents, text,
    ``true``/``false``), so the fingerprint is the same on every machine.

    Examples
    --------
    >>> df = pl.DataFrame({"unit_code": ["B", "A"], "money": [2, 1]})
    >>> fingerprint(df, ["unit_code", "money"]) == fingerprint(df.reverse(), ["unit_code", "money"])
    True
    """
    text = frame.sort("unit_code").select(columns).write_csv()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_population(
    projects: TableInput,
    indicators: TableInput | None = None,
    *,
    year: int | None = None,
    kind: str = "projects",
    system: str = "project-self-eval",
    scores: str | Path | None = None,
) -> Population:
    """Read, validate and score the inputs, and build one year's population.

    Parameters
    ----------
    projects : path or frame
        The ``projects`` table.
    indicators : path or frame, optional
        The ``indicators`` table; by default the one beside ``projects``
        (``indicators.csv``/``.xlsx``/``.parquet`` in the same folder).
    year : int, optional
        Needed when the table holds several years.
    kind : {"projects", "departments"}
    system : str
        The project indicator system used for scoring.
    scores : path, optional
        A folder written by ``perfkit score`` (``unit_scores.csv``): its scores
        and flags are used instead of scoring again.

    Examples
    --------
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> sorted(pop.sources)
    ['indicators', 'projects']
    """
    indicators = _indicators_beside(projects, indicators)
    sources = {
        name: {"path": str(src), "sha256": file_sha256(src)}
        for name, src in (("projects", projects), ("indicators", indicators))
        if isinstance(src, str | Path)
    }
    result = score(projects, indicators, system=system)
    if scores is not None:
        result = _with_saved_scores(result, Path(scores))
        sources["scores"] = {
            "path": str(Path(scores) / "unit_scores.csv"),
            "sha256": file_sha256(Path(scores) / "unit_scores.csv"),
        }
    pop = population_from_scores(result, year=year, kind=kind)
    pop.sources = sources
    return pop


def _indicators_beside(projects: TableInput, indicators: TableInput | None) -> TableInput:
    if indicators is not None:
        return indicators
    if isinstance(projects, str | Path):
        found = find_table(Path(projects).parent, "indicators")
        if found is not None:
            return found
        where = str(Path(projects).parent)
    else:
        where = "memory"
    raise InputError(
        [Problem(where, None, None, _("no indicators table found beside the projects table"))],
        summary=_("give the indicators table (--indicators)"),
    )


def _with_saved_scores(result: ScoreResult, folder: Path) -> ScoreResult:
    """Replace totals, grades and flags by those of an earlier ``perfkit score`` run."""
    path = folder / "unit_scores.csv"
    if not path.is_file():
        raise InputError(
            [Problem(str(path), None, None, _("file not found (written by `perfkit score`)"))],
            summary=_("cannot read the saved scores"),
        )
    saved = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    saved = saved.rename({c: c.lstrip("\ufeff") for c in saved.columns})
    flags = [c for c in saved.columns if c.startswith("flag_") and c[5:] in FLAG_LABELS]
    need = ["year", "unit_code", "total", "grade"]
    missing = [c for c in need if c not in saved.columns]
    if missing:
        raise InputError(
            [Problem(path.name, None, c, _("required column missing")) for c in missing],
            summary=_("the saved scores are not a unit_scores.csv of `perfkit score`"),
        )
    keep = [*need, *flags, *(["flags"] if "flags" in saved.columns else [])]
    typed = saved.select(keep).with_columns(
        pl.col("year").cast(pl.Int32, strict=False),
        pl.col("total").cast(pl.Float64, strict=False),
        *[pl.col(f).str.to_lowercase().eq("true") for f in flags],
    )
    units = result.units
    key = ["year", "unit_code"]
    joined = units.drop([c for c in keep if c not in key and c in units.columns]).join(
        typed, on=key, how="left", maintain_order="left"
    )
    absent = joined.filter(pl.col("total").is_null()).get_column("unit_code").to_list()
    extra = typed.join(units, on=key, how="anti").get_column("unit_code").to_list()
    problems = [
        Problem(
            path.name,
            None,
            "unit_code",
            _("project {code} of the projects table has no score").format(code=code),
        )
        for code in absent[:20]
    ] + [
        Problem(
            path.name,
            None,
            "unit_code",
            _("unit {code} is not in the projects table").format(code=code),
        )
        for code in extra[:20]
    ]
    if problems:
        raise InputError(problems, summary=_("the saved scores do not match the projects table"))
    return ScoreResult(result.system, joined, result.items, result.warnings, result.from_pandas)

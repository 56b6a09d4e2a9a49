"""The sample-verification report's one call (自评复核抽样报告): check, plan, draw, verify.

``notebooks/sample_verification.ipynb`` calls :func:`report_for` and only presents
what it returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.present._labels import PICK_LABELS
from perfkit.sampling._planning import Plan, plan_attribute, plan_mus
from perfkit.sampling._population import Population, load_population
from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._reperform import ReperformReport, reperform
from perfkit.sampling._selection import Design, Selection, draw_sample
from perfkit.sampling._verify import Verification, verify
from perfkit.sampling._workbook import reason_label
from perfkit.tables._read import find_table

__all__ = ["NOT_PICKED", "SamplingReport", "report_for"]

#: How the population chart names a unit that was not drawn.
NOT_PICKED = "未抽中"
_PICK_COLUMNS = (
    "order", "unit_code", "unit_name", "dept_name", "stratum", "reason",
    "inclusion_probability", "budget_full_year", "self_score", "total",
)  # fmt: skip
_VERIFIED_COLUMNS = (
    "unit_code", "unit_name", "reason", "self_score", "total", "verified_score",
    "verified_diff", "grade_change", "items_moved",
)  # fmt: skip


@dataclass(eq=False)
class SamplingReport:
    """What a sample-verification report shows, computed once."""

    population: Population
    plans: list[Plan]
    selection: Selection
    written: list[Path]
    reperformed: ReperformReport | None
    verification: Verification | None
    evaluation: Any

    @property
    def title(self) -> str:
        """The report's title: ``2023年度自评复核抽样报告``."""
        return _("Self-evaluation verification sample, {year}").format(year=self.population.year)

    @property
    def picks(self) -> pl.DataFrame:
        """The drawn units, must-includes first, each with its reason in words."""
        picks = self.selection.picks.with_columns(
            pl.col("reason").map_elements(reason_label, return_dtype=pl.String)
        )
        return picks.select(_PICK_COLUMNS)

    @property
    def population_points(self) -> pl.DataFrame:
        """Every unit: money (万元), self score − score, and how it was drawn (or not)."""
        pick = pl.col("reason").str.split(":").list.first()
        return (
            self.population.frame.join(
                self.selection.picks.select("unit_code", "reason"), on="unit_code", how="left"
            )
            .select(
                "unit_code",
                "unit_name",
                (pl.col("money").cast(pl.Float64) / 10**6).alias("money"),
                ((pl.col("self_cents") - pl.col("total_cents")) / 100).alias("score_diff"),
                pick.replace_strict(PICK_LABELS, default=NOT_PICKED)
                .fill_null(NOT_PICKED)
                .alias("pick"),
            )
            .filter(pl.col("money") > 0)
        )

    @property
    def verified_units(self) -> pl.DataFrame | None:
        """The verified units' scores against the self scores, reasons in words (None before)."""
        if self.verification is None:
            return None
        return self.verification.units.select(_VERIFIED_COLUMNS).with_columns(
            pl.col("reason").map_elements(reason_label, return_dtype=pl.String)
        )


def _problems(
    data_dir: object, units: str, design: str, strata: object, n: object, share: object,
    coverage: object, seed: object, confidence: float, risk: object, results: object,
    record: object,
) -> list[str]:  # fmt: skip
    problems = []
    if units not in ("projects", "departments"):
        problems.append(
            _("units must be projects or departments, not {units!r}").format(units=units)
        )
    if design not in ("srs", "stratified", "pps", "cell"):
        problems.append(
            _("design must be srs, stratified, pps or cell, not {design!r}").format(design=design)
        )
    if design == "stratified" and not strata:
        problems.append(_("stratified sampling needs strata (e.g. dept_code)"))
    if sum(x is not None for x in (n, share, coverage)) != 1:
        problems.append(_("give exactly one of n, share and coverage"))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(
            _("seed must be a whole number of 0 or more, not {seed!r}").format(seed=seed)
        )
    if not 0 < confidence < 1:
        problems.append(
            _("confidence must be between 0 and 1, not {confidence!r}").format(
                confidence=confidence
            )
        )
    if not isinstance(risk, list | tuple):
        problems.append(_('risk must be a list of rules, such as ["budget_zero", "amount>=500"]'))
    if find_table(str(data_dir), "projects") is None:
        problems.append(
            _("{data_dir} has no projects table (projects.csv, .xlsx or .parquet)").format(
                data_dir=data_dir
            )
        )
    if results is not None and not Path(str(results)).is_file():
        problems.append(
            _("the verification results file {results} does not exist").format(results=results)
        )
    if record is not None and not Path(str(record)).is_file():
        problems.append(_("the selection record {record} does not exist").format(record=record))
    return problems


def report_for(
    *,
    data_dir: str | Path = "data/sample",
    year: int,
    units: str = "projects",
    design: str = "pps",
    strata: str | None = None,
    allocation: str = "proportional",
    minimum: int = 0,
    n: int | None = None,
    share: str | None = None,
    coverage: str | None = None,
    risk: Sequence[str] = (),
    seed: int = 0,
    confidence: float = 0.95,
    tolerable: float = 0.05,
    expected: float = 0.0,
    output_dir: str | Path,
    record: str | Path | None = None,
    results: str | Path | None = None,
    threshold: float = 5,
) -> SamplingReport:
    """Check the parameters, plan, draw and write the sample; re-perform and verify if given.

    Parameters
    ----------
    data_dir : str or Path
        The folder with ``projects`` and ``indicators`` (``.csv``, ``.xlsx`` or ``.parquet``).
    year, units, design, strata, allocation, minimum, n, share, coverage, risk, seed
        The draw (:class:`~perfkit.sampling.Design`, :func:`~perfkit.sampling.draw_sample`).
    confidence, tolerable, expected : float
        The sample-size plans and the evaluation's confidence.
    output_dir : str or Path
        Where ``picks.csv``, ``strata.csv``, ``selection.json`` and the field workbook go.
    record : str or Path, optional
        A selection record to re-perform (default: this draw's own record).
    results : str or Path, optional
        The filled field workbook or ``verifications`` table; None before verification.
    threshold : float
        Points above the verified score that count as inflated (自评虚高).

    Returns
    -------
    SamplingReport

    Raises
    ------
    PerfkitError
        ``参数有误：`` with every bad parameter, before anything is read or written.

    Examples
    --------
    >>> report_for(year=2023, design="stratified", n=40, output_dir="out")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: 参数有误：分层抽样需要 strata（如 dept_code）
    """
    problems = _problems(
        data_dir, units, design, strata, n, share, coverage, seed, confidence, risk, results,
        record,
    )  # fmt: skip
    if problems:
        raise PerfkitError(_("bad parameters: {problems}").format(problems=_("; ").join(problems)))
    projects = find_table(str(data_dir), "projects")
    population = load_population(projects, year=year, kind=units)  # type: ignore[arg-type]
    money = Decimal(population.money) / 10**6  # 万元, exact
    plans = [
        plan_attribute(confidence, tolerable, expected),
        plan_attribute(
            confidence, tolerable, expected, model="hypergeometric", population=population.size
        ),
        plan_mus(money, money * Decimal(str(tolerable)), confidence=confidence),
    ]
    chosen = Design(
        method=design, strata=strata, allocation=allocation, minimum=minimum, n=n,
        share=share, coverage=coverage, risk=tuple(risk),
    )  # fmt: skip
    selection = draw_sample(population, chosen, seed)
    written = selection.write(output_dir)
    check = SelectionRecord.load(record) if record is not None else selection.record
    same = check.kind == units and check.year == year
    reperformed = reperform(check, population) if same else None
    verification = evaluation = None
    if results is not None:
        verification = verify(check, results)
        evaluation = verification.evaluate(threshold=threshold, confidence=confidence)
    return SamplingReport(
        population, plans, selection, written, reperformed, verification, evaluation
    )

"""``perfkit sample plan|draw|reperform`` and ``perfkit verify`` (自评复核抽样).

Exit status: 0 on success; 1 on a user error (bad input, a bad parameter); 2 on a
usage error (click); ``perfkit sample reperform`` exits 3 when the redraw differs
from the record.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation

import click

from perfkit.cli._support import out_dir_option, print_problems, user_errors
from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = ["EXIT_DIFFERS", "sample", "verify"]

#: Exit status of ``perfkit sample reperform`` when the redraw differs.
EXIT_DIFFERS = 3

_file = click.Path(dir_okay=False)


@click.group()
def sample() -> None:
    """Sample verification (自评复核抽样): plan a size, draw, re-perform a draw."""


@sample.command("plan")
@click.option(
    "--model",
    type=click.Choice(["binomial", "poisson", "hypergeometric"]),
    default=None,
    help="Error model [default: binomial; poisson for monetary units].",
)
@click.option(
    "--population", type=click.IntRange(1), help="Units in the population (hypergeometric)."
)
@click.option("--confidence", default="0.95", show_default=True, help="Confidence level.")
@click.option("--tolerable", default=None, help="Tolerable error rate, e.g. 0.05.")
@click.option(
    "--expected", default="0", show_default=True, help="Expected errors: a rate (<1) or a count."
)
@click.option(
    "--money", default=None, help="Monetary-unit sampling: the population's money (万元)."
)
@click.option("--tolerable-misstatement", default=None, help="MUS: tolerable misstatement (万元).")
@click.option(
    "--expected-misstatement",
    default="0",
    show_default=True,
    help="MUS: expected misstatement (万元).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object whose `n` is the size.")
@user_errors
def plan(
    model: str | None,
    population: int | None,
    confidence: str,
    tolerable: str | None,
    expected: str,
    money: str | None,
    tolerable_misstatement: str | None,
    expected_misstatement: str,
    as_json: bool,
) -> None:
    """Plan a sample size: attribute sampling, or monetary-unit sampling with --money."""
    # perfkit.sampling needs scipy (and numpy): imported when a command runs, not for --help
    from perfkit.sampling import plan_attribute, plan_mus

    if money is not None:
        tm = tolerable_misstatement
        if tm is None:
            if tolerable is None:
                raise PerfkitError(
                    _("give --tolerable-misstatement (万元) or --tolerable (a rate)")
                )
            try:
                tm = str(Decimal(money) * Decimal(tolerable))
            except InvalidOperation:
                raise PerfkitError(_("--money and --tolerable must be numbers")) from None
        result = plan_mus(
            money, tm, expected_misstatement, confidence=confidence, model=model or "poisson"
        )
    else:
        if tolerable is None:
            raise PerfkitError(_("give the tolerable rate (--tolerable 0.05)"))
        result = plan_attribute(
            confidence, tolerable, expected, model=model or "binomial", population=population
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        click.echo(result.describe())
        click.echo(f"n = {result.n}")


_source_options = [
    click.option("--projects", "-p", type=_file, help="projects table (.csv, .xlsx, .parquet)."),
    click.option(
        "--indicators", "-i", type=_file, help="indicators table [default: beside --projects]."
    ),
    click.option(
        "--scores",
        type=click.Path(file_okay=False, exists=True),
        help="Folder of an earlier `perfkit score` run: use its unit_scores.csv totals and flags.",
    ),
]


def _with_sources(func):
    for option in reversed(_source_options):
        func = option(func)
    return func


@sample.command("draw")
@_with_sources
@click.option("--year", type=int, help="Budget year [needed when the table holds several].")
@click.option(
    "--units",
    type=click.Choice(["projects", "departments"]),
    default="projects",
    show_default=True,
    help="Sample projects or whole departments.",
)
@click.option(
    "--system",
    "-s",
    default="project-self-eval",
    show_default=True,
    help="Indicator system the projects are scored with.",
)
@click.option(
    "--design",
    type=click.Choice(["srs", "stratified", "pps", "cell"]),
    required=True,
    help="srs, stratified, pps (systematic, random start) or cell selection.",
)
@click.option(
    "--strata", help="Stratum column: dept_code, category, grade, self_grade, amount_band."
)
@click.option(
    "--allocation",
    type=click.Choice(["proportional", "equal", "minimum"]),
    default="proportional",
    show_default=True,
)
@click.option("--minimum", type=click.IntRange(0), default=0, help="Per-stratum minimum.")
@click.option("--bands", help="Amount bands in 万元 for --strata amount_band, e.g. 100,500,1000.")
@click.option("--n", "n", type=int, help="Sample size (must-include units count in it).")
@click.option("--share", help="Share of the units, e.g. 0.1.")
@click.option("--coverage", help="Money coverage, e.g. 0.3 (at least 30 % of the money).")
@click.option(
    "--risk",
    "risk",
    multiple=True,
    help="Must-include rule, repeatable: a flag (self_score_diff) or 'amount>=500'.",
)
@click.option("--seed", type=click.IntRange(0), required=True, help="Random seed.")
@out_dir_option("Folder for picks.csv, selection.json, field_workbook.xlsx.")
@user_errors
def draw(
    projects: str | None,
    indicators: str | None,
    scores: str | None,
    year: int | None,
    units: str,
    system: str,
    design: str,
    strata: str | None,
    allocation: str,
    minimum: int,
    bands: str | None,
    n: int | None,
    share: str | None,
    coverage: str | None,
    risk: tuple[str, ...],
    seed: int,
    out_dir: str,
) -> None:
    """Draw a sample and write the picks, the selection record and the field workbook."""
    # scipy, numpy: imported when the command runs
    from perfkit.sampling import Design, draw_sample, draw_summary, load_population

    if projects is None:
        raise PerfkitError(_("give the projects table (--projects)"))
    chosen = Design(
        method=design,
        strata=strata,
        allocation=allocation,
        minimum=minimum,
        bands=tuple(b.strip() for b in bands.split(",") if b.strip()) if bands else (),
        n=n,
        share=share,
        coverage=coverage,
        risk=risk,
    ).checked()
    pop = load_population(projects, indicators, year=year, kind=units, system=system, scores=scores)
    selection = draw_sample(pop, chosen, seed)
    written = selection.write(out_dir)
    for line in draw_summary(selection.record):
        click.echo(line)
    apart = selection.picks.filter(selection.picks["reason"] != "random")
    if apart.height:
        click.echo(_("must-include and certainty picks (listed apart):"))
        for code, name, reason in apart.select("unit_code", "unit_name", "reason").iter_rows():
            click.echo(f"  {code}  {name}  [{reason}]")
    click.echo(_("wrote:"))
    for path in written:
        click.echo(f"  {path}")


@sample.command("reperform")
@click.argument("record", type=_file)
@_with_sources
@user_errors
def reperform_command(
    record: str, projects: str | None, indicators: str | None, scores: str | None
) -> None:
    """Redraw from RECORD (selection.json); exit 0 if identical, 3 saying what differs."""
    # scipy, numpy: imported when the command runs
    from perfkit.sampling import SelectionRecord, load_population, reperform

    rec = SelectionRecord.load(record)
    source = projects or rec.input_path("projects")
    if source is None:
        raise PerfkitError(_("give the projects table (--projects)"))
    if indicators is None and projects is None:
        indicators = rec.input_path("indicators")
    pop = load_population(
        source, indicators, year=rec.year, kind=rec.kind, system=rec.system, scores=scores
    )
    report = reperform(rec, pop)
    if report.identical:
        click.secho(str(report), fg="green")
        return
    click.secho(str(report), fg="red")
    sys.exit(EXIT_DIFFERS)


@click.command()
@click.option("--record", "record", type=_file, required=True, help="selection.json of the draw.")
@click.option(
    "--results",
    type=_file,
    required=True,
    help="The filled field workbook, or a verifications table.",
)
@out_dir_option("Folder for the verification results.")
@click.option("--projects", "-p", type=_file, help="projects table [default: as in the record].")
@click.option(
    "--indicators", "-i", type=_file, help="indicators table [default: as in the record]."
)
@click.option(
    "--threshold",
    default="5",
    show_default=True,
    help="Points above the verified score that make a self-score inflated.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
)
@user_errors
def verify(
    record: str,
    results: str,
    out_dir: str,
    projects: str | None,
    indicators: str | None,
    threshold: str,
    confidence: float,
) -> None:
    """Re-score the verified values (复核计分) and evaluate the sample."""
    from perfkit.sampling import verify as verify_api  # scipy: when the command runs

    verification = verify_api(record, results, projects=projects, indicators=indicators)
    print_problems(verification.warnings)
    evaluation = verification.evaluate(threshold=threshold, confidence=confidence)
    written = verification.write(out_dir, evaluation=evaluation)
    for row in verification.units.iter_rows(named=True):
        change = f"  {row['grade_change']}" if row["grade_change"] else ""
        moved = _("  moved: {items}").format(items=row["items_moved"]) if row["items_moved"] else ""
        line = _("{unit}  self {self_score}  verified {verified}  diff {diff}").format(
            unit=row["unit_code"],
            self_score=f"{row['self_score']:.2f}",
            verified=f"{row['verified_score']:.2f}",
            diff=f"{row['verified_diff']:+.2f}",
        )
        click.echo(f"{line}{change}{moved}")
    for line in evaluation.sentences():
        click.echo(line)
    click.echo(_("wrote:"))
    for path in written:
        click.echo(f"  {path}")

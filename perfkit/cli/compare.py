"""``perfkit compare``: the cross-year comparison from the command line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from perfkit.cli._support import excel_max_rows_option, print_problems, user_errors
from perfkit.compare import compare_years, comparison_summary, load_policy, parse_years
from perfkit.errors import PerfkitError
from perfkit.i18n import N_, _
from perfkit.numbers import parse_decimal

__all__ = ["compare"]


def _decimal(value: str | None, option: str) -> Decimal | None:
    if value is None:
        return None
    return parse_decimal(value, option, percent=True, hint=N_(" (e.g. 60 or 62.5)"))


def _whole(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise PerfkitError(
            _("{option} {value!r} must be a whole number of years ≥ 1").format(
                option=option, value=value
            )
        )
    return int(text)


@click.command("compare")
@click.option(
    "--data",
    "data",
    required=True,
    help="Folder with the contract tables, years stacked (projects, indicators, departments), "
    "or a unit_scores file (.csv/.parquet).",
)
@click.option(
    "--years", default=None, help="Years to compare: 2022-2024 or 2022,2024 (default: all)."
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder."
)
@click.option(
    "--policy",
    default=None,
    help="Budget policy YAML (default: perfkit's, = parameters/policies/budget-policy.yaml).",
)
@click.option(
    "--low-threshold",
    default=None,
    help="Execution rate (%) below which a year is low [policy: 60].",
)
@click.option(
    "--consecutive", default=None, help="Consecutive low years for a low-efficiency project [2]."
)
@click.option("--idle-years", default=None, help="Consecutive idle years for an idle project [2].")
@click.option(
    "--money-line", default=None, help="Line for low-efficiency money, % of project money [10]."
)
@click.option("--base-year", default=None, help="Base year of the budget suggestions [last year].")
@click.option(
    "--system",
    "-s",
    default="project-self-eval",
    show_default=True,
    help="Indicator system used to score the data (and for the grade bands).",
)
@excel_max_rows_option(
    "Tables longer than this stay out of comparison.xlsx (the CSV has them all)."
)
@user_errors
def compare(
    data: str,
    years: str | None,
    out_dir: str,
    policy: str | None,
    low_threshold: str | None,
    consecutive: str | None,
    idle_years: str | None,
    money_line: str | None,
    base_year: str | None,
    system: str,
    excel_max_rows: int,
) -> None:
    """Compare years: grade transitions, trends, chronic problems and budget suggestions.

    Writes transitions.csv, score_changes.csv, trends.csv, region_trends.csv,
    movers.csv, chronic.csv, low_efficiency_share.csv, budget_suggestions.csv,
    budget_by_department.csv, budget_totals.csv, missing_units.csv and
    comparison.xlsx into --out, all at once (nothing is written on errors).
    """
    source = Path(data)
    if not source.exists():
        raise PerfkitError(_("--data {data}: no such folder or file").format(data=data))
    wanted = parse_years(years)
    rules = load_policy(policy) if policy is not None else None
    base = _whole(base_year, "--base-year")
    result = compare_years(
        source,
        years=wanted,
        policy=Path(policy) if policy is not None else rules,
        low_threshold=_decimal(low_threshold, "--low-threshold"),
        consecutive=_whole(consecutive, "--consecutive"),
        idle_years=_whole(idle_years, "--idle-years"),
        money_line=_decimal(money_line, "--money-line"),
        base_year=base,
        system=system,
    )
    print_problems(result.panel.warnings)
    written = result.write(out_dir, excel_max_rows=excel_max_rows)
    for line in comparison_summary(result):
        click.echo(line)
    for name, rows in written.left_out_of_excel.items():
        click.secho(
            _(
                "note: {name} has {rows} rows, more than --excel-max-rows {limit}; "
                "it is not in comparison.xlsx — the CSV holds the full record"
            ).format(name=name, rows=f"{rows:,}", limit=f"{excel_max_rows:,}"),
            fg="yellow",
        )
    click.echo(_("wrote:"))
    for path in written.files:
        click.echo(f"  {path}")

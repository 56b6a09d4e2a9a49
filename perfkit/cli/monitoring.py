"""``perfkit monitor``: mid-year monitoring from the command line (绩效运行监控)."""

from __future__ import annotations

import click

from perfkit.cli._support import out_dir_option, print_problems, user_errors
from perfkit.i18n import _
from perfkit.monitoring import monitor as monitor_api

__all__ = ["monitor"]

_table = click.Path(dir_okay=False)


@click.command()
@click.option(
    "--projects", "-p", required=True, type=_table, help="projects table (executed may be empty)"
)
@click.option(
    "--monitoring",
    "-m",
    required=True,
    type=_table,
    help="monitoring table (executed_to_date by month)",
)
@click.option(
    "--indicator-progress", type=_table, help="indicator_progress table (actual_to_date by month)"
)
@click.option(
    "--indicators", "-i", type=_table, help="indicators table: annual targets and directions"
)
@click.option(
    "--month", type=int, help="month monitored, 1–12 [default: the as-of month, else the latest]"
)
@click.option("--as-of", "as_of", help="as-of date YYYY-MM-DD: time progress in days")
@click.option("--year", type=int, help="budget year [default: the as-of year, else the latest]")
@click.option("--dept", help="only this department (dept_code)")
@click.option(
    "--system",
    "-s",
    default="project-self-eval",
    show_default=True,
    help="indicator system whose qualitative phrases grade 定性 progress (name or YAML file)",
)
@out_dir_option("Folder for alerts.csv, indicator_alerts.csv, summaries and monitoring.xlsx.")
@user_errors
def monitor(
    projects: str,
    monitoring: str,
    indicator_progress: str | None,
    indicators: str | None,
    month: int | None,
    as_of: str | None,
    year: int | None,
    dept: str | None,
    system: str,
    out_dir: str,
) -> None:
    """Execution and indicator progress against time progress (双监控): red/yellow/green/blue.

    Nothing is written when the input has problems (all are listed; exit status 1).
    """
    result = monitor_api(
        projects,
        monitoring,
        indicator_progress,
        indicators=indicators,
        month=month,
        as_of=as_of,
        year=year,
        dept=dept,
        system=system,
    )
    print_problems(result.warnings)
    written = result.write(out_dir)
    for line in result.summary_lines:
        click.echo(line)
    click.echo(_("wrote:"))
    for path in written:
        click.echo(f"  {path}")

"""``perfkit score``, ``validate``, ``systems``, ``demo`` and ``sample-data``.

User errors (bad input, unknown system, unreadable file) print a clear message
and exit with status 1, never a traceback; usage errors exit with 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import polars as pl

from perfkit.cli._support import (
    EXIT_INPUT,
    excel_max_rows_option,
    headers_option,
    out_dir_option,
    print_problems,
    user_errors,
)
from perfkit.i18n import _
from perfkit.samples._demo import run_demo
from perfkit.scoring import score as score_api
from perfkit.scoring import validate as validate_api
from perfkit.systems import builtin_systems, list_systems, load_system, render_system

__all__ = ["demo", "sample_data", "score", "systems", "validate"]


def _system_option(default: str = "project-self-eval") -> Callable[..., Any]:
    return click.option(
        "--system",
        "-s",
        default=default,
        show_default=True,
        help="Built-in system name (see `perfkit systems list`) or a YAML file.",
    )


_inputs = [
    click.option(
        "--projects",
        "-p",
        type=click.Path(dir_okay=False),
        help="projects table (.csv UTF-8/GBK, .xlsx, .parquet)",
    ),
    click.option("--indicators", "-i", type=click.Path(dir_okay=False), help="indicators table"),
    click.option(
        "--assessments",
        "-a",
        type=click.Path(dir_okay=False),
        help="assessments table (for systems scored from entered items)",
    ),
]


def _with_inputs(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_inputs):
        func = option(func)
    return func


@click.command()
@_with_inputs
@_system_option()
@out_dir_option("Folder for unit_scores.csv, item_scores.csv and scores.xlsx.")
@click.option("--parquet", is_flag=True, help="Also write the tables as Parquet.")
@excel_max_rows_option("Tables longer than this stay out of scores.xlsx (CSV has them all).")
@user_errors
def score(
    projects: str | None,
    indicators: str | None,
    assessments: str | None,
    system: str,
    out_dir: str,
    parquet: bool,
    excel_max_rows: int,
) -> None:
    """Validate the inputs, score them and write the results (nothing is written on errors)."""
    result = score_api(projects, indicators, system=system, assessments=assessments)
    print_problems(result.warnings)
    written = result.write(out_dir, parquet=parquet, excel_max_rows=excel_max_rows)
    _summarise(result)
    for name, rows in written.left_out_of_excel.items():
        full = (
            _("{name}.csv and .parquet hold the full record")
            if parquet
            else _("{name}.csv holds the full record")
        )
        click.secho(
            _(
                "note: {name} has {rows} rows, more than --excel-max-rows {limit}; "
                "it is not in scores.xlsx — {full}"
            ).format(
                name=name,
                rows=f"{rows:,}",
                limit=f"{excel_max_rows:,}",
                full=full.format(name=name),
            ),
            fg="yellow",
        )
    click.echo(_("wrote:"))
    for path in written.files:
        click.echo(f"  {path}")


def _summarise(result: Any) -> None:
    counts = result.grade_counts()
    for year in counts.get_column("year").unique().sort().to_list():
        row = counts.filter(pl.col("year") == year)
        grades = "  ".join(f"{g} {n}" for g, n in row.select("grade", "units").iter_rows())
        click.echo(
            _("{year}: {n} units scored — {grades}").format(
                year=year, n=row.get_column("units").sum(), grades=grades
            )
        )


@click.command()
@_with_inputs
@_system_option()
@user_errors
def validate(
    projects: str | None, indicators: str | None, assessments: str | None, system: str
) -> None:
    """Check inputs against the data contract and the system; list every problem."""
    report = validate_api(projects, indicators, system=system, assessments=assessments)
    print_problems(report.problems)
    if not report.ok:
        click.secho(_("✗ {n} problem(s) found").format(n=len(report.errors)), fg="red", err=True)
        sys.exit(EXIT_INPUT)
    click.secho(
        _("✓ the input is valid ({n} warning(s))").format(n=len(report.problems))
        if report.problems
        else _("✓ the input is valid"),
        fg="green",
    )


@click.group()
def systems() -> None:
    """List and show indicator systems (指标体系)."""


@systems.command("list")
@user_errors
def systems_list() -> None:
    """List the built-in indicator systems."""
    for name, system in zip(builtin_systems(), list_systems(), strict=True):
        click.echo(f"{name:<26} {system.kind:<12} {system.title}")


@systems.command("show")
@click.argument("name")
@user_errors
def systems_show(name: str) -> None:
    """Print a system: its tree with points and rules, grade bands and result use."""
    click.echo(render_system(load_system(name)))


@click.command()
@click.option(
    "--data",
    "data_dir",
    default="data/sample",
    show_default=True,
    type=click.Path(file_okay=False, exists=True),
    help="Folder of contract tables.",
)
@click.option(
    "--out",
    "out_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the results go.",
)
@user_errors
def demo(data_dir: str, out_dir: str) -> None:
    """The main job on a data folder: validate and score every year, write under --out."""
    for line in run_demo(Path(data_dir), Path(out_dir)):
        click.echo(line)


@click.command("sample-data")
@click.option(
    "--out",
    "out_dir",
    default="data/sample",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write the sample tables to.",
)
@click.option("--seed", default=2024, show_default=True, help="Random seed.")
@headers_option
@user_errors
def sample_data(out_dir: str, seed: int, headers: str) -> None:
    """Generate the deterministic sample region (data/sample)."""
    from perfkit.samples.plan import write_plan  # the planning year, from its own stream
    from perfkit.samples.region import write_sample  # numpy: imported when the command runs

    for path in [
        *write_sample(out_dir, seed=seed, headers=headers),
        *write_plan(out_dir, seed=seed, headers=headers),
    ]:
        click.echo(_("wrote {path}").format(path=path))

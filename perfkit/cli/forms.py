"""``perfkit import-forms``, ``check-forms`` and ``export-forms`` (自评表导入、审核、导出)."""

from __future__ import annotations

import sys

import click

from perfkit.cli._support import (
    EXIT_INPUT,
    headers_option,
    out_dir_option,
    print_problems,
    user_errors,
)
from perfkit.forms import check_forms, read_forms, write_forms
from perfkit.forms._workbook import ENGINES
from perfkit.i18n import _

__all__ = ["check_forms_command", "export_forms_command", "import_forms_command"]

_engine = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="auto: calamine, openpyxl only for sheets whose percent cells need their number "
    "format; or one reader for everything.",
)
_year = click.option("--year", type=int, help="Year of forms whose title gives none.")


@click.command("import-forms")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@out_dir_option("Folder for projects/indicators (.csv and .parquet), forms.csv, problems.csv.")
@_engine
@_year
@headers_option
@user_errors
def import_forms_command(
    inputs: tuple[str, ...], out_dir: str, engine: str, year: int | None, headers: str
) -> None:
    """Read official 项目支出绩效自评表 workbooks (files or folders; .xlsx, .xls) into tables.

    Forms with errors are left out and listed (file!sheet!cell); the other forms are
    still written. The exit status is 1 when any problem is an error.
    """
    found = read_forms(inputs, engine=engine, year=year)
    print_problems(found.problems)
    written = found.write(out_dir, headers=headers)
    forms = found.forms
    imported = forms.filter(forms["status"] == "imported").height
    left_out = forms.filter(forms["status"] == "not imported: errors").height
    unreadable = forms.filter(forms["status"] == "cannot be read").height
    readers = _(", ").join(
        f"{r} {n}"
        for r, n in forms.drop_nulls("layout").group_by("reader").len().sort("reader").iter_rows()
    )
    summary = _(
        "{imported} form(s) imported ({indicators} indicators); "
        "{left_out} form(s) with errors left out; {unreadable} file(s) unreadable"
    ).format(
        imported=imported,
        indicators=found.indicators.height,
        left_out=left_out,
        unreadable=unreadable,
    )
    if readers:
        summary += _("; read with {readers}").format(readers=readers)
    click.echo(summary)
    click.echo(_("wrote:"))
    for path in written:
        click.echo(f"  {path}")
    if not found.ok:
        click.secho(
            _(
                "✗ {n} error(s): the forms without errors were written; "
                "fix the others and import them again"
            ).format(n=len(found.errors)),
            fg="red",
            err=True,
        )
        sys.exit(EXIT_INPUT)


@click.command("check-forms")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    "-o",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="problems.xlsx (or .csv): cell, stated value, recomputed value, rule.",
)
@click.option(
    "--system", "-s", default="project-self-eval", show_default=True, help="System to rescore with."
)
@click.option(
    "--assessment-system",
    default="budget-mgmt-assessment",
    show_default=True,
    help="System that 部门预算管理绩效考核自评表 item maxima are compared with.",
)
@_engine
@_year
@user_errors
def check_forms_command(
    inputs: tuple[str, ...],
    out_path: str,
    system: str,
    assessment_system: str,
    engine: str,
    year: int | None,
) -> None:
    """Recompute submitted forms and list where each disagrees with itself or the rules.

    Exit status 1 when any finding is an error.
    """
    result = check_forms(
        inputs, system=system, assessment_system=assessment_system, engine=engine, year=year
    )
    path = result.write(out_path)
    findings = result.findings
    for row in findings.iter_rows(named=True):
        colour = "red" if row["severity"] == "error" else "yellow"
        click.secho(
            _("{address}: {message}").format(address=row["address"], message=row["message"]),
            fg=colour,
            err=True,
        )
    forms = result.forms.forms.drop_nulls("layout").height
    errors = findings.filter(findings["severity"] == "error").height
    click.echo(
        _("{forms} form(s) checked: {errors} error(s), {warnings} warning(s)").format(
            forms=forms, errors=errors, warnings=findings.height - errors
        )
    )
    click.echo(_("wrote: {path}").format(path=path))
    if errors:
        sys.exit(EXIT_INPUT)


@click.command("export-forms")
@click.option(
    "--scores",
    "scores_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True),
    help="Output folder of `perfkit score` (unit_scores / item_scores, .parquet or .csv).",
)
@out_dir_option("Folder for the workbooks.")
@click.option(
    "--by",
    type=click.Choice(["department", "project", "all"]),
    default="department",
    show_default=True,
    help="One workbook per department and year (a sheet per project), per project, or one.",
)
@click.option(
    "--projects",
    "-p",
    "projects_path",
    type=click.Path(dir_okay=False, exists=True),
    help="The projects table that was scored: its carryover fills 上年结转资金.",
)
@user_errors
def export_forms_command(scores_dir: str, out_dir: str, by: str, projects_path: str | None) -> None:
    """Write each scored project as an official 项目支出绩效自评表, ready to print and sign."""
    written = write_forms(scores_dir, out_dir, by=by, projects=projects_path)
    click.echo(_("wrote {n} workbook(s):").format(n=len(written)))
    for path in written:
        click.echo(f"  {path}")

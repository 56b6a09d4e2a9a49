"""``perfkit report``: deliverable documents as Word, A4 PDF or HTML (评价报告、监控报告、工作情况).

* ``perfkit report department --data DIR --year Y --dept CODE --out FILE.docx|.pdf|.html``
* ``perfkit report monitoring --data DIR --year Y --month M [--dept CODE] --out FILE``
* ``perfkit report annual --data DIR --year Y --out FILE``

``--notes`` gives the evaluator's text (YAML or Markdown, docs/documents.md); without it the
document shows 【待填写：…】 where text is missing, and ``--final`` refuses to write while
any remains (listing them, exit status 1).  ``--template bureau.docx`` replaces the
built-in page and styles.  A ``.pdf`` is converted by LibreOffice headless; without it
the command says so and exits 1 (write a ``.docx`` instead).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from perfkit.cli._support import user_errors
from perfkit.documents import (
    Document,
    annual_report,
    department_report,
    load_notes,
    monitoring_report,
    save_document,
)
from perfkit.i18n import _, ngettext

__all__ = ["report"]

_file = click.Path(dir_okay=False)


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--data",
            "data_dir",
            required=True,
            type=click.Path(file_okay=False),
            help="data folder with the contract tables (years stacked)",
        ),
        click.option("--year", required=True, type=int, help="the year reported on"),
        click.option(
            "--notes", type=_file, help="evaluator's notes: .yaml or .md (docs/documents.md)"
        ),
        click.option(
            "--template", type=_file, help="a bureau's Word template (.docx): styles, letterhead"
        ),
        click.option("--final", is_flag=True, help="refuse while 【待填写】 placeholders remain"),
        click.option(
            "--no-figures", "no_figures", is_flag=True, help="leave the charts out (faster)"
        ),
        click.option(
            "--out",
            required=True,
            type=_file,
            help="the document: FILE.docx, FILE.pdf or FILE.html",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _write(doc: Document, out: str, template: str | None, final: bool) -> None:
    written = save_document(doc, out, template=template, final=final)
    left = doc.placeholders()
    if left:
        click.secho(
            ngettext(
                "note: the document has {n} 【待填写】 placeholder (give it with --notes; "
                "--final refuses to write it)",
                "note: the document has {n} 【待填写】 placeholders (give them with --notes; "
                "--final refuses to write them)",
                len(left),
            ).format(n=len(left)),
            fg="yellow",
            err=True,
        )
    click.echo(_("wrote:"))
    for path in written:
        click.echo(f"  {Path(path)}")


@click.group()
def report() -> None:
    """Deliverable documents as Word/PDF: department evaluation, monitoring, annual work report."""


@report.command()
@_common
@click.option("--dept", "dept_code", required=True, help="the department's code (dept_code)")
@click.option(
    "--system",
    default="project-self-eval",
    show_default=True,
    help="project indicator system (name or YAML file)",
)
@user_errors
def department(
    data_dir: str,
    year: int,
    notes: str | None,
    template: str | None,
    final: bool,
    no_figures: bool,
    out: str,
    dept_code: str,
    system: str,
) -> None:
    """The department evaluation report (部门评价报告) in the official outline."""
    doc = department_report(
        data_dir, year, dept_code, notes=load_notes(notes), system=system, figures=not no_figures
    )
    _write(doc, out, template, final)


@report.command()
@_common
@click.option("--month", required=True, type=click.IntRange(1, 12), help="the month monitored")
@click.option("--dept", "dept_code", help="one department (dept_code); the region without it")
@user_errors
def monitoring(
    data_dir: str,
    year: int,
    notes: str | None,
    template: str | None,
    final: bool,
    no_figures: bool,
    out: str,
    month: int,
    dept_code: str | None,
) -> None:
    """The monitoring report (绩效运行监控报告) of the region or one department at a month."""
    doc = monitoring_report(
        data_dir,
        year,
        month,
        dept_code=dept_code,
        notes=load_notes(notes),
        figures=not no_figures,
    )
    _write(doc, out, template, final)


@report.command()
@_common
@user_errors
def annual(
    data_dir: str,
    year: int,
    notes: str | None,
    template: str | None,
    final: bool,
    no_figures: bool,
    out: str,
) -> None:
    """The region's annual work report (年度预算绩效管理工作情况)."""
    doc = annual_report(data_dir, year, notes=load_notes(notes), figures=not no_figures)
    _write(doc, out, template, final)

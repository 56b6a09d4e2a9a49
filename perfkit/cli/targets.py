"""``perfkit targets``: target review (绩效目标审核), the common indicator library, 审减."""

from __future__ import annotations

from pathlib import Path

import click

from perfkit._limits import quoted
from perfkit.cli._support import print_problems, user_errors
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.present import DIRECTION_LABELS
from perfkit.tables import atomic_output, write_csv
from perfkit.targets import derive_library, load_library, reductions, review_targets
from perfkit.targets._messages import text

__all__ = ["targets"]


@click.group("targets")
def targets() -> None:
    """Before the money is spent: target review, the common indicator library, 审减."""


@targets.command("review")
@click.option("--projects", "projects", required=True, help="The planning year's projects table.")
@click.option(
    "--indicators", "plan", required=True, help="The planning year's indicators (targets only)."
)
@click.option(
    "--history",
    default=None,
    help="Folder with earlier years' projects and indicators (for the ambition rules).",
)
@click.option(
    "--library", default=None, help="A user library file, read after the starter library."
)
@click.option(
    "--system",
    "-s",
    default="target-review",
    show_default=True,
    help="The review system (rule families as items, conclusion bands as grades).",
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder."
)
@user_errors
def review(
    projects: str, plan: str, history: str | None, library: str | None, system: str, out_dir: str
) -> None:
    """Review a planning year's targets: findings.csv, review.csv and review.xlsx.

    Every finding has its rule, severity (error|warning|info), the file, row and column
    it is about and a suggestion; every project a score and a conclusion from the
    review system.  Nothing is written on input errors.
    """
    if history is not None and not Path(history).is_dir():
        raise PerfkitError(text("cli_not_a_folder").format(option="--history", path=history))
    result = review_targets(
        projects,
        plan,
        history=history,
        library=load_library(library) if library is not None else None,
        system=system,
    )
    print_problems(result.warnings)
    written = result.write(out_dir)
    counts = result.findings_pl.get_column("severity").value_counts()
    by = dict(counts.iter_rows())
    conclusions = result.review_pl.get_column("conclusion").value_counts(sort=True)
    click.echo(
        text("cli_review_counts").format(
            year=result.plan_year,
            projects=result.review_pl.height,
            findings=result.findings_pl.height,
            errors=by.get("error", 0),
            warnings=by.get("warning", 0),
            infos=by.get("info", 0),
        )
    )
    shown = [
        text("cli_conclusion_count").format(conclusion=quoted(c), n=n)
        for c, n in conclusions.iter_rows()
    ]
    click.echo(text("cli_conclusions").format(", ".join(shown)))
    click.echo(_("wrote:"))
    for path in written:
        click.echo(f"  {path}")


@targets.command("library")
@click.option("--category", "-c", default=None, help="Only this category (and the common ones).")
@click.option(
    "--library", default=None, help="A user library file, read after the starter library."
)
@click.option(
    "--derive",
    "derive",
    default=None,
    help="Propose entries from the indicators projects in this folder (earlier years) share.",
)
@click.option(
    "--min-projects", default=3, show_default=True, help="With --derive: fewest projects."
)
@click.option(
    "--out", "out_file", default=None, help="Write the entries (or proposals) to this CSV file."
)
@user_errors
def library(
    category: str | None,
    library: str | None,
    derive: str | None,
    min_projects: int,
    out_file: str | None,
) -> None:
    """Print the common indicator library (共性指标库), or propose entries (--derive DIR)."""
    if derive is not None:
        if not Path(derive).is_dir():
            raise PerfkitError(text("cli_not_a_folder").format(option="--derive", path=derive))
        frame = derive_library(derive, min_projects=min_projects)
        if category is not None:
            frame = frame.filter(frame.get_column("category") == category)
        heading = text("cli_derived")
    else:
        lib = load_library(library) if library is not None else load_library()
        frame = lib.for_category(category).drop("_cat", "_key", "source")
        heading = text("cli_library").format(
            categories=len(lib.categories()), entries=lib.entries.height
        )
    if out_file is not None:
        path = Path(out_file)
        with atomic_output(path.parent) as tmp:
            write_csv(frame, tmp / path.name)
        click.echo(_("wrote: {path}").format(path=path))
        return
    click.echo(heading)
    for row in frame.iter_rows(named=True):
        typical = (
            f"{row['typical_low']}–{row['typical_high']}"
            if row.get("typical_low") is not None
            else "—"
        )
        used = (
            "  " + text("cli_projects_using").format(n=row["n_projects"])
            if "n_projects" in row
            else ""
        )
        parts = [row["category"], row["level1"], row["level2"], row["name"]]
        click.echo(
            "  "
            + " / ".join(quoted(p or "") for p in parts)
            + f"  [{quoted(DIRECTION_LABELS.get(row['direction'] or '', row['direction'] or ''))} "
            + f"{quoted(row['unit'] or '')}]  "
            + text("cli_typical").format(typical)
            + used
        )


@targets.command("reductions")
@click.option("--requests", "requests", required=True, help="The budget_requests table.")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder."
)
@user_errors
def reductions_command(requests: str, out_dir: str) -> None:
    """The budget review's cuts (审减) and 审减率 per project, department, region, in total."""
    result = reductions(requests)
    print_problems(result.warnings)
    with atomic_output(Path(out_dir), owns=_REDUCTION_FILES) as tmp:
        write_csv(result.projects_pl, tmp / "reductions_projects.csv")
        write_csv(result.departments_pl, tmp / "reductions_departments.csv")
        write_csv(result.regions_pl, tmp / "reductions_regions.csv")
        write_csv(result.total_pl, tmp / "reductions_total.csv")
    requested, approved, reduced, rate = result.total_pl.row(0)
    click.echo(
        text("cli_reductions").format(
            requested=f"{requested:.2f}",
            approved=f"{approved:.2f}",
            reduced=f"{reduced:.2f}",
            rate=_rate(rate),
        )
    )
    for region, rate_r in result.regions_pl.select("region", "reduction_rate").iter_rows():
        click.echo("  " + text("cli_region_rate").format(region=quoted(region), rate=_rate(rate_r)))


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.2f}"


_REDUCTION_FILES = (
    "reductions_projects.csv",
    "reductions_departments.csv",
    "reductions_regions.csv",
    "reductions_total.csv",
)

"""``perfkit survey summarise`` and ``perfkit evaluate prepare|score`` (重点评价).

Exit status: 0 on success; 1 on a user error (bad input, a bad filling of the working
paper: every problem is listed with file, sheet and cell, and nothing is written);
2 on a usage error (click).
"""

from __future__ import annotations

from pathlib import Path

import click

from perfkit.cli._support import out_dir_option, print_problems, user_errors
from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = ["evaluate", "survey"]

_file = click.Path(dir_okay=False)


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PerfkitError(
            _("--confidence must be a number such as 0.95, not {value!r}").format(value=text)
        ) from None
    if not 0 < value < 1:
        raise PerfkitError(
            _("--confidence must be between 0 and 1 (e.g. 0.95), not {value}").format(value=text)
        )
    return value


def _summary(  # type: ignore[no-untyped-def]
    path: str,
    confidence: float,
    population: int | None,
    margin: float,
    questions: str | None = None,
):
    from perfkit.keyeval import read_survey, summarise_survey

    asked = [q.strip() for q in questions.split(",") if q.strip()] if questions else None
    return summarise_survey(
        read_survey(path, questions=asked),
        confidence=confidence,
        population=population,
        margin_pct=margin,
    )


@click.group()
def survey() -> None:
    """Satisfaction surveys (满意度调查): summarise answers with Wilson intervals."""


@survey.command("summarise")
@click.option("--survey", "survey_file", required=True, type=_file, help="The survey table.")
@click.option(
    "--population", type=click.IntRange(1), default=None, help="Beneficiaries (finite population)."
)
@click.option("--confidence", default="0.95", show_default=True, help="Confidence level.")
@click.option(
    "--margin",
    type=click.FloatRange(0, 100, min_open=True, max_open=True),
    default=5.0,
    show_default=True,
    help="Target margin of the sample size, in percentage points.",
)
@click.option(
    "--questions", default=None, help="The questionnaire's questions, comma-separated (checked)."
)
@out_dir_option("Folder for survey_summary.csv.")
@user_errors
def summarise(
    survey_file: str,
    population: int | None,
    confidence: str,
    margin: float,
    questions: str | None,
    out_dir: str,
) -> None:
    """Summarise a survey per question and overall (ALL): n, satisfied, rate, Wilson CI (%)."""
    from perfkit.tables import atomic_output, write_csv

    table = _summary(survey_file, _confidence(confidence), population, margin, questions)
    with atomic_output(Path(out_dir), owns=("survey_summary.csv",)) as tmp:
        write_csv(table, tmp / "survey_summary.csv")
    pooled = table.filter(table["question"] == "ALL").row(0, named=True)
    click.echo(
        _(
            "satisfaction {rate:.2f}% ({satisfied}/{n}, {level:g}% interval "
            "{low:.2f}%–{high:.2f}%); respondents needed for ±{margin:g} points: {needed}"
        ).format(
            rate=pooled["rate"],
            satisfied=pooled["satisfied"],
            n=pooled["n"],
            level=float(confidence) * 100,
            low=pooled["ci_low"],
            high=pooled["ci_high"],
            margin=margin,
            needed=pooled["needed_n"],
        )
    )
    click.echo(f"→ {Path(out_dir) / 'survey_summary.csv'}")


@click.group()
def evaluate() -> None:
    """Key evaluations (重点评价): prepare the evaluator's working paper, score it when filled."""


@evaluate.command("prepare")
@click.option("--data", required=True, type=click.Path(file_okay=False), help="Data folder.")
@click.option("--year", required=True, type=int, help="Year evaluated.")
@click.option("--units", required=True, help="Project or department codes, comma-separated.")
@click.option(
    "--system", default="project-evaluation", show_default=True, help="Built-in name or YAML file."
)
@click.option("--survey", "survey_file", type=_file, default=None, help="Survey table (optional).")
@click.option("--out", "out_file", required=True, type=_file, help="The working paper (.xlsx).")
@user_errors
def prepare(
    data: str, year: int, units: str, system: str, survey_file: str | None, out_file: str
) -> None:
    """Write the working paper (评分底稿): computed leaves filled and locked, judged ones yellow."""
    from perfkit.keyeval import prepare_paper, write_paper

    codes = [c.strip() for c in units.split(",") if c.strip()]
    if not codes:
        raise PerfkitError(_("--units: give at least one project or department code"))
    if not out_file.lower().endswith(".xlsx"):
        raise PerfkitError(_("--out must name an .xlsx file, not {path!r}").format(path=out_file))
    summary = _summary(survey_file, 0.95, None, 5.0) if survey_file else None
    paper = prepare_paper(data, year, codes, system, survey_summary=summary)
    path = write_paper(paper, out_file)
    computed = paper.leaves.filter(paper.leaves["source"] == "computed").height
    click.echo(
        _(
            "{objects} object(s), {leaves} item(s) ({computed} computed from the data, "
            "{judged} for the evaluator) → {path}"
        ).format(
            objects=paper.objects.height,
            leaves=paper.leaves.height,
            computed=computed,
            judged=paper.leaves.height - computed,
            path=path,
        )
    )


@evaluate.command("score")
@click.option("--workbook", required=True, type=_file, help="The filled working paper (.xlsx).")
@click.option("--survey", "survey_file", type=_file, default=None, help="Survey table (optional).")
@out_dir_option("Folder for the scored tables (CSV, xlsx).")
@click.option(
    "--report",
    "report_file",
    type=_file,
    default=None,
    help="Also write the evaluation report: FILE.docx, FILE.pdf or FILE.html "
    "(several objects: one file each, FILE-CODE-NAME.docx).",
)
@click.option(
    "--notes", type=_file, default=None, help="Evaluator's notes for the report: .yaml or .md."
)
@click.option("--template", type=_file, default=None, help="A bureau's Word template (.docx).")
@click.option(
    "--final", is_flag=True, help="Refuse the report while 【待填写】 placeholders remain."
)
@user_errors
def score(
    workbook: str,
    survey_file: str | None,
    out_dir: str,
    report_file: str | None,
    notes: str | None,
    template: str | None,
    final: bool,
) -> None:
    """Check and score a filled working paper; every problem at once with sheet and cell."""
    from perfkit.keyeval import evaluate_paper

    if report_file is None and (notes or final or template):
        raise PerfkitError(_("--notes, --template and --final need --report FILE"))
    summary = _summary(survey_file, 0.95, None, 5.0) if survey_file else None
    result = evaluate_paper(workbook, satisfaction=summary)
    documents = []
    if report_file is not None:
        from perfkit.documents import load_notes
        from perfkit.documents._key_evaluation import key_evaluation_documents

        documents = key_evaluation_documents(
            result,
            report_file,
            notes=load_notes(notes),
            survey=summary,
            sources=[workbook, *([survey_file] if survey_file else [])],
            final=final,
        )
    if result.warnings:
        print_problems(result.warnings)
    files = result.write(out_dir)
    for obj in result.objects:
        click.echo(
            _("{code} {name}: {total} points, {grade}").format(
                code=obj.unit_code, name=obj.name, total=obj.total, grade=obj.grade
            )
        )
    click.echo("→ " + ", ".join(str(f) for f in files))
    if documents:
        from perfkit.documents._key_evaluation import save_key_evaluation_documents

        written = save_key_evaluation_documents(documents, template=template)
        left = sum(len(doc.placeholders()) for doc, _path in documents)
        if left:
            click.secho(
                _(
                    "note: the reports have {n} 【待填写】 placeholder(s) (give them with "
                    "--notes; --final refuses to write them)"
                ).format(n=left),
                fg="yellow",
                err=True,
            )
        click.echo(_("wrote:"))
        for path in written:
            click.echo(f"  {path}")

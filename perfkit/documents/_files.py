"""The department notebook's documents: ``report.docx`` beside ``report.html`` in a batch run."""

from __future__ import annotations

from pathlib import Path

from perfkit.documents._department import department_report
from perfkit.documents._docx import write_docx
from perfkit.documents._key_evaluation import key_evaluation_report, report_name
from perfkit.documents._model import Document
from perfkit.documents._notes import load_notes
from perfkit.errors import PerfkitError
from perfkit.evaluation import DepartmentEvaluation
from perfkit.i18n import _
from perfkit.keyeval import KeyEvaluationReport

__all__ = ["department_files", "key_evaluation_files", "notes_path"]

DOCX = "report.docx"


def notes_path(pattern: str, year: int, dept_code: str) -> Path | None:
    """The notes file of one department: ``{year}`` and ``{dept_code}`` filled in.

    A pattern with a field names one file per department, and a department without its
    file simply has no notes (its document shows the placeholders); a plain path must exist.

    Examples
    --------
    >>> notes_path("", 2024, "D01") is None
    True
    >>> notes_path("notes/{year}-{dept_code}.yaml", 2024, "D01") is None  # no such file
    True
    """
    if not pattern:
        return None
    if "{" not in pattern:
        return Path(pattern)
    try:
        filled = pattern.format(year=year, dept_code=dept_code)
    except (KeyError, IndexError, ValueError) as exc:
        raise PerfkitError(
            _("notes {pattern}: only the fields {{year}} and {{dept_code}} ({reason})").format(
                pattern=repr(pattern), reason=exc
            )
        ) from None
    if "/" in dept_code or "\\" in dept_code or ".." in dept_code:
        raise PerfkitError(
            _("notes {pattern}: the department code {code} is no file name").format(
                pattern=repr(pattern), code=repr(dept_code)
            )
        )
    path = Path(filled)
    return path if path.is_file() else None


def department_files(
    evaluation: DepartmentEvaluation,
    data_dir: str | Path,
    output_dir: str | Path,
    formats: list[str] | tuple[str, ...] = ("html",),
    *,
    notes: str = "",
    template: str = "",
    figures: bool = True,
) -> tuple[Document | None, list[Path]]:
    """The department report built from ``evaluation`` and written as ``report.docx``, if asked.

    With ``docx`` or ``pdf`` in ``formats`` the document is built and written as
    ``report.docx`` in ``output_dir`` (a batch run converts every run's .docx to PDF at the
    end, in one LibreOffice process); with ``html`` only nothing is built: ``(None, [])``.

    Examples
    --------
    >>> import tempfile
    >>> from perfkit.evaluation import evaluate_department
    >>> ev = evaluate_department("data/sample", 2024, "D01")
    >>> doc, paths = department_files(ev, "data/sample", tempfile.mkdtemp(), ["html", "docx"],
    ...                               figures=False)
    >>> [p.name for p in paths], doc.title
    (['report.docx'], '教育局2024年度项目支出绩效评价报告')
    """
    unknown = sorted(set(formats) - {"html", "docx", "pdf"})
    if unknown:
        raise PerfkitError(
            _("formats: {unknown} — choose from html, docx, pdf").format(unknown=", ".join(unknown))
        )
    if not {"docx", "pdf"} & set(formats):
        return None, []  # html only: the notebook's own HTML is the report
    doc = department_report(
        data_dir,
        evaluation.year,
        evaluation.dept_code,
        notes=load_notes(notes_path(notes, evaluation.year, evaluation.dept_code)),
        evaluation=evaluation,
        figures=figures,
    )
    return doc, [write_docx(doc, Path(output_dir) / DOCX, template=template or None)]


def key_evaluation_files(
    report: KeyEvaluationReport,
    output_dir: str | Path,
    formats: list[str] | tuple[str, ...] = ("html",),
    *,
    notes: str | Path | None = None,
    template: str = "",
) -> list[Path]:
    """The key-evaluation notebook's documents: the evaluation report as .docx, if asked.

    With ``docx`` or ``pdf`` in ``formats``: one object → ``report.docx`` in
    ``output_dir`` (a batch run converts it to ``report.pdf`` at the end); several →
    ``report-CODE-NAME.docx`` each (names made safe).  With ``html`` only: nothing.

    Examples
    --------
    >>> import tempfile
    >>> from perfkit.keyeval import report_for
    >>> out = tempfile.mkdtemp()
    >>> r = report_for(year=2024, output_dir=out, units=["P2022-D31-005"],
    ...     workbook="data/sample/key_evaluation_2024/working_paper_filled.xlsx",
    ...     survey="data/sample/key_evaluation_2024/survey.csv")
    >>> [p.name for p in key_evaluation_files(r, out, ["html", "docx"])]
    ['report.docx']
    """
    unknown = sorted(set(formats) - {"html", "docx", "pdf"})
    if unknown:
        raise PerfkitError(
            _("formats: {unknown} — choose from html, docx, pdf").format(unknown=", ".join(unknown))
        )
    if not {"docx", "pdf"} & set(formats):
        return []
    loaded = load_notes(notes or None)
    objects = report.result.objects
    written = []
    for obj in objects:
        doc = key_evaluation_report(
            report.result,
            obj.unit_code,
            notes=loaded,
            survey=report.survey,
            sources=list(report.sources),
        )
        path = report_name(Path(output_dir) / DOCX, obj, len(objects) > 1)
        written.append(write_docx(doc, path, template=template or None))
    return written

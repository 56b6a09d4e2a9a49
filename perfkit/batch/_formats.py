"""Formats of a batch run's reports (``formats: [html, docx, pdf]`` in a schedule).

Every run writes ``report.html``.  With ``docx`` (or ``pdf``) in the schedule's
``formats``, each notebook gets the parameter ``formats`` and writes ``report.docx``
beside its HTML (the department notebook does, through :mod:`perfkit.documents`).
With ``pdf``, after all runs, :func:`convert_reports` hands every ``report.docx`` whose
``report.pdf`` is missing or older to ONE LibreOffice process
(:func:`perfkit.tables._office.convert_to_pdf`), and the records list the PDFs so that
``index.html`` links them.  Without LibreOffice the PDF step is skipped and the reason
is recorded in the manifest and shown on the index.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.tables._office import NO_SOFFICE, convert_to_pdf, soffice

__all__ = ["DOCX", "FORMATS", "PDF", "Format", "convert_reports", "with_formats"]

log = logging.getLogger("perfkit.batch")

Format = Literal["html", "docx", "pdf"]
#: The formats a schedule may ask for (html is always written).
FORMATS: tuple[str, ...] = ("html", "docx", "pdf")
DOCX = "report.docx"
PDF = "report.pdf"


def with_formats(parameters: dict[str, Any], formats: list[str]) -> dict[str, Any]:
    """The run's parameters, with ``formats`` when a document is asked for (html only: unchanged).

    Examples
    --------
    >>> with_formats({"year": 2024}, ["html"])
    {'year': 2024}
    >>> with_formats({"year": 2024}, ["html", "pdf"])
    {'year': 2024, 'formats': ['html', 'pdf']}
    """
    if set(formats) <= {"html"}:
        return parameters
    return dict(parameters, formats=list(formats))


def convert_reports(
    records: list[dict[str, Any]], run_dirs: dict[str, Path], formats: list[str]
) -> str | None:
    """Convert the runs' ``report.docx`` to ``report.pdf`` in one process; note them in records.

    Returns why the PDFs were not made (LibreOffice missing or failing), else ``None``.
    """
    if "pdf" not in formats:
        return None
    todo: dict[Path, Path] = {}
    for record in records:
        folder = run_dirs.get(record["name"])
        if folder is None or record["status"] not in {"ok", "skipped"}:
            continue
        docx, pdf = folder / DOCX, folder / PDF
        if docx.is_file() and (not pdf.is_file() or pdf.stat().st_mtime < docx.stat().st_mtime):
            todo[docx] = pdf
    reason = None
    if todo and soffice() is None:
        reason = _(NO_SOFFICE)
    elif todo:
        try:
            convert_to_pdf(todo)
            log.info(
                "%s",
                _("converted {n} report(s) to PDF in one LibreOffice process").format(n=len(todo)),
            )
        except PerfkitError as exc:
            reason = str(exc)
    if reason:
        log.warning("%s", _("PDF skipped: {reason}").format(reason=reason))
    for record in records:
        folder = run_dirs.get(record["name"])
        outputs = record.get("outputs")
        pdf_there = folder is not None and (folder / PDF).is_file()
        if pdf_there and isinstance(outputs, list) and PDF not in outputs:
            record["outputs"] = sorted([*outputs, PDF])
    return reason

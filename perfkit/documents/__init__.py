"""Deliverable documents (交付文档): the department evaluation report, the monitoring report and
the region's annual work report, as Word, A4 PDF and HTML — floor 5, composing the domains.

One content model (:class:`Document`: sections of paragraphs, tables and figures) is
computed once by :func:`department_report`, :func:`monitoring_report` or
:func:`annual_report` and rendered to HTML (:func:`to_html`, the notebook's view) and to
.docx (:func:`write_docx`), and from the .docx to PDF by LibreOffice headless
(:func:`save_document`).  The evaluator's text comes from a notes file
(:func:`load_notes`); what is missing shows as ``【待填写：…】``.  See ``docs/documents.md``.

Examples
--------
>>> from perfkit.documents import department_report
>>> doc = department_report("data/sample", 2024, "D01", figures=False)
>>> doc.sections[0].title
'一、基本情况'
"""

from perfkit.documents._annual import ANNUAL_OUTLINE, annual_report
from perfkit.documents._department import DEPARTMENT_OUTLINE, department_report
from perfkit.documents._docx import docx_bytes, write_docx
from perfkit.documents._files import department_files, key_evaluation_files, notes_path
from perfkit.documents._html import to_html
from perfkit.documents._key_evaluation import (
    KEY_EVALUATION_OUTLINE,
    key_evaluation_report,
)
from perfkit.documents._model import Document, Figure, Paragraph, Section, Table, placeholder
from perfkit.documents._monitoring import MONITORING_OUTLINE, monitoring_report
from perfkit.documents._notes import NOTE_TITLES, Notes, load_notes
from perfkit.documents._save import FORMATS, UnfinishedDocument, save_document

__all__ = [
    "ANNUAL_OUTLINE",
    "DEPARTMENT_OUTLINE",
    "FORMATS",
    "KEY_EVALUATION_OUTLINE",
    "MONITORING_OUTLINE",
    "NOTE_TITLES",
    "Document",
    "Figure",
    "Notes",
    "Paragraph",
    "Section",
    "Table",
    "UnfinishedDocument",
    "annual_report",
    "department_files",
    "department_report",
    "docx_bytes",
    "key_evaluation_files",
    "key_evaluation_report",
    "load_notes",
    "monitoring_report",
    "notes_path",
    "placeholder",
    "save_document",
    "to_html",
    "write_docx",
]

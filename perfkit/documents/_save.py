"""Write a document as the files a user asked for (.docx, .pdf, .html), refusing unfinished ones.

:func:`save_document` writes by suffix: ``.docx`` (python-docx), ``.pdf`` (the .docx
converted by LibreOffice headless, :func:`perfkit.tables._office.convert_to_pdf`, the
table of contents numbered from the PDF), ``.html`` (a printable A4 page).  With
``final=True`` a document that still holds ``【待填写：…】`` placeholders is refused, and
the message lists every one; nothing is written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from perfkit.documents._docx import write_docx
from perfkit.documents._html import to_html
from perfkit.documents._model import Document
from perfkit.errors import PerfkitError
from perfkit.i18n import _, ngettext
from perfkit.tables._office import convert_to_pdf
from perfkit.tables._write import atomic_write_bytes, atomic_write_text

__all__ = ["FORMATS", "UnfinishedDocument", "save_document"]

#: The file kinds a document is written as.
FORMATS = (".docx", ".pdf", ".html")


class UnfinishedDocument(PerfkitError):
    """A final document was asked for while placeholders remain (the message lists them)."""

    def __init__(self, placeholders: list[str]) -> None:
        self.placeholders = placeholders
        lines = "\n".join(f"  【待填写】{p}" for p in placeholders)
        head = ngettext(
            "the document still has {n} placeholder to fill in; --final writes no document "
            "until the notes file (--notes) gives it:",
            "the document still has {n} placeholders to fill in; --final writes no document "
            "until the notes file (--notes) gives them:",
            len(placeholders),
        ).format(n=len(placeholders))
        super().__init__(f"{head}\n{lines}")


def save_document(
    doc: Document,
    out: str | Path,
    *,
    template: str | Path | None = None,
    final: bool = False,
) -> list[Path]:
    """Write ``doc`` to ``out`` (.docx, .pdf or .html); a .pdf also keeps its .docx beside it.

    Returns the files written.

    Raises
    ------
    UnfinishedDocument
        ``final`` and placeholders remain (nothing written).
    PerfkitError
        An unknown suffix, a missing template, or LibreOffice missing for a .pdf.

    Examples
    --------
    >>> import tempfile
    >>> d = Document("标题")
    >>> out = d.section("一、基本情况").add("正文。")
    >>> [p.name for p in save_document(d, Path(tempfile.mkdtemp()) / "r.docx", final=True)]
    ['r.docx']
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise PerfkitError(
            _("{file}: the output must end in {suffixes}").format(
                file=out, suffixes=", ".join(FORMATS)
            )
        )
    if final and doc.placeholders():
        raise UnfinishedDocument(doc.placeholders())
    if suffix == ".html":
        return [atomic_write_text(out, str(to_html(doc, standalone=True)))]
    if suffix == ".docx":
        return [write_docx(doc, out, template=template)]
    with tempfile.TemporaryDirectory(prefix="perfkit-doc-") as tmp:
        source = write_docx(doc, Path(tmp) / "report.docx", template=template)
        convert_to_pdf({source: out})
        docx = out.with_suffix(".docx")
        written = [out]
        if not docx.exists():  # the numbered .docx beside the PDF, never over a user's file
            written.append(atomic_write_bytes(docx, source.read_bytes()))
        return written

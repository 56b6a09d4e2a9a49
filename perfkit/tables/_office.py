"""Word documents to A4 PDF with LibreOffice headless (办公文档转 PDF): many files, one process.

:func:`convert_to_pdf` hands every file to ONE ``soffice --headless --convert-to pdf``
call (starting LibreOffice costs seconds; converting a report costs a fraction of one),
with a private profile (``-env:UserInstallation=file:///tmp/…``) so that parallel runs
never share, lock or corrupt one profile.  The inputs are copied under unique names
first (every batch run's document is called ``report.docx``), and each PDF is written
beside its target atomically (:func:`perfkit.tables._write.atomic_write_bytes`).

LibreOffice is found as ``$PERFKIT_SOFFICE``, ``soffice`` or ``libreoffice`` on the
PATH (Debian: ``apt-get install libreoffice-writer-nogui``); :func:`soffice` returns
``None`` when there is none, and callers skip the PDF step with :data:`NO_SOFFICE`
as the stated reason.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx import Document as open_docx
from docx.oxml.ns import qn

from perfkit.errors import OutputError, PerfkitError
from perfkit.i18n import N_, _
from perfkit.tables._write import atomic_write_bytes

__all__ = ["NO_SOFFICE", "convert_to_pdf", "number_toc_pages", "soffice"]

#: Why a PDF was not made when LibreOffice is missing (shown to the user).
NO_SOFFICE = N_(
    "LibreOffice (soffice) not found, no PDF written; install libreoffice-writer-nogui "
    "(Debian/Ubuntu) or set PERFKIT_SOFFICE, then try again"
)


def soffice() -> str | None:
    """The LibreOffice program to run, or ``None`` (``$PERFKIT_SOFFICE``, then the PATH).

    Examples
    --------
    >>> soffice() is None or Path(soffice()).name.startswith(("soffice", "libreoffice"))
    True
    """
    given = os.environ.get("PERFKIT_SOFFICE")
    if given:
        return given if Path(given).is_file() else shutil.which(given)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(
    files: Mapping[Path, Path],
    *,
    program: str | None = None,
    timeout: float | None = None,
    number_toc: bool = True,
) -> dict[Path, Path]:
    """Convert .docx files to PDF in one LibreOffice process; each PDF written atomically.

    Parameters
    ----------
    files : mapping
        Source document → the PDF to write (any folders; names may repeat).
    program : str, optional
        The LibreOffice program (default :func:`soffice`).
    timeout : float, optional
        Seconds for the whole batch (default 120 + 10 per file); the process is killed
        after it.

    Returns
    -------
    dict
        Source → PDF written, for every file converted.

    Raises
    ------
    PerfkitError
        LibreOffice is missing (:data:`NO_SOFFICE`), failed, timed out, or left some files
        unconverted (named).

    Examples
    --------
    >>> convert_to_pdf({}) == {}
    True
    """
    if not files:
        return {}
    program = program or soffice()
    if program is None:
        raise PerfkitError(_(NO_SOFFICE))
    limit = timeout if timeout is not None else 120 + 10 * len(files)
    done = _convert(files, program, limit)
    if not number_toc or shutil.which("pdftotext") is None:
        return done
    again = {}
    for source, pdf in done.items():
        if source.suffix.lower() == ".docx" and number_toc_pages(source, pdf):
            again[source] = pdf
    if again:  # the second pass: the same pages, now with the numbers in the contents
        _convert(again, program, limit)
    return done


def _convert(files: Mapping[Path, Path], program: str, limit: float) -> dict[Path, Path]:
    with tempfile.TemporaryDirectory(prefix="perfkit-soffice-") as work:
        root = Path(work)
        src, out = root / "in", root / "out"
        src.mkdir()
        out.mkdir()
        names: dict[str, tuple[Path, Path]] = {}
        for i, (source, target) in enumerate(files.items()):
            name = f"{i:05d}{source.suffix.lower()}"
            try:
                shutil.copyfile(source, src / name)
            except OSError as exc:
                raise PerfkitError(
                    _("{file}: cannot read ({reason})").format(
                        file=source, reason=exc.strerror or exc
                    )
                ) from None
            names[Path(name).stem] = (source, target)
        command = [
            program,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out),
            *sorted(str(p) for p in src.iterdir()),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed whole on a timeout
        )
        try:
            output, _errors = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PerfkitError(
                _("LibreOffice did not finish converting {n} file(s) in {seconds} s").format(
                    n=len(files), seconds=f"{limit:.0f}"
                )
            ) from None
        done: dict[Path, Path] = {}
        missing = []
        for stem, (source, target) in names.items():
            pdf = out / f"{stem}.pdf"
            if not pdf.is_file():
                missing.append(str(source))
                continue
            try:
                done[source] = atomic_write_bytes(target, pdf.read_bytes())
            except OSError as exc:
                raise OutputError(target, exc) from None
        if missing:
            tail = output.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PerfkitError(
                _("LibreOffice did not convert {n} file(s): {files}").format(
                    n=len(missing), files=", ".join(missing[:5])
                )
                + (f" — {' / '.join(tail)}" if tail else "")
            )
    return done


def _squash(text: str) -> str:
    return "".join(text.split())


def _toc_paragraphs(document: Any) -> list[Any]:
    """The paragraphs of the TOC field's shown text (from its ``TOC`` instruction to its end)."""
    found: list[Any] = []
    inside_toc = False
    for paragraph in document.paragraphs:
        xml = paragraph._p
        instr = "".join(t.text or "" for t in xml.iter(qn("w:instrText")))
        if not inside_toc and instr.strip().startswith("TOC"):
            inside_toc = True
        if inside_toc:
            found.append(paragraph)
            kinds = [c.get(qn("w:fldCharType")) for c in xml.iter(qn("w:fldChar"))]
            if "end" in kinds:
                break
    return found


def number_toc_pages(docx_path: Path, pdf_path: Path) -> bool:
    """Write the page of each heading into the docx's table of contents, from its PDF.

    LibreOffice does not refresh a Word ``TOC`` field when it converts, so the pages are
    read back from the PDF (``pdftotext``: the first page, after the contents, holding a
    line that is exactly the heading) and written into the field's shown text.  Returns
    whether the file changed (then convert it again: the pagination is the same).
    """
    document = open_docx(str(docx_path))
    entries = []
    for paragraph in _toc_paragraphs(document):
        runs = [r for r in paragraph.runs if "\t" in (r.text or "")]
        if runs:
            entries.append((runs[-1], runs[-1].text.split("\t")[0]))
    if not entries:
        return False
    try:
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf_path), "-"],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return False
    pages = [{_squash(line) for line in page.splitlines()} for page in text.split("\f")]
    current = 0
    changed = False
    for run, title in entries:
        key = _squash(title)
        for number in range(current, len(pages)):
            if key in pages[number]:
                current = number
                run.text = f"{title}\t{number + 1}"
                changed = True
                break
    if changed:
        settings = document.settings.element
        for update in settings.findall(qn("w:updateFields")):
            settings.remove(update)  # the numbers are right: Word need not ask to update
        buffer = io.BytesIO()
        document.save(buffer)
        atomic_write_bytes(docx_path, buffer.getvalue())
    return changed

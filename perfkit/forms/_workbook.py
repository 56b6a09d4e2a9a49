"""Opening workbooks: calamine first, openpyxl where cell detail is needed (读取工作簿).

* **calamine** (``python-calamine``) reads ``.xlsx``/``.xlsm`` and ``.xls`` —
  values and merged ranges — in native code.  It is the default path.
* **openpyxl** reads ``.xlsx`` cell by cell in Python with each cell's number
  format.  perfkit uses it for one thing calamine cannot see: whether a bare
  number such as ``0.96`` in a percentage field is a percent-formatted cell
  (96 %).  Only the sheets that hold such a cell are read again with openpyxl;
  ``engine="openpyxl"`` reads everything with it (the benchmark's baseline).

Opening is the one Excel reader's (:mod:`perfkit.tables._excel`: the limits
first, then calamine, cells and merged ranges); this module adds the openpyxl
path and the formulas.  A broken, password-protected or non-Excel file becomes a
:class:`Problem`; it never stops the other files.  So does a workbook or a sheet beyond the
limits of :mod:`perfkit._limits` (measured by :mod:`perfkit.tables._workbook_guard`
before a reader opens the file: a stray value in cell XFD1048576 would make
the native reader abort the whole process), and Excel's lock files
(``~$name.xlsx``, left while a workbook is open) are skipped with a note.

Neither reader tells a formula that was never calculated from an empty cell
(a workbook written by a program and not opened in Excel has formulas without
cached values; python-calamine does not expose formulas).
:func:`uncached_formulas` finds them in the ``.xlsx`` XML — only sheets that
contain a formula at all are parsed — and each :class:`Grid` carries them, so
that a form reports ``公式 '=SUM(H13:H19)' 没有计算值`` instead of "empty".
An ``.xls`` always stores a formula's last result.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.etree import ElementTree

from perfkit._limits import MAX_FORM_CELLS, quoted
from perfkit.errors import Problem
from perfkit.forms._grid import Grid
from perfkit.i18n import _
from perfkit.tables._excel import open_problem, open_workbook
from perfkit.tables._workbook_guard import workbook_problems

__all__ = [
    "ENGINES",
    "FORM_SUFFIXES",
    "expand_inputs",
    "read_openpyxl_sheet",
    "read_sheets",
    "uncached_formulas",
]

#: File types read as forms.
FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Reading engines: ``auto`` (calamine, openpyxl for percent-format detail), or one only.
ENGINES = ("auto", "calamine", "openpyxl")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"([A-Z]{1,3})(\d+)")
#: Sheet XML larger than this is not parsed for formulas (a form is a few dozen KB).
_MAX_SHEET_XML = 50 * 2**20


def expand_inputs(inputs: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: given files, and every Excel file under given folders (sorted).

    Excel's lock files (``~$…``, left while a workbook is open) are skipped,
    with a note (a warning).  A missing path or a named file that is not
    ``.xlsx``/``.xlsm``/``.xls`` is a problem.

    Examples
    --------
    >>> files, problems = expand_inputs(["no-such-folder"])
    >>> [str(p) for p in problems]
    ['no-such-folder：找不到文件或文件夹']
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORM_SUFFIXES
            )
            locks = [p for p in found if _is_lock_file(p)]
            found = [p for p in found if not _is_lock_file(p)]
            if locks:
                problems.append(_lock_note(str(path), [p.name for p in locks]))
            if not found:
                problems.append(
                    Problem(str(path), None, None, _("no .xlsx or .xls files in folder"))
                )
            files += found
        elif path.is_file():
            if _is_lock_file(path):
                problems.append(_lock_note(path.name, [path.name]))
            elif path.suffix.lower() in FORM_SUFFIXES:
                files.append(path)
            else:
                problems.append(
                    Problem(
                        path.name,
                        None,
                        None,
                        _(
                            "not an Excel workbook ({suffix}); "
                            "forms are read from .xlsx, .xlsm or .xls"
                        ).format(suffix=path.suffix or _("no extension")),
                    )
                )
        else:
            problems.append(Problem(str(path), None, None, _("file or folder not found")))
    unique = list(dict.fromkeys(files))
    return unique, problems


def _is_lock_file(path: Path) -> bool:
    """Excel's owner file ``~$name.xlsx``: written while a workbook is open, not a workbook."""
    return path.name.startswith("~$")


def _lock_note(where: str, names: list[str]) -> Problem:
    listed = ", ".join(quoted(n, 40) for n in names[:5]) + (" …" if len(names) > 5 else "")
    return Problem(
        where,
        None,
        None,
        _(
            "skipped {n} Excel lock file(s) ({listed}): Excel leaves them while a "
            "workbook is open; they hold no data"
        ).format(n=len(names), listed=listed),
        severity="warning",
    )


def _ref_index(ref: str) -> tuple[int, int] | None:
    match = _REF.fullmatch(ref or "")
    if not match:
        return None
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part (``xl/worksheets/sheet1.xml``) from the workbook's rels."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.iter(f"{_PKG_REL}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[sheet.get("name") or ""] = posixpath.normpath(part)
    return parts


def _formulas_without_value(xml: bytes) -> dict[tuple[int, int], str]:
    from openpyxl.formula.translate import Translator  # openpyxl: only for shared formulas

    root = ElementTree.fromstring(xml)
    masters: dict[str, tuple[str, str]] = {}
    missing: list[tuple[str, object]] = []
    for cell in root.iter(f"{_MAIN}c"):
        formula = cell.find(f"{_MAIN}f")
        if formula is None:
            continue
        ref = cell.get("r") or ""
        if formula.get("t") == "shared" and formula.text and formula.get("si") is not None:
            masters[formula.get("si")] = (ref, formula.text)  # type: ignore[index]
        value = cell.find(f"{_MAIN}v")
        empty = value is None or (not value.text and cell.get("t") != "str")
        if empty:
            missing.append((ref, formula))
    out: dict[tuple[int, int], str] = {}
    for ref, formula in missing:
        index = _ref_index(ref)
        if index is None:
            continue
        text = formula.text  # type: ignore[attr-defined]
        if not text and formula.get("si") in masters:  # type: ignore[attr-defined]
            origin, master = masters[formula.get("si")]  # type: ignore[attr-defined]
            text = Translator(f"={master}", origin=origin).translate_formula(ref)[1:]
        out[index] = f"={text or ''}"
    return out


def uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells with no computed value in an ``.xlsx``/``.xlsm``, per sheet.

    Returns ``{sheet name: {(row, col): "=SUM(H13:H19)"}}`` (0-based cells);
    empty for other files, for workbooks without such cells, and for files
    that cannot be read this way (the readers report those).

    Examples
    --------
    >>> import openpyxl, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "f.xlsx"
    >>> wb = openpyxl.Workbook()
    >>> wb.active.title = "S"
    >>> wb["S"]["B2"] = "=SUM(A1:A9)"  # written by a program: never calculated
    >>> wb.save(p)
    >>> uncached_formulas(p)
    {'S': {(1, 1): '=SUM(A1:A9)'}}
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    found: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            with_formulas = {}
            for info in archive.infolist():
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                if info.file_size > _MAX_SHEET_XML:
                    continue
                xml = archive.read(info)
                if b"<f" in xml or b":f>" in xml or b":f " in xml:
                    with_formulas[name] = xml
            if not with_formulas:
                return {}  # no formula on any sheet: nothing to parse (the usual case)
            for sheet, part in _sheet_parts(archive).items():
                if part in with_formulas:
                    cells = _formulas_without_value(with_formulas[part])
                    if cells:
                        found[sheet] = cells
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return {}
    return found


def read_sheets(path: Path, engine: str = "auto") -> Iterator[tuple[str, Grid] | Problem]:
    """Every sheet of a workbook as ``(sheet name, Grid)``, or one Problem if it cannot be read.

    Parameters
    ----------
    path : Path
        An ``.xlsx``, ``.xlsm`` or ``.xls`` file.
    engine : str
        ``auto`` and ``calamine`` read with calamine; ``openpyxl`` reads
        ``.xlsx`` with openpyxl (``.xls``, which openpyxl cannot read, still
        goes through calamine).

    Examples
    --------
    >>> [s for s, _ in read_sheets(Path("tests/data/merged_projects.xlsx"))]
    ['projects', 'indicators']
    """
    if engine == "openpyxl" and path.suffix.lower() != ".xls":
        problems, refused = workbook_problems(path, max_cells=MAX_FORM_CELLS)
        yield from problems
        if "*" in refused:
            return
        try:
            import openpyxl  # openpyxl: only with --engine openpyxl or for formulas

            workbook = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:
            yield open_problem(path, exc)
            return
        formulas = uncached_formulas(path)
        for ws in workbook.worksheets:
            if ws.title not in refused:
                yield ws.title, _openpyxl_grid(ws, formulas.get(ws.title, {}))
        return
    book = open_workbook(path, max_cells=MAX_FORM_CELLS)  # the guard first, then calamine
    yield from book.problems
    if not book.ok:
        return
    formulas = uncached_formulas(path)
    for name in book.readable():
        cells = book.read_sheet(name)
        if isinstance(cells, Problem):
            yield cells
            continue
        yield name, Grid(cells.rows, cells.merged, None, "calamine", formulas.get(name, {}))


def _openpyxl_grid(ws: object, formulas: dict[tuple[int, int], str] | None = None) -> Grid:
    rows: list[list[object]] = []
    formats: dict[tuple[int, int], str] = {}
    for r, row in enumerate(ws.iter_rows()):  # type: ignore[attr-defined]
        values = []
        for c, cell in enumerate(row):
            value = cell.value
            values.append(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                formats[(r, c)] = cell.number_format or ""
        rows.append(values)
    merged = [
        (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
        for m in ws.merged_cells.ranges  # type: ignore[attr-defined]
    ]
    return Grid(rows, merged, formats, "openpyxl", dict(formulas or {}))


def read_openpyxl_sheet(
    path: Path, sheet: str, formulas: dict[tuple[int, int], str] | None = None
) -> Grid:
    """One sheet of an ``.xlsx`` read with openpyxl (values, merges and number formats)."""
    import openpyxl  # openpyxl: only with --engine openpyxl or for formulas

    workbook = openpyxl.load_workbook(path, data_only=True)
    return _openpyxl_grid(workbook[sheet], formulas)

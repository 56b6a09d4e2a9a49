"""The one Excel reader (读取工作簿): guarded opening, sheets, cells and merged ranges.

Every workbook perfkit reads — a contract table (``read_table``) or a sheet of
official forms (``perfkit.forms``) — is opened here, in one way:

1. **measured first**: an ``.xlsx``/``.xlsm`` goes through
   :func:`~perfkit.tables._workbook_guard.workbook_problems` before any native
   reader allocates anything (a stray value in cell XFD1048576 would make it abort
   the process); a workbook beyond the limits is refused whole, a sheet beyond
   them is left out, each with a :class:`~perfkit.errors.Problem`;
2. **opened with calamine** (``python-calamine``, native code; ``.xls`` too); a
   broken, password-protected or non-Excel file becomes one Problem, never a
   traceback;
3. **read**: :meth:`Workbook.read_sheet` gives a sheet's cells (0-based rows and
   columns, from A1) and its merged ranges (0-based, inclusive), refusing a sheet
   too large to hold as Python values or whose merged ranges cover too many cells;
   :func:`fill_merged` gives every cell of a merged range its top-left value.

Merged ranges come from calamine alone. A contract table's values are loaded as
text columns by ``fastexcel`` (calamine's Arrow reader: no Python object per
cell); its merged ranges come from :meth:`Workbook.merged_ranges` — the same
calamine ranges — and only when the guard measured any (see
:mod:`perfkit.tables._read`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfkit._limits import MAX_MERGED_CELLS, MAX_SHEET_CELLS, quoted
from perfkit.errors import Problem
from perfkit.i18n import _
from perfkit.tables._workbook_guard import WorkbookScan, workbook_problems

__all__ = ["SheetCells", "Workbook", "fill_merged", "open_problem", "open_workbook"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: A merged range as (first row, first column, last row, last column), 0-based, inclusive.
Range = tuple[int, int, int, int]


@dataclass
class SheetCells:
    """A sheet's cell values (rows from A1, 0-based) and merged ranges (0-based, inclusive)."""

    name: str
    rows: list[list[Any]]
    merged: list[Range]
    width: int


@dataclass
class Workbook:
    """A workbook opened by :func:`open_workbook`.

    Attributes
    ----------
    path : Path
    problems : list of Problem
        The guard's problems (sheets beyond the limits) and, when the file
        cannot be opened, the reason (then ``sheet_names`` is empty).
    refused : set of str
        Sheets not to read (``"*"``: none may be).
    sheet_names : list of str
        Every sheet, in workbook order (refused ones too).
    """

    path: Path
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    sheet_names: list[str] = field(default_factory=list)
    max_cells: int = MAX_SHEET_CELLS
    #: Why calamine could not open the file (its own exception), if it could not.
    error: Exception | None = field(default=None, repr=False)
    _book: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the workbook opened (some of its sheets may still be refused)."""
        return self._book is not None

    def readable(self) -> list[str]:
        """The sheets that may be read, in workbook order."""
        return [n for n in self.sheet_names if n not in self.refused]

    def _sheet(self, name: str) -> Any:
        if name in self.refused or not self.ok:
            raise ValueError(
                _("sheet {name!r} is refused or the workbook did not open").format(name=name)
            )
        return self._book.get_sheet_by_name(name)

    def merged_ranges(self, name: str) -> list[Range]:
        """A sheet's merged ranges, 0-based and inclusive.

        Examples
        --------
        >>> open_workbook("tests/data/merged_projects.xlsx").merged_ranges("projects")
        [(1, 3, 2, 3), (1, 4, 2, 4)]
        """
        return [
            (r1, c1, r2, c2) for (r1, c1), (r2, c2) in self._sheet(name).merged_cell_ranges or []
        ]

    def read_sheet(self, name: str) -> SheetCells | Problem:
        """A sheet's cells and merged ranges, or the Problem why it cannot be read.

        Examples
        --------
        >>> cells = open_workbook("tests/data/merged_projects.xlsx").read_sheet("projects")
        >>> cells.merged, fill_merged(cells.rows, cells.merged)[2][3] == cells.rows[1][3]
        ([(1, 3, 2, 3), (1, 4, 2, 4)], True)
        """
        try:
            sheet = self._sheet(name)
            if (too_big := _too_big(sheet.height, sheet.width, self.max_cells)) is not None:
                return Problem(self.path.name, None, None, too_big, sheet=name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []]
        except Exception as exc:  # calamine raises its own types for a malformed sheet
            text = str(exc).strip().splitlines() or [type(exc).__name__]
            return Problem(
                self.path.name, None, None, f"sheet {quoted(name)!r} cannot be read ({text[0]})"
            )
        if (too_many := _too_much_merged(merged, len(rows), sheet.width)) is not None:
            return Problem(self.path.name, None, None, too_many, sheet=name)
        return SheetCells(name, rows, merged, sheet.width)


def open_workbook(
    path: str | Path, *, max_cells: int = MAX_SHEET_CELLS, scan: WorkbookScan | None = None
) -> Workbook:
    """Measure a workbook against the limits, then open it with calamine.

    Parameters
    ----------
    path : path
        An ``.xlsx``, ``.xlsm`` or ``.xls`` file.
    max_cells : int
        Largest used range (rows × columns) of a sheet that may be read.
    scan : WorkbookScan, optional
        The guard's measurement, when the caller has it already.

    Returns
    -------
    Workbook
        ``ok`` is False when the workbook is refused whole or cannot be opened;
        ``problems`` then says why.

    Examples
    --------
    >>> book = open_workbook("tests/data/merged_projects.xlsx")
    >>> book.ok, book.sheet_names, book.problems
    (True, ['projects', 'indicators'], [])
    >>> open_workbook("README.md").problems[0].message[:35]
    'cannot be read as an Excel workbook'
    """
    path = Path(path)
    book = Workbook(path, max_cells=max_cells)
    if path.suffix.lower() != ".xls":  # an .xls is OLE, not zip: calamine measures it below
        book.problems, book.refused = workbook_problems(path, max_cells=max_cells, scan=scan)
        if "*" in book.refused:
            return book
    import python_calamine  # calamine: loaded when a workbook is read

    try:
        handle = python_calamine.CalamineWorkbook.from_path(str(path))
        book.sheet_names = list(handle.sheet_names)
    except Exception as exc:  # calamine's own error types for broken, encrypted, other files
        book.problems.append(open_problem(path, exc))
        book.refused.add("*")
        book.error = exc
        return book
    book._book = handle
    return book


def open_problem(path: Path, exc: Exception) -> Problem:
    """The Problem for a workbook that cannot be opened (password-protected, broken, other)."""
    head = b""
    if path.is_file():
        with path.open("rb") as stream:
            head = stream.read(8)
    encrypted = type(exc).__name__ == "PasswordError" or (
        head == _OLE and path.suffix.lower() in (".xlsx", ".xlsm")
    )
    if encrypted:
        message = (
            "the workbook is password-protected (encrypted); save a copy without the password "
            "and import that"
        )
    else:
        text = str(exc).strip().splitlines()
        detail = text[0] if text else type(exc).__name__
        message = f"cannot be read as an Excel workbook ({detail})"
    return Problem(path.name, None, None, message)


def fill_merged(rows: list[list[Any]], merged: list[Range]) -> list[list[Any]]:
    """A copy of ``rows`` in which every cell of a merged range holds its top-left value.

    Examples
    --------
    >>> fill_merged([["a", "b"], [None, "c"]], [(0, 0, 1, 0)])
    [['a', 'b'], ['a', 'c']]
    """
    out = [list(row) for row in rows]
    for r1, c1, r2, c2 in merged:
        if r1 >= len(out) or c1 >= len(out[r1]):
            continue
        value = out[r1][c1]
        for r in range(r1, min(r2, len(out) - 1) + 1):
            row = out[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                row[c] = value
    return out


def _too_big(height: int, width: int, max_cells: int) -> str | None:
    """Why a sheet (of an ``.xls``: measured by the reader) is too big to read."""
    if height * width <= max_cells:
        return None
    return (
        f"the sheet's used range has {height:,} rows × {width:,} columns, more than perfkit "
        f"reads as a form ({max_cells:,} cells); delete what is outside the form"
    )


def _too_much_merged(merged: list[Range], height: int, width: int) -> str | None:
    """Why a sheet's merged ranges (clipped to its cells) are too many to fill in."""
    covered = sum(
        max(0, min(r2, height - 1) - r1 + 1) * max(0, min(c2, width - 1) - c1 + 1)
        for r1, c1, r2, c2 in merged
    )
    if covered <= MAX_MERGED_CELLS and len(merged) <= MAX_MERGED_CELLS:
        return None
    return (
        f"merged ranges cover {covered:,} cells, more than perfkit fills in "
        f"({MAX_MERGED_CELLS:,}); unmerge what is not part of the form"
    )

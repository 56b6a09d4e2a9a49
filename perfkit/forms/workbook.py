"""Opening workbooks: calamine first, openpyxl where cell detail is needed (读取工作簿).

* **calamine** (``python-calamine``) reads ``.xlsx``/``.xlsm`` and ``.xls`` —
  values and merged ranges — in native code.  It is the default path.
* **openpyxl** reads ``.xlsx`` cell by cell in Python with each cell's number
  format.  perfkit uses it for one thing calamine cannot see: whether a bare
  number such as ``0.96`` in a percentage field is a percent-formatted cell
  (96 %).  Only the sheets that hold such a cell are read again with openpyxl;
  ``engine="openpyxl"`` reads everything with it (the benchmark's baseline).

A broken, password-protected or non-Excel file becomes a :class:`Problem`;
it never stops the other files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from perfkit.errors import Problem
from perfkit.forms.grid import Grid

__all__ = ["ENGINES", "FORM_SUFFIXES", "expand_inputs", "read_openpyxl_sheet", "read_sheets"]

#: File types read as forms.
FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Reading engines: ``auto`` (calamine, openpyxl for percent-format detail), or one only.
ENGINES = ("auto", "calamine", "openpyxl")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def expand_inputs(inputs: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: given files, and every Excel file under given folders (sorted).

    Lock files (``~$…``) are skipped.  A missing path or a named file that is
    not ``.xlsx``/``.xlsm``/``.xls`` is a problem.

    Examples
    --------
    >>> files, problems = expand_inputs(["no-such-folder"])
    >>> [str(p) for p in problems]
    ['no-such-folder: file or folder not found']
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in FORM_SUFFIXES and not p.name.startswith("~$")
            )
            if not found:
                problems.append(Problem(str(path), None, None, "no .xlsx or .xls files in folder"))
            files += found
        elif path.is_file():
            if path.suffix.lower() in FORM_SUFFIXES:
                files.append(path)
            else:
                problems.append(
                    Problem(
                        path.name,
                        None,
                        None,
                        f"not an Excel workbook ({path.suffix or 'no extension'}); "
                        "forms are read from .xlsx, .xlsm or .xls",
                    )
                )
        else:
            problems.append(Problem(str(path), None, None, "file or folder not found"))
    unique = list(dict.fromkeys(files))
    return unique, problems


def _open_problem(path: Path, exc: Exception) -> Problem:
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
        try:
            import openpyxl

            workbook = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:
            yield _open_problem(path, exc)
            return
        for ws in workbook.worksheets:
            yield ws.title, _openpyxl_grid(ws)
        return
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except Exception as exc:
        yield _open_problem(path, exc)
        return
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []]
        except Exception as exc:
            text = str(exc).strip().splitlines()
            yield Problem(path.name, None, None, f"sheet {name!r} cannot be read ({text[0]})")
            continue
        yield name, Grid(rows, merged, None, "calamine")


def _openpyxl_grid(ws: object) -> Grid:
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
    return Grid(rows, merged, formats, "openpyxl")


def read_openpyxl_sheet(path: Path, sheet: str) -> Grid:
    """One sheet of an ``.xlsx`` read with openpyxl (values, merges and number formats)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=True)
    return _openpyxl_grid(workbook[sheet])

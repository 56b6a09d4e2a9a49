"""Writing results: CSV, Parquet and formatted Excel, atomically (结果导出).

* Nothing half-written: every file is first written into a temporary folder
  beside the destination and moved into place only when all are complete.
* Formula-like text (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return that is not a plain number) is neutralised with a leading
  apostrophe in CSV and Excel, so a crafted project name cannot run in a
  spreadsheet.
* Excel sheets are for people: Chinese headers, two-decimal numbers, frozen
  header row, filters and column widths.  A table longer than
  ``excel_max_rows`` (default 100,000; never beyond Excel's 1,048,576-row
  limit) is left out of the workbook and the CSV/Parquet file is the record.
* A cell holds at most 32,767 characters in Excel.  Longer text is cut to
  that length and a :class:`CellTextCut` warning names the workbook, the
  sheet and the cells (the command line prints it; the CSV keeps the text).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.labels import column_label, translate_for_people
from perfkit.workbook_guard import column_name

__all__ = [
    "EXCEL_CELL_CHARS",
    "EXCEL_ROW_LIMIT",
    "CellTextCut",
    "atomic_output",
    "excel_text",
    "excel_text_notes",
    "neutralise_formulas",
    "write_csv",
    "write_excel",
]

#: Excel's hard limit of rows per sheet (including the header row).
EXCEL_ROW_LIMIT = 1_048_576
#: Default largest table put in a workbook; larger ones go to CSV/Parquet only.
DEFAULT_EXCEL_MAX_ROWS = 100_000
#: Excel's limit of characters in one cell.
EXCEL_CELL_CHARS = 32_767


class CellTextCut(UserWarning):
    """Text longer than Excel's 32,767 characters was cut in a workbook (the message says where)."""


_CUT: ContextVar[list[str] | None] = ContextVar("perfkit_cells_cut", default=None)


@contextmanager
def excel_text_notes(book: str) -> Iterator[None]:
    """Collect the cells cut while writing workbook ``book``; one :class:`CellTextCut` at the end.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     with excel_text_notes("x.xlsx"):
    ...         _ = excel_text("长" * 40_000, "表!B3")
    >>> print(caught[0].message)     # doctest: +NORMALIZE_WHITESPACE
    x.xlsx: 1 cell(s) held more than Excel's 32,767 characters and were cut: 表!B3
    (40,000 characters); the CSV files keep the full text
    """
    cut: list[str] = []
    token = _CUT.set(cut)
    try:
        yield
    finally:
        _CUT.reset(token)
        if cut:
            shown = ", ".join(cut[:10]) + (f" and {len(cut) - 10} more" if len(cut) > 10 else "")
            warnings.warn(
                CellTextCut(
                    f"{book}: {len(cut)} cell(s) held more than Excel's {EXCEL_CELL_CHARS:,} "
                    f"characters and were cut: {shown}; the CSV files keep the full text"
                ),
                stacklevel=3,
            )


def _note_cut(where: str) -> None:
    cut = _CUT.get()
    if cut is not None:
        cut.append(where)
    else:
        warnings.warn(
            CellTextCut(f"{where}: cut to Excel's limit of {EXCEL_CELL_CHARS:,} characters"),
            stacklevel=3,
        )


def excel_text(text: str, where: str) -> str:
    """``text`` as a cell can hold it: cut to 32,767 characters, noting ``where`` when cut.

    Examples
    --------
    >>> len(excel_text("x" * 40_000, "Sheet1!A1")), excel_text("正常", "Sheet1!A2")
    (32767, '正常')
    """
    if len(text) <= EXCEL_CELL_CHARS:
        return text
    _note_cut(f"{where} ({len(text):,} characters)")
    return text[:EXCEL_CELL_CHARS]


def _cut_long_text(frame: pl.DataFrame, sheet: str, label: Callable[[str], str]) -> pl.DataFrame:
    """Text columns cut to Excel's cell limit (vectorised), each cut column noted once."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text or frame.height == 0:
        return frame
    long = frame.select((pl.col(text).str.len_chars() > EXCEL_CELL_CHARS).sum()).row(0)
    cut = [c for c, n in zip(text, long, strict=True) if n]
    for column in cut:
        n = long[text.index(column)]
        first = frame.select(
            pl.arg_where(pl.col(column).str.len_chars() > EXCEL_CELL_CHARS).first()
        ).item()
        j = frame.columns.index(column)
        cell = f"{sheet}!{column_name(j + 1)}{first + 2}"
        more = f" and {n - 1:,} more in column {label(column)}" if n > 1 else ""
        _note_cut(f"{cell}{more}")
    return frame.with_columns(pl.col(cut).str.slice(0, EXCEL_CELL_CHARS)) if cut else frame


_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?%?$"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells a spreadsheet would run as a formula.

    Examples
    --------
    >>> df = pl.DataFrame({"name": ["=HYPERLINK(\\"x\\")", "-5", "@cmd", "正常"]})
    >>> neutralise_formulas(df)["name"].to_list()
    ['\\'=HYPERLINK("x")', '-5', "'@cmd", '正常']
    """
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START) & ~pl.col(c).str.contains(_PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """UTF-8 CSV with a BOM (so Excel opens Chinese text correctly), formulas neutralised."""
    neutralise_formulas(frame).write_csv(path, include_bom=True)


class atomic_output:
    """Write files into ``directory`` all at once, or not at all.

    Use as ``with atomic_output(out) as tmp: (tmp / "a.csv").write_text(...)``;
    files appear in ``out`` only if the block finishes without an exception.
    Files named in ``owns`` that an earlier run left and this one did not
    write are removed, so a folder never mixes two runs.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "r"
    >>> with atomic_output(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("ok")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """

    def __init__(self, directory: str | Path, owns: tuple[str, ...] = ()) -> None:
        self.directory = Path(directory)
        self.owns = owns  # files this output writes: old copies not rewritten are removed
        self.written: list[Path] = []

    def __enter__(self) -> Path:
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(
            tempfile.mkdtemp(
                prefix=f".{self.directory.name}.", suffix=".partial", dir=self.directory.parent
            )
        )
        return self._tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                produced = {item.name for item in self._tmp.iterdir()}
                for name in self.owns:
                    stale = self.directory / name
                    if name not in produced and stale.is_file():
                        stale.unlink()  # from an earlier run: would contradict the new files
                for item in sorted(self._tmp.iterdir()):
                    target = self.directory / item.name
                    os.replace(item, target)
                    self.written.append(target)
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_excel(
    path: Path,
    sheets: Mapping[str, pl.DataFrame],
    *,
    notes: Mapping[str, pl.DataFrame] | None = None,
    label: Callable[[str], str] = column_label,
    cell_formats: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> None:
    """Write frames as formatted sheets (Chinese headers, 0.00 numbers, frozen header).

    Parameters
    ----------
    path : Path
        The ``.xlsx`` to write.
    sheets : mapping of sheet name → frame
        Data sheets, in order; each frame must fit within Excel's row limit.
    notes : mapping of sheet name → frame, optional
        Extra sheets (legends, notes) written after the data sheets.
    label : callable
        Column name → header shown to people.
    cell_formats : mapping, optional
        Column name → cell text → xlsxwriter format properties, for cells
        styled by their value (e.g. alert colours: ``{"alert": {"红":
        {"bg_color": "#d32f2f"}}}``).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> write_excel(p, {"得分": pl.DataFrame({"total": [86.23], "grade": ["良"]})})
    >>> [c.value for c in openpyxl.load_workbook(p)["得分"][1]]
    ['总分', '等级']
    """
    with excel_text_notes(Path(path).name):
        _write_excel(path, sheets, notes, label, cell_formats)


def _write_excel(
    path: Path,
    sheets: Mapping[str, pl.DataFrame],
    notes: Mapping[str, pl.DataFrame] | None,
    label: Callable[[str], str],
    cell_formats: Mapping[str, Mapping[str, Mapping[str, Any]]] | None,
) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    try:
        header_fmt = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        styled = {
            column: {text: workbook.add_format(dict(props)) for text, props in by_text.items()}
            for column, by_text in (cell_formats or {}).items()
        }
        two_dp = workbook.add_format({"num_format": "0.00"})
        four_dp = workbook.add_format({"num_format": "0.0000"})
        whole = workbook.add_format({"num_format": "0"})
        for name, frame in {**sheets, **(notes or {})}.items():
            if frame.height + 1 > EXCEL_ROW_LIMIT:
                raise ValueError(f"sheet {name!r} has {frame.height} rows, over Excel's limit")
            frame = neutralise_formulas(translate_for_people(frame))
            frame = _cut_long_text(frame, name[:31], label)
            sheet = workbook.add_worksheet(name[:31])
            headers = [label(c) for c in frame.columns]
            formats = []
            for col, dtype in frame.schema.items():
                if dtype.is_float():
                    formats.append(four_dp if col == "ratio" else two_dp)
                elif dtype.is_integer():
                    formats.append(whole)
                else:
                    formats.append(None)
            sheet.write_row(0, 0, headers, header_fmt)
            by_value = [styled.get(col, {}) for col in frame.columns]
            sample = frame.head(200)
            for j, col in enumerate(frame.columns):
                values = [str(v) for v in sample.get_column(col).to_list() if v is not None]
                width = max([_display_width(headers[j]), *map(_display_width, values)], default=8)
                sheet.set_column(j, j, min(max(width + 2, 8), 50), formats[j])
            sheet.freeze_panes(1, 0)
            if frame.width:
                sheet.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
            for i, row in enumerate(frame.iter_rows(), start=1):
                for j, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        sheet.write_string(i, j, value, by_value[j].get(value))
                    elif isinstance(value, bool):
                        sheet.write_string(i, j, "是" if value else "")
                    else:
                        sheet.write_number(i, j, value, formats[j])
    finally:
        workbook.close()

"""Writing results: CSV, Parquet and formatted Excel, atomically (结果导出).

* Nothing half-written: every file is first written into a temporary folder
  beside the destination and moved into place only when all are complete.
* Formula-like text (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return that is not a plain number) cannot run in a spreadsheet: in
  CSV, which has no cell types, it gets a leading apostrophe; in ``.xlsx`` it is
  written as a text cell with Excel's quote prefix (what Excel stores when you
  type ``'=…``), so the value itself is unchanged and reads back as written.
* Numbers in ``.xlsx`` are written as the shortest decimal that reads back as
  the same double (``9.38``, not ``9.380000000000001``): see
  :func:`xlsx_workbook`.
* Excel sheets are for people: Chinese headers, two-decimal numbers, frozen
  header row, filters and column widths.  A table longer than
  ``excel_max_rows`` (default 100,000; never beyond Excel's 1,048,576-row
  limit) is left out of the workbook and the CSV/Parquet file is the record.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from perfkit.labels import column_label, translate_for_people

__all__ = [
    "EXCEL_ROW_LIMIT",
    "atomic_output",
    "formula_like",
    "neutralise_formulas",
    "restore_formulas",
    "write_csv",
    "write_excel",
    "xlsx_number",
    "xlsx_workbook",
]

#: Excel's hard limit of rows per sheet (including the header row).
EXCEL_ROW_LIMIT = 1_048_576
#: Default largest table put in a workbook; larger ones go to CSV/Parquet only.
DEFAULT_EXCEL_MAX_ROWS = 100_000

# after any leading apostrophes, so that neutralising can be undone exactly (restore_formulas)
_FORMULA_START = r"^'*[=+\-@\t\r]"
_PLAIN_NUMBER = r"^'*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?%?$"


def _needs_quote(column: pl.Expr) -> pl.Expr:
    return column.str.contains(_FORMULA_START) & ~column.str.contains(_PLAIN_NUMBER)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to text cells a spreadsheet would run as a formula (for CSV).

    Text that already starts with ``'`` before a formula gets one more, so that
    :func:`restore_formulas` gives back exactly the text that went in.

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
        pl.when(_needs_quote(pl.col(c))).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text
    )


def restore_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`neutralise_formulas`: the text columns of a perfkit CSV as they were.

    Only the apostrophe that :func:`neutralise_formulas` adds is removed; an
    apostrophe that belongs to the text is kept.

    Examples
    --------
    >>> names = ["=HYPERLINK(1)", "'=quoted", "'kept", "-5", "@SUM(A1)", "正常"]
    >>> csv = neutralise_formulas(pl.DataFrame({"name": names}))
    >>> csv["name"].to_list()
    ["'=HYPERLINK(1)", "''=quoted", "'kept", '-5', "'@SUM(A1)", '正常']
    >>> restore_formulas(csv)["name"].to_list() == names
    True
    """
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.starts_with("'") & _needs_quote(pl.col(c).str.slice(1)))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` typed into a cell as a formula.

    Such text is written to ``.xlsx`` as a text cell with the quote prefix.

    Examples
    --------
    >>> [formula_like(t) for t in ("=1+1", "+1", "-2", "@SUM(A1)", "正常", "", "a=b")]
    [True, True, True, True, False, False, False]
    """
    return text[:1] in ("=", "+", "-", "@", "\t", "\r")


def xlsx_number(value: float | int | Decimal) -> str:
    """The text of a number in a cell's ``<v>``: the shortest that reads back as the same double.

    A ``<v>`` holds a double.  openpyxl and xlsxwriter write ``%.16g``, which
    prints the double nearest to 9.38 as ``9.380000000000001``; Python's
    ``repr`` gives the shortest text that reads back as the same double.  A
    :class:`~decimal.Decimal` is converted to its nearest double once.

    Examples
    --------
    >>> [xlsx_number(v) for v in (9.38, 0.734, 100.0, 12, Decimal("0.9333"), 1e-07, 2.5e16)]
    ['9.38', '0.734', '100', '12', '0.9333', '1E-07', '2.5E+16']
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text.upper()


@functools.cache
def _exact_classes() -> tuple[type, type]:
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    class ExactWorksheet(Worksheet):  # type: ignore[misc]
        """A worksheet whose number cells hold the shortest exact text (see xlsx_number)."""

        def _xml_number_element(self, number, attributes=()) -> None:
            # xlsxwriter's own writes f"{number:.16G}"; the rest of the cell is the same
            attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
            self.fh.write(f"<c{attr}><v>{xlsx_number(number)}</v></c>")

    class ExactWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
        worksheet_class = ExactWorksheet

    return ExactWorkbook, ExactWorksheet


def xlsx_workbook(path: str | Path, options: Mapping[str, Any] | None = None) -> Any:
    """An ``xlsxwriter.Workbook`` whose numbers are written exactly (:func:`xlsx_number`).

    Strings are never turned into formulas or links (``strings_to_formulas``,
    ``strings_to_urls`` and ``strings_to_numbers`` are off unless ``options``
    say otherwise).

    Examples
    --------
    >>> import tempfile, zipfile
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> book = xlsx_workbook(p)
    >>> book.add_worksheet("s").write_number(0, 0, 9.38)
    0
    >>> book.close()
    >>> "<v>9.38</v>" in zipfile.ZipFile(p).read("xl/worksheets/sheet1.xml").decode()
    True
    """
    workbook_class, _ = _exact_classes()
    settings = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    return workbook_class(str(path), {**settings, **(options or {})})


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
    null_text: Mapping[str, str] | None = None,
) -> None:
    """Write frames as formatted sheets (Chinese headers, 0.00 numbers, frozen header).

    Numbers are written exactly (:func:`xlsx_number`); text is written as text
    cells, and formula-like text (:func:`formula_like`) with Excel's quote
    prefix, so that ``=HYPERLINK(…)`` is shown and read back as written and
    never runs.

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
    null_text : mapping, optional
        Column name → text written where its value is empty (e.g.
        ``{"满意度指标": "不适用"}``); other empty cells stay blank.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> write_excel(p, {"得分": pl.DataFrame({"total": [86.23], "grade": ["良"]})})
    >>> [c.value for c in openpyxl.load_workbook(p)["得分"][1]]
    ['总分', '等级']
    >>> write_excel(p, {"s": pl.DataFrame({"unit_name": ["=1+1"]})})
    >>> cell = openpyxl.load_workbook(p)["s"]["A2"]
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
    """
    workbook = xlsx_workbook(path, {"constant_memory": True, "nan_inf_to_errors": True})
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
        quoted: dict[tuple[str, str] | None, Any] = {
            None: workbook.add_format({"quote_prefix": True})
        }

        def text_format(column: str, value: str) -> Any:
            props = (cell_formats or {}).get(column, {}).get(value)
            if not formula_like(value):
                return styled[column][value] if props is not None else None
            key = None if props is None else (column, value)
            if key not in quoted:  # a styled value that is also formula-like
                quoted[key] = workbook.add_format({**props, "quote_prefix": True})
            return quoted[key]

        for name, frame in {**sheets, **(notes or {})}.items():
            if frame.height + 1 > EXCEL_ROW_LIMIT:
                raise ValueError(f"sheet {name!r} has {frame.height} rows, over Excel's limit")
            frame = translate_for_people(frame)  # text stays text: see text_format
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
            blanks = [(null_text or {}).get(col) for col in frame.columns]
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
                        if blanks[j] is not None:
                            sheet.write_string(i, j, blanks[j])
                        continue
                    if isinstance(value, str):
                        sheet.write_string(i, j, value, text_format(frame.columns[j], value))
                    elif isinstance(value, bool):
                        sheet.write_string(i, j, "是" if value else "")
                    else:
                        sheet.write_number(i, j, value, formats[j])
    finally:
        workbook.close()

"""Writing results: CSV, Parquet and formatted Excel, atomically (结果导出).

* Nothing half-written: every file is first written into a temporary folder
  beside the destination and moved into place only when all are complete
  (:class:`atomic_output`; one file: :func:`atomic_write_text`).  A write that
  fails is undone and raises :class:`~perfkit.errors.OutputError` naming the
  path; what dead writers left is cleaned at the next write
  (:func:`clean_leftovers`).
* Formula-like text (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return that is not a plain number) cannot run in a spreadsheet: in
  CSV, which has no cell types, it gets a leading apostrophe; in ``.xlsx`` it is
  written as a text cell with Excel's quote prefix (what Excel stores when you
  type ``'=…``), so the value itself is unchanged and reads back as written.
* Numbers in ``.xlsx`` are written as the shortest decimal that reads back as
  the same double (``9.38``, not ``9.380000000000001``): see
  :func:`xlsx_workbook`.
* Excel sheets are for people: Chinese headers (unique within a sheet),
  two-decimal numbers, frozen header row, filters and column widths, and they
  print on A4: one page wide, the header rows repeated on every page, landscape
  when the columns are wide, page numbers in the footer (:func:`print_setup`,
  which every workbook perfkit writes uses; ``docs/reports.md``).  A table longer than
  ``excel_max_rows`` (default 100,000; never beyond Excel's 1,048,576-row
  limit) is left out of the workbook and the CSV/Parquet file is the record.
* A cell holds at most 32,767 characters in Excel.  Longer text is cut to
  that length and a :class:`CellTextCut` warning names the workbook, the
  sheet and the cells (the command line prints it; the CSV keeps the text).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import re
import secrets
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._processes import owner_tag, tag_is_dead
from perfkit.errors import OutputError
from perfkit.i18n import _, gettext
from perfkit.present._labels import column_label, translate_for_people
from perfkit.tables._workbook_guard import column_name

__all__ = [
    "EXCEL_CELL_CHARS",
    "EXCEL_ROW_LIMIT",
    "CellTextCut",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "clean_leftovers",
    "excel_text",
    "excel_text_notes",
    "file_sha256",
    "formula_like",
    "neutralise_formulas",
    "print_setup",
    "restore_formulas",
    "unique_headers",
    "write_csv",
    "write_excel",
    "xlsx_number",
    "xlsx_workbook",
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
    import xlsxwriter  # xlsxwriter: only when an .xlsx is written
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


_LEFTOVER = re.compile(
    r"^\.(?P<name>.+)\.(?P<owner>[0-9a-f]{8}-\d+-(?:\d+|x))\.[A-Za-z0-9_]+\.(?P<kind>partial|old|tmp)$"
)


def _temp_path(folder: Path, name: str, kind: str) -> Path:
    """A fresh hidden name beside ``folder / name`` that tells who made it (see processes)."""
    return folder / f".{name}.{owner_tag()}.{secrets.token_hex(4)}.{kind}"


def _make_temp_dir(folder: Path, name: str) -> Path:
    """A new empty folder beside ``folder / name`` with the usual permissions (umask applies)."""
    for _attempt in range(100):
        path = _temp_path(folder, name, "partial")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))  # pragma: no cover


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def clean_leftovers(folder: str | Path, name: str | None = None) -> list[Path]:
    """Remove what writers that died (``kill -9``, power cut) left in ``folder``.

    perfkit's temporary files and folders are named
    ``.<name>.<host>-<pid>-<start>.<random>.<partial|old|tmp>``; only those
    whose owner process is certainly gone (same machine, pid dead or reused)
    are touched, so a write still in progress in another process is left
    alone.  A whole folder that a dead writer had moved aside (``.old``) and
    not replaced is put back instead of being deleted.

    Parameters
    ----------
    folder : path
        The folder to look in.
    name : str, optional
        Only leftovers of this file or folder name (default: all).

    Returns
    -------
    list of Path
        What was removed or put back.

    Examples
    --------
    >>> import tempfile
    >>> from perfkit._processes import host_tag, owner_tag
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / f".out.{host_tag()}-999999999-1.dead0000.partial").mkdir()  # its writer is gone
    >>> (d / f".out.{owner_tag()}.a11fe000.partial").mkdir()  # this process's: still alive
    >>> [p.name[-16:] for p in clean_leftovers(d)], [p.name[-16:] for p in d.iterdir()]
    (['dead0000.partial'], ['a11fe000.partial'])
    """
    folder = Path(folder)
    done: list[Path] = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return done
    for entry in entries:
        match = _LEFTOVER.match(entry)
        if not match or (name is not None and match["name"] != name):
            continue
        if not tag_is_dead(match["owner"]):
            continue
        path = folder / entry
        target = folder / match["name"]
        if match["kind"] == "old" and path.is_dir() and not os.path.lexists(target):
            try:  # a whole-folder swap was cut between its two renames: the old folder goes back
                os.replace(path, target)
                done.append(path)
                continue
            except OSError:
                pass
        _remove(path)
        done.append(path)
    return done


def _where(exc: OSError, tmp: Path, directory: Path) -> Path | None:
    """The destination path an OSError raised inside ``tmp`` stands for, if it names one."""
    for filename in (exc.filename, getattr(exc, "filename2", None)):
        if not filename:
            continue
        try:
            return directory / Path(filename).relative_to(tmp)
        except ValueError:
            continue
    return None


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex), read in blocks of 1 MiB.

    The one fingerprint of a written or read file (batch records, sampling
    records).

    Examples
    --------
    >>> len(file_sha256("data/sample/projects.csv"))
    64
    """
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write one file atomically: a hidden temporary file beside it, then a rename.

    Readers see the old file or the new one, never a part.  A failure raises
    :class:`~perfkit.errors.OutputError` naming ``path`` and leaves the old
    file as it was.  Temporary files of dead writers of ``path`` are removed.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a" / "x.json"
    >>> atomic_write_bytes(p, b"{}").read_bytes(), sorted(q.name for q in p.parent.iterdir())
    (b'{}', ['x.json'])
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(path.parent, exc) from None
    clean_leftovers(path.parent, path.name)
    tmp = _temp_path(path.parent, path.name, "tmp")
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(path, exc) from None
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """:func:`atomic_write_bytes` of ``text`` encoded (UTF-8 by default).

    Examples
    --------
    >>> import tempfile
    >>> p = atomic_write_text(Path(tempfile.mkdtemp()) / "摘要.txt", "良")
    >>> p.read_text(encoding="utf-8")
    '良'
    """
    return atomic_write_bytes(path, text.encode(encoding))


class atomic_output:
    """Write files into ``directory`` all at once, or not at all.

    Use as ``with atomic_output(out) as tmp: (tmp / "a.csv").write_text(...)``;
    the block writes into a hidden temporary folder beside ``directory``, and
    its files appear in ``directory`` only if the block finishes without an
    exception.

    * Files named in ``owns`` that an earlier run left and this one did not
      write are removed, so a folder never mixes two runs.  Every other file
      in ``directory`` (not written now, not in ``owns``) is left alone.
    * The swap is all or nothing: the old files this write replaces or removes
      are first moved aside, then the new ones moved in; if any rename fails,
      the new files are taken out again and the old ones put back, and an
      :class:`~perfkit.errors.OutputError` names the path that failed.  A
      folder never mixes old and new files.
    * ``whole=True`` replaces ``directory`` itself, for folders that perfkit
      owns entirely (a batch run's report folder): the old folder is renamed
      aside, the new one renamed in and the old one deleted (put back if the
      second rename fails).
    * Temporary folders of writers that died (``kill -9``) are removed at the
      next write beside them (:func:`clean_leftovers`).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "r"
    >>> with atomic_output(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("ok")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """

    def __init__(
        self, directory: str | Path, owns: tuple[str, ...] = (), *, whole: bool = False
    ) -> None:
        self.directory = Path(directory)
        self.owns = owns  # files this output writes: old copies not rewritten are removed
        self.whole = whole
        self.written: list[Path] = []

    def __enter__(self) -> Path:
        directory = self.directory
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(directory.parent, exc) from None
        if os.path.lexists(directory) and not directory.is_dir():
            raise OutputError(directory, "已有同名文件，不是文件夹（not a directory）")
        clean_leftovers(directory.parent, directory.name)
        try:
            self._tmp = _make_temp_dir(directory.parent, directory.name)
        except OSError as exc:
            raise OutputError(directory.parent, exc) from None
        return self._tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                if self.whole:
                    self._swap_folder()
                else:
                    self._swap_files()
            elif isinstance(exc, OSError):
                where = _where(exc, self._tmp, self.directory)
                if where is not None:  # writing a result failed (disk full, …)
                    raise OutputError(where, exc) from exc
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _swap_folder(self) -> None:
        directory, backup = self.directory, None
        if os.path.lexists(directory):
            if directory.is_symlink() or not directory.is_dir():
                raise OutputError(directory, "已有同名文件，不是文件夹（not a directory）")
            backup = _temp_path(directory.parent, directory.name, "old")
            try:
                os.replace(directory, backup)
            except OSError as exc:
                raise OutputError(directory, exc) from None
        try:
            os.replace(self._tmp, directory)
        except OSError as exc:
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.replace(backup, directory)
            raise OutputError(directory, exc) from None
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
        self.written = [directory / name for name in sorted(os.listdir(directory))]

    def _swap_files(self) -> None:
        directory, tmp = self.directory, self._tmp
        produced = sorted(item.name for item in tmp.iterdir())
        stale = [name for name in self.owns if name not in produced]
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(directory, exc) from None
        aside = tmp / ".replaced"  # inside the temporary folder: removed with it
        moved: list[tuple[Path, Path]] = []  # (destination, where its old file waits)
        placed: list[Path] = []
        current = directory
        try:
            for name in [*produced, *stale]:
                current = directory / name
                # only files are moved aside: a folder in the way stays and fails the rename
                if current.is_symlink() or current.is_file():
                    aside.mkdir(exist_ok=True)
                    os.replace(current, aside / name)
                    moved.append((current, aside / name))
            for name in produced:
                current = directory / name
                os.replace(tmp / name, current)
                placed.append(current)
        except OSError as exc:
            for path in reversed(placed):  # undo: the new files out, the old ones back
                with contextlib.suppress(OSError):
                    os.replace(path, tmp / path.name)
            for path, saved in reversed(moved):
                with contextlib.suppress(OSError):
                    os.replace(saved, path)
            raise OutputError(current, exc) from None
        self.written = placed


#: Column widths (Excel characters) that still print legibly on A4 portrait, one page wide;
#: a wider sheet prints landscape (still one page wide, all its rows on as many pages as needed).
PORTRAIT_WIDTH = 100
#: Excel's paper code for A4.
A4 = 9


def print_setup(sheet: Any, widths: Sequence[float], *, header_rows: int = 1) -> None:
    """Page setup of a worksheet for printing: A4, one page wide, header rows repeated.

    Landscape when the columns together are wider than :data:`PORTRAIT_WIDTH`
    characters; every page has the header rows on top (print titles) and
    ``第 n 页，共 m 页`` in its footer.  ``sheet`` is an xlsxwriter worksheet.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> book = xlsx_workbook(p)
    >>> ws = book.add_worksheet("s")
    >>> print_setup(ws, [30] * 5)
    >>> book.close()
    >>> ws = openpyxl.load_workbook(p)["s"]
    >>> ws.page_setup.paperSize, ws.page_setup.orientation, ws.print_title_rows
    (9, 'landscape', '$1:$1')
    >>> setup = ws.page_setup  # fitToWidth absent means 1, the file format's default
    >>> setup.fitToWidth or 1, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage
    (1, 0, True)
    """
    sheet.set_paper(A4)
    if sum(widths) > PORTRAIT_WIDTH:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as the rows need
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C" + gettext("Page &P of &N"))


def unique_headers(headers: Sequence[str], columns: Sequence[str]) -> list[str]:
    """Headers made unique within a sheet: a repeated header gets its column's name.

    A group's points beside the rate of the same name (``预算执行率``) should be
    labelled apart by the caller (``预算执行率得分``); this is the last guard, so
    that no workbook has two columns with one header.

    Examples
    --------
    >>> unique_headers(["预算执行率", "预算执行率", "总分"], ["execution_rate", "x", "total"])
    ['预算执行率', '预算执行率（x）', '总分']
    """
    seen: set[str] = set()
    out = []
    for header, column in zip(headers, columns, strict=True):
        shown, n = header, 1
        if shown in seen:
            shown = f"{header}（{column}）"
        while shown in seen:
            n += 1
            shown = f"{header}（{column} {n}）"
        seen.add(shown)
        out.append(shown)
    return out


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
    with excel_text_notes(Path(path).name):
        _write_excel(path, sheets, notes, label, cell_formats, null_text)


def _write_excel(
    path: Path,
    sheets: Mapping[str, pl.DataFrame],
    notes: Mapping[str, pl.DataFrame] | None,
    label: Callable[[str], str],
    cell_formats: Mapping[str, Mapping[str, Mapping[str, Any]]] | None,
    null_text: Mapping[str, str] | None,
) -> None:
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
                raise ValueError(
                    _("sheet {name!r} has {height} rows, over Excel's limit").format(
                        name=name, height=frame.height
                    )
                )
            frame = translate_for_people(frame)  # text stays text: see text_format
            frame = _cut_long_text(frame, name[:31], label)
            sheet = workbook.add_worksheet(name[:31])
            headers = unique_headers([label(c) for c in frame.columns], frame.columns)
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
            widths = []
            for j, col in enumerate(frame.columns):
                values = [str(v) for v in sample.get_column(col).to_list() if v is not None]
                width = max([_display_width(headers[j]), *map(_display_width, values)], default=8)
                widths.append(min(max(width + 2, 8), 50))
                sheet.set_column(j, j, widths[-1], formats[j])
            sheet.freeze_panes(1, 0)
            print_setup(sheet, widths)
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

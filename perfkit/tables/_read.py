"""Reading contract tables from CSV, Excel, Parquet or in-memory frames (读取数据).

A reader maps headers to the contract's canonical names, keeps each row's
spreadsheet row number (``_row``; the header is row 1) so that every problem can
be located, and reads every file value as text so that nothing is coerced
before validation.  CSV encoding is detected: UTF-8 (with or without BOM) or
GB18030 (a superset of GBK and GB2312, what Chinese Excel writes); line ends
may be CRLF, LF or a lone CR (old Mac Excel's "CSV (Macintosh)").

Every file is hostile until measured (:mod:`perfkit._limits`): a CSV header
with more than :data:`~perfkit._limits.MAX_COLUMNS` fields or a header longer
than :data:`~perfkit._limits.MAX_HEADER_CHARS` characters is refused before a
frame is built, and an ``.xlsx`` is measured by :mod:`perfkit.tables._workbook_guard`
before a native reader opens it.  Two columns with the same header (or two
headers that mean the same column) are an error.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from perfkit._frames import is_pandas, to_polars
from perfkit._limits import MAX_COLUMNS, MAX_HEADER_CHARS, quoted
from perfkit.errors import InputError, Problem
from perfkit.i18n import _
from perfkit.tables._contract import TableSpec, header_unit, normalise_header, table_spec
from perfkit.tables._excel import open_workbook
from perfkit.tables._workbook_guard import inspect_workbook

__all__ = ["RawTable", "TableInput", "detect_encoding", "find_table", "read_table"]

#: What a reader accepts: a path, a polars or pandas frame.
TableInput = str | Path | pl.DataFrame | Any

SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")


@dataclass
class RawTable:
    """A table as read: canonical column names, values as in the source, ``_row`` numbers.

    Attributes
    ----------
    frame : polars.DataFrame
        Known columns under their canonical names (text, or numbers when the
        source was a typed frame) plus ``_row``; unknown columns are dropped
        and listed in ``problems`` as warnings.
    source : str
        File name (or ``<projects>`` for an in-memory frame) used in messages.
    headers : dict
        Canonical name → the header as written in the source.
    from_pandas : bool
        True when a pandas frame was handed in (results then offer pandas).
    """

    name: str
    frame: pl.DataFrame
    source: str
    headers: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    from_pandas: bool = False
    #: The spec the table was read with (the contract's, or a variant such as
    #: :data:`perfkit.tables._contract.MIDYEAR_PROJECTS`); :func:`check_table` uses it.
    spec: TableSpec | None = None

    def header(self, column: str) -> str:
        """The source's own header for a canonical column (for messages)."""
        return self.headers.get(column, column)


def detect_encoding(data: bytes) -> str:
    """Return ``"utf-8"`` or ``"gb18030"`` for CSV bytes; raise if neither decodes.

    Examples
    --------
    >>> detect_encoding("项目编码".encode("gbk")), detect_encoding("项目编码".encode())
    ('gb18030', 'utf-8')
    """
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise ValueError(_("the file is neither UTF-8 nor GB18030/GBK text")) from None


def find_table(directory: str | Path, name: str) -> Path | None:
    """The file holding table ``name`` in a folder (``projects.csv``, ``.xlsx``, ``.parquet``).

    Examples
    --------
    >>> find_table("data/sample", "projects").name
    'projects.csv'
    """
    directory = Path(directory)
    for suffix in SUFFIXES:
        candidate = directory / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def read_table(source: TableInput, table: str | TableSpec, *, sheet: str | None = None) -> RawTable:
    """Read one contract table from a file or frame, mapping Chinese headers.

    Parameters
    ----------
    source : path, polars.DataFrame or pandas.DataFrame
        CSV (UTF-8 or GB18030/GBK, detected), ``.xlsx`` or ``.parquet`` file,
        or a frame already in memory.
    table : str or TableSpec
        Contract table name: ``projects``, ``indicators``, ``assessments`` …,
        or a spec such as :data:`perfkit.tables._contract.MIDYEAR_PROJECTS` (a
        variant in which some columns may be left out).
    sheet : str, optional
        Excel sheet; by default a sheet named after the table (``projects`` or
        its Chinese label) or else the first sheet.

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        The file is missing, unreadable, or lacks required columns (all of
        them are listed).

    Examples
    --------
    >>> raw = read_table("data/sample/projects.csv", "projects")
    >>> raw.frame.columns[:4]     # _row: the row in the file (the header is row 1)
    ['_row', 'year', 'project_code', 'project_name']
    """
    spec = table if isinstance(table, TableSpec) else table_spec(table)
    table = spec.name
    from_pandas = False
    headers: list[str] | None = None
    if isinstance(source, pl.DataFrame):
        frame, label = source, f"<{table}>"
    elif is_pandas(source):
        frame, label, from_pandas = to_polars(source), f"<{table}>", True
    else:
        path = Path(source)
        label = path.name
        frame, headers = _read_file(path, spec, sheet)
    first = 1 if label.startswith("<") else 2  # files: header is row 1; frames: 1-based
    frame = frame.with_row_index("_row", offset=first).with_columns(pl.col("_row").cast(pl.Int64))
    frame = _drop_blank_rows(frame)
    raw = _map_headers(frame, spec, label, headers)
    raw.from_pandas = from_pandas
    return raw


def _read_file(
    path: Path, spec: TableSpec, sheet: str | None
) -> tuple[pl.DataFrame, list[str] | None]:
    """The file as a frame of text, and its headers as written (one per frame column)."""
    if not path.is_file():
        raise InputError(
            [Problem(str(path), None, None, _("file not found"))],
            summary=_("cannot read {table}").format(table=spec.name),
        )
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv" or suffix == ".txt":
            return _read_csv(path)
        if suffix in (".xlsx", ".xlsm"):
            return _read_excel(path, spec, sheet)
        if suffix == ".parquet":
            return _read_parquet(path), None
    except InputError:
        raise
    # a broken file is a user error: say so, no traceback (a polars panic included: it is
    # a BaseException, which ``except Exception`` would let through)
    except (Exception, pl.exceptions.PanicException) as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    _("cannot be read: {reason}").format(reason=_first_line(exc)),
                )
            ],
            summary=_("cannot read {table}").format(table=spec.name),
        ) from None
    raise InputError(
        [
            Problem(
                path.name,
                None,
                None,
                _("unsupported file type {suffix!r}: use .csv, .xlsx or .parquet").format(
                    suffix=suffix
                ),
            )
        ],
        summary=_("cannot read {table}").format(table=spec.name),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_parquet(path: Path) -> pl.DataFrame:
    width = len(pl.read_parquet_schema(path))
    if width > MAX_COLUMNS:
        raise InputError(
            [Problem(path.name, None, None, _too_many_columns(width))],
            summary="the table is too wide; nothing was read",
        )
    return pl.read_parquet(path)


def _too_many_columns(width: int) -> str:
    return (
        f"{width:,} columns, more than perfkit reads ({MAX_COLUMNS}); "
        "a contract table has at most 15"
    )


def _read_csv(path: Path) -> tuple[pl.DataFrame, list[str]]:
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data)
    except ValueError as exc:
        raise InputError(
            [Problem(path.name, None, None, str(exc))], summary="cannot read the file"
        ) from None
    if encoding != "utf-8":
        data = data.decode(encoding).encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")  # lone CR line ends (old Mac "CSV (Macintosh)")
    headers = _csv_header(data, path.name)
    try:
        frame = pl.read_csv(
            io.BytesIO(data), infer_schema=False, raise_if_empty=False, truncate_ragged_lines=False
        )
        return frame, headers[: frame.width] + [""] * (frame.width - len(headers))
    except pl.exceptions.ComputeError:
        problems = _ragged_rows(data.decode("utf-8"), path.name)
        if problems:
            raise InputError(
                problems, summary="rows with the wrong number of fields; nothing was written"
            ) from None
        raise


def _csv_header(data: bytes, label: str) -> list[str]:
    """The header fields of CSV bytes (UTF-8), refused when too many or too long.

    Only the first record is parsed, so a header of a million fields is
    refused before a frame of a million columns is built.
    """
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    try:
        header = next(csv.reader(text), [])
    except csv.Error:  # a field beyond the csv module's 131,072 characters
        raise InputError(
            [Problem(label, 1, None, f"a header holds more than {MAX_HEADER_CHARS} characters")],
            summary=f"{label}: the header is refused; nothing was read",
        ) from None
    problems = []
    if len(header) > MAX_COLUMNS:
        problems.append(Problem(label, 1, None, f"the header has {_too_many_columns(len(header))}"))
    else:
        problems += [
            Problem(
                label,
                1,
                None,
                f"header {i} {quoted(h)!r} has {len(h):,} characters, more than a header may "
                f"hold ({MAX_HEADER_CHARS})",
            )
            for i, h in enumerate(header, start=1)
            if len(h) > MAX_HEADER_CHARS
        ]
    if problems:
        raise InputError(problems, summary=f"{label}: the header is refused; nothing was read")
    return header


def _ragged_rows(text: str, label: str) -> list[Problem]:
    """Rows whose number of fields differs from the header's (row numbers as in a spreadsheet)."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    problems = []
    for number, row in enumerate(rows, start=2):
        if row and len(row) != len(header):
            problems.append(
                Problem(
                    label,
                    number,
                    None,
                    _("{n} fields where the header has {header}").format(
                        n=len(row), header=len(header)
                    ),
                )
            )
    return problems


def _read_excel(path: Path, spec: TableSpec, sheet: str | None) -> tuple[pl.DataFrame, list[str]]:
    import fastexcel  # fastexcel: only when an .xlsx is read

    scan = inspect_workbook(path)  # before a native reader allocates anything
    book = open_workbook(path, scan=scan)  # the one Excel reader: the limits, then calamine
    if book.error is not None:
        raise book.error  # reported by _read_file as "cannot be read: …"
    if not book.ok:
        raise InputError(
            book.problems, summary=f"{path.name}: the workbook is refused; nothing was read"
        )
    names = book.sheet_names
    if sheet is None:
        wanted = {normalise_header(n) for n in (spec.name, spec.label)}
        sheet = next((n for n in names if normalise_header(n) in wanted), names[0])
    elif sheet not in names:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"no sheet {quoted(sheet)!r}; the workbook has {[quoted(n) for n in names]}",
                )
            ],
            summary="cannot read the workbook",
        )
    if sheet in book.refused:
        raise InputError(
            [p for p in book.problems if p.sheet == sheet],
            summary=f"{path.name}: the sheet is refused; nothing was read",
        )
    reader = fastexcel.read_excel(path)  # the values as text columns (calamine's Arrow reader)
    # the header row as data: its cells as written (the reader would rename repeated headers)
    table = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    if table.height == 0:
        return pl.DataFrame(), []
    headers = [cell or f"__UNNAMED__{i}" for i, cell in enumerate(table.row(0))]
    frame = table.slice(1)
    measures = [c.name for c in spec.columns if c.kind == "measure"]
    percent_wanted = spec.name == "indicators"
    measured = scan.sheets.get(sheet) if scan is not None else None
    # merged ranges from the one reader, fetched only when the guard measured any
    merged = book.merged_ranges(sheet) if measured is None or measured.merged else []
    ranges = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for r1, c1, r2, c2 in merged]
    percent = percent_cells(path, sheet) if percent_wanted and _has_percent_styles(path) else []
    frame = fill_merged_cells(frame, ranges)
    if percent:
        frame = _percent_as_text(frame, percent, spec, measures, headers=headers)
    return frame, headers


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _cell_index(ref: str) -> tuple[int, int]:
    """``"B3"`` → (row 3, column 2), both 1-based."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref.replace("$", ""))
    if not match:
        raise ValueError(_("bad cell reference {ref!r}").format(ref=ref))
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


def percent_cells(path: str | Path, sheet: str) -> list[tuple[int, int]]:
    """Numeric cells shown as a percentage (``0%``, ``0.00%`` …) as (row, col), 1-based.

    Excel stores 95 % typed into a cell as the number 0.95 with a percent
    format; a fast reader gives 0.95.  These cells are where that happened.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> wb = openpyxl.Workbook(); ws = wb.active; ws.append(["actual", 0.96, 0.5])
    >>> ws["B1"].number_format = "0%"
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"; wb.save(p)
    >>> percent_cells(p, ws.title)
    [(1, 2)]
    """
    return _scan_sheet(path, sheet)


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (
            el.get(f"{{{_NS['r']}}}id")
            for el in workbook.iter(f"{{{_NS['m']}}}sheet")
            if el.get("name") == sheet
        ),
        None,
    )
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        (
            el.get("Target")
            for el in rels.iter(f"{{{_NS['rel']}}}Relationship")
            if el.get("Id") == rel_id
        ),
        None,
    )
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


#: Excel's built-in number formats that show a percentage (0% and 0.00%).
_PERCENT_FORMAT_IDS = {"9", "10"}


def _percent_styles(archive: zipfile.ZipFile) -> set[str]:
    """Indexes (as text) of the cell styles whose number format shows a percentage."""
    try:
        styles = ET.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    percent = set(_PERCENT_FORMAT_IDS)
    for fmt in styles.iter(f"{{{_NS['m']}}}numFmt"):
        code = re.sub(r'"[^"]*"|\\.', "", fmt.get("formatCode") or "")  # quoted text, \x
        if "%" in code:
            percent.add(fmt.get("numFmtId") or "")
    cell_xfs = styles.find(f"{{{_NS['m']}}}cellXfs")
    if cell_xfs is None:
        return set()
    xfs = cell_xfs.findall(f"{{{_NS['m']}}}xf")
    return {str(i) for i, xf in enumerate(xfs) if xf.get("numFmtId") in percent}


def _has_percent_styles(path: str | Path) -> bool:
    """Whether the workbook has a percent number format at all (then its cells are looked for)."""
    with zipfile.ZipFile(path) as archive:
        return bool(_percent_styles(archive))


def _scan_sheet(path: str | Path, sheet: str) -> list[tuple[int, int]]:
    """One streamed pass over a sheet's XML for the numeric cells with a percent style.

    Merged ranges are not looked for here: they come from the one Excel reader
    (:meth:`perfkit.tables._excel.Workbook.merged_ranges`).
    """
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet)
        if member is None:
            return []
        styles = _percent_styles(archive)
        if not styles:
            return []
        cell_tag = f"{{{_NS['m']}}}c"
        cells = []
        with archive.open(member) as stream:
            for _event, el in ET.iterparse(stream):
                if (
                    el.tag == cell_tag
                    and el.get("s") in styles
                    and el.get("t", "n") == "n"
                    and el.get("r")
                ):
                    cells.append(_cell_index(el.get("r")))
                el.clear()
    return cells


def fill_merged_cells(
    frame: pl.DataFrame, ranges: list[tuple[int, int, int, int]], header_row: int = 1
) -> pl.DataFrame:
    """Give every cell of a merged range the value of its top-left cell.

    Examples
    --------
    >>> df = pl.DataFrame({"a": ["x", None, "y"], "b": ["1", "2", "3"]})
    >>> fill_merged_cells(df, [(2, 1, 3, 1)])["a"].to_list()
    ['x', 'x', 'y']
    """
    fills: dict[int, list[tuple[int, str | None]]] = {}
    for r1, c1, r2, c2 in ranges:
        top = r1 - header_row - 1  # frame index of the range's first row
        if r2 <= header_row or c1 > frame.width:
            continue
        for c in range(c1, min(c2, frame.width) + 1):
            value = frame[max(top, 0), c1 - 1] if top >= 0 else None
            fills.setdefault(c - 1, []).extend(
                (i, value)
                for i in range(max(top, 0), min(r2 - header_row, frame.height))
                if not (i == top and c == c1)
            )
    if not fills:
        return frame
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    out = frame
    for col_idx, cells in fills.items():
        name = frame.columns[col_idx]
        mapping = {i: v for i, v in cells}
        filled = index.replace_strict(mapping, default=None, return_dtype=pl.String)
        out = out.with_columns(pl.coalesce(pl.col(name).cast(pl.String), filled).alias(name))
    return out


def _percent_as_text(
    frame: pl.DataFrame,
    cells: list[tuple[int, int]],
    spec: TableSpec,
    columns: list[str],
    header_row: int = 1,
    headers: list[str] | None = None,
) -> pl.DataFrame:
    """Percent-formatted numbers of the ``columns`` as the text a person sees: 0.96 → ``96%``.

    Only the contract's ``measure`` columns (年度指标值, 实际完成值) change; the
    notation of :mod:`perfkit.tables._targets_notation` then reads 96 with unit %.

    Examples
    --------
    >>> from perfkit.tables._contract import table_spec
    >>> df = pl.DataFrame({"actual": ["0.96", "0.5"], "weight": ["0.5", "1"]})
    >>> out = _percent_as_text(df, [(2, 1), (2, 2)], table_spec("indicators"), ["actual"])
    >>> out.rows()
    [('96%', '0.5'), ('0.5', '1')]
    """
    written = headers if headers is not None else frame.columns  # the headers as in the file
    wanted = {
        i: name
        for i, (name, header) in enumerate(zip(frame.columns, written, strict=False))
        if spec.alias_map.get(normalise_header(str(header))) in columns
    }
    by_column: dict[str, dict[int, str | None]] = {}
    for row, col in cells:
        index = row - header_row - 1
        if col - 1 in wanted and 0 <= index < frame.height:
            name = wanted[col - 1]
            by_column.setdefault(name, {})[index] = _percent_text(frame[index, col - 1])
    if not by_column:
        return frame
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    return frame.with_columns(
        pl.coalesce(
            position.replace_strict(mapping, default=None, return_dtype=pl.String),
            pl.col(name).cast(pl.String),
        ).alias(name)
        for name, mapping in by_column.items()
    )


def _percent_text(value: object) -> str | None:
    """``"0.955"`` → ``"95.5%"`` exactly (decimal arithmetic); text that is no number stays."""
    if value is None:
        return None
    try:
        number = Decimal(str(value).strip()) * 100
    except InvalidOperation:
        return str(value)
    text = format(number.normalize(), "f")
    return f"{text}%"


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows where every cell is empty are layout, not data (trailing Excel rows)."""
    cols = [c for c in frame.columns if c != "_row"]
    if not cols or frame.height == 0:
        return frame
    text = [pl.col(c).cast(pl.String).str.strip_chars() for c in cols]
    return frame.filter(~pl.all_horizontal([t.is_null() | (t == "") for t in text]))


def _map_headers(
    frame: pl.DataFrame, spec: TableSpec, label: str, written: list[str] | None = None
) -> RawTable:
    """Map the frame's columns to the contract's names (``written``: the headers as in the file)."""
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    headers: dict[str, str] = {}
    columns = [c for c in frame.columns if c != "_row"]
    if len(columns) > MAX_COLUMNS:
        raise InputError(
            [Problem(label, None, None, _too_many_columns(len(columns)))],
            summary=f"{label}: the table is too wide; nothing was read",
        )
    written = written if written is not None and len(written) == len(columns) else columns
    ignored: list[str] = []
    for column, original in zip(columns, written, strict=True):
        original = str(original)
        if len(original) > MAX_HEADER_CHARS:
            problems.append(
                Problem(
                    label,
                    None,
                    None,
                    f"header {quoted(original)!r} has {len(original):,} characters, more than a "
                    f"header may hold ({MAX_HEADER_CHARS})",
                )
            )
            continue
        canonical = spec.alias_map.get(normalise_header(original))
        if canonical is None:
            ignored.append(original)
            continue
        if canonical in headers:
            same = headers[canonical] == original
            problems.append(
                Problem(
                    label,
                    None,
                    original,
                    _("appears more than once in the header; keep one of these columns")
                    if same
                    else _(
                        "means the same as column {other!r} ({canonical}); keep one of them"
                    ).format(other=headers[canonical], canonical=canonical),
                )
            )
            continue
        if spec.column(canonical).kind == "amount" and header_unit(original) == "元":
            problems.append(
                Problem(
                    label,
                    None,
                    original,
                    _(
                        "amounts are read in 万元 and this header says 元: convert the column "
                        "to 万元 (元 ÷ 10000) and head it with （万元） or no unit"
                    ),
                )
            )
            continue
        mapping[column] = canonical
        headers[canonical] = original
    if ignored:
        shown = _(", ").join(repr(quoted(h, 40)) for h in ignored[:20])
        more = _(" and {n} more").format(n=len(ignored) - 20) if len(ignored) > 20 else ""
        problems.append(
            Problem(
                label,
                None,
                ignored[0] if len(ignored) == 1 else None,
                _("column not in the {table} contract; ignored").format(table=spec.name)
                if len(ignored) == 1
                else _("{n} columns not in the {table} contract; ignored: {shown}{more}").format(
                    n=len(ignored), table=spec.name, shown=shown, more=more
                ),
                severity="warning",
            )
        )
    for col in spec.columns:
        if col.required and col.name not in headers:
            names = _(", ").join((col.name, *col.aliases))
            problems.append(
                Problem(
                    label,
                    None,
                    col.name,
                    _("required column missing (accepted headers: {names})").format(names=names),
                )
            )
    if any(p.severity == "error" for p in problems):
        raise InputError(
            problems,
            summary=_("{label}: the {table} table's columns are wrong; nothing was written").format(
                label=label, table=spec.name
            ),
        )
    frame = frame.select(["_row", *mapping]).rename(mapping)
    text_cols = [c for c in frame.columns if c != "_row" and frame.schema[c] == pl.String]
    if text_cols:
        frame = frame.with_columns(pl.col(text_cols).str.strip_chars().replace("", None))
    return RawTable(spec.name, frame, label, headers, problems, spec=spec)

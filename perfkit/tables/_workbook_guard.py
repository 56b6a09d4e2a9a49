"""Looking inside an ``.xlsx`` before a spreadsheet reader opens it (工作簿安全检查).

The native readers perfkit uses (calamine, through fastexcel and
python-calamine) size their grid from the cells they find: a workbook of
99 KB whose only oddity is a value in cell XFD1048576 makes them try to
allocate 512 GiB, and the process aborts (exit 134, a Rust backtrace) before
Python can catch anything.  A zip bomb (a sheet that inflates from kilobytes
to gigabytes) exhausts memory the same way.

:func:`inspect_workbook` therefore reads the zip itself, streaming: it
inflates every member from the raw compressed data (so a lying size in the
zip header changes nothing) and counts the bytes, and in every worksheet it
finds the cells that hold something and the merged ranges.  Its result says,
per sheet, how far the cells reach (the used range), how many cell elements
there are and how many cells merged ranges cover; :func:`workbook_problems`
turns what is beyond the limits of :mod:`perfkit._limits` into problems naming
the file and the sheet.  The sheet's declared ``<dimension ref=…>`` is
reported but never trusted.

Only ``.xlsx``/``.xlsm`` (zip) files are inspected; an ``.xls`` (a fixed grid
of at most 65,536 × 256 cells) or a file that is no zip at all is left to the
reader, which reports it.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit._limits import (
    MAX_COLUMNS,
    MAX_MERGED_CELLS,
    MAX_ROWS,
    MAX_SHEET_CELLS,
    MAX_UNPACKED_BYTES,
    quoted,
)
from perfkit.errors import Problem

__all__ = ["SheetExtent", "WorkbookScan", "column_name", "inspect_workbook", "workbook_problems"]

#: Zip members a workbook may hold (a real one has a few dozen).
MAX_MEMBERS = 10_000
#: Bytes of one XML tag (a cell's tag is a few dozen; only a crafted file has more).
MAX_TAG_BYTES = 1024**2
#: Bytes of the workbook's own small parts (workbook.xml, its relationships).
MAX_PART_BYTES = 64 * 1024**2
_CHUNK = 16 * 1024**2
#: The workbook's parts that readers parse whole: each at most MAX_PART_BYTES.
_PARTS = frozenset(
    {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
)

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

# a cell reference attribute (r="B12"); rows of <row r="12"> have no letters
_REF_TEXT = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_RANGE_TEXT = re.compile(r"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?")
_REF_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"')
_REF_ROW_EMPTY = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,7})"[^<>]*?(/?)>')
_MERGE_PATTERN = r'mergeCell ref="[A-Z]{1,3}[0-9]{1,9}(?::[A-Z]{1,3}[0-9]{1,9})?"'
_MERGE_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,9})(?::([A-Z]{1,3})([0-9]{1,9}))?")
_DIMENSION = re.compile(rb'dimension ref="([^"]{1,40})"')


def column_name(col: int) -> str:
    """1-based column number → letters (``1`` → ``A``, ``16384`` → ``XFD``).

    Examples
    --------
    >>> column_name(1), column_name(26), column_name(27), column_name(16384)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass
class SheetExtent:
    """How far one sheet's cells reach, as found in its XML.

    Attributes
    ----------
    rows, columns : int
        The last row and column holding a cell with content (1-based; 0 for
        an empty sheet).  The used range is ``A1`` to that cell.
    cells : int
        Cell elements in the sheet's XML (empty or not).
    merged : int
        Cells covered by merged ranges, each range clipped to the used range.
    merges : int
        Merged ranges (``ranges`` lists them, when not too many).
    declared : str or None
        The sheet's own ``<dimension ref=…>`` (not trusted).
    problem : str or None
        What made the sheet impossible to measure (a tag too long …).
    """

    name: str
    rows: int = 0
    columns: int = 0
    cells: int = 0
    merged: int = 0
    merges: int = 0
    declared: str | None = None
    problem: str | None = None
    #: The merged ranges as (first row, first column, last row, last column), 1-based.
    ranges: list[tuple[int, int, int, int]] = field(default_factory=list, repr=False)

    @property
    def area(self) -> int:
        """Cells in the used range (rows × columns)."""
        return self.rows * self.columns

    @property
    def used_range(self) -> str:
        """The used range as ``A1:L300001``."""
        if not self.rows or not self.columns:
            return "empty"
        return f"A1:{column_name(self.columns)}{self.rows}"


@dataclass
class WorkbookScan:
    """What :func:`inspect_workbook` found: per-sheet extents and whole-file problems."""

    sheets: dict[str, SheetExtent] = field(default_factory=dict)
    problem: str | None = None
    unpacked: int = 0


def inspect_workbook(path: str | Path) -> WorkbookScan | None:
    """Measure an ``.xlsx``/``.xlsm`` without a spreadsheet reader; None if it is no zip.

    Examples
    --------
    >>> scan = inspect_workbook("tests/data/merged_projects.xlsx")
    >>> {n: e.used_range for n, e in scan.sheets.items()}
    {'projects': 'A1:H3', 'indicators': 'A1:I7'}
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    scan = WorkbookScan()
    with archive, path.open("rb") as raw:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            scan.problem = f"holds {len(infos):,} zip members (at most {MAX_MEMBERS:,})"
            return scan
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNPACKED_BYTES:
            scan.problem = _too_big(declared)
            return scan
        try:
            members = _worksheet_members(archive, raw)
        except _Refused as exc:
            scan.problem = str(exc)
            return scan
        by_member = {m: SheetExtent(name) for name, m in members.items()}
        for info in infos:
            extent = by_member.get(info.filename)
            try:
                scan.unpacked += _scan_member(archive, raw, info, extent, scan.unpacked)
            except _Refused as exc:
                if extent is not None and exc.sheet_only:
                    extent.problem = str(exc)
                    continue
                scan.problem = str(exc)
                return scan
        scan.sheets = {e.name: e for e in by_member.values()}
    return scan


class _Refused(Exception):
    """The workbook (or with ``sheet_only``, one sheet) is beyond what perfkit reads."""

    def __init__(self, message: str, sheet_only: bool = False) -> None:
        super().__init__(message)
        self.sheet_only = sheet_only


def _too_big(size: int) -> str:
    return (
        f"unpacks to more than {MAX_UNPACKED_BYTES / 1024**3:.0f} GiB ({size:,} bytes; "
        "a compressed 'zip bomb'?)"
    )


def _inflate(
    archive: zipfile.ZipFile,
    raw,
    info: zipfile.ZipInfo,
    budget: int,
    too_big: Callable[[int], str] | None = None,
) -> Iterator[bytes]:
    """The member's bytes, inflated from the raw data; refuses beyond ``budget`` bytes."""
    too_big = too_big or _too_big
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # other methods (rare): zipfile reads them, bounded by the declared size
        try:
            stream = archive.open(info)
        except (NotImplementedError, RuntimeError, zipfile.BadZipFile) as exc:
            raise _Refused(f"cannot be unpacked ({exc})") from None
        with stream:
            total = 0
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > budget:
                    raise _Refused(too_big(total))
                yield chunk
        return
    raw.seek(info.header_offset)
    header = raw.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
        raise _Refused(f"is a damaged zip (member {quoted(info.filename)})")
    fields = struct.unpack(zipfile.structFileHeader, header)
    raw.seek(
        info.header_offset
        + zipfile.sizeFileHeader
        + fields[zipfile._FH_FILENAME_LENGTH]
        + fields[zipfile._FH_EXTRA_FIELD_LENGTH]
    )
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    total = 0
    while left > 0:
        data = raw.read(min(_CHUNK, left))
        if not data:
            break
        left -= len(data)
        if inflater is None:
            total += len(data)
            if total > budget:
                raise _Refused(too_big(total))
            yield data
            continue
        while data:
            try:
                out = inflater.decompress(data, _CHUNK)
            except zlib.error:
                raise _Refused(f"is a damaged zip (member {quoted(info.filename)})") from None
            data = inflater.unconsumed_tail
            total += len(out)
            if total > budget:
                raise _Refused(too_big(total))
            if out:
                yield out
            if inflater.eof:
                return


def _read_part(archive: zipfile.ZipFile, raw, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    parts, size = [], 0
    for chunk in _inflate(archive, raw, info, MAX_PART_BYTES):
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _worksheet_members(archive: zipfile.ZipFile, raw) -> dict[str, str]:
    """Sheet name → its XML member, from the workbook and its relationships."""
    workbook = _read_part(archive, raw, "xl/workbook.xml")
    rels = _read_part(archive, raw, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    try:
        book, links = ET.fromstring(workbook), ET.fromstring(rels)
    except ET.ParseError:
        return {}  # the reader says what is wrong with it
    targets = {
        el.get("Id"): el.get("Target") or "" for el in links.iter(f"{{{_NS_PKG}}}Relationship")
    }
    members = {}
    for el in book.iter(f"{{{_NS_MAIN}}}sheet"):
        target = targets.get(el.get(f"{{{_NS_REL}}}id"), "")
        if target:
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            members[el.get("name") or ""] = member
    return members


def _scan_member(
    archive: zipfile.ZipFile, raw, info: zipfile.ZipInfo, extent: SheetExtent | None, used: int
) -> int:
    """Inflate one member (counting its bytes); measure it when it is a worksheet."""
    size = 0
    carry = b""
    merges: list[tuple[int, int, int, int]] = []
    plain = True  # every cell is <c r="…"> (as Excel, LibreOffice, WPS and openpyxl write)
    budget, too_big = MAX_UNPACKED_BYTES - used, None
    if info.filename in _PARTS:  # parsed whole (ElementTree) by the readers: keep them small

        def too_big(n: int) -> str:
            return f"its part {info.filename} unpacks to more than {MAX_PART_BYTES // 1024**2} MiB"

        budget = min(budget, MAX_PART_BYTES)
    for chunk in _inflate(archive, raw, info, budget, too_big):
        size += len(chunk)
        if extent is None:
            continue
        text = carry + chunk
        last = text.rfind(b"<")
        if last >= 0 and b">" not in text[last:]:
            text, carry = text[:last], text[last:]  # an unfinished tag: measured with the next
            if len(carry) > MAX_TAG_BYTES:
                raise _Refused(
                    f"sheet {quoted(extent.name)} has an XML tag longer than "
                    f"{MAX_TAG_BYTES // 1024**2} MiB",
                    sheet_only=True,
                )
        else:
            carry = b""
        plain = _measure(text, extent, merges) and plain
    if extent is not None:
        if not plain:  # cells without a reference, or in a prefixed namespace: parse the XML
            _measure_parsed(archive, raw, info, extent, merges)
        _merged_cells(extent, merges)
    return size


def _measure(text: bytes, extent: SheetExtent, merges: list[tuple[int, int, int, int]]) -> bool:
    """Update a sheet's extent with the cells of one piece of its XML.

    The passes over the text are polars (Rust) regular expressions; only the
    few unusual references they find are looked at one by one.  Returns
    False when the piece has cells this fast reading cannot place: cells
    without an ``r`` reference first (their place follows from the cells
    before them) or with a namespace prefix.
    """
    if extent.declared is None and (dim := _DIMENSION.search(text, 0, 65536)):
        extent.declared = dim.group(1).decode("ascii", "replace")
    piece = pl.Series([text.decode("utf-8", "replace")]).str
    extent.cells += int(piece.count_matches("<c ", literal=True)[0])
    plain = not piece.contains(r'<c>|<c (?:[^r]|r[^=]|r=[^"])|:c[ >]')[0]
    for ref in piece.extract_all(_MERGE_PATTERN)[0]:
        c1, r1, c2, r2 = _MERGE_REF.fullmatch(ref[15:-1].encode()).groups()
        merges.append((int(r1), _column_number(c1), int(r2 or r1), _column_number(c2 or c1)))
    last = _last_row(text)
    if last is None:
        return plain
    if extent.columns < 26 and piece.contains(_one_letter_from(extent.columns + 1))[0]:
        lo, hi = extent.columns + 1, 26  # the last one-letter column (empty cells count)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if piece.contains(_one_letter_from(mid))[0] else (lo, mid - 1)
        extent.columns = lo
    # one pass finds every reference that is not an ordinary one: beyond Excel, two or
    # three letters, a row after the piece's last reference
    digits, larger = len(str(last)) + 1, _larger(last)
    unusual = rf' r="(?:[A-Z]{{2,}}[0-9]+|[A-Z](?:[0-9]{{{digits},}}{larger}))"[^<>]*?/?>'
    refs = _refs(piece.extract_all(unusual))
    if refs.height:
        beyond = (pl.col("letters").str.len_chars() > 3) | (pl.col("row").str.len_chars() > 7)
        if refs.select(beyond.any()).item():
            raise _Refused(
                f"sheet {quoted(extent.name)} has a cell beyond Excel's last cell XFD1048576",
                sheet_only=True,
            )
        for letters in refs.filter(~pl.col("empty")).get_column("letters").unique().to_list():
            extent.columns = max(extent.columns, _column_number(letters.encode()))
        later = refs.select((pl.col("row").cast(pl.Int64) > last).any()).item()
    else:
        later = False
    if later or not (_row_has_content(last, text[-65536:]) or _row_has_content(last, text)):
        every = _refs(piece.extract_all(r' r="[A-Z]{1,3}[0-9]{1,7}"[^<>]*?/?>'))
        last = every.filter(~pl.col("empty")).select(pl.col("row").cast(pl.Int64).max()).item()
    extent.rows = max(extent.rows, last or 0)
    return plain


def _refs(found: pl.Series) -> pl.DataFrame:
    """Cell references found (`` r="AB12" s="1"/>``) → letters, row (text), empty."""
    return (
        found.explode()
        .drop_nulls()
        .to_frame("ref")
        .select(
            pl.col("ref").str.extract(r'r="([A-Z]+)', 1).alias("letters"),
            pl.col("ref").str.extract(r'r="[A-Z]+([0-9]+)"', 1).alias("row"),
            pl.col("ref").str.ends_with("/>").alias("empty"),
        )
    )


def _measure_parsed(
    archive: zipfile.ZipFile,
    raw,
    info: zipfile.ZipInfo,
    extent: SheetExtent,
    merges: list[tuple[int, int, int, int]],
) -> None:
    """Measure a sheet by parsing its XML, placing cells as a spreadsheet reader does.

    Slower than :func:`_measure` (a Python step per cell), so used only for
    sheets whose cells lack references; stops as soon as a limit is passed.
    """
    parser = ET.XMLPullParser(events=("start", "end"))
    row = col = 0
    rows = columns = cells = 0
    content = False
    merges.clear()
    for chunk in _inflate(archive, raw, info, MAX_UNPACKED_BYTES):
        parser.feed(chunk)
        for event, el in parser.read_events():
            tag = el.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    r = el.get("r") or ""
                    row = int(r) if r.isdigit() and len(r) < 9 else row + 1
                    col = 0
                elif tag == "c":
                    ref = el.get("r")
                    if ref and (m := _REF_TEXT.fullmatch(ref)):
                        col, row = _column_number(m.group(1).encode()), int(m.group(2))
                    else:
                        col += 1
                    content = False
                    cells += 1
                elif tag in ("v", "is", "f"):
                    content = True
                elif tag == "mergeCell" and (m := _RANGE_TEXT.fullmatch(el.get("ref") or "")):
                    c1, r1, c2, r2 = m.groups()
                    merges.append(
                        (int(r1), _column_number(c1.encode()), int(r2 or r1),
                         _column_number((c2 or c1).encode()))
                    )  # fmt: skip
                continue
            if tag == "c" and content:
                rows, columns = max(rows, row), max(columns, col)
                if columns > MAX_COLUMNS or rows > MAX_ROWS or cells > MAX_SHEET_CELLS:
                    break
            if tag != "mergeCell":
                el.clear()
        else:
            continue
        break
    extent.rows, extent.columns, extent.cells = rows, columns, max(extent.cells, cells)


def _larger(row: int) -> str:
    """Regex alternatives for the numbers with as many digits as ``row`` and larger.

    Examples
    --------
    >>> _larger(2995)
    '|[3-9][0-9]{3}|299[6-9][0-9]{0}'
    """
    digits = str(row)
    n = len(digits)
    return "".join(
        f"|{digits[:i]}[{int(digits[i]) + 1}-9][0-9]{{{n - i - 1}}}"
        for i in range(n)
        if digits[i] != "9"
    )


def _one_letter_from(col: int) -> str:
    """A pattern for a reference to a one-letter column at or right of ``col`` (1 = A)."""
    return f' r="[{chr(64 + col)}-Z][0-9]'


def _last_row(text: bytes) -> int | None:
    """The row of the last cell reference in ``text`` (None if there is none)."""
    end = len(text)
    for _ in range(1_000):
        pos = text.rfind(b' r="', 0, end)
        if pos < 0:
            return None
        m = _REF_ROW.match(text, pos)
        if m:
            return int(m.group(1))
        end = pos
    found = [int(row) for row, _ in _REF_ROW_EMPTY.findall(text)]
    return max(found, default=None)


def _row_has_content(row: int, text: bytes) -> bool:
    """Whether some cell of ``row`` in ``text`` is not self-closing (``<c r="A5" s="1"/>``)."""
    return any(not empty for empty in re.findall(rb' r="[A-Z]{1,3}%d"[^<>]*?(/?)>' % row, text))


def _merged_cells(extent: SheetExtent, merges: list[tuple[int, int, int, int]]) -> None:
    extent.merges = len(merges)
    extent.ranges = merges if len(merges) <= MAX_MERGED_CELLS else []
    total = 0
    for r1, c1, r2, c2 in merges:
        rows = min(r2, max(extent.rows, 1)) - r1 + 1
        cols = min(c2, max(extent.columns, 1)) - c1 + 1
        if rows > 0 and cols > 0:
            total += rows * cols
    extent.merged = total


def workbook_problems(
    path: str | Path,
    *,
    sheets: list[str] | None = None,
    max_cells: int = MAX_SHEET_CELLS,
    scan: WorkbookScan | None = None,
) -> tuple[list[Problem], set[str]]:
    """Problems of a workbook beyond perfkit's limits, and the sheets not to read.

    Parameters
    ----------
    path : path
        An ``.xlsx`` or ``.xlsm`` file.
    sheets : list of str, optional
        Only these sheets are judged (a table is read from one sheet); by
        default every sheet (forms are looked for on each).
    max_cells : int
        Largest used range (rows × columns) of a sheet.
    scan : WorkbookScan, optional
        What :func:`inspect_workbook` found, when the caller has it already.

    Returns
    -------
    (list of Problem, set of str)
        One problem per sheet beyond a limit (``file!sheet: …``) or one for
        the whole file (then nothing of it may be read: the set holds
        ``"*"``), and the names of the sheets that must not be read.

    Examples
    --------
    >>> workbook_problems("tests/data/merged_projects.xlsx")
    ([], set())
    """
    path = Path(path)
    scan = scan or inspect_workbook(path)
    if scan is None:
        return [], set()
    if scan.problem:
        return [Problem(path.name, None, None, scan.problem)], {"*"}
    problems, refused = [], set()
    for name, extent in scan.sheets.items():
        if sheets is not None and name not in sheets:
            continue
        message = _sheet_message(extent, max_cells)
        if message:
            problems.append(Problem(path.name, None, None, message, sheet=name))
            refused.add(name)
    return problems, refused


def _sheet_message(extent: SheetExtent, max_cells: int) -> str | None:
    if extent.problem:
        return f"{extent.problem}; the sheet is not read"
    where = f"its cells reach {extent.used_range}"
    if extent.columns > MAX_COLUMNS:
        return (
            f"{where}: {extent.columns:,} columns, more than perfkit reads ({MAX_COLUMNS}); "
            "delete what is right of the table (or check for a stray value far out) and save again"
        )
    if extent.rows > MAX_ROWS:
        return f"{where}: more than Excel's {MAX_ROWS:,} rows"
    if extent.area > max_cells or extent.cells > max_cells:
        size = max(extent.area, extent.cells)
        return (
            f"{where}: {size:,} cells, more than perfkit reads from one sheet ({max_cells:,}); "
            "delete what is below or right of the data (or check for a stray value far out), "
            "or save the table as CSV"
        )
    if extent.merged > MAX_MERGED_CELLS or extent.merges > MAX_MERGED_CELLS:
        return (
            f"merged ranges cover {extent.merged:,} cells, more than perfkit fills in "
            f"({MAX_MERGED_CELLS:,}); unmerge what is not part of the table"
        )
    return None

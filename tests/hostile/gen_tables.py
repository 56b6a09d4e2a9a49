"""Hostile tables and workbooks (issue 12, parts 2, 4, 7, 9): files built to break the readers.

:func:`build` writes every case into ``dest/<case>/``; :data:`CASES` says, per
command run on them, the exit status and what the output must say.  Each case
is one hostile thing in otherwise valid data, so that the message it gets is
the only problem (or, for the cases that must *pass*, no problem at all):

* workbooks: a value in cell XFD1048576 (with and without a ``<dimension>``), a
  value just within the limits (read, in bounded memory),
  a lying ``<dimension>``, a value far out within 200 columns, a row of cells
  without references, zip bombs (an honest and a lying size in the zip
  header), an XML tag of 20 MiB, a merged range to the sheet's end, repeated
  headers;
* forms: a folder with a form beside a workbook with a value in XFD1048576,
  an Excel lock file, a form with a merged range to the sheet's end, a form
  with amounts of 27 digits and ``1e30``;
* numbers: 27, 40 and 26 digits, ``1e30`` in every kind of number column, and
  the largest values in range (which must score without an overflow);
* CSV: a header of a million columns, a value of a megabyte, a header of 300
  characters, lone-CR line ends, a repeated header, thousands of bad rows,
  hundreds of unknown columns, a project name longer than an Excel cell.

``python tests/hostile/make_corpus.py DEST`` writes them (and the other
``gen_*.py`` corpora) for a look by hand.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from tests.form_builder import FormSpec, save_forms, write_form

__all__ = ["CASES", "Case", "build"]

PROJECTS_HEADER = (
    "year,project_code,project_name,dept_code,dept_name,budget_initial,budget_full_year,executed"
)
PROJECTS = [
    "2024,P001,校舍维修,D01,教育局,100,120,110",
    "2024,P002,道路养护,D02,交通局,200,200,150",
]
INDICATORS_HEADER = (
    "year,unit_code,level1,level2,name,direction,target,actual,unit,weight,self_points"
)
INDICATORS = [
    "2024,P001,产出指标,数量指标,维修面积,正向,1000,950,平方米,30,28",
    "2024,P001,产出指标,质量指标,验收合格率,≥,100,100,%,20,20",
    "2024,P001,效益指标,社会效益指标,安全事故起数,反向,2,1,起,30,30",
    "2024,P001,满意度指标,服务对象满意度指标,师生满意度,正向,90,92,%,10,10",
    "2024,P002,产出指标,数量指标,养护里程,正向,50,45,公里,30,27",
    "2024,P002,产出指标,质量指标,路面完好率,≥,95,96,%,20,20",
    "2024,P002,效益指标,社会效益指标,道路通行状况,定性,明显改善,达成年度指标,,30,30",
    "2024,P002,满意度指标,服务对象满意度指标,群众满意度,=,90,90,%,10,10",
]
BIG, TINY, HUGE = "1000000000", "0.000001", "1000000000000"  # the largest amount, 1 分, 10¹²
BOMB_BYTES = 2 * 1024**3 + 64 * 1024**2  # just beyond perfkit._limits.MAX_UNPACKED_BYTES


@dataclass(frozen=True)
class Case:
    """One command on one hostile case, and what it must give.

    ``args`` may hold ``{case}`` (the case's folder), ``{out}`` (a path for
    the command's output, which must not exist afterwards when ``written`` is
    False) and ``{valid}`` (the folder of the valid tables).
    """

    id: str
    folder: str
    args: tuple[str, ...]
    exit: int
    expect: tuple[str, ...] = ()
    written: bool = False
    #: extra checks by name, done in tests/hostile/test_tables.py
    checks: tuple[str, ...] = field(default_factory=tuple)


def _v(*args: str) -> tuple[str, ...]:
    return ("validate", *args)


I_VALID = "--indicators={valid}/indicators.csv"
DRAW = ("--year", "2024", "--design", "srs", "--n", "2", "--seed", "1", "--out={out}")
CASES: list[Case] = [
    # -- workbooks -------------------------------------------------------------------------
    Case(
        "xfd_validate",
        "xfd",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx!projects", "A1:XFD1048576", "16,384 columns"),
    ),
    Case(
        "xfd_score",
        "xfd",
        ("score", "--projects={case}/projects.xlsx", I_VALID, "--out={out}"),
        1,
        ("projects.xlsx!projects", "16,384 columns"),
    ),
    Case(
        "xfd_without_dimension",
        "xfd_no_dimension",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("A1:XFD1048576", "16,384 columns"),
    ),
    Case(
        "lying_dimension_is_harmless",
        "lying_dimension",
        _v("--projects={case}/projects.xlsx", I_VALID),
        0,
        ("the input is valid",),
    ),
    Case(
        "far_cell_within_columns",
        "far_cell",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("A1:GR1048576", "209,715,200 cells", "more than perfkit reads from one sheet"),
    ),
    Case(
        "far_value_just_within_the_limits",  # 19 × 1,048,576 cells: read, in bounded memory
        "within_limits",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx:1048576: year: missing value",),
    ),
    Case(
        "cells_without_reference",
        "cells_without_reference",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx!projects", "columns, more than perfkit reads (256)"),
    ),
    Case(
        "zip_bomb_declared",
        "bomb_declared",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx", "unpacks to more than 2 GiB"),
    ),
    Case(
        "zip_bomb_lying_size",
        "bomb_lying",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx", "unpacks to more than 2 GiB"),
    ),
    Case(
        "xml_tag_of_20_mib",
        "long_tag",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx!projects", "XML tag longer than 1 MiB"),
    ),
    Case(
        "merged_to_the_sheet_end_is_harmless",
        "merged_to_end",
        _v("--projects={case}/projects.xlsx", I_VALID),
        0,
        ("the input is valid",),
    ),
    Case(
        "repeated_header_xlsx",
        "repeated_header_xlsx",
        _v("--projects={case}/projects.xlsx", I_VALID),
        1,
        ("projects.xlsx: executed: appears more than once",),
    ),
    # -- forms -----------------------------------------------------------------------------
    Case(
        "forms_folder_import",
        "forms_folder",
        ("import-forms", "{case}/forms", "--out={out}"),
        1,
        ("xfd_form.xlsx!自评表", "16,384 columns", "Excel lock file", "~$good.xlsx"),
        written=True,
        checks=("two_forms_imported",),
    ),
    Case(
        "forms_folder_check",
        "forms_folder",
        ("check-forms", "{case}/forms", "--out={out}.csv"),
        1,
        ("xfd_form.xlsx!自评表", "16,384 columns", "2 form(s) checked"),
        written=True,
    ),
    Case(
        "form_merged_to_the_sheet_end",
        "form_merged_to_end",
        ("import-forms", "{case}/forms", "--out={out}"),
        0,
        ("1 form(s) imported",),
        written=True,
    ),
    Case(
        "form_numbers_out_of_range",
        "form_numbers",
        ("import-forms", "{case}/forms", "--out={out}"),
        1,
        (
            "年初预算数 '999999999999999999999999999' is out of range",
            "全年预算数 '1e30' is out of range",
            "0 form(s) imported",
        ),
        written=True,
    ),
    Case(
        "field_workbook_with_a_far_value",
        "field_workbook",
        (
            "verify",
            "--record={case}/draw/selection.json",
            "--results={case}/filled.xlsx",
            "--out={out}",
        ),
        1,
        ("filled.xlsx!P001", "16,384 columns", "no sheet for picked unit P001"),
    ),
    Case(
        "field_workbook_zip_bomb",
        "field_workbook",
        (
            "verify",
            "--record={case}/draw/selection.json",
            "--results={case}/bomb.xlsx",
            "--out={out}",
        ),
        1,
        ("bomb.xlsx", "unpacks to more than 2 GiB"),
    ),
    # -- numbers -------------------------------------------------------------------------
    Case(
        "numbers_validate",
        "numbers",
        _v("--projects={case}/projects.csv", "--indicators={case}/indicators.csv"),
        1,
        (
            "projects.csv:2: executed: '999999999999999999999999999' is out of range",
            "projects.csv:3: budget_full_year: '1e30' is out of range",
            "projects.csv:4: executed: '9999999999999999999999999999999999999999' is out of range",
            "projects.csv:5: executed: '99999999999999999999999999' is out of range",
            "projects.csv:6: self_score: '1e30' is out of range",
            "indicators.csv:2: weight: '1e30' is out of range",
            "indicators.csv:3: actual: '1e30' is out of range",
        ),
    ),
    Case(
        "numbers_score",
        "numbers",
        ("score", "-p", "{case}/projects.csv", "-i", "{case}/indicators.csv", "--out={out}"),
        1,
        ("projects.csv:3: budget_full_year: '1e30' is out of range",),
    ),
    Case(
        "numbers_sample_draw",
        "numbers",
        ("sample", "draw", "-p", "{case}/projects.csv", "-i", "{case}/indicators.csv", *DRAW),
        1,
        ("projects.csv:2: executed: '999999999999999999999999999' is out of range",),
    ),
    Case(
        "numbers_monitor",
        "numbers",
        (
            "monitor",
            "-p",
            "{case}/projects.csv",
            "-m",
            "{case}/monitoring.csv",
            "--out={out}",
        ),
        1,
        ("monitoring.csv:2: executed_to_date: '1e30' is out of range",),
    ),
    Case(
        "sample_plan_money_1e30",
        "valid",
        ("sample", "plan", "--money", "1e30", "--tolerable", "0.05"),
        1,
        ("the population's money must be at most 1,000,000,000,000,000 万元",),
    ),
    Case(
        "extremes_score",
        "extremes",
        ("score", "-p", "{case}/projects.csv", "-i", "{case}/indicators.csv", "--out={out}"),
        0,
        ("units scored",),
        written=True,
        checks=("extreme_rate",),
    ),
    Case(
        "extremes_monitor",
        "extremes",
        (
            "monitor",
            "-p",
            "{case}/projects.csv",
            "-m",
            "{case}/monitoring.csv",
            "--indicator-progress",
            "{case}/indicator_progress.csv",
            "-i",
            "{case}/indicators.csv",
            "--year",
            "2024",
            "--out={out}",
        ),
        0,
        written=True,
    ),
    Case(
        "extremes_sample_draw",
        "extremes",
        ("sample", "draw", "-p", "{case}/projects.csv", "-i", "{case}/indicators.csv", *DRAW),
        0,
        written=True,
    ),
    Case(
        "extremes_compare",
        "extremes",
        ("compare", "--data", "{case}", "--out={out}"),
        0,
        written=True,
    ),
    # -- CSV -----------------------------------------------------------------------------
    Case(
        "million_columns",
        "million_columns",
        _v("--projects={case}/projects.csv", I_VALID),
        1,
        ("projects.csv:1: the header has 1,000,000 columns, more than perfkit reads (256)",),
        checks=("short_output",),
    ),
    Case(
        "megabyte_value",
        "megabyte_value",
        _v("--projects={case}/projects.csv", I_VALID),
        1,
        ("projects.csv:2: executed: 'xxxxxxxxxx", "…（共1000000字符）' is not a number"),
        checks=("short_output",),
    ),
    Case(
        "long_header",
        "long_header",
        _v("--projects={case}/projects.csv", I_VALID),
        1,
        ("has 300 characters, more than a header may hold (200)",),
        checks=("short_output",),
    ),
    Case(
        "lone_cr_line_ends",
        "lone_cr",
        _v("--projects={case}/projects.csv", "--indicators={case}/indicators.csv"),
        0,
        ("the input is valid",),
    ),
    Case(
        "lone_cr_rows_located",
        "lone_cr_bad",
        _v("--projects={case}/projects.csv", I_VALID),
        1,
        ("projects.csv:3: budget_full_year: '一百' is not a number",),
    ),
    Case(
        "repeated_header_csv",
        "repeated_header_csv",
        _v("--projects={case}/projects.csv", I_VALID),
        1,
        ("projects.csv: executed: appears more than once in the header",),
    ),
    Case(
        "thousands_of_problems",
        "many_problems",
        _v("--projects={case}/projects.csv", I_VALID),
        1,
        ("more problem(s) not shown",),
        checks=("at_most_500_lines",),
    ),
    Case(
        "hundreds_of_unknown_columns",
        "unknown_columns",
        _v("--projects={case}/projects.csv", I_VALID),
        0,
        ("240 columns not in the projects contract; ignored: 'extra_1'",),
        checks=("short_output",),
    ),
    Case(
        "name_longer_than_an_excel_cell",
        "long_name",
        ("score", "--projects={case}/projects.csv", I_VALID, "--out={out}"),
        0,
        ("scores.xlsx: 1 cell(s) held more than Excel's 32,767 characters and were cut",),
        written=True,
        checks=("name_cut_in_workbook",),
    ),
]


def build(dest: Path) -> list[Path]:
    """Write every case of :data:`CASES` (and the valid tables) under ``dest``.

    Returns the files written.
    """
    dest = Path(dest)
    written: list[Path] = []
    for name, maker in _MAKERS.items():
        folder = dest / name
        folder.mkdir(parents=True, exist_ok=True)
        written += maker(folder)
    return written


# -- helpers -------------------------------------------------------------------------------


def _text(path: Path, text: str, newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    return _text(path, "\n".join([header, *rows]) + "\n")


def _projects_xlsx(path: Path, extra: Callable[[object], None] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "projects"
    for line in [PROJECTS_HEADER, *PROJECTS]:
        sheet.append(line.split(","))
    if extra:
        extra(sheet)
    workbook.save(path)
    return path


def _rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one member of a zip (the others copied as they are)."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info.filename, change(data) if info.filename == member else data)
    return path


SHEET = "xl/worksheets/sheet1.xml"


def _raw_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip written by hand: (name, raw deflate data, crc, declared size, real size unused)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, declared, _ in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), declared,
                        len(encoded), 0)
        )  # fmt: skip
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data),
                        declared, len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )  # fmt: skip
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size,
                          start, 0))  # fmt: skip
    path.write_bytes(out.getvalue())
    return path


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _bomb_stream(size: int) -> bytes:
    """A raw deflate stream of ``size`` blanks after a sheet's start, made in a moment.

    After a full flush the compressor starts afresh, so one compressed block
    of 16 MiB of blanks can simply be repeated.
    """
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(b" " * 16 * 1024**2) + packer.flush(zlib.Z_FULL_FLUSH)
    return start + block * (size // (16 * 1024**2) + 1) + packer.flush()


def _bomb(folder: Path, declared_size: int | None) -> list[Path]:
    """A workbook whose sheet inflates to more than 2 GiB; the header tells the truth or lies."""
    folder.mkdir(parents=True, exist_ok=True)
    template = _projects_xlsx(folder / "template.xlsx")
    with zipfile.ZipFile(template) as source:
        parts = {
            i.filename: source.read(i.filename) for i in source.infolist() if i.filename != SHEET
        }
    template.unlink()
    members = [
        (name, _deflate(data), zlib.crc32(data), len(data), len(data))
        for name, data in parts.items()
    ]
    stream = _bomb_stream(BOMB_BYTES)
    declared = BOMB_BYTES if declared_size is None else declared_size
    members.append((SHEET, stream, 0, declared, BOMB_BYTES))
    return [_raw_zip(folder / "projects.xlsx", members)]


def _put_xfd(sheet) -> None:
    sheet["XFD1048576"] = "x"


# -- the cases -----------------------------------------------------------------------------


def _valid(folder: Path) -> list[Path]:
    return [
        _csv(folder / "projects.csv", PROJECTS_HEADER, PROJECTS),
        _csv(folder / "indicators.csv", INDICATORS_HEADER, INDICATORS),
    ]


def _xfd(folder: Path) -> list[Path]:
    return [_projects_xlsx(folder / "projects.xlsx", _put_xfd)]


def _xfd_no_dimension(folder: Path) -> list[Path]:
    path = _projects_xlsx(folder / "projects.xlsx", _put_xfd)
    return [_rewrite(path, SHEET, lambda x: x.replace(b'<dimension ref="A1:XFD1048576" />', b""))]


def _lying_dimension(folder: Path) -> list[Path]:
    path = _projects_xlsx(folder / "projects.xlsx")
    claim = b'<dimension ref="A1:XFD1048576" />'
    return [_rewrite(path, SHEET, lambda x: x.replace(b'<dimension ref="A1:H3" />', claim))]


def _far_cell(folder: Path) -> list[Path]:
    def far(sheet) -> None:
        sheet["GR1048576"] = "x"  # column 200: within the column limit, not the cell limit

    return [_projects_xlsx(folder / "projects.xlsx", far)]


def _within_limits(folder: Path) -> list[Path]:
    def far(sheet) -> None:
        sheet["S1048576"] = "x"  # 19 columns × 1,048,576 rows: just under 20,000,000 cells

    return [_projects_xlsx(folder / "projects.xlsx", far)]


def _cells_without_reference(folder: Path) -> list[Path]:
    path = _projects_xlsx(folder / "projects.xlsx")
    row = b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>"
    return [_rewrite(path, SHEET, lambda x: x.replace(b"</sheetData>", row + b"</sheetData>"))]


def _bomb_declared(folder: Path) -> list[Path]:
    return _bomb(folder, None)


def _bomb_lying(folder: Path) -> list[Path]:
    return _bomb(folder, 4096)


def _long_tag(folder: Path) -> list[Path]:
    path = _projects_xlsx(folder / "projects.xlsx")
    cell = b'<c r="I2" x="' + b"y" * (20 * 1024**2) + b'"><v>1</v></c>'  # across a 16 MiB piece
    return [_rewrite(path, SHEET, lambda x: x.replace(b"</row>", cell + b"</row>", 1))]


def _merge_to_end(ref: bytes) -> Callable[[bytes], bytes]:
    """Add a merged range to a sheet's XML (openpyxl would make an object per covered cell)."""
    merge = b'</sheetData><mergeCells count="1"><mergeCell ref="' + ref + b'"/></mergeCells>'

    def change(xml: bytes) -> bytes:
        assert b"<mergeCells" not in xml
        return xml.replace(b"</sheetData>", merge)

    return change


def _merged_to_end(folder: Path) -> list[Path]:
    path = _projects_xlsx(folder / "projects.xlsx")
    return [_rewrite(path, SHEET, _merge_to_end(b"J5:XFD1048576"))]


def _repeated_header_xlsx(folder: Path) -> list[Path]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "projects"
    sheet.append([*PROJECTS_HEADER.split(","), "executed"])
    for line in PROJECTS:
        sheet.append([*line.split(","), "1"])
    workbook.save(folder / "projects.xlsx")
    return [folder / "projects.xlsx"]


def _forms_folder(folder: Path) -> list[Path]:
    forms = folder / "forms"
    forms.mkdir(exist_ok=True)
    good = save_forms(forms / "good.xlsx", {"自评表": FormSpec()})
    xfd = forms / "xfd_form.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    write_form(sheet, FormSpec(project="城乡医疗救助", code="P9"))
    sheet["XFD1048576"] = "x"
    workbook.save(xfd)
    two = forms / "two_sheets.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    write_form(sheet, FormSpec(project="临时救助", code="P8"))
    workbook.create_sheet("附表")["XFD1048576"] = "x"
    workbook.save(two)
    lock = forms / "~$good.xlsx"
    lock.write_bytes(b"\x0cperfkit user" + b"\x00" * 150)  # what Excel leaves while it is open
    return [good, xfd, two, lock]


def _form_merged_to_end(folder: Path) -> list[Path]:
    forms = folder / "forms"
    forms.mkdir(exist_ok=True)
    path = save_forms(forms / "merged.xlsx", {"自评表": FormSpec()})
    with zipfile.ZipFile(path) as book:
        xml = book.read(SHEET)
    merges = xml[xml.index(b"<mergeCells") : xml.index(b"</mergeCells>")]
    wide = merges + b'<mergeCell ref="K30:XFD1048576"/>'
    return [_rewrite(path, SHEET, lambda x: x.replace(merges, wide))]


def _form_numbers(folder: Path) -> list[Path]:
    forms = folder / "forms"
    forms.mkdir(exist_ok=True)
    money = (
        ("9" * 27, "1e30", "1000"),
        ("1000", "1000", "1000"),
        ("0", "0", "0"),
        ("0", "0", "0"),
    )
    return [save_forms(forms / "numbers.xlsx", {"自评表": FormSpec(money=money)})]


def _field_workbook(folder: Path) -> list[Path]:
    """A drawn sample's field workbook with a value in XFD1048576 on a unit's sheet."""
    from perfkit.sampling._population import load_population
    from perfkit.sampling._selection import Design, draw_sample

    (folder / "valid").mkdir(parents=True, exist_ok=True)
    valid = _valid(folder / "valid")
    population = load_population(valid[0], valid[1], year=2024)
    written = draw_sample(population, Design("srs", n=2), 1).write(folder / "draw")
    book = openpyxl.load_workbook(folder / "draw" / "field_workbook.xlsx")
    book["P001"]["XFD1048576"] = "x"
    book.save(folder / "filled.xlsx")
    bomb = _bomb(folder / "bomb", None)[0].rename(folder / "bomb.xlsx")
    (folder / "bomb").rmdir()
    return [*valid, *written, folder / "filled.xlsx", bomb]


def _numbers(folder: Path) -> list[Path]:
    rows = [
        "2024,P001,校舍维修,D01,教育局,100,120," + "9" * 27,
        "2024,P002,道路养护,D02,交通局,200,1e30,150",
        "2024,P003,河道整治,D02,交通局,200,200," + "9" * 40,
        f"2024,P004,桥梁检测,D02,交通局,200,{TINY}," + "9" * 26,
        "2024,P005,路灯更换,D02,交通局,200,200,150",
    ]
    projects = _csv(folder / "projects.csv", PROJECTS_HEADER + ",self_score", [
        *(r + "," for r in rows[:4]), rows[4] + ",1e30"])  # fmt: skip
    indicators = [
        INDICATORS[0].rsplit(",", 2)[0] + ",1e30,28",
        INDICATORS[1].replace(",100,100,", ",100,1e30,"),
        *INDICATORS[2:4],
    ]
    return [
        projects,
        _csv(folder / "indicators.csv", INDICATORS_HEADER, indicators),
        _csv(
            folder / "monitoring.csv",
            "year,month,unit_code,executed_to_date",
            ["2024,8,P001,1e30", "2024,8,P002,10"],
        ),
    ]


def _extremes(folder: Path) -> list[Path]:
    """The largest and smallest values in range, in every number column: must score."""
    header = PROJECTS_HEADER + ",category,self_score,self_grade,carryover"
    projects, indicators = [], []
    for year in (2023, 2024):
        projects += [
            f"{year},P001,巨额执行,D01,教育局,{BIG},{TINY},{BIG},其他,0,优,{BIG}",
            f"{year},P002,巨额预算,D01,教育局,{BIG},{BIG},{TINY},其他,100,差,0",
            f"{year},P003,零预算,D02,交通局,0,0,{BIG},其他,100,优,{BIG}",
            f"{year},P004,正常,D02,交通局,100,120,110,其他,90,优,0",
        ]
        for code in ("P001", "P002", "P003", "P004"):
            indicators += [
                f"{year},{code},产出指标,数量指标,数量A,正向,{TINY},{HUGE},人,30,30",
                f"{year},{code},产出指标,数量指标,数量B,反向,{TINY},{HUGE},人,20,0",
                f"{year},{code},效益指标,社会效益指标,效益C,等于,{HUGE},{TINY},人,30,1",
                f"{year},{code},满意度指标,服务对象满意度指标,满意度D,正向,{HUGE},{HUGE},%,10,10",
            ]
    return [
        _csv(folder / "projects.csv", header, projects),
        _csv(folder / "indicators.csv", INDICATORS_HEADER, indicators),
        _csv(
            folder / "departments.csv",
            "year,dept_code,dept_name,level,sector,budget_full_year,executed,previous_code",
            [
                f"{y},D01,教育局,州级,教育,{BIG},{TINY},\n{y},D02,交通局,州级,交通,{TINY},{BIG},"
                for y in (2023, 2024)
            ],
        ),
        _csv(
            folder / "monitoring.csv",
            "year,month,unit_code,executed_to_date",
            [
                f"2024,{m},{c},{v}"
                for m in (5, 8)
                for c, v in (("P001", BIG), ("P002", TINY), ("P003", BIG), ("P004", "50"))
            ],
        ),
        _csv(
            folder / "indicator_progress.csv",
            "year,month,unit_code,name,actual_to_date",
            [
                f"2024,8,{c},{n},{v}"
                for c in ("P001", "P002", "P004")
                for n, v in (("数量A", HUGE), ("数量B", HUGE), ("效益C", TINY), ("满意度D", HUGE))
            ],
        ),
    ]


def _million_columns(folder: Path) -> list[Path]:
    n = 1_000_000
    header = PROJECTS_HEADER + "," + ",".join(f"c{i}" for i in range(n - 8))
    return [_text(folder / "projects.csv", header + "\n" + PROJECTS[0] + "," * (n - 8) + "\n")]


def _megabyte_value(folder: Path) -> list[Path]:
    row = PROJECTS[0].rsplit(",", 1)[0] + "," + "x" * 1_000_000
    return [_csv(folder / "projects.csv", PROJECTS_HEADER, [row, PROJECTS[1]])]


def _long_header(folder: Path) -> list[Path]:
    return [_csv(folder / "projects.csv", PROJECTS_HEADER + "," + "备" * 300, [
        r + ",x" for r in PROJECTS])]  # fmt: skip


def _lone_cr(folder: Path) -> list[Path]:
    return [
        _text(folder / "projects.csv", "\n".join([PROJECTS_HEADER, *PROJECTS]) + "\n", "\r"),
        _text(folder / "indicators.csv", "\n".join([INDICATORS_HEADER, *INDICATORS]) + "\n", "\r"),
    ]


def _lone_cr_bad(folder: Path) -> list[Path]:
    rows = [PROJECTS[0], PROJECTS[1].replace(",200,200,", ",200,一百,")]
    return [_text(folder / "projects.csv", "\n".join([PROJECTS_HEADER, *rows]) + "\n", "\r")]


def _repeated_header_csv(folder: Path) -> list[Path]:
    return [_csv(folder / "projects.csv", PROJECTS_HEADER + ",executed", [
        r + ",1" for r in PROJECTS])]  # fmt: skip


def _many_problems(folder: Path) -> list[Path]:
    rows = [f"2024,P{i:05d},项目{i},D01,教育局,x,y,z" for i in range(3_000)]
    return [_csv(folder / "projects.csv", PROJECTS_HEADER, rows)]


def _unknown_columns(folder: Path) -> list[Path]:
    extra = ",".join(f"extra_{i}" for i in range(1, 241))  # 248 columns: within the limit
    return [_csv(folder / "projects.csv", PROJECTS_HEADER + "," + extra, [
        r + "," * 240 for r in PROJECTS])]  # fmt: skip


def _long_name(folder: Path) -> list[Path]:
    rows = [PROJECTS[0].replace("校舍维修", "长" * 40_000), PROJECTS[1]]
    return [_csv(folder / "projects.csv", PROJECTS_HEADER, rows)]


_MAKERS: dict[str, Callable[[Path], list[Path]]] = {
    "valid": _valid,
    "xfd": _xfd,
    "xfd_no_dimension": _xfd_no_dimension,
    "lying_dimension": _lying_dimension,
    "far_cell": _far_cell,
    "within_limits": _within_limits,
    "cells_without_reference": _cells_without_reference,
    "bomb_declared": _bomb_declared,
    "bomb_lying": _bomb_lying,
    "long_tag": _long_tag,
    "merged_to_end": _merged_to_end,
    "repeated_header_xlsx": _repeated_header_xlsx,
    "forms_folder": _forms_folder,
    "form_merged_to_end": _form_merged_to_end,
    "form_numbers": _form_numbers,
    "field_workbook": _field_workbook,
    "numbers": _numbers,
    "extremes": _extremes,
    "million_columns": _million_columns,
    "megabyte_value": _megabyte_value,
    "long_header": _long_header,
    "lone_cr": _lone_cr,
    "lone_cr_bad": _lone_cr_bad,
    "repeated_header_csv": _repeated_header_csv,
    "many_problems": _many_problems,
    "unknown_columns": _unknown_columns,
    "long_name": _long_name,
}

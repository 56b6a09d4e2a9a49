"""A :class:`~perfkit.documents.Document` as Word (.docx): A4 portrait, official typography.

* Page: A4 portrait, the official-document margins (上 3.7 cm, 下 3.5 cm, 左 2.8 cm,
  右 2.6 cm), page numbers in the footer (a ``PAGE`` field, ``— 1 —``).
* Type: the title in 方正小标宋简体 二号 (22 pt), level-1 headings in 黑体 三号, level-2 in
  楷体 三号, body in 仿宋 三号 (16 pt, exact 28 pt lines, a two-character first-line
  indent), tables in 宋体 五号.  The East Asian font (``w:eastAsia`` of ``w:rFonts``) is
  set on the styles *and on every run*, so that Word and WPS never fall back to a
  Western font for Chinese text.
* Tables: full borders, the header row repeated on every page (``w:tblHeader``),
  numbers right-aligned; figures are PNG at print resolution, 15 cm wide.
* A table of contents: a ``TOC`` field (levels 1–2) whose shown text already lists the
  headings with their pages when they are known (``pages``), and ``w:updateFields`` so
  that Word refreshes it on opening.
* ``template``: a bureau's own .docx (letterhead, styles, page setup, headers) replaces
  the built-in page and styles; its fonts are kept, and the runs take the East Asian font
  of the template's style when it names one.

The file is written atomically (:func:`perfkit.tables._write.atomic_write_bytes`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document as open_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

from perfkit.documents._model import Document, Figure, Paragraph, Table
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.tables._write import atomic_write_bytes

__all__ = ["FONTS", "docx_bytes", "write_docx"]

#: Role → (East Asian font, Latin font, size in points, bold).
FONTS: dict[str, tuple[str, str, float, bool]] = {
    "title": ("方正小标宋简体", "Times New Roman", 22, False),
    "cover": ("仿宋", "Times New Roman", 16, False),
    "h1": ("黑体", "Times New Roman", 16, False),
    "h2": ("楷体", "Times New Roman", 16, True),
    "body": ("仿宋", "Times New Roman", 16, False),
    "table": ("宋体", "Times New Roman", 10.5, False),
    "caption": ("黑体", "Times New Roman", 12, False),
    "footer": ("宋体", "Times New Roman", 14, False),
}

_STYLE_OF = {"h1": "Heading 1", "h2": "Heading 2", "body": "Normal", "title": "Title"}


def _east_asia_of(style: Any) -> str | None:
    rpr = style.element.rPr
    fonts = rpr.rFonts if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


class _Writer:
    def __init__(self, template: Path | None) -> None:
        if template is not None:
            _check_template(template)
            try:
                self.docx = open_docx(str(template))
            except Exception as exc:  # not a .docx (a .dotx, a renamed file, a broken zip)
                raise PerfkitError(
                    _("{file}: not a readable Word .docx template ({reason})").format(
                        file=template, reason=exc
                    )
                ) from None
        else:
            self.docx = open_docx()
        self.custom = template is not None
        self.fonts = dict(FONTS)
        if self.custom:  # the template's East Asian fonts where its styles name them
            for role in self.fonts:
                try:
                    named = _east_asia_of(self.docx.styles[_STYLE_OF.get(role, "Normal")])
                except KeyError:
                    named = None
                if named:
                    _east, latin, size, bold = self.fonts[role]
                    self.fonts[role] = (named, latin, size, bold)
        else:
            self._page()
            self._styles()

    def _page(self) -> None:
        for section in self.docx.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
            section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
            section.footer_distance = Cm(2.0)

    def _styles(self) -> None:
        for role, style_name in _STYLE_OF.items():
            style = self.docx.styles[style_name]
            east, latin, size, bold = self.fonts[role]
            style.font.name = latin
            style.font.size = Pt(size)
            style.font.bold = bold
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
            fmt = style.paragraph_format
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(28 if role != "title" else 36)

    def run(self, paragraph: Any, text: str, role: str, *, bold: bool | None = None) -> Any:
        east, latin, size, default_bold = self.fonts[role]
        run = paragraph.add_run(_clean(text))
        if not self.custom or role in {"table", "caption", "footer", "cover"}:
            run.font.size = Pt(size)
            run.font.bold = default_bold if bold is None else bold
        elif bold is not None:
            run.font.bold = bold
        run.font.name = latin
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
        return run

    def field(self, paragraph: Any, instruction: str, shown: str, role: str) -> None:
        for kind in ("begin", None, "separate", "text", "end"):
            if kind == "text":
                self.run(paragraph, shown, role)
                continue
            run = self.run(paragraph, "", role)
            if kind is None:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = f" {instruction} "
                run._element.append(instr)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                if kind == "begin" and instruction.startswith("TOC"):
                    char.set(qn("w:dirty"), "true")
                run._element.append(char)

    def paragraph(
        self, text: str, role: str = "body", *, lead: str = "", indent: bool = True
    ) -> Any:
        style = _STYLE_OF.get(role, "Normal")
        p = self.docx.add_paragraph(style=style if role in _STYLE_OF else "Normal")
        if role == "body" and indent:
            p.paragraph_format.first_line_indent = Pt(32)  # two characters of 16 pt
        if lead:
            self.run(p, lead, role, bold=True)
        self.run(p, text, role)
        return p

    def cover(self, doc: Document) -> None:
        for _blank in range(4):
            self.paragraph("", "body", indent=False)
        title = self.paragraph(doc.title, "title", indent=False)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if doc.subtitle:
            sub = self.paragraph(doc.subtitle, "cover", indent=False)
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for _blank in range(6):
            self.paragraph("", "body", indent=False)
        for line in doc.cover:
            p = self.paragraph(line, "cover", indent=False)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.page_break()

    def page_break(self) -> None:
        p = self.docx.add_paragraph()
        self.run(p, "", "body").add_break(WD_BREAK.PAGE)

    def toc(self, doc: Document, pages: Mapping[str, int] | None) -> None:
        head = self.paragraph("目  录", "h1", indent=False)
        head.style = self.docx.styles["Normal"]
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in head.runs:
            run.font.size = Pt(16)
        entries = doc.headings()
        p = self.docx.add_paragraph(style="Normal")
        self._toc_entry(p, entries[0], pages, first=True, last=len(entries) == 1)
        for i, entry in enumerate(entries[1:], start=1):
            p = self.docx.add_paragraph(style="Normal")
            self._toc_entry(p, entry, pages, first=False, last=i == len(entries) - 1)
        self.page_break()

    def _toc_entry(
        self,
        p: Any,
        entry: tuple[int, str],
        pages: Mapping[str, int] | None,
        *,
        first: bool,
        last: bool,
    ) -> None:
        level, title = entry
        fmt = p.paragraph_format
        fmt.left_indent = Pt(0 if level == 1 else 32)
        fmt.tab_stops.add_tab_stop(Cm(15.6), alignment=2, leader=1)  # right, dots
        if first:
            for kind in ("begin", None, "separate"):
                run = self.run(p, "", "body")
                if kind is None:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
                    run._element.append(instr)
                else:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    run._element.append(char)
        page = (pages or {}).get(title)
        self.run(p, f"{title}\t{page if page is not None else ''}", "body")
        if last:
            run = self.run(p, "", "body")
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), "end")
            run._element.append(char)

    def footer(self) -> None:
        for section in self.docx.sections:
            p = section.footer.paragraphs[0] if section.footer.paragraphs else None
            if p is None:
                p = section.footer.add_paragraph()
            if self.custom and p.text.strip():
                continue  # the template's own footer
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.run(p, "— ", "footer")
            self.field(p, "PAGE", "1", "footer")
            self.run(p, " —", "footer")

    def table(self, block: Table) -> None:
        cap = self.paragraph(block.caption, "caption", indent=False)
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap.paragraph_format.keep_with_next = True
        # the table is written as one XML string: python-docx's cell API costs ~1 ms a cell
        east, latin, size, _bold = self.fonts["table"]
        fonts = (
            f'<w:rFonts w:ascii="{_attr(latin)}" w:hAnsi="{_attr(latin)}" '
            f'w:eastAsia="{_attr(east)}"/>'
        )
        half_points = round(size * 2)
        n = len(block.headers)
        numeric = block.numeric or [False] * n
        widths = _column_widths(block)
        rows = []
        for index, values in enumerate([block.headers, *block.rows]):
            cells = []
            for value, right, width in zip(values, numeric, widths, strict=True):
                align = "center" if index == 0 else "right" if right else "left"
                bold = "<w:b/>" if index == 0 else ""
                cells.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr>'
                    f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                    f'<w:ind w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>{fonts}'
                    f'{bold}<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
                    f'<w:t xml:space="preserve">{_text(value)}</w:t></w:r></w:p></w:tc>'
                )
            header = '<w:trPr><w:tblHeader w:val="true"/></w:trPr>' if index == 0 else ""
            rows.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
        edges = "".join(
            f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for e in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        xml = (
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblBorders>{edges}</w:tblBorders>'
            f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/>'
            f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLayout w:type="fixed"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )
        body = self.docx.element.body
        end = body.find(qn("w:sectPr"))
        table = parse_xml(xml)
        if end is not None:
            end.addprevious(table)
        else:
            body.append(table)
        if block.note:
            note = self.paragraph(block.note, "table", indent=False)
            note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        self.paragraph("", "body", indent=False)

    def figure(self, block: Figure) -> None:
        p = self.docx.add_paragraph(style="Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run = p.add_run()
        run.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        cap = self.paragraph(block.caption, "caption", indent=False)
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def settings(self) -> None:
        settings = self.docx.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    def write(self, doc: Document, pages: Mapping[str, int] | None) -> bytes:
        self.docx.core_properties.title = _clean(doc.title)[:250]
        self.docx.core_properties.author = "perfkit"
        self.cover(doc)
        if doc.toc and doc.sections:
            self.toc(doc, pages)
        for section in doc.sections:
            self.paragraph(section.title, "h1" if section.level == 1 else "h2", indent=False)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    self.paragraph(block.text, lead=block.lead, indent=block.indent)
                elif isinstance(block, Table):
                    self.table(block)
                elif isinstance(block, Figure):
                    self.figure(block)
        self.footer()
        if doc.toc and not pages:
            self.settings()
        buffer = io.BytesIO()
        self.docx.save(buffer)
        return _reproducible(buffer.getvalue())


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text as XML can hold it: control characters (hostile input) dropped."""
    return _NOT_XML.sub("", text)


#: The text width of the page in twentieths of a point (21 cm − 2.8 cm − 2.6 cm).
TEXT_WIDTH = 8840
#: A table cell's left and right margin (twips, 0.1 cm).
CELL_MARGIN = 57


def _display(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _column_widths(block: Table) -> list[int]:
    """Column widths (twips): numbers get their full width, text shares what is left.

    A number is never wrapped (``1,234.56`` on one line); text columns (names, reasons,
    flags) share the rest in proportion to their longest cell, each at least four
    characters wide, so that no column is squeezed to one character.
    """
    unit = 105  # twips of half a 10.5-point character (one display unit)
    padding = 2 * CELL_MARGIN + 20  # the cell's left and right margins
    n = max(len(block.headers), 1)
    numeric = block.numeric or [False] * n
    need = []
    for i, header in enumerate(block.headers):
        longest = max((_display(row[i]) for row in block.rows), default=0)
        need.append(max(longest, (_display(header) + 1) // 2, 4))
    digit = 130  # a digit of a substituted CJK font is wider than half an em
    fixed = {i: need[i] * digit + padding for i in range(n) if numeric[i]}
    text = [i for i in range(n) if not numeric[i]]
    left = TEXT_WIDTH - sum(fixed.values())
    floor = 8 * unit + padding  # four Chinese characters
    if text and left < floor * len(text):  # many columns: all shrink in proportion
        wanted = [fixed[i] if i in fixed else min(need[i], 24) * unit + padding for i in range(n)]
        total = sum(wanted)
        return [TEXT_WIDTH * w // total for w in wanted]
    weights = {i: min(need[i], 40) for i in text}
    floored: set[int] = set()
    while True:  # columns whose share is below the floor get the floor; the rest share
        rest = left - floor * len(floored)
        total = sum(w for i, w in weights.items() if i not in floored) or 1
        low = {i for i, w in weights.items() if i not in floored and rest * w // total < floor}
        if not low:
            break
        floored |= low
    widths = [
        fixed[i] if i in fixed else floor if i in floored else rest * weights[i] // total
        for i in range(n)
    ]
    # a text column no wider than its longest cell on one line (the table is centred)
    widths = [
        w if i in fixed else min(w, max(need[i] * unit * 6 // 5 + padding, floor))
        for i, w in enumerate(widths)
    ]
    return widths


def _text(text: str) -> str:
    return escape(_clean(text))


def _attr(text: str) -> str:
    return escape(_clean(text), {'"': "&quot;"})


#: The largest template read: its file and its unpacked parts (a letterhead is a few MB).
MAX_TEMPLATE_BYTES = 50 << 20
MAX_TEMPLATE_UNPACKED = 200 << 20


def _check_template(path: Path) -> None:
    """A template is measured before it is opened: no zip bomb, no giant file."""
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise PerfkitError(
            _("{file}: not a readable Word .docx template ({reason})").format(file=path, reason=exc)
        ) from None
    if size > MAX_TEMPLATE_BYTES or unpacked > MAX_TEMPLATE_UNPACKED:
        raise PerfkitError(
            _("{file}: the template is too large ({size} bytes, {unpacked} unpacked)").format(
                file=path, size=f"{size:,}", unpacked=f"{unpacked:,}"
            )
        )


def _reproducible(data: bytes) -> bytes:
    """The same .docx with fixed zip entry times: the same document gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def docx_bytes(
    doc: Document,
    *,
    template: str | Path | None = None,
    pages: Mapping[str, int] | None = None,
) -> bytes:
    """The document as the bytes of a .docx file (see the module docstring).

    Examples
    --------
    >>> import docx
    >>> d = Document("标题")
    >>> s = d.section("一、基本情况").add("正文。")
    >>> w = docx.Document(io.BytesIO(docx_bytes(d)))
    >>> [p.text for p in w.paragraphs if p.style.name == "Heading 1"]
    ['一、基本情况']
    >>> {i.date_time for i in zipfile.ZipFile(io.BytesIO(docx_bytes(d))).infolist()}
    {(1980, 1, 1, 0, 0, 0)}
    """
    if template is not None and not Path(template).is_file():
        raise PerfkitError(_("{file}: template not found").format(file=template))
    return _Writer(Path(template) if template is not None else None).write(doc, pages)


def write_docx(
    doc: Document,
    path: str | Path,
    *,
    template: str | Path | None = None,
    pages: Mapping[str, int] | None = None,
) -> Path:
    """Write the document as .docx at ``path`` (atomically: complete or not at all).

    Examples
    --------
    >>> import tempfile
    >>> d = Document("标题")
    >>> s = d.section("一、基本情况").add("正文。")
    >>> write_docx(d, Path(tempfile.mkdtemp()) / "r.docx").suffix
    '.docx'
    """
    return atomic_write_bytes(Path(path), docx_bytes(doc, template=template, pages=pages))

"""The content model of a deliverable document (文档内容模型): computed once, rendered many ways.

A :class:`Document` is a cover, a flat list of :class:`Section` (each with a level, a
title and blocks) and nothing else: :class:`Paragraph`, :class:`Table` (text cells,
already formatted for people: 万元 and rates to two decimals, thousands separators) and
:class:`Figure` (a PNG at print resolution).  The HTML renderer
(:mod:`perfkit.documents._html`) and the Word renderer (:mod:`perfkit.documents._docx`)
read the same object, so a report is never kept twice by hand.

Text an evaluator must still write is a visible placeholder, ``【待填写：…】``
(:func:`placeholder`); :meth:`Document.placeholders` lists every one, and a final
document (``--final``) is refused while any remains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from perfkit.present import people_frame

__all__ = [
    "Block",
    "Document",
    "Figure",
    "Paragraph",
    "Section",
    "Table",
    "placeholder",
]

_PLACEHOLDER = re.compile(r"【待填写：([^】]*)】")


def placeholder(what: str) -> str:
    """The visible mark of text an evaluator must still write.

    Examples
    --------
    >>> placeholder("主要经验及做法")
    '【待填写：主要经验及做法】'
    """
    return f"【待填写：{what}】"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of body text (plain text; renderers escape it).

    ``lead`` is a bold run-in heading such as ``（一）``; ``indent`` the official two-character
    first-line indent.
    """

    text: str
    lead: str = ""
    indent: bool = True


def _cell(value: Any, dtype: pl.DataType, column: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if dtype.is_float() or dtype.is_decimal():
        return f"{float(value):,.2f}"
    if dtype.is_integer():
        return str(value) if column in {"年度", "月份", "序号", "year", "month"} else f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table for people: caption, headers and text cells (numbers already formatted).

    ``numeric`` marks the right-aligned columns.  Build one from a frame with
    :meth:`from_frame` (Chinese headers from the label registry, codes as words).

    Examples
    --------
    >>> t = Table.from_frame(pl.DataFrame({"unit_name": ["学校"], "total": [88.5]}), "得分")
    >>> t.headers, t.rows
    (['名称', '总分'], [['学校', '88.50']])
    """

    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)
    note: str = ""

    @classmethod
    def from_frame(
        cls,
        frame: pl.DataFrame,
        caption: str,
        *,
        labels: dict[str, str] | None = None,
        domain: str = "general",
        note: str = "",
    ) -> Table:
        """A table from a polars frame: registry headers (``labels`` override), formatted cells."""
        shown = people_frame(frame, domain)
        names = [
            (labels or {}).get(orig, new)
            for orig, new in zip(frame.columns, shown.columns, strict=True)
        ]
        columns = [s.alias(n) for s, n in zip(shown.get_columns(), names, strict=True)]
        rows = [
            [_cell(v, s.dtype, s.name) for v, s in zip(row, columns, strict=True)]
            for row in shown.iter_rows()
        ]
        numeric = [s.dtype.is_numeric() and s.name not in {"年度", "月份"} for s in columns]
        return cls(caption, [s.name for s in columns], rows, numeric, note)


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes (print resolution) with its caption."""

    caption: str
    png: bytes
    width_cm: float = 15.0


Block = Paragraph | Table | Figure


@dataclass
class Section:
    """A heading (level 1: 一、…; level 2: （一）…) and the blocks under it."""

    title: str
    level: int = 1
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block | str) -> Section:
        """Append blocks (a ``str`` becomes a :class:`Paragraph`); returns ``self``."""
        self.blocks.extend(Paragraph(b) if isinstance(b, str) else b for b in blocks)
        return self


@dataclass
class Document:
    """A deliverable document: cover lines, an optional table of contents, sections.

    Examples
    --------
    >>> doc = Document("2024年度某局部门评价报告", cover=["评价机构：某事务所"])
    >>> out = doc.section("一、基本情况").add("某局共有项目3个。", placeholder("主要经验及做法"))
    >>> doc.placeholders()
    ['一、基本情况：主要经验及做法']
    >>> [s.title for s in doc.sections]
    ['一、基本情况']
    """

    title: str
    cover: list[str] = field(default_factory=list)
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    toc: bool = True
    kind: str = "report"

    def section(self, title: str, level: int = 1) -> Section:
        """Open a new section at the end and return it."""
        new = Section(title, level)
        self.sections.append(new)
        return new

    def texts(self) -> Iterator[tuple[str, str]]:
        """(section title, text) of every paragraph, caption and table cell, in order."""
        yield "封面", self.title
        for line in self.cover:
            yield "封面", line
        for section in self.sections:
            yield section.title, section.title
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    yield section.title, block.lead + block.text
                elif isinstance(block, Table):
                    yield section.title, block.caption
                    for row in block.rows:
                        for cell in row:
                            yield section.title, cell
                    if block.note:
                        yield section.title, block.note
                else:
                    yield section.title, block.caption

    def placeholders(self) -> list[str]:
        """Every ``【待填写：…】`` left, as ``section：what`` (in order, repeats kept once)."""
        found = [
            f"{where}：{m.group(1)}"
            for where, text in self.texts()
            for m in _PLACEHOLDER.finditer(text)
        ]
        return list(dict.fromkeys(found))

    def headings(self) -> list[tuple[int, str]]:
        """(level, title) of every section: the outline (and the table of contents)."""
        return [(s.level, s.title) for s in self.sections]


def join_names(names: Sequence[str], limit: int = 10) -> str:
    """Names joined with 、, the first ``limit`` and a count of the rest.

    Examples
    --------
    >>> join_names(["甲", "乙", "丙"], limit=2)
    '甲、乙等3个'
    """
    names = list(names)
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}个"

"""A sheet as a grid of cells (单元格网格): values, merged ranges, addresses, label keys.

A self-evaluation form is not a table with one header row: its labels sit
anywhere on the sheet.  :class:`Grid` holds a sheet's cells (0-based rows and
columns), its merged ranges, and — when the sheet was read with openpyxl —
the number format of each numeric cell.  Cell text is compared through
:func:`label_key`, so ``项目名称：``, ``项 目 名 称`` and ``项目名称`` match.

Forms write a label and its value in one cell as often as in two
(``项目名称：城乡低保提标补助``, ``主管部门 : 民政局``): :func:`split_label`
splits such a cell, and :attr:`Grid.inline` holds every cell that splits.
A formula cell that was never calculated (saved by a program, not by Excel)
has no value: :attr:`Grid.formulas` names those cells and their formulas.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from perfkit.tables._contract import text_key
from perfkit.tables._workbook_guard import column_name

__all__ = ["Grid", "cell_address", "cell_text", "column_letter", "label_key", "split_label"]


def column_letter(col: int) -> str:
    """0-based column index → spreadsheet letters.

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    return column_name(col + 1)


def cell_address(row: int, col: int) -> str:
    """0-based (row, column) → ``A1`` address.

    Examples
    --------
    >>> cell_address(13, 5)
    'F14'
    """
    return f"{column_letter(col)}{row + 1}"


def cell_text(value: object) -> str:
    """A cell's value as text: numbers without a spurious ``.0``, blanks stripped.

    Examples
    --------
    >>> cell_text(2024.0), cell_text(18966.53), cell_text("  民政局 "), cell_text(None)
    ('2024', '18966.53', '民政局', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


_UNIT_SUFFIX = re.compile(r"\((万元|元|%)\)$")


def label_key(text: object) -> str:
    """Key for matching a form's labels: NFKC, no blanks, no trailing colon or unit.

    Examples
    --------
    >>> label_key(" 项 目 名 称："), label_key("项目资金（万元）"), label_key("其中：当年财政拨款")
    ('项目名称', '项目资金', '其中:当年财政拨款')
    """
    key = text_key(text).rstrip(":")
    return _UNIT_SUFFIX.sub("", key)


_INLINE = re.compile(r"([^:：﹕]+?)\s*[:：﹕]\s*(.+)", re.DOTALL)


def split_label(text: str) -> tuple[str, str] | None:
    """``label：value`` in one cell → (label key, value); None when there is no value.

    Full- or half-width colons, blanks around them; the value is kept as
    written (only the blanks around it are removed).

    Examples
    --------
    >>> split_label("项目名称：城乡低保提标补助"), split_label(" 主管部门 : 民政局 ")
    (('项目名称', '城乡低保提标补助'), ('主管部门', '民政局'))
    >>> split_label("总分：８９.５０"), split_label("项目名称："), split_label("城乡低保")
    (('总分', '８９.５０'), None, None)
    """
    match = _INLINE.fullmatch(text.strip())
    if not match:
        return None
    key = label_key(match.group(1))
    value = match.group(2).strip()
    return (key, value) if key and value else None


def plain(text: str) -> str:
    """NFKC and no blanks, case kept (for units such as ``km``)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass
class Grid:
    """One sheet's cells.

    Attributes
    ----------
    rows : list of list
        Cell values; ``rows[r][c]`` is the cell at 0-based row ``r``, column ``c``.
    merged : list of (r1, c1, r2, c2)
        Merged ranges, 0-based and inclusive.
    formats : dict or None
        ``(r, c)`` → number format of numeric cells, when the reader saw them
        (openpyxl); None when it did not (calamine).
    reader : str
        ``"calamine"`` or ``"openpyxl"``.
    formulas : dict
        ``(r, c)`` → formula text (``=SUM(H13:H19)``) of the cells that hold a
        formula with no computed value (they read as empty).
    inline : dict
        ``(r, c)`` → (label key, value) of the cells holding ``label：value``.
    """

    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formats: dict[tuple[int, int], str] | None = None
    reader: str = "calamine"
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.formulas:  # a trailing formula with no value may lie outside the read range
            height = max(len(self.rows), *(r + 1 for r, _ in self.formulas))
            self.rows = [*self.rows, *([] for _ in range(height - len(self.rows)))]
            for r, c in self.formulas:
                if len(self.rows[r]) <= c:
                    self.rows[r] = [*self.rows[r], *[None] * (c + 1 - len(self.rows[r]))]
        self.height = len(self.rows)
        self.width = max((len(r) for r in self.rows), default=0)
        self._top_left: dict[tuple[int, int], tuple[int, int]] = {}
        for r1, c1, r2, c2 in self.merged:
            # only the cells of the sheet: a range may reach far beyond them (XFD1048576)
            for r in range(r1, min(r2, self.height - 1) + 1):
                for c in range(c1, min(c2, self.width - 1) + 1):
                    if (r, c) != (r1, c1):
                        self._top_left[(r, c)] = (r1, c1)
        self.texts = [[cell_text(v) for v in row] for row in self.rows]
        self.keys = [[label_key(t) if t else "" for t in row] for row in self.texts]
        self.inline: dict[tuple[int, int], tuple[str, str]] = {}
        for r, row in enumerate(self.texts):
            for c, text in enumerate(row):
                if (":" in text or "：" in text or "﹕" in text) and (r, c) not in self._top_left:
                    split = split_label(text)
                    if split:
                        self.inline[(r, c)] = split

    def value(self, row: int, col: int) -> object:
        """The raw value at (row, col); a merged cell gives its range's top-left value."""
        row, col = self._top_left.get((row, col), (row, col))
        if row < self.height and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def text(self, row: int, col: int) -> str:
        """The text at (row, col), merged cells filled from their top-left cell."""
        row, col = self._top_left.get((row, col), (row, col))
        if row < self.height and col < len(self.texts[row]):
            return self.texts[row][col]
        return ""

    def key(self, row: int, col: int) -> str:
        """:func:`label_key` of the own (unmerged) cell at (row, col)."""
        if row < self.height and col < len(self.keys[row]):
            return self.keys[row][col]
        return ""

    def is_merged_copy(self, row: int, col: int) -> bool:
        """True when (row, col) is inside a merged range but not its top-left cell."""
        return (row, col) in self._top_left

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """The cell that holds the value shown at (row, col) (the merge's top-left)."""
        return self._top_left.get((row, col), (row, col))

    def is_number(self, row: int, col: int) -> bool:
        """True when the cell holds a number (not text that looks like one)."""
        value = self.value(row, col)
        return isinstance(value, int | float) and not isinstance(value, bool)

    def percent_format(self, row: int, col: int) -> bool | None:
        """Whether a numeric cell is formatted as a percentage; None when unknown."""
        if self.formats is None:
            return None
        return "%" in self.formats.get(self.origin(row, col), "")

    def formula(self, row: int, col: int) -> str | None:
        """The formula of (row, col) when it has no computed value (merged: its top-left)."""
        return self.formulas.get(self.origin(row, col))

    def find_inline(self, *keys: str) -> list[tuple[int, int]]:
        """Cells holding ``label：value`` whose label is one of ``keys``."""
        wanted = {label_key(k) for k in keys}
        return [cell for cell, (key, _) in self.inline.items() if key in wanted]

    def find(self, *keys: str, exact: bool = True) -> list[tuple[int, int]]:
        """Cells whose label key equals (or, with ``exact=False``, contains) one of ``keys``."""
        wanted = [label_key(k) for k in keys]
        hits = []
        for r, row in enumerate(self.keys):
            for c, key in enumerate(row):
                if key and any((key == w) if exact else (w in key) for w in wanted):
                    hits.append((r, c))
        return hits

    def right_of(
        self, row: int, col: int, labels: frozenset[str] = frozenset()
    ) -> tuple[int, int] | None:
        """The first non-empty cell right of (row, col), outside its own merged range.

        None when there is none, or when that cell is another label (its key
        in ``labels``): the field was left empty.  A formula cell with no
        computed value counts as filled (the caller reports it).
        """
        own = self.origin(row, col)
        for c in range(col + 1, self.width):
            if self.origin(row, c) == own:
                continue
            if self.text(row, c) or self.formula(row, c):
                found = self.origin(row, c)
                inline = self.inline.get(found)  # 主管部门：民政局 is the next field, not a value
                label = inline[0] if inline is not None else self.key(*found)
                return None if label in labels else found
        return None

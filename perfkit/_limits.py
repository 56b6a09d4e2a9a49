"""Limits on input files and on what a message quotes (输入文件限制).

Every input file is treated as hostile: it decides how much perfkit would
allocate if nothing stopped it (a workbook with one value in cell XFD1048576
makes a spreadsheet reader allocate half a terabyte; a CSV header of a
million columns makes a frame of a million columns).  The limits below are
checked *before* a file is turned into a frame; a file beyond one of them is
one clear problem naming the file (and the sheet), and the other files are
still read.  ``docs/security.md`` (section "Limits on input files") gives the
reasons for each number.

Messages quote user text through :func:`quoted` / :func:`quoted_expr`: at
most :data:`MAX_QUOTED_CHARS` characters, then ``…（共N字符）``, with control
characters (escape sequences, line breaks) shown as ``�``.
"""

from __future__ import annotations

import re

import polars as pl

__all__ = [
    "MAX_COLUMNS",
    "MAX_FORM_CELLS",
    "MAX_HEADER_CHARS",
    "MAX_MERGED_CELLS",
    "MAX_MESSAGE_CHARS",
    "MAX_PRINTED_PROBLEMS",
    "MAX_QUOTED_CHARS",
    "MAX_ROWS",
    "MAX_SHEET_CELLS",
    "MAX_UNPACKED_BYTES",
    "quoted",
    "quoted_expr",
]

#: Columns a table may have (CSV header fields; the used range of a sheet).  The
#: contract's widest table has 15 columns; 256 is the old ``.xls`` limit (IV).
MAX_COLUMNS = 256
#: Characters in one header (a contract header has at most 12).
MAX_HEADER_CHARS = 200
#: Rows of a sheet: Excel's own limit.
MAX_ROWS = 1_048_576
#: Cells in the used range (rows × columns) of a table's sheet: 20 million,
#: e.g. 1.3 million rows of 15 columns (reading holds about 100 bytes per cell: 3.6 million
#: cells took 380 MB).
MAX_SHEET_CELLS = 20_000_000
#: Cells in the used range of a sheet read as a form (a form is a page or two;
#: every cell becomes a Python object).
MAX_FORM_CELLS = 1_000_000
#: Cells covered by the merged ranges of one sheet (each is filled in one by one).
MAX_MERGED_CELLS = 1_000_000
#: Bytes a workbook may unpack to (all its zip members together): a zip bomb
#: inflates a few kilobytes to gigabytes.
MAX_UNPACKED_BYTES = 2 * 1024**3
#: Characters of user text quoted in one message.
MAX_QUOTED_CHARS = 80
#: Characters of one message (a backstop: every quoted value is already short).
MAX_MESSAGE_CHARS = 1_000
#: Problems printed by a command; the rest are counted in one line (all of
#: them are in the problems file a command writes, where it writes one).
MAX_PRINTED_PROBLEMS = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = r"[\x00-\x1f\x7f-\x9f]"


def quoted(text: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """User text for a message: at most ``limit`` characters, control characters as ``�``.

    Examples
    --------
    >>> quoted("九成")
    '九成'
    >>> quoted("x" * 1_000_000)[-16:]
    'xxx…（共1000000字符）'
    >>> quoted("a\\x1b[31mb")
    'a�[31mb'
    """
    text = str(text)
    shown = re.sub(_CONTROL_ALL, "\ufffd", text[:limit])
    return shown if len(text) <= limit else f"{shown}…（共{len(text)}字符）"


def quoted_expr(expr: pl.Expr, limit: int = MAX_QUOTED_CHARS) -> pl.Expr:
    """:func:`quoted` as a polars expression over a text column.

    Examples
    --------
    >>> df = pl.DataFrame({"x": ["九成", "y" * 100, None]})
    >>> df.select(quoted_expr(pl.col("x"))).to_series().to_list()[::2]
    ['九成', None]
    >>> df.select(quoted_expr(pl.col("x"))).item(1, 0)[-12:]
    'yyy…（共100字符）'
    """
    text = expr.cast(pl.String)
    n = text.str.len_chars()
    shown = text.str.slice(0, limit).str.replace_all(_CONTROL_ALL, "\ufffd")
    return pl.when(n > limit).then(pl.format("{}…（共{}字符）", shown, n)).otherwise(shown)


def shorten_message(message: str) -> str:
    """A message cut to :data:`MAX_MESSAGE_CHARS`; control characters (not line breaks) as ``�``.

    Examples
    --------
    >>> len(shorten_message("'" + "x" * 5000 + "' is not a number")) < 1_100
    True
    """
    message = _CONTROL.sub("\ufffd", message)
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}…（共{len(message)}字符）"

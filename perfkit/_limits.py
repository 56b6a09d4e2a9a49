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
characters (escape sequences, line breaks) shown as ``�``.  A message per row
is built with :func:`format_expr`, never ``pl.format`` (which panics on the
text columns of a filtered frame in polars 2.1; ``docs/security.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    "format_expr",
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
    return pl.when(n > limit).then(format_expr("{}…（共{}字符）", shown, n)).otherwise(shown)


_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def format_expr(template: str, *args: pl.Expr | str) -> pl.Expr:
    """``pl.format(template, *args)`` built with ``pl.concat_str``: a text per row.

    Same template (``{}`` the next argument, ``{0}`` the first, ``{name}`` the
    column ``name``, ``{{``/``}}`` a brace), same result (every value as its
    text; null where an argument is null).  Unlike ``pl.format`` of polars 2.1
    it does not panic on a frame whose text columns have an empty chunk, which
    is what filtering a CSV read in several chunks gives (one department's
    rows): a ``PanicException``, not an ``Exception``, that nothing catches.

    Parameters
    ----------
    template : str
        The text with its placeholders.
    *args : polars.Expr or str
        The values of the placeholders (a string is a column name, as in ``pl.format``).

    Returns
    -------
    polars.Expr
        A String expression.

    Raises
    ------
    TypeError
        A stray brace, or placeholders and arguments that do not match: a wrong
        call in perfkit's code (templates are never user text), so not a message.

    Examples
    --------
    >>> df = pl.DataFrame({"x": ["九成", None], "n": [3, 4]})
    >>> df.select(format_expr("'{}' is not a number (row {n}, {{}})", "x"))["x"].to_list()
    ["'九成' is not a number (row 3, {})", None]
    """
    exprs = [pl.col(a) if isinstance(a, str) else a for a in args]
    parts: list[pl.Expr] = []
    values: list[pl.Expr] = []  # the output is named after the first (as pl.format's)
    text: list[str] = []
    used: set[int] = set()
    for piece, field in _pieces(template):
        if field is None:
            text.append(piece)
            continue
        if text:
            parts.append(pl.lit("".join(text), pl.String))
            text = []
        if field == "":
            field = str(len(used))
        if field.isdigit():
            index = int(field)
            if index >= len(exprs):
                raise TypeError(f"format template {template!r}: no argument {index}")
            used.add(index)
            values.append(exprs[index])
        else:
            values.append(pl.col(field))
        parts.append(values[-1])
    if text or not parts:
        parts.append(pl.lit("".join(text), pl.String))
    if len(used) != len(exprs):
        raise TypeError(f"format template {template!r} does not use its {len(exprs)} arguments")
    joined = pl.concat_str(parts)
    first = (exprs or values)[:1]
    name = first[0].meta.output_name(raise_if_undetermined=False) if first else None
    return joined.alias(name) if name else joined


def _pieces(template: str) -> Iterator[tuple[str, str | None]]:
    """``(literal text, None)`` and ``("", field)`` pieces of a format template."""
    at = 0
    for match in _FIELD.finditer(template):
        yield template[at : match.start()], None
        at = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            yield token[0], None
        elif match.group(1) is None:
            raise TypeError(f"format template {template!r}: a single {token!r}")
        else:
            yield "", match.group(1).strip()
    yield template[at:], None


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

"""Problems found in user input, and the exceptions that carry them.

Every check in perfkit collects :class:`Problem` records instead of stopping at
the first one, so that a user sees all that is wrong with a file at once
(数据问题一次列全).  A :class:`InputError` carries the whole list; the CLI
prints it without a traceback and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

__all__ = ["InputError", "PerfkitError", "Problem", "SystemDefinitionError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as possible.

    Parameters
    ----------
    file : str
        The file (or ``<projects>`` for an in-memory table) the problem is in.
    row : int or None
        The row as a spreadsheet shows it (header is row 1), or None when the
        problem concerns the whole file or a whole unit.
    column : str or None
        The column header as written in the file.
    message : str
        What is wrong, in words a user can act on.
    severity : str
        ``"error"`` (blocks scoring) or ``"warning"`` (reported, not blocking).

    Examples
    --------
    >>> str(Problem("projects.csv", 14, "executed", "'九成' is not a number"))
    "projects.csv:14: executed: '九成' is not a number"
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        col = f" {self.column}:" if self.column else ""
        tag = "" if self.severity == "error" else f" [{self.severity}]"
        return f"{where}:{col} {self.message}{tag}"


class PerfkitError(Exception):
    """Base class of every error perfkit raises on purpose (a user error)."""


class InputError(PerfkitError):
    """Input data failed validation; ``problems`` lists every problem found.

    Examples
    --------
    >>> err = InputError([Problem("p.csv", 2, "year", "missing value")])
    >>> len(err.problems)
    1
    """

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = sorted(problems, key=problem_order)
        n = sum(p.severity == "error" for p in self.problems)
        self.summary = summary or f"{n} problem(s) in the input; nothing was written"
        super().__init__(self.summary + "\n" + "\n".join(str(p) for p in self.problems[:50]))

    def to_frame(self) -> pl.DataFrame:
        """The problems as a table (file, row, column, message, severity)."""
        return problems_frame(self.problems)


class SystemDefinitionError(PerfkitError):
    """An indicator-system file is malformed; the message names file and key path."""


def problem_order(p: Problem) -> tuple:
    """Sort key: file, row (whole-file problems first), column, message."""
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.message)


def problems_frame(problems: Iterable[Problem]) -> pl.DataFrame:
    """Problems as a polars frame, one row each, sorted by file and row.

    Examples
    --------
    >>> problems_frame([Problem("a.csv", 3, "year", "bad")]).columns
    ['file', 'row', 'column', 'message', 'severity']
    """
    rows = [
        {
            "file": p.file,
            "row": p.row,
            "column": p.column,
            "message": p.message,
            "severity": p.severity,
        }
        for p in sorted(problems, key=problem_order)
    ]
    schema = {
        "file": pl.String,
        "row": pl.Int64,
        "column": pl.String,
        "message": pl.String,
        "severity": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)

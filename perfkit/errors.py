"""Problems found in user input, and the exceptions that carry them.

Every check in perfkit collects :class:`Problem` records instead of stopping at
the first one, so that a user sees all that is wrong with a file at once
(数据问题一次列全).  A :class:`InputError` carries the whole list; the CLI
prints it without a traceback and exits non-zero.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from perfkit._limits import quoted, shorten_message
from perfkit.i18n import N_, _

__all__ = [
    "InputError",
    "InternalError",
    "OutputError",
    "PerfkitError",
    "Problem",
    "SystemDefinitionError",
    "severity_label",
]


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
    sheet : str or None
        The workbook sheet, for problems found in a spreadsheet form.
    cell : str or None
        The cell address (``F14``) in ``sheet``; such a problem is shown as
        ``file!sheet!cell: message`` (the message names the field).

    Printed (``str``) in the chosen language (:mod:`perfkit.i18n`): the fields stay
    as they are; only the words around them change.

    Examples
    --------
    >>> from perfkit.i18n import use_language
    >>> problem = Problem("projects.csv", 3, "全年执行数", "'七十二' 不是数字")
    >>> with use_language("zh"):
    ...     str(problem)
    "projects.csv 第3行 全年执行数：'七十二' 不是数字"
    >>> with use_language("en"):
    ...     str(Problem("projects.csv", 14, "executed", "'九成' is not a number"))
    "projects.csv:14: executed: '九成' is not a number"
    >>> with use_language("zh"):
    ...     str(Problem("2023-民政局.xlsx", 14, "实际完成值", "实际完成值 '九成' 不是数字",
    ...                 sheet="Sheet3", cell="F14", severity="warning"))
    "2023-民政局.xlsx!Sheet3!F14：实际完成值 '九成' 不是数字（警告）"
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = field(default="error", compare=False)
    sheet: str | None = None
    cell: str | None = None

    def __post_init__(self) -> None:
        # a message quotes user text: keep it bounded and free of terminal control
        # sequences (perfkit/_limits.py); file, sheet and column stay as they are (they
        # are matched against the data) and are made safe only when shown
        object.__setattr__(self, "message", shorten_message(self.message))

    @property
    def address(self) -> str:
        """Where the problem is: ``file!sheet!cell``, ``file!sheet``, ``file:row`` or ``file``."""
        file, sheet = _shown(self.file) or "", _shown(self.sheet)  # a str in gives a str
        if sheet is not None:
            return "!".join(x for x in (file, sheet, self.cell) if x)
        return file if self.row is None else f"{file}:{self.row}"

    def __str__(self) -> str:
        column = _shown(self.column) if self.sheet is None else None
        file = _shown(self.file) or ""
        if self.sheet is not None:
            text = _("{address}: {message}").format(address=self.address, message=self.message)
        elif self.row is None:
            text = (_("{file}: {column}: {message}") if column else _("{file}: {message}")).format(
                file=file, column=column, message=self.message
            )
        else:
            text = (
                _("{file}:{row}: {column}: {message}") if column else _("{file}:{row}: {message}")
            ).format(file=file, row=self.row, column=column, message=self.message)
        if self.severity == "error":
            return text
        return text + _(" [{severity}]").format(severity=severity_label(self.severity))


#: Severities as a person reads them (the machine field keeps ``error``/``warning``).
_SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


def severity_label(severity: str) -> str:
    """``"warning"`` → ``警告`` (in the chosen language); an unknown severity as it is.

    Examples
    --------
    >>> from perfkit.i18n import use_language
    >>> with use_language("zh"):
    ...     severity_label("error"), severity_label("warning")
    ('错误', '警告')
    """
    return _(_SEVERITIES[severity]) if severity in _SEVERITIES else severity


def _shown(name: str | None) -> str | None:
    """A file, sheet or column name as printed: control characters as ``�``, at most 300."""
    if name is None or (len(name) <= 300 and name.isprintable()):
        return name
    return quoted(name, 300)


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
        self.summary = summary or _("{n} problem(s) in the input; nothing was written").format(n=n)
        super().__init__(self.summary + "\n" + "\n".join(str(p) for p in self.problems[:50]))

    def to_frame(self) -> pl.DataFrame:
        """The problems as a table (file, row, column, message, severity)."""
        return problems_frame(self.problems)


class OutputError(PerfkitError):
    """A result could not be written (无法写入): the message names the path and the reason.

    Examples
    --------
    >>> import errno
    >>> str(OutputError("out/scores.xlsx", PermissionError(errno.EACCES, "Permission denied")))
    '无法写入 out/scores.xlsx：权限不足（permission denied）'
    """

    def __init__(self, path: object, reason: BaseException | str) -> None:
        self.path = str(path)
        self.reason = reason if isinstance(reason, str) else os_reason(reason)
        super().__init__(
            _("cannot write {path}: {reason}").format(path=self.path, reason=self.reason)
        )


#: The operating system's reasons a person meets, in the catalog (the Chinese keeps the
#: English term in brackets, for a search).
_ERRNO_REASONS = {
    "EACCES": N_("permission denied"),
    "EPERM": N_("operation not permitted: read-only or immutable"),
    "EROFS": N_("read-only file system"),
    "ENOSPC": N_("no space left on device"),
    "EDQUOT": N_("disk quota exceeded"),
    "EISDIR": N_("is a directory"),
    "ENOTDIR": N_("not a directory"),
    "EEXIST": N_("file exists"),
    "ENOTEMPTY": N_("directory not empty"),
    "ENAMETOOLONG": N_("file name too long"),
    "EBUSY": N_("device or resource busy"),
    "EXDEV": N_("cross-device link"),
}


def os_reason(exc: BaseException) -> str:
    """An operating-system error in words, in the chosen language (Chinese with the English term).

    Examples
    --------
    >>> os_reason(IsADirectoryError(21, "Is a directory"))
    '已有同名文件夹（is a directory）'
    """
    code = getattr(exc, "errno", None)
    name = errno.errorcode.get(code, "") if isinstance(code, int) else ""
    if name in _ERRNO_REASONS:
        return _(_ERRNO_REASONS[name])
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)


class InternalError(PerfkitError):
    """perfkit (or polars under it) broke on an input: a bug to report, not a mistake in the data.

    Raised in place of a polars ``PanicException`` (a Rust panic), which is a
    ``BaseException``: ``except Exception`` does not catch it, so a notebook, a
    batch or a script would stop with a traceback.  As a :class:`PerfkitError`
    it is a clean message (the CLI prints it and exits non-zero) naming the
    file being read or checked when it is known.

    Examples
    --------
    >>> from perfkit.i18n import use_language
    >>> with use_language("en"):
    ...     message = str(InternalError("assertion failed: i < self.len()", "projects.csv"))
    >>> print(message)
    internal error while reading projects.csv (assertion failed: i < self.len()): a bug in ...
    """

    def __init__(self, reason: BaseException | str, file: object | list[str] = None) -> None:
        files = [str(f) for f in file] if isinstance(file, list) else [] if file is None else [file]
        self.file = files[0] if len(files) == 1 else None
        lines = str(reason).strip().splitlines()
        self.reason = quoted(lines[0] if lines else type(reason).__name__, 200)
        if len(files) == 1:
            text = _(
                "internal error while reading {file} ({reason}): a bug in perfkit, "
                "not a mistake in the file; please report it with the file"
            ).format(file=_shown(str(files[0])), reason=self.reason)
        elif files:
            text = _(
                "internal error while reading {files} ({reason}): a bug in perfkit, "
                "not a mistake in the input; please report it with these files"
            ).format(files=_(", ").join(str(_shown(str(f))) for f in files), reason=self.reason)
        else:
            text = _(
                "internal error ({reason}): a bug in perfkit, not a mistake in the input; "
                "please report it with the input files"
            ).format(reason=self.reason)
        super().__init__(text)


class SystemDefinitionError(PerfkitError):
    """An indicator-system file is malformed; the message names file and key path."""


def problem_order(p: Problem) -> tuple:
    """Sort key: file, sheet, row (whole-file problems first), column, message."""
    return (p.file, p.sheet or "", p.row if p.row is not None else -1, p.column or "", p.message)


def problems_frame(problems: Iterable[Problem]) -> pl.DataFrame:
    """Problems as a polars frame, one row each, sorted by file and row.

    Problems located in a workbook sheet add ``sheet`` and ``cell`` columns
    (only when there are such problems, so other tables keep their columns).

    Examples
    --------
    >>> problems_frame([Problem("a.csv", 3, "year", "bad")]).columns
    ['file', 'row', 'column', 'message', 'severity']
    >>> problems_frame([Problem("a.xlsx", 3, "分值", "bad", sheet="S1", cell="G3")]).columns
    ['file', 'sheet', 'cell', 'row', 'column', 'message', 'severity']
    """
    ordered = sorted(problems, key=problem_order)
    located = any(p.sheet is not None for p in ordered)
    rows = [
        {
            "file": p.file,
            **({"sheet": p.sheet, "cell": p.cell} if located else {}),
            "row": p.row,
            "column": p.column,
            "message": p.message,
            "severity": p.severity,
        }
        for p in ordered
    ]
    schema = {
        "file": pl.String,
        **({"sheet": pl.String, "cell": pl.String} if located else {}),
        "row": pl.Int64,
        "column": pl.String,
        "message": pl.String,
        "severity": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)

"""Shared pieces of the ``perfkit`` command line: user errors become messages.

Every command module decorates its commands with :func:`user_errors` so that a
user's mistake (bad input, unknown system, unreadable file, an output folder
that cannot be written) prints a clear message naming the path and exits with
status 1, never a traceback; usage errors exit with 2 (click's own
convention).  At most :data:`~perfkit._limits.MAX_PRINTED_PROBLEMS` problems
are printed (the same line only once; the rest are counted), and cells that a
workbook could not hold whole (:class:`~perfkit.tables._write.CellTextCut`) are
printed as warnings.  As a last resort a polars ``PanicException`` (a
``BaseException`` that ``except Exception`` lets through) becomes a message
saying it is an internal error and naming the command's input files, exit status 1.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
import polars as pl

from perfkit._limits import MAX_PRINTED_PROBLEMS
from perfkit.errors import (
    InputError,
    InternalError,
    PerfkitError,
    Problem,
    os_reason,
    severity_label,
)
from perfkit.i18n import N_, _
from perfkit.tables import HEADERS
from perfkit.tables._write import DEFAULT_EXCEL_MAX_ROWS, CellTextCut

__all__ = [
    "EXIT_INPUT",
    "excel_max_rows_option",
    "headers_option",
    "out_dir_option",
    "print_problems",
    "user_errors",
]

EXIT_INPUT = 1


def print_problems(problems: list[Problem], limit: int = MAX_PRINTED_PROBLEMS) -> None:
    """Print problems to stderr, errors in red and warnings in yellow.

    A line already printed is not printed again; after ``limit`` lines the
    rest are only counted, in one last line.
    """
    seen: set[str] = set()
    hidden: Counter[str] = Counter()
    for p in problems:
        text = str(p)
        if text in seen:
            continue
        seen.add(text)
        if len(seen) > limit:
            hidden[p.severity] += 1
            continue
        colour = "red" if p.severity == "error" else "yellow"
        click.secho(text, fg=colour, err=True)
    if hidden:
        counts = _(", ").join(
            _("{n} {severity}(s)").format(n=f"{n:,}", severity=severity_label(kind))
            for kind, n in sorted(hidden.items())
        )
        click.secho(
            _("… and {n} more problem(s) not shown ({counts})").format(
                n=f"{sum(hidden.values()):,}", counts=counts
            ),
            fg="red" if hidden["error"] else "yellow",
            err=True,
        )


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn perfkit's user errors into a message and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _cells_cut_as_warnings():
                return func(*args, **kwargs)
        except InputError as exc:
            print_problems(exc.problems)
            click.secho(f"✗ {exc.summary}", fg="red", err=True)
            sys.exit(EXIT_INPUT)
        except PerfkitError as exc:
            click.secho(f"✗ {exc}", fg="red", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:  # a file that cannot be read or written: the path, not a traceback
            reason = os_reason(exc)
            if exc.filename is not None:
                reason = _("{path}: {reason}").format(path=exc.filename, reason=reason)
            click.secho(_("✗ {reason}").format(reason=reason), fg="red", err=True)
            sys.exit(EXIT_INPUT)
        except pl.exceptions.PanicException as exc:  # polars broke: a bug, still no traceback
            click.secho(f"✗ {InternalError(exc, _input_files())}", fg="red", err=True)
            sys.exit(EXIT_INPUT)

    return wrapper


def _input_files() -> list[str]:
    """The existing files and folders the running command was given, outputs left out."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return []
    found: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param.type, click.Path) or param.name in (None, "log"):
            continue
        if param.name.startswith("out"):
            continue
        value = ctx.params.get(param.name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is not None and Path(str(item)).exists():
                found.append(str(item))
    return found


class _cells_cut_as_warnings:
    """Print :class:`~perfkit.tables.CellTextCut` warnings as a user's warning, not Python's."""

    def __enter__(self) -> None:
        self._saved = warnings.catch_warnings()
        self._saved.__enter__()
        warnings.simplefilter("always", CellTextCut)
        shown = warnings.showwarning

        def show(message, category, *args, **kwargs):  # type: ignore[no-untyped-def]
            if issubclass(category, CellTextCut):
                click.secho(_("warning: {message}").format(message=message), fg="yellow", err=True)
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show

    def __exit__(self, *exc: Any) -> None:
        self._saved.__exit__(*exc)


def out_dir_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The required ``--out/-o DIR`` option of commands that write a folder (as ``out_dir``)."""
    return click.option(
        "--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False), help=help
    )


def excel_max_rows_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--excel-max-rows N`` option of commands that also write a workbook."""
    return click.option(
        "--excel-max-rows",
        type=click.IntRange(1, 1_048_575),
        default=DEFAULT_EXCEL_MAX_ROWS,
        show_default=True,
        help=help,
    )


#: ``--headers en|zh``: the contract's English column names (default) or its Chinese headers.
headers_option = click.option(
    "--headers",
    type=click.Choice(HEADERS),
    default="en",
    show_default=True,
    help=N_(
        "Headers of the CSV tables: the contract's English names (for scripts) or its "
        "Chinese headers (for Excel); perfkit reads both."
    ),
)

"""Shared pieces of the ``perfkit`` command line: user errors become messages.

Every command module decorates its commands with :func:`user_errors` so that a
user's mistake (bad input, unknown system, unreadable file, an output folder
that cannot be written) prints a clear message naming the path and exits with
status 1, never a traceback; usage errors exit with 2 (click's own
convention).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from perfkit.errors import InputError, PerfkitError, Problem, os_reason

__all__ = ["EXIT_INPUT", "out_dir_option", "print_problems", "user_errors"]

EXIT_INPUT = 1


def print_problems(problems: list[Problem]) -> None:
    """Print problems to stderr, errors in red and warnings in yellow."""
    for p in problems:
        colour = "red" if p.severity == "error" else "yellow"
        click.secho(str(p), fg=colour, err=True)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn perfkit's user errors into a message and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            print_problems(exc.problems)
            click.secho(f"✗ {exc.summary}", fg="red", err=True)
            sys.exit(EXIT_INPUT)
        except PerfkitError as exc:
            click.secho(f"✗ {exc}", fg="red", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:  # a file that cannot be read or written: the path, not a traceback
            where = f"{exc.filename}：" if exc.filename is not None else ""
            click.secho(f"✗ {where}{os_reason(exc)}", fg="red", err=True)
            sys.exit(EXIT_INPUT)

    return wrapper


def out_dir_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The required ``--out/-o DIR`` option of commands that write a folder (as ``out_dir``)."""
    return click.option(
        "--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False), help=help
    )

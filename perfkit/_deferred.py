"""Slow third-party imports deferred to first use (perfkit's processes start faster).

``jsonschema`` (imported by ``altair`` in every kernel and by ``nbformat`` in
every batch worker) imports ``rfc3987_syntax`` when that is installed (it is, as
a dependency of the Jupyter server), and ``rfc3987_syntax`` builds an Earley
parser for RFC 3987 at import time: 1.2–1.6 s of CPU in every process, for a
format check (``"format": "iri"``) that neither altair's nor nbformat's schemas
use.  :func:`defer_slow_imports` puts a stand-in module in ``sys.modules`` whose
``is_valid_syntax`` imports the real module the first time it is called, so
behaviour is unchanged and only a process that checks an IRI pays for the parser.

Called once, first thing, by ``perfkit/__init__.py``; it does nothing when the
module is not installed or is already imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from functools import cache
from typing import Any

__all__ = ["defer_slow_imports"]

_NAME = "rfc3987_syntax"


@cache
def _real() -> Any:
    """The real ``rfc3987_syntax.is_valid_syntax`` (imported on the first call)."""
    if isinstance(sys.modules.get(_NAME), _Stand):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME).is_valid_syntax


def _is_valid_syntax(term: str, value: str) -> bool:
    return bool(_real()(term, value))


class _Stand(types.ModuleType):
    """``rfc3987_syntax`` until something uses it."""

    is_valid_syntax = staticmethod(_is_valid_syntax)

    def __getattr__(self, name: str) -> Any:  # any other public name: the real module
        if name.startswith("__"):  # the import system asks for __path__, __file__ …
            raise AttributeError(name)
        _real()
        return getattr(importlib.import_module(_NAME), name)


def defer_slow_imports() -> None:
    """Put the stand-ins in place (idempotent).

    Examples
    --------
    >>> defer_slow_imports()
    >>> import jsonschema
    >>> jsonschema.FormatChecker().conforms("https://例子.中国/路径", "iri")
    True
    """
    if _NAME in sys.modules:
        return
    try:
        found = importlib.util.find_spec(_NAME) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        sys.modules[_NAME] = _Stand(_NAME)

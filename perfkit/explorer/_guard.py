"""What a page's widget messages can make the kernel say back (错误防护).

A dashboard page talks to its kernel through widget messages, and a visitor
can forge them: a slider value outside its range, an option index past the
end, a brush made of text.  Two things keep the answers short and free of
tracebacks and server paths:

* :func:`guarded` wraps every callback of the explorer: an exception is
  logged server-side and the page shows one short Chinese sentence;
* :func:`protect_kernel` (the dashboard's kernels only) catches the errors
  that happen before a callback runs — ipywidgets validating a value and
  answering with ``showtraceback()`` — and sends the kernel's log, warnings
  and stderr to the server's terminal instead of the page.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import weakref
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["USER_MESSAGE", "guarded", "protect_kernel"]

log = logging.getLogger("perfkit.explorer")

#: What the page says when a widget message could not be applied.
USER_MESSAGE = "操作未完成：收到的数值无效或超出范围，已忽略；页面其余部分照常可用。"

_reporters: list[Callable[[], Callable[[str], None] | None]] = []


def guarded(
    callback: Callable[..., Any],
    report: Callable[[str], None],
    *,
    name: str | None = None,
    message: str = USER_MESSAGE,
) -> Callable[..., Any]:
    """``callback`` that never raises: an exception is logged and ``report(message)`` called.

    Parameters
    ----------
    callback : callable
        A widget callback (an observer or a click handler).
    report : callable
        Shows a short message to the user (on the page).
    name : str, optional
        The callback's name in the log (default: its qualified name).
    message : str
        What the user is told.

    Examples
    --------
    >>> shown = []
    >>> safe = guarded(lambda change: 1 / change, shown.append, name="divide")
    >>> safe(2), safe(0), shown == [USER_MESSAGE]
    (0.5, None, True)
    """
    label = name or getattr(callback, "__qualname__", repr(callback))

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except Exception:
            log.exception("explorer callback %s failed", label)
            _safely(report, message)
            return None

    return run


def _safely(report: Callable[[str], None], message: str) -> None:
    try:
        report(message)
    except Exception:  # the page could not be told; the server log still says what happened
        log.exception("could not show an error message on the page")


def _server_stream() -> TextIO:
    """The kernel process's own stderr (the server's terminal), not the page."""
    copy = getattr(sys.stderr, "_original_stdstream_copy", None)
    if isinstance(copy, int):
        # ipykernel forwards file descriptor 2 to the page; give it back its real target
        os.dup2(copy, 2)
        return open(os.dup(copy), "w", buffering=1, encoding="utf-8", errors="replace")
    return sys.__stderr__ or sys.stderr


def _quiet_traceback(*_args: Any, **_kwargs: Any) -> None:
    """Replaces ``shell.showtraceback``: the traceback goes to the server log only."""
    exc = sys.exc_info()
    if exc[0] is None:
        log.error("an error was reported without an exception")
    else:
        log.error("widget message failed", exc_info=exc)
    for ref in list(_reporters):
        report = ref()
        if report is None:
            _reporters.remove(ref)
        else:
            _safely(report, USER_MESSAGE)


def protect_kernel(report: Callable[[str], None] | None = None) -> bool:
    """Keep tracebacks, warnings and log output of this kernel off the page.

    For the dashboard's kernels (``Explorer(..., dashboard=True)`` calls it):
    ``showtraceback`` — which ipywidgets calls when a widget message fails —
    logs the traceback server-side and calls ``report`` with
    :data:`USER_MESSAGE`; the root logger, Python warnings and ``sys.stderr``
    write to the kernel's real stderr (Voila's terminal).  Calling it again only
    adds ``report``.  Outside IPython it does nothing and returns False.

    Parameters
    ----------
    report : callable, optional
        Shows a short message on the page (held weakly when it is a method).

    Returns
    -------
    bool
        True in an IPython kernel.

    Examples
    --------
    >>> protect_kernel()  # plain Python: nothing to protect
    False
    """
    try:
        from IPython import get_ipython  # only inside a kernel
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    shell = get_ipython()
    if shell is None:
        return False
    if not getattr(shell, "_perfkit_protected", False):
        stream = _server_stream()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(
            logging.Formatter("[perfkit kernel %(process)d] %(levelname)s %(name)s: %(message)s")
        )
        root = logging.getLogger()
        root.handlers[:] = [handler]
        if root.level == logging.NOTSET or root.level > logging.WARNING:
            root.setLevel(logging.WARNING)
        logging.captureWarnings(True)
        sys.stderr = stream
        shell.showtraceback = _quiet_traceback
        shell._perfkit_protected = True
    if report is not None:
        if hasattr(report, "__self__") and hasattr(report, "__func__"):
            _reporters.append(weakref.WeakMethod(report))  # type: ignore[arg-type]
        else:
            _reporters.append(lambda report=report: report)
    return True

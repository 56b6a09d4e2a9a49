"""The command line in the users' language: click's own words and perfkit's help texts.

click writes its messages (``Usage:``, ``Options``, ``Missing option``, ``No such
command`` …) through :mod:`gettext`; :func:`install` points those calls at perfkit's
catalog (:mod:`perfkit.i18n`), so click speaks Chinese by default and English with
``--lang en``.  The help texts of perfkit's commands and options stay English in the
code (they are the msgids) and are translated when shown: :func:`install` wraps the
few click methods that read ``help``, ``short_help`` and ``epilog`` so that they see
the text in the current language.  Nothing is copied: a command stays the object it
is (the lazy group hands out the very command of its module).

A text missing from the catalog is shown as written; ``tests/test_i18n.py`` keeps
every help text, every click message and every ``_()`` of perfkit in the catalog.
"""

from __future__ import annotations

import functools
import inspect
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.shell_completion
import click.termui
import click.types
import click.utils

from perfkit.i18n import get_language, gettext, ngettext

__all__ = ["CLICK_MODULES", "help_msgid", "install", "short_help_msgid", "translated_help"]

#: The click modules whose ``_`` and ``ngettext`` become perfkit's.
CLICK_MODULES = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.shell_completion,
    click.termui,
    click.types,
    click.utils,
)

F = TypeVar("F", bound=Callable[..., Any])


def help_msgid(text: str) -> str:
    """The catalog's key for a help text: as click shows it (dedented, cut at ``\\f``).

    Examples
    --------
    >>> help_msgid('''Score projects.
    ...
    ...     More words.\\f
    ...     :param x: hidden''')
    'Score projects.\\n\\nMore words.'
    """
    return inspect.cleandoc(text).partition("\f")[0].strip()


def short_help_msgid(command: click.Command) -> str:
    """The catalog's key for a command's one-line help: its first sentence, in English."""
    if command.short_help:
        return inspect.cleandoc(command.short_help).strip()
    return _ORIGINAL_SHORT_HELP(command, 10**6) if command.help else ""


def translated_help(text: str | None) -> str | None:
    """A help text in the current language (as written when the catalog lacks it)."""
    if text is None or get_language() == "en":
        return text
    msgid = help_msgid(text)
    if not msgid:
        return text
    shown = gettext(msgid)
    return text if shown == msgid else shown


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: wide (CJK) characters count two.

    Examples
    --------
    >>> display_width("预算 ok")
    7
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` columns with ``…`` (click's rule, for text without spaces)."""
    if display_width(text) <= limit:
        return text
    kept, width = [], 0
    for char in text:
        width += display_width(char)
        if width > limit - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


@contextmanager
def _attributes_translated(obj: object, names: tuple[str, ...]) -> Iterator[None]:
    saved = {name: getattr(obj, name, None) for name in names}
    try:
        for name, value in saved.items():
            if isinstance(value, str):
                setattr(obj, name, translated_help(value))
        yield
    finally:
        for name, value in saved.items():
            setattr(obj, name, value)


def _reading_translated(method: F, names: tuple[str, ...]) -> F:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if get_language() == "en":
            return method(self, *args, **kwargs)
        with _attributes_translated(self, names):
            return method(self, *args, **kwargs)

    wrapper.__perfkit_i18n__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


_ORIGINAL_SHORT_HELP = click.Command.get_short_help_str


def _short_help(self: click.Command, limit: int = 45) -> str:
    """As click's, in the current language: the first sentence's translation, shortened."""
    if get_language() == "en":
        return _ORIGINAL_SHORT_HELP(self, limit)
    msgid = short_help_msgid(self)
    shown = gettext(msgid) if msgid else msgid
    if shown == msgid:
        return _ORIGINAL_SHORT_HELP(self, limit)
    return _shortened(shown, limit)


_short_help.__perfkit_i18n__ = True  # type: ignore[attr-defined]


_HELP_OPTION = "Show this message and exit."
_ORIGINAL_HELP_OPTION = click.Command.get_help_option


def _help_option(self: click.Command, ctx: click.Context) -> click.Option | None:
    """As click's, with the help text kept English (click makes the option once, and keeps it)."""
    option = _ORIGINAL_HELP_OPTION(self, ctx)
    if option is not None and option.help == gettext(_HELP_OPTION):
        option.help = _HELP_OPTION  # translated when shown, in the language of that run
    return option


def install() -> None:
    """Make click speak the current language (idempotent; called by :mod:`perfkit.cli`)."""
    for module in CLICK_MODULES:
        module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    if getattr(click.Command.get_short_help_str, "__perfkit_i18n__", False):
        return
    click.Command.get_short_help_str = _short_help  # type: ignore[method-assign]
    click.Command.get_help_option = _help_option  # type: ignore[method-assign]
    for cls, method, names in (
        (click.Command, "format_help_text", ("help",)),
        (click.Command, "format_epilog", ("epilog",)),
        (click.Option, "get_help_record", ("help",)),
        (click.Argument, "get_help_record", ("help",)),
    ):
        setattr(cls, method, _reading_translated(getattr(cls, method), names))

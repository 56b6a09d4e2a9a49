"""Messages in the users' language: Chinese by default, English on request.

Everything perfkit says to a person goes through :func:`_` (or :func:`ngettext`).
The source text (the msgid) is English, written in the code; the Chinese is in one
gettext catalog, ``perfkit/i18n/locale/zh/LC_MESSAGES/perfkit.po``, compiled to the
``.mo`` beside it (committed, shipped as package data: an install needs no build
step).  How to add a message: ``docs/i18n.md``.

The language is, in order: :func:`set_language` (the command line's ``--lang``),
the environment variable ``PERFKIT_LANG``, then Chinese (``zh``).  English needs
no catalog: the msgids are the English text.  A catalog is read once per
process, on the first message in that language.

Examples
--------
>>> with use_language("zh"):
...     print(_("Missing option"))
缺少选项
>>> with use_language("en"):
...     print(ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)",
...                    2).format(possibility="score", possibilities="score, scores"))
(Did you mean one of: score, scores?)
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "ENV_VARIABLE",
    "LANGUAGES",
    "N_",
    "_",
    "get_language",
    "gettext",
    "ngettext",
    "normalise_language",
    "set_language",
    "translation",
    "use_language",
]

#: The languages perfkit speaks; the first is the default.
LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
#: The environment variable that chooses the language when the command line does not.
ENV_VARIABLE = "PERFKIT_LANG"
DOMAIN = "perfkit"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: str | None = None


def normalise_language(value: str) -> str:
    """``zh``, ``zh_CN``, ``zh-Hans``, ``zh_CN.UTF-8`` → ``zh``; ``en``, ``en_US`` → ``en``.

    Raises
    ------
    ValueError
        For any other language (the message names the ones perfkit speaks).

    Examples
    --------
    >>> normalise_language("zh_CN.UTF-8"), normalise_language("EN-us")
    ('zh', 'en')
    """
    base = value.strip().lower().replace("-", "_").partition(".")[0].partition("_")[0]
    if base not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}: use one of {', '.join(LANGUAGES)}")
    return base


def get_language() -> str:
    """The language messages are given in now: ``"zh"`` or ``"en"``.

    Examples
    --------
    >>> with use_language("en"):
    ...     get_language()
    'en'
    """
    if _chosen is not None:
        return _chosen
    env = os.environ.get(ENV_VARIABLE)
    if env:
        try:
            return normalise_language(env)
        except ValueError:  # the command line reports a bad PERFKIT_LANG; a library stays quiet
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Choose the language (None: back to ``PERFKIT_LANG`` or the default); returns it.

    Examples
    --------
    >>> set_language("en")
    'en'
    >>> set_language(None) in LANGUAGES
    True
    """
    global _chosen
    _chosen = None if language is None else normalise_language(language)
    return get_language()


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Messages in ``language`` inside the ``with`` block, the previous choice after it.

    Examples
    --------
    >>> with use_language("zh"):
    ...     _("Usage:")
    '用法：'
    """
    global _chosen
    saved = _chosen
    try:
        yield set_language(language)
    finally:
        _chosen = saved


@cache
def translation(language: str) -> _gettext.NullTranslations:
    """The catalog of ``language`` (read once); English is the msgids themselves."""
    language = normalise_language(language)
    if language == "en":
        return _gettext.NullTranslations()
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():  # only while the catalog is first built (tests/test_i18n.py)
        return _gettext.NullTranslations()
    with open(path, "rb") as mo:
        return _gettext.GNUTranslations(mo)


def gettext(message: str) -> str:
    """``message`` (English, the msgid) in the current language.

    Examples
    --------
    >>> with use_language("zh"):
    ...     gettext("Options")
    '选项'
    """
    return translation(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language.

    Examples
    --------
    >>> with use_language("zh"):
    ...     ngettext("Got unexpected extra argument ({args})",
    ...              "Got unexpected extra arguments ({args})", 2).format(args="a b")
    '多出了参数（a b）'
    """
    return translation(get_language()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (translated when shown).

    Examples
    --------
    >>> N_("Options")
    'Options'
    """
    return message

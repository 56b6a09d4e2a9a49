"""File names built from data (文件名): one sanitiser, and a guard that writes stay in their folder.

A department code, a department name or a ``run_name`` template filled with
data can hold anything: ``X/../../PWNED``, ``..``, ``/tmp/x``, ``CON``, a NUL
byte, 300 characters.  Every file or folder name perfkit builds from data goes
through :func:`safe_filename`, and every write of such a file is checked with
:func:`inside` first.  The rules are in ``docs/security.md``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = ["MAX_NAME_BYTES", "inside", "safe_filename", "unique_filename"]

#: Longest name (UTF-8 bytes, suffix included) :func:`safe_filename` returns.  File systems
#: allow 255; the rest is left for the temporary names writers put around it
#: (``.partial-<name>-1a2b3c4d``).
MAX_NAME_BYTES = 150

# Kept: letters and digits of any script, "_", ".", "-" and brackets (（侨务办）); the rest is
# replaced.  A whitelist: whatever a file system or a shell might read specially is not on it.
_UNSAFE = re.compile(r"[^\w.\-()（）]+")
# Windows device names, reserved with any extension (CON.xlsx) and in any case.
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{d}{i}" for d in ("COM", "LPT") for i in range(10)
}
_HASH_LEN = 8


def _truncate(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")[:max_bytes]
    return data.decode("utf-8", errors="ignore")  # never half a character


def safe_filename(text: object, *, suffix: str = "", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file or folder name made from ``text`` that is safe on every file system.

    * every run of characters other than letters and digits (any script),
      ``_``, ``.``, ``-`` and brackets ``()（）`` becomes one ``_``: no path
      separator (``/``, ``\\``, full-width ``／``), no control character (NUL
      included), no ``<>:"|?*``, no quote, no blank, no bidirectional or
      invisible format character;
    * leading and trailing ``.`` and ``_`` and a leading ``-`` are removed, so
      the name is never ``.``, ``..`` or hidden;
    * a Windows device name (``CON``, ``NUL``, ``COM1``, ``LPT¹`` …, with any
      extension, in any case) gets a leading ``_``;
    * the name with ``suffix`` is at most ``max_bytes`` bytes of UTF-8: a
      longer one is cut at a character boundary and ends with ``~`` and 8
      hex digits of the SHA-256 of ``text``, so different long texts keep
      different names;
    * never empty: nothing usable left gives ``_``.

    Parameters
    ----------
    text : object
        The text (``str()`` of it) to make a name from.
    suffix : str
        An extension such as ``".xlsx"``, appended after sanitising (it must be
        safe itself: perfkit's own constants).
    max_bytes : int
        Longest result in UTF-8 bytes, ``suffix`` included.

    Examples
    --------
    >>> safe_filename("2024-X/../../PWNED-评价结果", suffix=".xlsx")
    '2024-X_.._.._PWNED-评价结果.xlsx'
    >>> safe_filename(".."), safe_filename("/tmp/x"), safe_filename("con"), safe_filename("a\\x00b")
    ('_', 'tmp_x', '_con', 'a_b')
    >>> safe_filename("2024-D27-外事办公室（侨务办） 本级"), safe_filename("COM¹.txt")
    ('2024-D27-外事办公室（侨务办）_本级', '_COM¹.txt')
    >>> long = safe_filename("部" * 300, suffix=".xlsx")
    >>> len(long.encode()) <= 150, long.endswith(".xlsx"), long[-14:-5].startswith("~")
    (True, True, True)
    """
    original = str(text)
    name = _UNSAFE.sub("_", original).lstrip("._-").rstrip("._") or "_"
    if unicodedata.normalize("NFKC", name.split(".")[0]).upper() in _RESERVED:
        name = "_" + name
    room = max_bytes - len(suffix.encode("utf-8"))
    if room < _HASH_LEN + 2:
        raise ValueError(
            _("max_bytes {max_bytes} leaves no room for a name before {suffix!r}").format(
                max_bytes=max_bytes, suffix=suffix
            )
        )
    if len(name.encode("utf-8")) > room:
        digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()
        name = _truncate(name, room - _HASH_LEN - 1).rstrip(".") + "~" + digest[:_HASH_LEN]
    return name + suffix


def unique_filename(name: str, used: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3`` … (before the extension) if ``used`` has it.

    Names are compared case-insensitively (as Windows and macOS do); the name
    returned is added to ``used`` (in lower case).

    Examples
    --------
    >>> used = set()
    >>> unique_filename("a_b.xlsx", used), unique_filename("A_B.xlsx", used)
    ('a_b.xlsx', 'A_B-2.xlsx')
    """
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    used.add(candidate.casefold())
    return candidate


def inside(folder: str | Path, path: str | Path) -> Path:
    """``path`` resolved, after checking that it lies inside ``folder`` (只写在输出文件夹内).

    Both are resolved (``..`` and symbolic links followed) before the check, so
    neither ``X/../../PWNED`` nor a link pointing elsewhere gets out.

    Raises
    ------
    PerfkitError
        When ``path`` is ``folder`` itself or lies outside it; nothing is written.

    Examples
    --------
    >>> inside("/srv/out", "/srv/out/2024-D01/report.html")
    PosixPath('/srv/out/2024-D01/report.html')
    >>> inside("/srv/out", "/srv/out/X/../../P.xlsx")
    Traceback (most recent call last):
    perfkit.errors.PerfkitError: 拒绝写入 /srv/out/X/../../P.xlsx：不在输出文件夹 /srv/out 内
    """
    root = Path(folder).resolve()
    target = Path(path).resolve()
    if target == root or not target.is_relative_to(root):
        raise PerfkitError(
            _("refusing to write {path}: not inside the output folder {folder}").format(
                path=path, folder=folder
            )
        )
    return target

"""Which years a comparison covers (比较年度): ``2022-2024``, ``2022,2024`` or a list."""

from __future__ import annotations

import re
from collections.abc import Iterable

from perfkit.errors import PerfkitError
from perfkit.i18n import _, ngettext

__all__ = ["YearsSpec", "check_years", "parse_years"]

#: What a caller may give as years: text such as ``"2022-2024"``, one year or several.
YearsSpec = str | int | Iterable[int] | None

_RANGE = re.compile(r"^(\d{4})\s*[-–—~至到]\s*(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


def parse_years(spec: YearsSpec) -> list[int] | None:
    """Years from ``"2022-2024"``, ``"2022,2024"``, ``2024`` or a list; None means all years.

    Raises
    ------
    PerfkitError
        The text is not a year, a range ``first-last`` (first ≤ last) or a
        comma-separated list of years.

    Examples
    --------
    >>> parse_years("2022-2024"), parse_years("2024, 2022"), parse_years([2023, 2022])
    ([2022, 2023, 2024], [2022, 2024], [2022, 2023])
    >>> parse_years("2024-2022")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: 年度 '2024-2022'：范围应从较早的年度到较晚的年度...
    """
    if spec is None:
        return None
    if isinstance(spec, bool):
        raise PerfkitError(_("years {spec!r}: give years such as 2022-2024").format(spec=spec))
    if isinstance(spec, int):
        return [_in_range(spec, str(spec))]
    if isinstance(spec, str):
        text = spec.strip()
        match = _RANGE.match(text)
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if first > last:
                raise PerfkitError(
                    _(
                        "years {spec!r}: the range must go from the earlier year to "
                        "the later one (e.g. {last}-{first})"
                    ).format(spec=spec, last=last, first=first)
                )
            return [_in_range(y, spec) for y in range(first, last + 1)]
        parts = [p.strip() for p in re.split(r"[,，、;\s]+", text) if p.strip()]
        if not parts or not all(_YEAR.match(p) for p in parts):
            raise PerfkitError(
                _(
                    "years {spec!r} is not understood: give a range such as "
                    "2022-2024, or years separated by commas such as 2022,2024"
                ).format(spec=spec)
            )
        return sorted({_in_range(int(p), spec) for p in parts})
    try:
        values = list(spec)
    except TypeError:
        raise PerfkitError(
            _("years {spec!r}: give years such as 2022-2024").format(spec=spec)
        ) from None
    if not values:
        raise PerfkitError(_("years: the list is empty"))
    out = set()
    for value in values:
        year: int | None = value if isinstance(value, int) else None
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                year = int(str(value).strip()) if _YEAR.match(str(value).strip()) else None
            except ValueError:
                year = None
            if year is None:
                raise PerfkitError(
                    _("years {spec!r}: every year must be a whole number like 2024").format(
                        spec=spec
                    )
                )
        assert year is not None
        out.add(_in_range(year, str(spec)))
    return sorted(out)


def _in_range(year: int, spec: str) -> int:
    if not 1900 <= year <= 2200:
        raise PerfkitError(
            _("years {spec!r}: {year} is not a budget year").format(spec=spec, year=year)
        )
    return year


def check_years(wanted: list[int] | None, available: Iterable[int], where: str) -> list[int]:
    """The wanted years, or every available one; an error names years the data lack.

    Examples
    --------
    >>> check_years([2022, 2023], [2022, 2023, 2024], "data/sample")
    [2022, 2023]
    >>> check_years([2021, 2022], [2022, 2023, 2024], "data/sample")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: 年度 2021 不在 data/sample 中（其中的年度：2022, 2023, 2024）
    """
    have = sorted(set(available))
    if wanted is None:
        if not have:
            raise PerfkitError(_("{where} holds no rows").format(where=where))
        return have
    lacking = [y for y in wanted if y not in have]
    if lacking:
        listed = ", ".join(map(str, lacking))
        raise PerfkitError(
            ngettext(
                "year {listed} is not in {where} (it has {have})",
                "years {listed} are not in {where} (it has {have})",
                len(lacking),
            ).format(listed=listed, where=where, have=", ".join(map(str, have)) or _("none"))
        )
    return list(wanted)

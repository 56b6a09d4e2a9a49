"""Time progress (序时进度): the share of the year that has passed, as an exact fraction.

``docs/monitoring.md``: time progress is ``month / 12`` or, with an as-of date,
``days elapsed / days in year``.  perfkit counts the as-of day itself as
elapsed (its ordinal in the year), so 31 December is 100 % and the last day of
a month is close to ``month / 12`` (2024-08-31 → 244 / 366 = 66.67 %); leap
years have 366 days (2024-02-29 → 60 / 366 = 16.39 %).

The fraction is kept as two integers so that every alert band is decided
exactly (see :mod:`perfkit.monitoring._bands`); percentages are for display.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from perfkit.i18n import _
from perfkit.numbers import round_half_up

__all__ = ["TimeProgress", "parse_as_of", "time_progress"]


@dataclass(frozen=True)
class TimeProgress:
    """序时进度 of a monitoring run: ``numerator / denominator`` of the year has passed.

    Attributes
    ----------
    year, month : int
        The year and the month whose cumulative figures are monitored.
    as_of : datetime.date or None
        The as-of date, when time progress is counted in days.
    numerator, denominator : int
        ``month`` and 12, or the as-of day's ordinal and the days in the year.
    """

    year: int
    month: int
    as_of: dt.date | None
    numerator: int
    denominator: int

    @property
    def fraction(self) -> Fraction:
        """The exact share of the year (``Fraction(5, 12)``)."""
        return Fraction(self.numerator, self.denominator)

    @property
    def percent(self) -> Decimal:
        """Time progress in percent, half-up to two decimals (``Decimal('41.67')``)."""
        return round_half_up(Decimal(self.numerator * 100) / Decimal(self.denominator))

    @property
    def period(self) -> str:
        """The period in words: ``2024年8月`` or ``截至2024年8月31日``."""
        if self.as_of is not None:
            d = self.as_of
            return f"截至{d.year}年{d.month}月{d.day}日"
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return f"{self.period} 序时进度 {self.percent}%（{self.numerator}/{self.denominator}）"


def parse_as_of(value: str | dt.date | None) -> dt.date | None:
    """An as-of date from ``YYYY-MM-DD`` text or a date; None stays None.

    Examples
    --------
    >>> parse_as_of("2024-02-29")
    datetime.date(2024, 2, 29)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(
            _("as-of date {value!r} is not a date like 2024-08-31").format(value=value)
        ) from None


def time_progress(
    year: int, month: int | None = None, as_of: dt.date | None = None
) -> TimeProgress:
    """序时进度 for a month (``month / 12``) or an as-of date (days elapsed / days in year).

    Parameters
    ----------
    year : int
        The budget year.
    month : int, optional
        1–12; defaults to the as-of date's month.
    as_of : datetime.date, optional
        Count time progress in days up to and including this date.  It must
        lie in ``year`` and, when ``month`` is given, in that month.

    Raises
    ------
    ValueError
        A month outside 1–12, no month and no date, or a date outside the
        year or month (callers turn this into an ``InputError``).

    Examples
    --------
    >>> time_progress(2024, 5).percent, time_progress(2024, 8).percent
    (Decimal('41.67'), Decimal('66.67'))
    >>> time_progress(2024, 12).fraction
    Fraction(1, 1)
    >>> tp = time_progress(2024, as_of=dt.date(2024, 2, 29))    # a leap year: 366 days
    >>> (tp.numerator, tp.denominator, tp.percent, tp.month)
    (60, 366, Decimal('16.39'), 2)
    >>> time_progress(2023, as_of=dt.date(2023, 12, 31)).fraction
    Fraction(1, 1)
    """
    if month is None and as_of is None:
        raise ValueError(_("give a month (1–12) or an as-of date"))
    if month is not None and (
        isinstance(month, bool) or int(month) != month or not 1 <= month <= 12
    ):
        raise ValueError(
            _("month must be a whole number from 1 to 12, not {month!r}").format(month=month)
        )
    if as_of is None:
        assert month is not None
        return TimeProgress(int(year), int(month), None, int(month), 12)
    if as_of.year != year:
        raise ValueError(
            _("as-of date {date} is not in the year {year}").format(
                date=as_of.isoformat(), year=year
            )
        )
    if month is not None and as_of.month != month:
        raise ValueError(
            _("as-of date {date} is not in month {month}").format(
                date=as_of.isoformat(), month=month
            )
        )
    days = 366 if calendar.isleap(as_of.year) else 365
    elapsed = as_of.timetuple().tm_yday
    return TimeProgress(as_of.year, as_of.month, as_of, elapsed, days)

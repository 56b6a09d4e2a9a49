"""Rates reported in annual reports: 预算执行率 and 审减率, exact and half-up rounded."""

from __future__ import annotations

from decimal import Decimal

from perfkit.i18n import _
from perfkit.numbers import round_half_up

__all__ = ["execution_rate", "reduction_rate"]


def _percent(
    numerator: float | str | Decimal, denominator: float | str | Decimal, decimals: int
) -> Decimal | None:
    num, den = Decimal(str(numerator)), Decimal(str(denominator))
    if num < 0 or den < 0:
        raise ValueError(_("amounts must not be negative"))
    if den == 0:
        return None
    return round_half_up(num * 100 / den, decimals)


def execution_rate(
    executed: float | str | Decimal, budget: float | str | Decimal, decimals: int = 2
) -> Decimal | None:
    """预算执行率 in percent: executed / full-year budget × 100, rounded half-up.

    Returns None when the budget is 0 (the rate is undefined, never a division error).

    Examples
    --------
    >>> execution_rate(4229.50, 18966.53)   # a foreign-affairs office, 2022
    Decimal('22.30')
    >>> execution_rate(5, 0) is None
    True
    """
    return _percent(executed, budget, decimals)


def reduction_rate(
    reduced: float | str | Decimal, submitted: float | str | Decimal, decimals: int = 2
) -> Decimal | None:
    """审减率 in percent: amount cut in budget review / amount submitted × 100.

    Examples
    --------
    >>> reduction_rate(863354.51, 2609623.78)   # a prefecture's review, 2022
    Decimal('33.08')
    >>> reduction_rate(504592.31, 988909.67), reduction_rate(358762.2, 1620714.11)
    (Decimal('51.03'), Decimal('22.14'))
    """
    return _percent(reduced, submitted, decimals)

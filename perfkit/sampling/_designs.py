"""Sampling designs (抽样方法): allocation, simple random, systematic PPS and cell selection.

Every draw takes the population **sorted by unit code** and one
``numpy.random.Generator`` — ``numpy.random.default_rng(seed)``, the PCG64 bit
generator — and uses it in a fixed order, so the same population, design and
seed give the same picks on every machine:

* **simple random / stratified** (简单随机 / 分层随机): one uniform key per unit
  (``rng.random(N)``, in unit-code order); a stratum's sample is its eligible
  units with the smallest keys.  Each unit of a stratum has inclusion
  probability ``n_h / N_h``.
* **systematic PPS** (按金额概率比例系统抽样, monetary-unit sampling with a fixed
  interval): units whose money reaches the interval ``X / m`` are taken with
  certainty and removed, repeatedly, until none is left; then one random start
  ``s ∈ [0, I)`` (``rng.integers``) and the points ``s, s + I, s + 2I, …`` over
  the cumulated money pick the units they fall in.  Inclusion probability
  ``m · x / X``.
* **cell selection** (分段随机): the cumulated money is cut into ``m`` cells of
  width ``I``; one random point per cell (``rng.integers(size=m)``).  A unit that
  straddles two cells may be hit twice; its probability is
  ``1 − (1 − a/I)(1 − b/I)`` for its parts ``a``, ``b`` in the two cells.

All money arithmetic is in integers: with money in fixed point (10⁻⁶ 万元), the
interval ``X / m`` is handled by scaling positions by ``m``, so the interval,
the start and every boundary are exact and no float decides a pick.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import FIXED, parse_decimal
from perfkit.sampling._risk import parse_rule

__all__ = [
    "ALLOCATIONS",
    "DEFAULT_BANDS",
    "DESIGNS",
    "Design",
    "PPSDraw",
    "allocate",
    "cell_draw",
    "certainty_units",
    "systematic_draw",
]

#: How a stratified sample is shared among strata.
ALLOCATIONS = ("proportional", "equal", "minimum")


def _largest_remainder(shares: list[tuple[int, int]], n: int) -> list[int]:
    """Share n by exact quotas num/den: floors, then +1 by largest remainder (ties: order)."""
    floors, rems = [], []
    for num, den in shares:
        q, r = divmod(n * num, den)
        floors.append(q)
        rems.append((r, den))
    left = n - sum(floors)
    # compare remainders r/den exactly by cross-multiplication; ties go to the earlier stratum
    order = sorted(range(len(shares)), key=lambda i: _Remainder(*rems[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class _Remainder:
    r: int
    den: int
    index: int

    def __lt__(self, other: _Remainder) -> bool:
        a, b = self.r * other.den, other.r * self.den
        return a > b if a != b else self.index < other.index


def allocate(
    sizes: Sequence[int], n: int, method: str = "proportional", minimum: int = 0
) -> list[int]:
    """Share ``n`` picks among strata of the given sizes; the result adds up to ``n`` exactly.

    Parameters
    ----------
    sizes : sequence of int
        Units available in each stratum (in stratum order).
    n : int
        Picks to share.
    method : {"proportional", "equal", "minimum"}
        ``proportional``: ``n · N_h / N``; ``equal``: ``n / H``; ``minimum``:
        ``minimum`` per stratum first (or all of a smaller stratum), the rest
        proportionally to the units left.
    minimum : int
        The minimum per stratum for ``method="minimum"``.

    Notes
    -----
    Quotas are exact fractions; each stratum gets its whole part and the
    leftover picks go to the largest remainders (Hamilton's method), ties to
    the earlier stratum.  No stratum gets more than it has: the excess is
    shared again among the others.

    Examples
    --------
    >>> allocate([50, 30, 20], 10)
    [5, 3, 2]
    >>> allocate([1, 1, 1], 2)          # ties: the earlier strata
    [1, 1, 0]
    >>> allocate([100, 3, 50], 30, "equal")
    [14, 3, 13]
    >>> allocate([100, 10, 2], 12, "minimum", minimum=3)
    [7, 3, 2]
    """
    if method not in ALLOCATIONS:
        raise PerfkitError(
            _("unknown allocation {method!r}; use {choices}").format(
                method=method, choices=", ".join(ALLOCATIONS)
            )
        )
    sizes = [int(s) for s in sizes]
    if n < 0:
        raise PerfkitError(_("the sample size must not be negative"))
    if n > sum(sizes):
        raise PerfkitError(
            _("{n} picks requested, but the strata hold only {size} units").format(
                n=n, size=sum(sizes)
            )
        )
    base = [0] * len(sizes)
    if method == "minimum":
        if minimum < 0:
            raise PerfkitError(_("the minimum per stratum must not be negative"))
        base = [min(minimum, s) for s in sizes]
        if sum(base) > n:
            raise PerfkitError(
                _("a minimum of {minimum} per stratum needs {picks} picks, more than {n}").format(
                    minimum=minimum, picks=sum(base), n=n
                )
            )
    out = list(base)
    left = n - sum(base)
    weights = sizes if method != "equal" else [1] * len(sizes)
    open_ = [i for i in range(len(sizes)) if out[i] < sizes[i]]
    while left > 0:
        room = [sizes[i] - out[i] for i in open_]
        w = [weights[i] if method != "minimum" else sizes[i] - base[i] for i in open_]
        if sum(w) == 0:
            w = room
        total = sum(w)
        share = _largest_remainder([(wi, total) for wi in w], left)
        capped = False
        for j, i in enumerate(open_):
            give = min(share[j], room[j])
            capped |= give < share[j]
            out[i] += give
            left -= give
        open_ = [i for i in open_ if out[i] < sizes[i]]
        if not capped:
            break
    return out


def certainty_units(money: pl.Series, eligible: pl.Series, m: int) -> tuple[pl.Series, int]:
    """Units whose money reaches the interval, found repeatedly (exact integers).

    Returns a boolean series of certainty units and the number of random
    picks ``m`` left after them.

    Examples
    --------
    >>> money = pl.Series([900, 50, 30, 20], dtype=pl.Int128)
    >>> certain, left = certainty_units(money, pl.Series([True] * 4), 3)
    >>> certain.to_list(), left
    ([True, True, False, False], 1)
    """
    certain = pl.Series("certain", [False] * len(money))
    frame = pl.DataFrame({"x": money.cast(FIXED), "e": eligible})
    while m > 0:
        free = frame["e"] & ~certain
        total = int(frame.filter(free)["x"].sum() or 0)
        if total == 0:
            break
        # x ≥ X / m  ⇔  x · m ≥ X
        new = frame.select((pl.col("x") * m >= total) & free).to_series()
        hits = int(new.sum())
        if hits == 0:
            break
        hits = min(hits, m)
        if hits < int(new.sum()):  # more large units than picks: take the largest first
            order = frame.with_row_index("i").filter(new).sort("x", "i", descending=[True, False])
            keep = set(order["i"].head(hits).to_list())
            new = pl.Series([i in keep for i in range(len(money))])
        certain = certain | new
        m -= hits
    return certain.alias("certain"), m


@dataclass(frozen=True)
class PPSDraw:
    """A PPS draw's picks and its exact parameters.

    ``hits`` counts the points that fell in each unit; ``probability`` is its
    inclusion probability (0 for units outside the random part).  ``total``
    (money of the random part, fixed point) and ``m`` define the interval
    ``total / m``; ``start_scaled`` is the random start times ``m``.
    """

    hits: pl.Series
    probability: pl.Series
    total: int
    m: int
    start_scaled: int | None


def _cumulated(money: pl.Series, eligible: pl.Series, m: int) -> pl.DataFrame:
    x = pl.when(eligible).then(money.cast(FIXED)).otherwise(pl.lit(0, FIXED))
    frame = pl.DataFrame({"money": money.cast(FIXED), "eligible": eligible})
    frame = frame.with_columns(x.alias("x"))
    return frame.with_columns((pl.col("x").cum_sum() * m).alias("hi")).with_columns(
        (pl.col("hi") - pl.col("x") * m).alias("lo")
    )


def systematic_draw(
    money: pl.Series, eligible: pl.Series, m: int, rng: np.random.Generator
) -> PPSDraw:
    """Systematic PPS over the eligible units (unit-code order); certainty units excluded first.

    Examples
    --------
    >>> money = pl.Series([10, 20, 30, 40], dtype=pl.Int128)
    >>> d = systematic_draw(money, pl.Series([True] * 4), 2, np.random.default_rng(1))
    >>> int(d.hits.sum()), d.probability.to_list()
    (2, [0.2, 0.4, 0.6, 0.8])
    """
    frame = _cumulated(money, eligible, m)
    total = int(frame["x"].sum() or 0)
    if m <= 0 or total <= 0:
        zero = pl.Series([0] * len(money), dtype=pl.Int64)
        return PPSDraw(zero, zero.cast(pl.Float64), total, m, None)
    start = int(rng.integers(0, total))  # scaled start s·m ∈ [0, X): the points are s·m + k·X
    s, big = pl.lit(start, FIXED), pl.lit(total, FIXED)

    def below(a: pl.Expr) -> pl.Expr:  # number of points < a
        return pl.when(a > s).then((a - s + big - 1) // big).otherwise(0).clip(0, m)

    hits = frame.select((below(pl.col("hi")) - below(pl.col("lo"))).cast(pl.Int64)).to_series()
    prob = frame.select(
        (pl.col("x").cast(pl.Float64) * m / float(total)).clip(0, 1).alias("p")
    ).to_series()
    return PPSDraw(hits.alias("hits"), prob.alias("probability"), total, m, start)


def cell_draw(money: pl.Series, eligible: pl.Series, m: int, rng: np.random.Generator) -> PPSDraw:
    """Cell selection: one random point in each of ``m`` equal money cells.

    Examples
    --------
    >>> money = pl.Series([10, 20, 30, 40], dtype=pl.Int128)
    >>> d = cell_draw(money, pl.Series([True] * 4), 2, np.random.default_rng(1))
    >>> 1 <= int((d.hits > 0).sum()) <= 2, [round(p, 2) for p in d.probability.to_list()]
    (True, [0.2, 0.4, 0.52, 0.8])
    """
    frame = _cumulated(money, eligible, m)
    total = int(frame["x"].sum() or 0)
    if m <= 0 or total <= 0:
        zero = pl.Series([0] * len(money), dtype=pl.Int64)
        return PPSDraw(zero, zero.cast(pl.Float64), total, m, None)
    offsets = rng.integers(0, total, size=m)
    points = [k * total + int(u) for k, u in enumerate(offsets)]  # m points, exact ints
    his = frame["hi"].to_list()
    hits = [0] * len(his)
    for p in points:
        j = bisect.bisect_right(his, p)  # the unit with lo ≤ p < hi (zero-width units skipped)
        hits[j] += 1
    big = float(total)
    cell_lo = pl.col("lo") // total
    cell_hi = (pl.col("hi") - 1) // total
    edge = (cell_lo + 1) * total
    a = (edge - pl.col("lo")).cast(pl.Float64) / big
    b = (pl.col("hi") - edge).cast(pl.Float64) / big
    within = pl.col("x").cast(pl.Float64) * m / big
    prob = frame.select(
        pl.when(pl.col("x") == 0)
        .then(0.0)
        .when(cell_hi > cell_lo)
        .then(1 - (1 - a) * (1 - b))
        .otherwise(within)
        .clip(0, 1)
        .alias("probability")
    ).to_series()
    return PPSDraw(pl.Series("hits", hits, pl.Int64), prob, total, m, None)


#: Sampling designs.
DESIGNS = ("srs", "stratified", "pps", "cell")
#: Default amount bands (万元) for ``strata="amount_band"``.
DEFAULT_BANDS = ("100", "500", "1000")


@dataclass(frozen=True)
class Design:
    """How to draw: the method, its strata, the target size and the must-include rules.

    Parameters
    ----------
    method : {"srs", "stratified", "pps", "cell"}
    strata : str, optional
        For ``stratified``: a population column (``dept_code``, ``category``,
        ``grade``, ``self_grade`` …) or ``amount_band`` (bands of 全年预算数).
    allocation : {"proportional", "equal", "minimum"}
    minimum : int
        Picks per stratum at least, for ``allocation="minimum"``.
    bands : tuple of str
        Upper bounds of the amount bands in 万元 (exclusive), e.g. ``("100", "500")``.
    n, share, coverage : int, str
        Exactly one target: a count, a share of units (``"0.1"``), or a money
        coverage (``"0.3"``).
    risk : tuple of str
        Must-include rules (see :mod:`perfkit.sampling._risk`).

    Examples
    --------
    >>> Design("pps", n=40, risk=("self_score_diff",)).target
    ('n', '40')
    """

    method: str = "srs"
    strata: str | None = None
    allocation: str = "proportional"
    minimum: int = 0
    bands: tuple[str, ...] = ()
    n: int | None = None
    share: str | None = None
    coverage: str | None = None
    risk: tuple[str, ...] = ()

    @property
    def target(self) -> tuple[str, str]:
        """The target as (kind, value text)."""
        given = [
            (k, v)
            for k, v in (("n", self.n), ("share", self.share), ("coverage", self.coverage))
            if v is not None
        ]
        if len(given) != 1:
            raise PerfkitError(_("give exactly one target: a count (n), a share or a coverage"))
        kind, value = given[0]
        return kind, str(value)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (for the selection record)."""
        kind, value = self.target
        return {
            "method": self.method,
            "strata": self.strata,
            "allocation": self.allocation if self.method == "stratified" else None,
            "minimum": self.minimum if self.allocation == "minimum" else None,
            "bands": list(self.bands) if self.strata == "amount_band" else None,
            "target": {"kind": kind, "value": value},
            "risk": list(self.risk),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Design:
        """Inverse of :meth:`to_dict`."""
        target = data["target"]
        kind, value = target["kind"], target["value"]
        return cls(
            method=data["method"],
            strata=data.get("strata"),
            allocation=data.get("allocation") or "proportional",
            minimum=int(data.get("minimum") or 0),
            bands=tuple(data.get("bands") or ()),
            n=int(value) if kind == "n" else None,
            share=value if kind == "share" else None,
            coverage=value if kind == "coverage" else None,
            risk=tuple(data.get("risk") or ()),
        )

    def checked(self) -> Design:
        """The design with its inputs validated (clear errors for every mistake)."""
        if self.method not in DESIGNS:
            raise PerfkitError(
                _("unknown design {method!r}; use {choices}").format(
                    method=self.method, choices=", ".join(DESIGNS)
                )
            )
        if self.method == "stratified" and not self.strata:
            raise PerfkitError(_("the stratified design needs a stratum column (--strata)"))
        if self.method != "stratified" and self.strata:
            raise PerfkitError(
                _("--strata is for the stratified design, not {method}").format(method=self.method)
            )
        if self.allocation not in ALLOCATIONS:
            raise PerfkitError(
                _("unknown allocation {allocation!r}; use {choices}").format(
                    allocation=self.allocation, choices=", ".join(ALLOCATIONS)
                )
            )
        if self.allocation == "minimum" and self.minimum < 1:
            raise PerfkitError(_("allocation 'minimum' needs a minimum per stratum of at least 1"))
        kind, value = self.target
        if kind == "n" and int(value) < 1:
            raise PerfkitError(
                _("the sample size must be at least 1, not {value}").format(value=value)
            )
        if kind in ("share", "coverage"):
            rate = parse_decimal(value, kind)
            what = _("share of units") if kind == "share" else _("money coverage")
            if not 0 < rate <= 1:
                raise PerfkitError(
                    _("the {what} must be above 0 and at most 1 (100 %), not {value}").format(
                        what=what, value=value
                    )
                )
        bands = self.bands or (DEFAULT_BANDS if self.strata == "amount_band" else ())
        bounds = [parse_decimal(b, _("an amount band")) for b in bands]
        if bounds != sorted(set(bounds)) or any(b <= 0 for b in bounds):
            raise PerfkitError(_("amount bands must be positive and increasing, e.g. 100,500,1000"))
        rules = tuple(parse_rule(r).text for r in self.risk)
        return replace(self, bands=tuple(bands), risk=rules)

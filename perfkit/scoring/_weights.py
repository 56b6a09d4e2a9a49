"""Indicator weights (分值): given by the unit, or split equally in cents.

``docs/scoring.md`` ("Equal split", "Redistribution"): when a unit gives no
weights, each level-1 group's points are split equally into two-decimal weights
that add up exactly (largest remainder; the extra cents go to the first
indicators in file order: 50 over 3 → 16.67, 16.67, 16.66).  A group with no
indicators hands its points to the groups named in ``redistribute_to``, in
proportion to their points (满意度 10 → 产出 56.25, 效益 33.75).
"""

from __future__ import annotations

import polars as pl

from perfkit.scoring._segments import position_in_unit, unit_total
from perfkit.systems import System

__all__ = ["equal_split_cents", "group_points_cents", "split_weights"]


def equal_split_cents(total_cents: int, n: int) -> list[int]:
    """Split ``total_cents`` over ``n`` items, extra cents to the first items.

    Examples
    --------
    >>> equal_split_cents(5000, 3)
    [1667, 1667, 1666]
    >>> sum(equal_split_cents(5625, 7))
    5625
    """
    base, extra = divmod(total_cents, n)
    return [base + (i < extra) for i in range(n)]


def _largest_remainder(total: int, shares: list[int]) -> list[int]:
    """Split ``total`` cents in proportion to ``shares``; ties go to the first."""
    whole = sum(shares)
    floors = [total * s // whole for s in shares]
    remainders = [total * s % whole for s in shares]
    left = total - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def group_points_cents(
    system: System, present: frozenset[str]
) -> tuple[dict[str, int], str | None]:
    """Points of each data group for a unit whose indicators cover ``present`` groups.

    Returns the mapping group id → cents and, if the unit cannot be scored
    (a required group is missing), a message saying why.

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> s = load_system("project-self-eval")
    >>> group_points_cents(s, frozenset({"output", "effect"}))
    ({'output': 5625, 'effect': 3375}, None)
    >>> group_points_cents(s, frozenset({"output"}))[1]
    'no 效益指标 indicators (the system requires them)'
    """
    points = {g.id: int(g.points * 100) for g in system.data_groups}
    labels = {g.id: g.label for g in system.data_groups}
    for group in system.data_groups:
        if group.id in present:
            continue
        if group.if_absent == "error":
            return {}, f"no {group.label} indicators (the system requires them)"
        targets = [t for t in group.redistribute_to if t in present]
        if not targets:
            names = "、".join(labels.get(t, t) for t in group.redistribute_to)
            return {}, f"no {group.label} indicators and none of {names} to take its points"
        moved = _largest_remainder(points[group.id], [points[t] for t in targets])
        for t, extra in zip(targets, moved, strict=True):
            points[t] += extra
        points[group.id] = 0
    return {g: p for g, p in points.items() if g in present}, None


def split_weights(
    indicators: pl.DataFrame, system: System, key: str = "_unit"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Equal-split weights in cents for every row, vectorised without per-row Python.

    ``indicators`` needs the integer unit ``key`` and ``group_id``, and must be
    sorted by ``key`` with each unit's rows in file order (see
    :mod:`perfkit.scoring._segments`).  Each unit's set of present groups is a bitmask;
    the few distinct masks are planned in Python (:func:`group_points_cents`)
    and mapped back.  Returns (the frame with ``weight_cents`` and
    ``group_cents`` — the group's points for that unit after redistribution —
    and the units that cannot be split, with a ``message``).

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> df = pl.DataFrame({"_unit": [1, 1, 1, 1], "group_id": ["output"] * 3 + ["effect"]})
    >>> out, bad = split_weights(df, load_system("project-self-eval"))
    >>> out["weight_cents"].to_list()
    [1875, 1875, 1875, 3375]
    """
    groups = [g.id for g in system.data_groups]
    bits = {gid: 1 << j for j, gid in enumerate(groups)}
    bit = pl.col("_bit")
    work = indicators.with_columns(
        pl.col("group_id").replace_strict(bits, default=0, return_dtype=pl.Int64).alias("_bit")
    )
    work = work.with_columns(
        *[unit_total(bit == b, key).alias(f"_n{b}") for b in bits.values()],
        *[position_in_unit(bit == b, key).alias(f"_k{b}") for b in bits.values()],
    )
    n = pl.coalesce([pl.when(bit == b).then(pl.col(f"_n{b}")) for b in bits.values()])
    k = pl.coalesce([pl.col(f"_k{b}") for b in bits.values()])
    pattern = pl.sum_horizontal(
        [pl.when(pl.col(f"_n{b}") > 0).then(b).otherwise(0) for b in bits.values()]
    )
    work = work.with_columns(n.alias("_n"), k.alias("_k"), pattern.alias("_pattern"))
    plan: dict[int, int] = {}
    bad: dict[int, str] = {}
    for p in work.get_column("_pattern").unique().sort().to_list():
        present = frozenset(g for g in groups if p & bits[g])
        cents, message = group_points_cents(system, present)
        if message:
            bad[p] = message
        plan |= {p * 64 + bits[g]: c for g, c in cents.items()}
    group_cents = (pl.col("_pattern") * 64 + bit).replace_strict(
        plan, default=None, return_dtype=pl.Int64
    )
    out = work.with_columns(group_cents.alias("group_cents")).with_columns(
        (
            pl.col("group_cents") // pl.col("_n")
            + (pl.col("_k") < pl.col("group_cents") % pl.col("_n")).cast(pl.Int64)
        ).alias("weight_cents")
    )
    unsplittable = (
        out.filter(pl.col("_pattern").is_in(list(bad)))
        .group_by(key)
        .agg(pl.col("_pattern").first())
        .with_columns(
            pl.col("_pattern").replace_strict(bad, return_dtype=pl.String).alias("message")
        )
        .drop("_pattern")
    )
    helpers = ["_bit", "_n", "_k", "_pattern"] + [f"_{x}{b}" for x in "nk" for b in bits.values()]
    return out.drop(helpers), unsplittable

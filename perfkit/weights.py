"""Indicator weights (分值): given by the unit, or split equally in cents.

DESIGN.md section 2: when a unit gives no weights, each level-1 group's points
are split equally into two-decimal weights that add up exactly (largest
remainder; the extra cents go to the first indicators in file order:
50 over 3 → 16.67, 16.67, 16.66).  A group with no indicators hands its points
to the groups named in ``redistribute_to``, in proportion to their points
(满意度 10 → 产出 56.25, 效益 33.75).
"""

from __future__ import annotations

import polars as pl

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
    indicators: pl.DataFrame, system: System, key: list[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Equal-split weights in cents for every row, vectorised per (unit, group).

    ``indicators`` needs the unit ``key`` columns (default ``year``,
    ``unit_code``) and ``group_id``, in file order.  Each unit's set of
    present groups is a bitmask; the few distinct masks are planned in Python
    (:func:`group_points_cents`) and joined back.
    Returns (the frame with ``weight_cents`` and ``group_cents`` — the
    group's points for that unit after redistribution — and the units that
    cannot be split, with a ``message``).
    """
    key = key or ["year", "unit_code"]
    groups = [g.id for g in system.data_groups]
    bits = {gid: 1 << j for j, gid in enumerate(groups)}
    group_key = [*key, "_bit"]  # the group's bit: an integer key, faster than its name
    work = indicators.with_columns(
        pl.col("group_id").replace_strict(bits, default=0, return_dtype=pl.Int64).alias("_bit")
    )
    work = work.with_columns(
        pl.col("_bit").bitwise_or().over(key).alias("_pattern"),
        pl.len().over(group_key).cast(pl.Int64).alias("_n"),
        pl.int_range(pl.len(), dtype=pl.Int64).over(group_key).alias("_k"),
    )
    rows, bad = [], []
    for pattern in work.get_column("_pattern").unique().sort().to_list():
        present = frozenset(g for g in groups if pattern & bits[g])
        cents, message = group_points_cents(system, present)
        if message:
            bad.append({"_pattern": pattern, "message": message})
        rows += [
            {"_pattern": pattern, "_bit": bits[g], "_group_cents": c} for g, c in cents.items()
        ]
    plan = pl.DataFrame(
        rows, schema={"_pattern": pl.Int64, "_bit": pl.Int64, "_group_cents": pl.Int64}
    )
    out = work.join(plan, on=["_pattern", "_bit"], how="left", maintain_order="left").with_columns(
        (
            pl.col("_group_cents") // pl.col("_n")
            + (pl.col("_k") < pl.col("_group_cents") % pl.col("_n")).cast(pl.Int64)
        ).alias("weight_cents")
    )
    bad_frame = pl.DataFrame(bad, schema={"_pattern": pl.Int64, "message": pl.String})
    unsplittable = out.join(bad_frame, on="_pattern").group_by(key).agg(pl.col("message").first())
    out = out.rename({"_group_cents": "group_cents"})
    return out.drop("_bit", "_pattern", "_n", "_k"), unsplittable

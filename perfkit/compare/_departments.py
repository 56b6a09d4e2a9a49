"""Following departments through renames and re-codes (部门更名、重新编码).

The ``departments`` table marks a renamed or re-coded department with the code
it had before: a 2024 row ``D41 农业农村局`` with ``previous_code`` ``D12`` says
that D12 (农牧局) *became* D41 in 2024.  Every earlier row coded D12 — in
``departments`` and in ``projects`` — then belongs to D41's history, and a
comparison reports the whole history under the **current** code and name.

Chains are followed (A → B in 2023, B → C in 2024: A's 2022 rows belong to C),
and a rename only applies to years *before* it takes effect, so a code that is
later re-used for another department is not mixed up with its old owner.  A
split (one old code claimed by two new departments in the same year) cannot be
followed and is an input error naming the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import Problem
from perfkit.tables._read import RawTable
from perfkit.tables._validate import problems_from_mask

__all__ = ["DepartmentMap", "map_departments"]


@dataclass
class DepartmentMap:
    """How each (code, year) maps to the department's current code, and current names.

    Attributes
    ----------
    mapping : polars.DataFrame
        ``year, dept_code_then, dept_code``: the code used that year → the
        current code.
    names : polars.DataFrame
        ``dept_code, dept_name``: the current name of each current code.
    renames : polars.DataFrame
        ``year, previous_code, dept_code, dept_name``: every rename found.
    problems : list of Problem
        Errors (a split) and warnings (an old code still in use).
    """

    mapping: pl.DataFrame
    names: pl.DataFrame
    renames: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)


def _edges(departments: pl.DataFrame | None, raw: RawTable | None) -> tuple[pl.DataFrame, list]:
    schema = {
        "year": pl.Int32,
        "previous_code": pl.String,
        "dept_code": pl.String,
        "dept_name": pl.String,
    }
    if departments is None or "previous_code" not in departments.columns:
        return pl.DataFrame(schema=schema), []
    rows = departments.filter(
        pl.col("previous_code").is_not_null() & (pl.col("previous_code") != pl.col("dept_code"))
    )
    problems: list[Problem] = []
    if raw is not None and rows.height:
        claimed = pl.col("dept_code").n_unique().over("year", "previous_code") > 1
        problems += problems_from_mask(
            rows,
            claimed,
            raw,
            "previous_code",
            format_expr(
                "{} is given as the previous code of more than one department in {}: "
                "a split cannot be followed across years",
                pl.col("previous_code"),
                pl.col("year"),
            ),
        )
        later = departments.select("year", pl.col("dept_code").alias("previous_code")).join(
            rows.select("previous_code", pl.col("year").alias("_renamed"), "_row"),
            on="previous_code",
        )
        still_used = later.filter(pl.col("year") >= pl.col("_renamed"))
        if still_used.height:
            flagged = rows.join(
                still_used.group_by("_row").agg(pl.col("year").min().alias("_used")),
                on="_row",
            )
            problems += problems_from_mask(
                flagged,
                pl.lit(True),
                raw,
                "previous_code",
                format_expr(
                    "{} became {} in {} but is still used in {}; "
                    "only its rows before {} are counted as {}",
                    pl.col("previous_code"),
                    pl.col("dept_code"),
                    pl.col("year"),
                    pl.col("_used"),
                    pl.col("year"),
                    pl.col("dept_code"),
                ),
                severity="warning",
            )
    return rows.select(list(schema)).unique().sort("year", "previous_code"), problems


def map_departments(
    used: pl.DataFrame,
    departments: pl.DataFrame | None = None,
    raw: RawTable | None = None,
) -> DepartmentMap:
    """Map every department code used in a year to the department's current code.

    Parameters
    ----------
    used : polars.DataFrame
        ``year, dept_code, dept_name`` rows as the data has them (for example
        the projects' departments).
    departments : polars.DataFrame, optional
        The typed ``departments`` table (``year, dept_code, dept_name``,
        optional ``previous_code``).  Without it codes are taken as they are.
    raw : RawTable, optional
        The table as read, to locate problems by row.

    Examples
    --------
    >>> deps = pl.DataFrame({"year": [2023, 2024], "dept_code": ["D12", "D41"],
    ...                      "dept_name": ["农牧局", "农业农村局"], "previous_code": [None, "D12"]},
    ...                     schema_overrides={"year": pl.Int32})
    >>> used = deps.select("year", "dept_code", "dept_name")
    >>> m = map_departments(used, deps)
    >>> m.mapping.sort("year").rows()
    [(2023, 'D12', 'D41'), (2024, 'D41', 'D41')]
    >>> m.names.rows()
    [('D41', '农业农村局')]
    """
    edges, problems = _edges(departments, raw)
    frames = [used.select(pl.col("year").cast(pl.Int32), "dept_code", "dept_name", pl.lit(1))]
    if departments is not None:
        frames.insert(
            0,
            departments.select(pl.col("year").cast(pl.Int32), "dept_code", "dept_name", pl.lit(0)),
        )
    seen = pl.concat(
        [f.rename({"literal": "_source"}) for f in frames], how="vertical_relaxed"
    ).rename({"dept_code": "dept_code_then"})
    pairs = seen.select("year", "dept_code_then").unique()
    state = pairs.with_columns(
        pl.col("dept_code_then").alias("dept_code"), pl.col("year").alias("_at")
    )
    hops = edges.select(
        pl.col("previous_code").alias("dept_code"),
        pl.col("dept_code").alias("_next"),
        pl.col("year").alias("_when"),
    )
    for _ in range(edges.get_column("year").n_unique() + 1):
        step = (
            state.join(hops, on="dept_code")
            .filter(pl.col("_when") > pl.col("_at"))
            .sort("_when", "_next")
            .group_by("year", "dept_code_then", maintain_order=True)
            .first()
        )
        if step.height == 0:
            break
        state = state.update(
            step.select(
                "year",
                "dept_code_then",
                pl.col("_next").alias("dept_code"),
                pl.col("_when").alias("_at"),
            ),
            on=["year", "dept_code_then"],
        )
    mapping = state.select("year", "dept_code_then", "dept_code")
    names = (
        seen.join(mapping, on=["year", "dept_code_then"])
        .filter(pl.col("dept_name").is_not_null())
        .sort(
            "dept_code",
            pl.col("year"),
            (pl.col("dept_code_then") == pl.col("dept_code")),
            pl.col("_source"),
            descending=[False, True, True, False],
        )
        .group_by("dept_code", maintain_order=True)
        .agg(pl.col("dept_name").first())
    )
    return DepartmentMap(mapping, names, edges, problems)

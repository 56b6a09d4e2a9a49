"""Proposing library entries from the indicators projects already use (共性指标提炼).

Reading earlier years (a folder with the contract's ``projects`` and ``indicators``),
:func:`derive_library` groups every indicator by its project's category and its
normalised name, counts the projects that use it, and proposes as common indicators
those that at least ``min_projects`` projects of the category share (and at least
``min_share`` percent of them), with their usual level, direction and unit and the
spread of their targets (lower and upper quartile, as written).  The result has the
library's columns, so that a reviewed proposal can be saved as a user library.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.numbers import fixed_text
from perfkit.tables._contract import INDICATORS, PROJECTS
from perfkit.tables._read import find_table, read_table
from perfkit.tables._validate import check_table
from perfkit.targets._library import name_key
from perfkit.targets._messages import text

__all__ = ["derive_library"]


def _mode(column: str) -> pl.Expr:
    return pl.col(column).drop_nulls().mode().sort().first().alias(column)


def derive_library(
    history: str | Path, *, min_projects: int = 3, min_share: int = 10
) -> pl.DataFrame:
    """Propose common indicators per category from earlier years' indicators.

    Parameters
    ----------
    history : path
        A folder with ``projects`` and ``indicators`` (years stacked).
    min_projects : int
        Fewest projects of a category that must use an indicator (default 3).
    min_share : int
        Smallest share of the category's projects, percent (default 10).

    Returns
    -------
    polars.DataFrame
        ``category, level1, level2, name, direction, unit, definition, typical_low,
        typical_high, aliases, kind, n_projects, category_projects, share``, most used
        first within each category.

    Examples
    --------
    >>> d = derive_library("data/sample")
    >>> d.filter(pl.col("name") == "运维信息系统数量").select("category", "unit").row(0)
    ('其他', '套')
    """
    problems: list[Problem] = []
    typed = {}
    for table, spec in (("projects", PROJECTS), ("indicators", INDICATORS)):
        found = find_table(history, table)
        if found is None:
            problems.append(
                Problem(str(history), None, None, text("history_missing").format(history, table))
            )
            continue
        try:
            frame, found_problems = check_table(read_table(found, spec))
        except InputError as exc:
            problems += exc.problems
            continue
        problems += found_problems
        typed[table] = frame
    if any(p.severity == "error" for p in problems) or len(typed) < 2:
        raise InputError(problems)
    projects = typed["projects"].select(
        "year", pl.col("project_code").alias("unit_code"),
        pl.col("category") if "category" in typed["projects"].columns
        else pl.lit(text("uncategorised")).alias("category"),
    )  # fmt: skip
    rows = (
        typed["indicators"]
        .join(projects, on=["year", "unit_code"], how="inner")
        .with_columns(
            pl.col("category").fill_null(text("uncategorised")),
            name_key(pl.col("name")).alias("_key"),
            pl.col("target").cast(pl.Int64).alias("_t"),
        )
    )
    if "unit" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, pl.String).alias("unit"))
    sizes = (
        projects.with_columns(pl.col("category").fill_null(text("uncategorised")))
        .group_by("category")
        .agg(pl.col("unit_code").n_unique().alias("category_projects"))
    )
    direction_words = {
        "positive": "正向",
        "reverse": "反向",
        "equal": "等于",
        "qualitative": "定性",
    }
    proposed = (
        rows.group_by("category", "_key")
        .agg(
            _mode("name"),
            _mode("level1"),
            _mode("level2"),
            _mode("direction"),
            _mode("unit"),
            pl.col("unit_code").n_unique().alias("n_projects"),
            pl.col("_t").quantile(0.25, "nearest").alias("_low"),
            pl.col("_t").quantile(0.75, "nearest").alias("_high"),
        )
        .join(sizes, on="category")
        .with_columns((pl.col("n_projects") * 100 // pl.col("category_projects")).alias("share"))
        .filter(
            (pl.col("n_projects") >= min_projects)
            & (pl.col("n_projects") * 100 >= min_share * pl.col("category_projects"))
        )
        .sort(["category", "n_projects", "_key"], descending=[False, True, False])
    )
    return proposed.select(
        "category", "level1", "level2", "name",
        pl.col("direction").replace_strict(direction_words, default=None).alias("direction"),
        "unit",
        format_expr(text("used_by"), pl.col("n_projects")).alias("definition"),
        fixed_text(pl.col("_low").cast(pl.Int128)).alias("typical_low"),
        fixed_text(pl.col("_high").cast(pl.Int128)).alias("typical_high"),
        pl.lit(None, pl.String).alias("aliases"),
        pl.lit("指标").alias("kind"),
        "n_projects", "category_projects", "share",
    )  # fmt: skip

"""The common indicator library (共性指标库): format, loading, matching.

A library is a table (CSV in UTF-8 or GB18030, ``.xlsx`` or Parquet), one row per common
indicator of a project category (docs/targets.md#the-common-indicator-library):

``category`` [类别], ``level1`` [一级指标], ``level2`` [二级指标], ``name`` [三级指标],
``direction`` [指标方向], ``unit`` [计量单位], ``definition`` [指标解释]; optional
``typical_low`` / ``typical_high`` [典型值下限/上限], ``aliases`` [别名] (separated by
``、`` ``;`` ``；`` or ``|``) and ``kind`` [类型]: ``指标`` (the default) or ``模糊表述`` —
a vague phrase (带动经济发展, 提高效率 …) that a benefit indicator must not be made of;
its ``category`` may be ``*`` (every category).  A category ``*`` indicator is common to
every category.

perfkit ships a starter library (``perfkit/targets/library/starter.csv``); users add
their own files (e.g. under ``parameters/libraries/``), which are read after it.
Names are matched by their normalised text (:func:`~perfkit.tables._contract.text_key`:
full-width → half-width, blanks removed, case folded) and by the aliases.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import polars as pl

from perfkit._limits import format_expr
from perfkit.errors import InputError, Problem
from perfkit.numbers import FIXED, fixed_text, map_unique
from perfkit.tables._contract import Column, TableSpec, text_key
from perfkit.tables._read import TableInput, read_table
from perfkit.tables._validate import Check, check_table, run_checks
from perfkit.targets._messages import text

__all__ = ["LIBRARY_SPEC", "Library", "load_library", "name_key", "starter_library_path"]


def _col(name: str, kind: str, required: bool, *aliases: str) -> Column:
    return Column(name, kind, required, tuple(aliases))


#: The library's columns (a table like the data contract's, read by the same reader).
LIBRARY_SPEC = TableSpec(
    "indicator_library",
    "共性指标库",
    (
        _col("category", "text", True, "类别", "项目类别", "行业"),
        _col("level1", "text", False, "一级指标"),
        _col("level2", "text", False, "二级指标"),
        _col("name", "text", True, "三级指标", "指标名称"),
        _col("direction", "direction", False, "指标方向"),
        _col("unit", "text", False, "计量单位"),
        _col("definition", "text", False, "指标解释", "定义"),
        _col("typical_low", "number", False, "典型值下限"),
        _col("typical_high", "number", False, "典型值上限"),
        _col("aliases", "text", False, "别名"),
        _col("kind", "text", False, "类型"),
    ),
    key=("category", "level1", "level2", "name"),
)
#: Columns a library file must have (their values may be blank for a 模糊表述 row).
REQUIRED_COLUMNS = ("category", "level1", "level2", "name", "direction", "unit", "definition")
_KINDS = {"指标": "indicator", "indicator": "indicator", "模糊表述": "vague", "vague": "vague"}
_ALIAS_SEPARATORS = r"[、;；|]"


def starter_library_path() -> Path:
    """The starter library that ships with perfkit.

    Examples
    --------
    >>> starter_library_path().name
    'starter.csv'
    """
    return Path(str(resources.files("perfkit.targets.library") / "starter.csv"))


def name_key(expr: pl.Expr) -> pl.Expr:
    """An indicator name as matched: NFKC, blanks removed, case folded (vectorised).

    Examples
    --------
    >>> df = pl.DataFrame({"n": ["培训 人次", "ＩＴ系统运维", None]})
    >>> df.select(name_key(pl.col("n"))).to_series().to_list()
    ['培训人次', 'it系统运维', None]
    """
    return expr.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


@dataclass(frozen=True)
class Library:
    """A loaded library.

    Attributes
    ----------
    entries : polars.DataFrame
        The common indicators: ``category, level1, level2, name, direction, unit,
        definition, typical_low, typical_high, source`` (typical values as text).
    vague : polars.DataFrame
        ``category, phrase, _key``: the vague phrases (``*`` = every category).
    names : polars.DataFrame
        ``_cat, _key, lib_name``: every normalised name and alias → the library's name.
    sources : list of str
        The files read, in order.
    """

    entries: pl.DataFrame
    vague: pl.DataFrame
    names: pl.DataFrame
    sources: list[str]

    def categories(self) -> list[str]:
        """The categories the library covers (``*`` left out).

        Examples
        --------
        >>> "培训" in load_library().categories()
        True
        """
        return sorted(set(self.entries.get_column("category").to_list()) - {"*"})

    def for_category(self, category: str | None = None) -> pl.DataFrame:
        """The entries of one category (and those common to all), or every entry.

        Examples
        --------
        >>> load_library().for_category("培训").get_column("name").head(2).to_list()
        ['培训人次', '培训期数']
        """
        if category is None:
            return self.entries
        key = text_key(category)
        return self.entries.filter(name_key(pl.col("category")).is_in([key, "*"]))


def load_library(*sources: TableInput, builtin: bool = True) -> Library:
    """Read the starter library and the user's library files; check them all at once.

    Parameters
    ----------
    *sources : path or frame
        Users' library files (CSV, ``.xlsx``, Parquet), read after the starter library.
    builtin : bool
        Include the starter library (default True).

    Raises
    ------
    InputError
        Every problem of every file: a missing column, an unknown direction or kind,
        a typical range upside down, a duplicate entry.

    Examples
    --------
    >>> lib = load_library()
    >>> lib.entries.height >= 40, "带动经济发展" in lib.vague.get_column("phrase").to_list()
    (True, True)
    """
    files: list[TableInput] = [starter_library_path()] if builtin else []
    files += list(sources)
    problems: list[Problem] = []
    frames: list[pl.DataFrame] = []
    names: list[str] = []
    for source in files:
        try:
            raw = read_table(source, LIBRARY_SPEC)
        except InputError as exc:
            problems += exc.problems
            continue
        names.append(raw.source)
        missing = [c for c in REQUIRED_COLUMNS if c not in raw.frame.columns]
        if missing:
            problems.append(
                Problem(
                    raw.source,
                    None,
                    None,
                    text("library_missing_column").format("、".join(missing)),
                )
            )
            continue
        typed, found = check_table(raw)
        has_kind = "kind" in typed.columns
        kind = (
            map_unique(typed, "kind", lambda k: _KINDS.get(text_key(k)), pl.String)
            if has_kind
            else pl.lit(None, pl.String)
        )
        typed = typed.with_columns(kind.alias("_kind_given")).with_columns(
            pl.col("_kind_given").fill_null("indicator").alias("_kind")
        )
        indicator = pl.col("_kind") == "indicator"
        checks = (
            [
                Check(
                    pl.col("typical_low") > pl.col("typical_high"),
                    "typical_low",
                    format_expr(
                        text("library_range"), pl.col("typical_low"), pl.col("typical_high")
                    ),
                )
            ]
            if {"typical_low", "typical_high"} <= set(typed.columns)
            else []
        )
        if has_kind:
            checks.append(
                Check(
                    pl.col("kind").is_not_null() & pl.col("_kind_given").is_null(),
                    "kind",
                    format_expr(text("library_bad_kind"), pl.col("kind")),
                )
            )
        for column in ("level1", "level2", "direction"):
            checks.append(
                Check(indicator & pl.col(column).is_null(), column, text("library_missing_value"))
            )
        found += run_checks(typed, raw, checks)
        problems += found
        frames.append(typed.with_columns(pl.lit(raw.source).alias("source")))
    if any(p.severity == "error" for p in problems):
        raise InputError(
            problems, text("library_problems").format(sum(p.severity == "error" for p in problems))
        )
    return _library(frames, names)


def _library(frames: list[pl.DataFrame], sources: list[str]) -> Library:
    columns = [
        "category", "level1", "level2", "name", "direction", "unit", "definition",
        "typical_low", "typical_high", "aliases", "_kind", "source",
    ]  # fmt: skip
    frame = (
        pl.concat(
            [
                f.with_columns(
                    [
                        pl.lit(None, pl.String).alias(c)
                        for c in ("aliases", "typical_low", "typical_high")
                        if c not in f.columns
                    ]
                ).select(
                    [
                        fixed_text(pl.col(c)).alias(c)
                        if f.schema.get(c) == FIXED
                        else pl.col(c).cast(pl.String)
                        for c in columns
                    ]
                )
                for f in frames
            ],
            how="vertical_relaxed",
        )
        if frames
        else pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    )
    cat = name_key(pl.col("category")).alias("_cat")
    entries = frame.filter(pl.col("_kind") == "indicator")
    # a later file's entry replaces an earlier one of the same category and name
    entries = entries.with_columns(cat, name_key(pl.col("name")).alias("_key")).unique(
        subset=["_cat", "_key"], keep="last", maintain_order=True
    )
    vague = (
        frame.filter(pl.col("_kind") == "vague")
        .select(
            "category", pl.col("name").alias("phrase"), cat, name_key(pl.col("name")).alias("_key")
        )
        .unique(subset=["_cat", "_key"], maintain_order=True)
    )
    aliases = (
        entries.select(
            "_cat", "name", pl.col("aliases").str.replace_all(_ALIAS_SEPARATORS, "|").str.split("|")
        )
        .explode("aliases")
        .filter(pl.col("aliases").str.strip_chars() != "")
        .select("_cat", name_key(pl.col("aliases")).alias("_key"), pl.col("name").alias("lib_name"))
    )
    names = pl.concat(
        [entries.select("_cat", "_key", pl.col("name").alias("lib_name")), aliases]
    ).unique(subset=["_cat", "_key"], keep="first", maintain_order=True)
    shown = entries.drop("_kind")
    return Library(shown, vague, names, sources)

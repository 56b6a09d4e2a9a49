"""Grade transitions year to year (等级变动): matrix, movers, score changes.

For each pair of years (by default every consecutive pair of the panel) the
units present in both years are compared: the grade transition matrix (counts
and the share of each starting grade that ends in each grade), every unit's
grade and score change — improved (a better grade), declined (a worse grade)
or stayed (the same grade) — and the distribution of the score changes.
Units present in only one year of a pair are not compared; the panel's
``missing`` table lists them.

Score changes are exact differences of integer-cent totals.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from perfkit._frames import like_input
from perfkit.compare._exact import percent_cents
from perfkit.compare._panel import Panel
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import cents_to_float

__all__ = ["Transitions", "transitions"]


@dataclass(eq=False)
class Transitions:
    """Grade transitions between pairs of years.

    Frames come back as pandas when the panel was built from pandas.

    Attributes
    ----------
    pairs : list of (int, int)
        The (from, to) year pairs compared.
    """

    pairs: list[tuple[int, int]]
    _matrix: pl.DataFrame
    _changes: pl.DataFrame
    _distribution: pl.DataFrame
    _histogram: pl.DataFrame
    from_pandas: bool = False

    @property
    def matrix(self) -> Any:
        """Transition matrix in long form, every grade pair present (zeros included).

        Columns ``from_year, to_year, from_grade, to_grade, units, from_units,
        share`` (``share``: percent of the ``from_grade`` units of
        ``from_year`` that had ``to_grade`` in ``to_year``, half-up to 0.01).
        """
        return like_input(self._matrix, self.from_pandas)

    @property
    def changes(self) -> Any:
        """One row per unit and pair (pair by pair, units in code order): grades, totals,
        ``change`` (to − from, exact cents) and ``movement``."""
        return like_input(self._changes, self.from_pandas)

    @property
    def improved(self) -> Any:
        """Units whose grade got better, largest score gain first."""
        return like_input(self._movement("improved", descending=True), self.from_pandas)

    @property
    def declined(self) -> Any:
        """Units whose grade got worse, largest score loss first."""
        return like_input(self._movement("declined", descending=False), self.from_pandas)

    @property
    def stayed(self) -> Any:
        """Units that kept their grade."""
        return like_input(self._movement("stayed", descending=True), self.from_pandas)

    @property
    def distribution(self) -> Any:
        """Per pair: units compared, counts by movement, mean and quantiles of the change."""
        return like_input(self._distribution, self.from_pandas)

    @property
    def histogram(self) -> Any:
        """Per pair: units per score-change band (``bin_start`` ≤ change < ``bin_end``)."""
        return like_input(self._histogram, self.from_pandas)

    def wide(self, from_year: int | None = None, to_year: int | None = None) -> Any:
        """The matrix of one pair as a table: one row per starting grade, counts by end grade.

        Examples
        --------
        >>> from perfkit.compare import panel, transitions
        >>> t = transitions(panel("data/sample", years="2023-2024"))
        >>> t.wide().columns
        ['from_grade', '优', '良', '中', '差', 'from_units']
        """
        pair = self._pair(from_year, to_year)
        m = self._matrix.filter((pl.col("from_year") == pair[0]) & (pl.col("to_year") == pair[1]))
        order = m.get_column("to_grade").unique(maintain_order=True).to_list()
        wide = m.pivot(on="to_grade", index="from_grade", values="units").select(
            "from_grade", *order
        )
        totals = m.group_by("from_grade", maintain_order=True).agg(pl.col("from_units").first())
        return like_input(
            wide.join(totals, on="from_grade", maintain_order="left"), self.from_pandas
        )

    def _pair(self, from_year: int | None, to_year: int | None) -> tuple[int, int]:
        if from_year is None and to_year is None:
            return self.pairs[-1]
        for pair in self.pairs:
            if (from_year is None or pair[0] == from_year) and (
                to_year is None or pair[1] == to_year
            ):
                return pair
        raise PerfkitError(
            _("no pair {from_year}→{to_year}; compared: {pairs}").format(
                from_year=from_year, to_year=to_year, pairs=self.pairs
            )
        )

    def _movement(self, kind: str, descending: bool) -> pl.DataFrame:
        return self._changes.filter(pl.col("movement") == kind).sort(
            "from_year", "change", "unit_code", descending=[False, descending, False]
        )


def _pairs(panel: Panel, pairs: Iterable[tuple[int, int]] | str | None) -> list[tuple[int, int]]:
    years = panel.years
    if pairs is None or pairs == "consecutive":
        chosen = list(itertools.pairwise(years))
    elif pairs == "first_last":
        chosen = [(years[0], years[-1])]
    elif isinstance(pairs, str):
        raise PerfkitError(
            _("pairs {pairs!r}: use 'consecutive', 'first_last' or (from, to) pairs").format(
                pairs=pairs
            )
        )
    else:
        chosen = [(int(a), int(b)) for a, b in pairs]
    for a, b in chosen:
        if a not in years or b not in years or a >= b:
            raise PerfkitError(
                _(
                    "pair {a}→{b}: both years must be in the panel ({years}) and {a} before {b}"
                ).format(a=a, b=b, years=years)
            )
    if not chosen:
        raise PerfkitError(
            _("transitions need at least two years; the panel has {years}").format(years=years)
        )
    return chosen


def transitions(
    panel: Panel,
    *,
    pairs: Iterable[tuple[int, int]] | str | None = None,
    bin_width: int = 5,
) -> Transitions:
    """Grade transition matrix, movers and score-change distribution (等级变动分析).

    Parameters
    ----------
    panel : Panel
        From :func:`perfkit.compare.panel`.
    pairs : "consecutive", "first_last" or list of (from, to)
        Years to compare: every consecutive pair (default), the first and last
        year, or pairs of your choice.
    bin_width : int
        Width of the score-change bands in :attr:`Transitions.histogram` (points).

    Returns
    -------
    Transitions

    Examples
    --------
    >>> from perfkit.compare import panel, transitions
    >>> t = transitions(panel("data/sample"))
    >>> t.pairs
    [(2022, 2023), (2023, 2024)]
    >>> t.matrix.columns
    ['from_year', 'to_year', 'from_grade', 'to_grade', 'units', 'from_units', 'share']
    >>> t.improved.row(0, named=True)["movement"]
    'improved'
    """
    if bin_width <= 0:
        raise PerfkitError(
            _("bin_width must be a positive number of points, not {bin_width}").format(
                bin_width=bin_width
            )
        )
    chosen = _pairs(panel, pairs)
    rank = {g: i for i, g in enumerate(panel.grades)}
    cols = ["_uid", "unit_code", "unit_name", "dept_code", "dept_name", "total_cents", "grade"]
    wanted = {y for pair in chosen for y in pair}
    base = panel.frame.filter(pl.col("year").is_in(wanted)).select(
        "year", *cols, pl.col("grade").replace_strict(rank, return_dtype=pl.Int8).alias("_rank")
    )
    by_year = base.partition_by("year", as_dict=True, include_key=False)
    changes = []
    for a, b in chosen:
        right = by_year[(b,)].select("_uid", "total_cents", "grade", "_rank")
        # the panel is sorted by unit: keeping the left order keeps each pair in unit order
        pair = by_year[(a,)].join(right, on="_uid", suffix="_to", maintain_order="left")
        changes.append(
            pair.with_columns(
                pl.lit(a, pl.Int32).alias("from_year"), pl.lit(b, pl.Int32).alias("to_year")
            )
        )
    both = pl.concat(changes)
    change_cents = pl.col("total_cents_to") - pl.col("total_cents")
    changes_frame = both.select(
        "from_year",
        "to_year",
        "unit_code",
        "unit_name",
        "dept_code",
        "dept_name",
        pl.col("grade").alias("from_grade"),
        pl.col("grade_to").alias("to_grade"),
        cents_to_float(pl.col("total_cents")).alias("from_total"),
        cents_to_float(pl.col("total_cents_to")).alias("to_total"),
        cents_to_float(change_cents).alias("change"),
        pl.when(pl.col("_rank_to") < pl.col("_rank"))
        .then(pl.lit("improved"))
        .when(pl.col("_rank_to") > pl.col("_rank"))
        .then(pl.lit("declined"))
        .otherwise(pl.lit("stayed"))
        .alias("movement"),
        change_cents.alias("change_cents"),
        "_rank",
        "_rank_to",
    )
    return Transitions(
        pairs=chosen,
        _matrix=_matrix(changes_frame, chosen, panel.grades),
        _changes=changes_frame.drop("change_cents", "_rank", "_rank_to"),
        _distribution=_distribution(changes_frame, chosen),
        _histogram=_histogram(changes_frame, chosen, bin_width),
        from_pandas=panel.from_pandas,
    )


def _matrix(changes: pl.DataFrame, pairs: list[tuple[int, int]], grades: list[str]) -> Any:
    years = pl.DataFrame(
        {"from_year": [a for a, _ in pairs], "to_year": [b for _, b in pairs]},
        schema={"from_year": pl.Int32, "to_year": pl.Int32},
    )
    ranks = pl.DataFrame({"_rank": range(len(grades))}, schema={"_rank": pl.Int8})
    grid = years.join(ranks, how="cross").join(ranks.rename({"_rank": "_rank_to"}), how="cross")
    keys = ["from_year", "to_year", "_rank", "_rank_to"]
    counts = changes.group_by(keys).agg(pl.len().cast(pl.Int64).alias("units"))
    names = dict(enumerate(grades))
    matrix = (
        grid.join(counts, on=keys, how="left", maintain_order="left")
        .with_columns(pl.col("units").fill_null(0))
        .with_columns(
            pl.col("units").sum().over("from_year", "to_year", "_rank").alias("from_units"),
            pl.col("_rank").replace_strict(names, return_dtype=pl.String).alias("from_grade"),
            pl.col("_rank_to").replace_strict(names, return_dtype=pl.String).alias("to_grade"),
        )
    )
    return matrix.select(
        "from_year",
        "to_year",
        "from_grade",
        "to_grade",
        "units",
        "from_units",
        cents_to_float(percent_cents(pl.col("units"), pl.col("from_units"))).alias("share"),
    )


def _distribution(changes: pl.DataFrame, pairs: list[tuple[int, int]]) -> pl.DataFrame:
    c = pl.col("change_cents")
    stats = changes.group_by("from_year", "to_year").agg(
        pl.len().cast(pl.Int64).alias("units"),
        *[
            (pl.col("movement") == m).sum().cast(pl.Int64).alias(m)
            for m in ("improved", "declined", "stayed")
        ],
        (c > 0).sum().cast(pl.Int64).alias("score_up"),
        (c < 0).sum().cast(pl.Int64).alias("score_down"),
        (c == 0).sum().cast(pl.Int64).alias("score_same"),
        (c.mean() / 100).round(2).alias("mean_change"),
        *[
            (c.quantile(q, interpolation="linear") / 100).round(2).alias(name)
            for q, name in (
                (0.1, "p10"),
                (0.25, "p25"),
                (0.5, "median"),
                (0.75, "p75"),
                (0.9, "p90"),
            )
        ],
        cents_to_float(c.min()).alias("min_change"),
        cents_to_float(c.max()).alias("max_change"),
    )
    order = pl.DataFrame(
        {"from_year": [a for a, _ in pairs], "to_year": [b for _, b in pairs]},
        schema={"from_year": pl.Int32, "to_year": pl.Int32},
    )
    return order.join(stats, on=["from_year", "to_year"], how="left", maintain_order="left")


def _histogram(changes: pl.DataFrame, pairs: list[tuple[int, int]], width: int) -> pl.DataFrame:
    step = width * 100
    start = (pl.col("change_cents") // step) * width  # floor: −0.01 falls in [−5, 0)
    hist = (
        changes.group_by("from_year", "to_year", start.alias("bin_start"))
        .agg(pl.len().cast(pl.Int64).alias("units"))
        .with_columns(
            pl.col("bin_start").cast(pl.Int64), (pl.col("bin_start") + width).alias("bin_end")
        )
        .sort("from_year", "to_year", "bin_start")
    )
    return hist.select("from_year", "to_year", "bin_start", "bin_end", "units")

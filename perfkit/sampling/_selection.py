"""Drawing a sample (抽取样本): must-include units, then the design's random part.

:func:`draw_sample` takes a :class:`~perfkit.sampling._population.Population`, a
:class:`Design` and a seed and returns a :class:`Selection`: the picks, each
with its stratum, its reason and its inclusion probability, and the
:class:`~perfkit.sampling._record.SelectionRecord` that lets anyone re-perform
the draw.

Order of work, always the same:

1. the population is sorted by unit code;
2. the risk rules take their units (reason ``risk:<rule>``, probability 1);
3. for PPS and cell designs, units whose money reaches the interval are taken
   with certainty (reason ``certain``, probability 1), repeatedly;
4. the design draws the rest (reason ``random``) with
   ``numpy.random.default_rng(seed)``.

The target is the **total** sample size, must-include and certainty units
included: a count (``n``), a share of the units (``share``: ``n = ⌈share·N⌉``)
or a money coverage (``coverage``: the smallest ``n`` whose draw with this seed
covers at least that share of the money; sizes below the best any draw of that
size could cover are skipped).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import FIXED, SCALE, cents_to_float, fixed_to_float, round_half_up
from perfkit.sampling._designs import (
    DESIGNS,
    Design,
    allocate,
    cell_draw,
    certainty_units,
    systematic_draw,
)
from perfkit.sampling._population import Population
from perfkit.sampling._record import SelectionRecord, build_record
from perfkit.sampling._risk import parse_rule, risk_matches
from perfkit.sampling._workbook import write_field_workbook
from perfkit.tables._write import atomic_output, write_csv

__all__ = ["DESIGNS", "STRATA_ALL", "Design", "Selection", "draw_sample", "stratum_column"]

#: Stratum name when the design has no strata.
STRATA_ALL = "全部"


@dataclass
class Selection:
    """A drawn sample.

    Attributes
    ----------
    picks : polars.DataFrame
        One row per pick: ``unit_code``, ``unit_name``, ``dept_code``,
        ``dept_name``, ``stratum``, ``reason`` (``risk:<rules>``, ``certain`` or
        ``random``), ``inclusion_probability``, ``budget_full_year`` (万元),
        ``self_score``, ``total``, ``grade``, ``flags``, ``order``.  Must-include
        and certainty units are listed first.
    record : SelectionRecord
        What re-performs the draw.
    population : Population
    """

    picks: pl.DataFrame
    record: SelectionRecord
    population: Population
    strata: pl.DataFrame = field(default_factory=pl.DataFrame)

    def coverage(self) -> pl.DataFrame:
        """Per stratum: units and money in the population and in the sample.

        Examples
        --------
        >>> from perfkit.sampling import load_population, Design, draw_sample
        >>> pop = load_population("data/sample/projects.csv", year=2023)
        >>> s = draw_sample(pop, Design("srs", n=20), seed=1)
        >>> s.coverage().select("stratum", "units", "picked").row(0)
        ('全部', 606, 20)
        """
        return self.strata

    def to_pandas(self):
        """The picks as a pandas frame (for inputs handed as pandas).

        Examples
        --------
        >>> from perfkit.sampling import load_population, Design, draw_sample
        >>> pop = load_population("data/sample/projects.csv", year=2023)
        >>> type(draw_sample(pop, Design("srs", n=2), seed=1).to_pandas()).__name__
        'DataFrame'
        """
        return self.picks.to_pandas()

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``picks.csv``, ``strata.csv``, ``selection.json`` and ``field_workbook.xlsx``.

        All at once or nothing (:class:`~perfkit.tables._write.atomic_output`); the
        record's input paths are stored relative to ``out_dir``.

        Examples
        --------
        >>> import tempfile
        >>> from perfkit.sampling import load_population, Design, draw_sample
        >>> pop = load_population("data/sample/projects.csv", year=2023)
        >>> out = Path(tempfile.mkdtemp()) / "draw"
        >>> [p.name for p in draw_sample(pop, Design("srs", n=3), seed=1).write(out)]
        ['field_workbook.xlsx', 'picks.csv', 'selection.json', 'strata.csv']
        """
        out = Path(out_dir)
        owned = ("picks.csv", "strata.csv", "selection.json", "field_workbook.xlsx")
        output = atomic_output(out, owns=owned)
        with output as tmp:
            write_csv(self.picks, tmp / "picks.csv")
            write_csv(self.strata, tmp / "strata.csv")
            text = self.record.to_json(relative_to=out.resolve())
            (tmp / "selection.json").write_text(text, encoding="utf-8")
            write_field_workbook(self, tmp / "field_workbook.xlsx")
        return output.written


def stratum_column(frame: pl.DataFrame, design: Design) -> pl.Expr:
    """The stratum of every unit under the design (``全部`` when unstratified)."""
    if design.method != "stratified" or not design.strata:
        return pl.lit(STRATA_ALL)
    if design.strata == "amount_band":
        bounds = [int(Decimal(b) * SCALE) for b in design.bands]
        labels = _band_labels(design.bands)
        expr = pl.lit(labels[-1])
        for bound, label in reversed(list(zip(bounds, labels[:-1], strict=True))):
            expr = (
                pl.when(pl.col("money") < pl.lit(bound, FIXED)).then(pl.lit(label)).otherwise(expr)
            )
        return expr
    if design.strata not in frame.columns or design.strata == "money":
        usable = [
            c
            for c, t in frame.schema.items()
            if t == pl.String and c not in ("unit_code", "unit_name")
        ]
        raise PerfkitError(
            _("unknown stratum column {column!r}; use one of {choices}").format(
                column=design.strata, choices=", ".join([*usable, "amount_band"])
            )
        )
    return pl.col(design.strata).cast(pl.String).fill_null("（空）")


def _stratum_key(design: Design) -> pl.Expr:
    """Sort key of strata: amount bands low to high, other strata by name."""
    if design.strata == "amount_band":
        order = {label: i for i, label in enumerate(_band_labels(design.bands))}
        return pl.col("stratum").replace_strict(order, default=len(order), return_dtype=pl.Int32)
    return pl.col("stratum").is_null()


def _band_labels(bands: tuple[str, ...]) -> list[str]:
    labels = [f"<{bands[0]}万元"]
    labels += [f"{lo}–<{hi}万元" for lo, hi in itertools.pairwise(bands)]
    labels.append(f"≥{bands[-1]}万元")
    return labels


def _target_n(design: Design, n_units: int) -> int | None:
    kind, value = design.target
    if kind == "n":
        n = int(value)
        if n > n_units:
            raise PerfkitError(
                _("the sample size {n} is larger than the population ({n_units} units)").format(
                    n=n, n_units=n_units
                )
            )
        return n
    if kind == "share":
        share = Fraction(value)
        return max(1, math.ceil(share * n_units))
    return None


def draw_sample(population: Population, design: Design, seed: int) -> Selection:
    """Draw a sample: risk picks, certainty units, then the design's random part.

    Parameters
    ----------
    population : Population
    design : Design
    seed : int
        Seed of ``numpy.random.default_rng`` (PCG64).

    Returns
    -------
    Selection

    Raises
    ------
    PerfkitError
        Unknown stratum column, a size larger than the population, a coverage
        above 100 %, risk rules that take more units than the target, …

    Examples
    --------
    >>> from perfkit.sampling import load_population
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> s = draw_sample(pop, Design("pps", n=30, risk=("budget_zero",)), seed=7)
    >>> s.picks.height, s.picks["reason"].to_list()[:2]
    (30, ['risk:budget_zero', 'risk:budget_zero'])
    >>> s.picks.equals(draw_sample(pop, Design("pps", n=30, risk=("budget_zero",)), 7).picks)
    True
    """
    design = design.checked()
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise PerfkitError(_("the seed must be a whole number ≥ 0, not {seed!r}").format(seed=seed))
    frame = population.frame.sort("unit_code")
    if frame.height == 0:
        raise PerfkitError(_("the population is empty"))
    if frame.select((pl.col("money") < 0).any()).item():
        bad = frame.filter(pl.col("money") < 0).get_column("unit_code").head(5).to_list()
        raise PerfkitError(
            _("negative amounts (全年预算数) for {choices}: fix the input").format(
                choices=", ".join(bad)
            )
        )
    rules = [parse_rule(r) for r in design.risk]
    frame = frame.with_columns(
        stratum_column(frame, design).alias("stratum"),
        risk_matches(frame, rules).alias("risk"),
    )
    n_units = frame.height
    n = _target_n(design, n_units)
    risky = int((frame["risk"] != "").sum())
    if n is not None and risky > n:
        raise PerfkitError(
            _(
                "the risk rules take {risky} units, more than the target of {n}: raise the target "
                "or narrow the rules"
            ).format(risky=risky, n=n)
        )
    if n is not None:
        drawn = _draw(frame, design, seed, n)
    else:
        drawn = _draw_for_coverage(frame, design, seed, risky)
    picks, strata, info = drawn
    record = build_record(population, design, seed, picks, strata, info, rules)
    return Selection(_pick_table(picks, frame), record, population, strata)


def _draw_for_coverage(
    frame: pl.DataFrame, design: Design, seed: int, risky: int
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    goal = Fraction(design.target[1])
    total = int(frame["money"].sum() or 0)
    if total == 0:
        raise PerfkitError(_("the population's money is 0: a money coverage cannot be reached"))
    need = goal * total
    # lower bound on n: the must-include money plus the largest others must reach the goal
    must = int(frame.filter(pl.col("risk") != "")["money"].sum() or 0)
    others = frame.filter(pl.col("risk") == "").sort("money", descending=True)["money"]
    reach = np.cumsum([0, *(int(v) for v in others.to_list())], dtype=object)
    start = risky + next((k for k, v in enumerate(reach) if must + v >= need), len(others))
    for n in range(max(start, 1), frame.height + 1):
        picks, strata, info = _draw(frame, design, seed, n)
        covered = int(frame.join(picks.select("unit_code"), on="unit_code")["money"].sum() or 0)
        if covered >= need:
            info["coverage_sizes_tried"] = n - max(start, 1) + 1
            return picks, strata, info
    raise PerfkitError(_("the money coverage cannot be reached"))  # pragma: no cover (n = N covers)


def _draw(
    frame: pl.DataFrame, design: Design, seed: int, n: int
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """One draw of total size n (risk picks included); returns picks, strata table, info."""
    rng = np.random.default_rng(seed)
    risk = frame["risk"] != ""
    m = n - int(risk.sum())
    info: dict[str, object] = {"n": n}
    reason = pl.when(pl.col("risk") != "").then(pl.lit("risk:") + pl.col("risk"))
    if design.method in ("srs", "stratified"):
        keys = pl.Series("key", rng.random(frame.height))
        work = frame.with_columns(keys, (~risk).alias("eligible"))
        strata = (
            work.group_by("stratum")
            .agg(pl.col("eligible").sum().alias("available"))
            .sort(_stratum_key(design), "stratum")
        )
        method = design.allocation if design.method == "stratified" else "proportional"
        alloc = allocate(strata["available"].to_list(), m, method, design.minimum)
        strata = strata.with_columns(pl.Series("random", alloc, pl.Int64))
        work = work.join(strata, on="stratum", how="left", maintain_order="left")
        rank = pl.col("key").rank("ordinal").over("stratum", "eligible")
        chosen = pl.col("eligible") & (rank <= pl.col("random"))
        prob = pl.when(pl.col("available") > 0).then(
            pl.col("random").cast(pl.Float64) / pl.col("available").cast(pl.Float64)
        )
        work = work.with_columns(
            reason.when(chosen).then(pl.lit("random")).alias("reason"),
            pl.when(pl.col("risk") != "").then(1.0).otherwise(prob).alias("inclusion_probability"),
            pl.lit(0, pl.Int64).alias("hits"),
        )
    else:
        money = frame["money"]
        certain, m_left = certainty_units(money, ~risk, m)
        eligible = ~risk & ~certain
        draw = (systematic_draw if design.method == "pps" else cell_draw)(
            money, eligible, m_left, rng
        )
        info.update(
            certain=int(certain.sum()),
            random_money=str(draw.total),
            m=draw.m,
            interval=_ratio_text(draw.total, draw.m),
            start=None if draw.start_scaled is None else _ratio_text(draw.start_scaled, draw.m),
            start_scaled=draw.start_scaled,
            zero_money_units=int((eligible & (money == 0)).sum()),
        )
        work = frame.with_columns(
            certain.alias("certain"), draw.hits.alias("hits"), draw.probability.alias("p")
        )
        work = work.with_columns(
            reason.when(pl.col("certain"))
            .then(pl.lit("certain"))
            .when(pl.col("hits") > 0)
            .then(pl.lit("random"))
            .alias("reason"),
            pl.when((pl.col("risk") != "") | pl.col("certain"))
            .then(1.0)
            .otherwise(pl.col("p"))
            .alias("inclusion_probability"),
        )
        strata = pl.DataFrame(
            {
                "stratum": [STRATA_ALL],
                "available": [int(eligible.sum())],
                "random": [int((draw.hits > 0).sum())],
            },
            schema={"stratum": pl.String, "available": pl.UInt32, "random": pl.Int64},
        )
    picks = work.filter(pl.col("reason").is_not_null())
    strata = _strata_table(work, strata, design)
    return picks, strata, info


def _ratio_text(num: int, den: int) -> str:
    """num / den fixed-point units as 万元 text with six decimals (half-up)."""
    if den <= 0:
        return "0"
    return str(round_half_up(Fraction(num, den * SCALE), 6))


def _strata_table(work: pl.DataFrame, strata: pl.DataFrame, design: Design) -> pl.DataFrame:
    picked = pl.col("reason").is_not_null()
    table = (
        work.group_by("stratum")
        .agg(
            pl.len().alias("units"),
            pl.col("money").sum().alias("_money"),
            picked.sum().alias("picked"),
            (pl.col("reason").str.starts_with("risk:")).sum().alias("risk"),
            (pl.col("reason") == "certain").sum().alias("certain"),
            pl.col("money").filter(picked).sum().alias("_picked_money"),
        )
        .join(strata.select("stratum", "available", "random"), on="stratum", how="left")
        .sort(_stratum_key(design), "stratum")
    )
    total = table["_money"].sum()
    return table.select(
        "stratum",
        "units",
        pl.col("available").cast(pl.Int64),
        "picked",
        "risk",
        "certain",
        pl.col("random").cast(pl.Int64),
        fixed_to_float(pl.col("_money")).alias("money"),
        fixed_to_float(pl.col("_picked_money").fill_null(0)).alias("picked_money"),
        (pl.col("picked") / pl.col("units")).alias("count_coverage"),
        pl.when(pl.col("_money") > 0)
        .then(
            pl.col("_picked_money").fill_null(0).cast(pl.Float64)
            / pl.col("_money").cast(pl.Float64)
        )
        .alias("money_coverage"),
        (pl.col("_money").cast(pl.Float64) / float(total or 1)).alias("money_share"),
    )


_REASON_ORDER = {"risk": 0, "certain": 1, "random": 2}


def _pick_table(picks: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    kind = pl.col("reason").str.split(":").list.first()
    flags = [c[5:] for c in frame.columns if c.startswith("flag_")]
    flag_text = (
        pl.concat_str(
            [pl.when(pl.col(f"flag_{f}")).then(pl.lit(f)) for f in flags],
            separator=";",
            ignore_nulls=True,
        )
        if flags
        else pl.lit(None, pl.String)
    )
    out = (
        picks.with_columns(kind.replace_strict(_REASON_ORDER, return_dtype=pl.Int32).alias("_k"))
        .sort("_k", "unit_code")
        .with_row_index("order", offset=1)
        .select(
            pl.col("order").cast(pl.Int64),
            "unit_code",
            "unit_name",
            "dept_code",
            "dept_name",
            "stratum",
            "reason",
            "inclusion_probability",
            fixed_to_float(pl.col("money")).alias("budget_full_year"),
            cents_to_float(pl.col("self_cents")).alias("self_score"),
            cents_to_float(pl.col("total_cents")).alias("total"),
            "grade",
            "self_grade",
            flag_text.fill_null("").alias("flags"),
        )
    )
    return out

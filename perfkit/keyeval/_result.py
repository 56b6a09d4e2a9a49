"""The evaluation's result as plain data (评价结果): what a report renders.

:func:`evaluate_paper` reads a filled working paper (and a survey), scores it through
the assessments engine (:mod:`perfkit.scoring`, every point half-up to cents, totals
the sum of the rounded items, grades from the system's bands) and returns a
:class:`KeyEvaluation`: per object its leaves (points, score, 评分标准, evidence, reason,
trace), its group score rates (决策/过程/产出/效益, or the department frame's
投入/过程/产出/效果), total and grade.  It holds no rendering: the documents engine,
a notebook (:meth:`KeyEvaluation.to_html`) or the CSV/xlsx writer take it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

from perfkit.errors import Problem
from perfkit.keyeval._paper import FilledPaper, read_paper
from perfkit.numbers import SCALE, cents_to_float, div_half_up, fixed_to_float
from perfkit.present import column_label, table, translate_for_people
from perfkit.scoring import score_assessments
from perfkit.scoring._assessment import system_items
from perfkit.systems import System
from perfkit.tables._read import read_table
from perfkit.tables._write import atomic_output, write_csv, write_excel

__all__ = [
    "GroupResult",
    "KeyEvaluation",
    "LeafResult",
    "ObjectResult",
    "evaluate_paper",
    "score_paper",
]

#: The files :meth:`KeyEvaluation.write` writes.
OUTPUT_FILES = ("key_evaluation_units.csv", "key_evaluation_items.csv", "key_evaluation.xlsx")


@dataclass(frozen=True)
class LeafResult:
    """One leaf of one object: its points and score, and why."""

    item_id: str
    group: str
    level2: str | None
    label: str
    points: Decimal
    score: Decimal
    source: str  # "computed" (from the data) or "judged" (by the evaluator)
    criterion: str
    value: Decimal | None  # the computed rate (%), computed leaves only
    trace: str  # the data trace of a computed leaf
    evidence: str  # 佐证材料 of a judged leaf
    reason: str  # 扣分理由 of a judged leaf


@dataclass(frozen=True)
class GroupResult:
    """A top-level group (决策, 过程, …): points, score and score rate (%)."""

    label: str
    points: Decimal
    score: Decimal
    rate: Decimal


@dataclass(frozen=True)
class ObjectResult:
    """One evaluated object: total, grade, result use, its groups and leaves."""

    unit_code: str
    name: str
    kind: str  # "project" or "department"
    year: int
    total: Decimal
    grade: str
    result_use: str | None
    groups: tuple[GroupResult, ...]
    leaves: tuple[LeafResult, ...]


@dataclass(frozen=True)
class KeyEvaluation:
    """A key evaluation's result: one :class:`ObjectResult` per object, and the tables.

    ``units`` (one row per object: code, name, kind, group scores, total, grade) and
    ``items`` (one row per object and leaf) are the same numbers as tables; ``warnings``
    the problems that did not block scoring (a judged score without evidence …).
    """

    system: System
    year: int
    objects: tuple[ObjectResult, ...]
    units: pl.DataFrame
    items: pl.DataFrame
    warnings: list[Problem] = field(default_factory=list)

    def write(self, out: str | Path) -> list[Path]:
        """Write the scored table: units and items as CSV, both as ``key_evaluation.xlsx``."""
        out = Path(out)
        with atomic_output(out, owns=OUTPUT_FILES) as tmp:
            write_csv(self.units, tmp / OUTPUT_FILES[0])
            write_csv(self.items, tmp / OUTPUT_FILES[1])
            write_excel(
                tmp / OUTPUT_FILES[2],
                {
                    "评价结果": translate_for_people(self.units, "keyeval"),
                    "评分表": translate_for_people(self.items, "keyeval"),
                },
                label=_label,
            )
        return [out / name for name in OUTPUT_FILES]

    def to_html(self) -> str:
        """The objects' scores and every leaf as escaped HTML tables (for a notebook)."""
        parts = [
            table(self.units.drop("kind"), caption=f"{self.year} 年度重点评价结果")._repr_html_()
        ]
        for obj in self.objects:
            leaves = translate_for_people(
                self.items.filter(pl.col("unit_code") == obj.unit_code).drop(
                    "year", "unit_code", "unit_name", "sheet", "row", "criterion"
                ),
                "keyeval",
            )
            parts.append(
                table(
                    leaves.rename({c: _label(c) for c in leaves.columns}),
                    caption=f"{obj.name}（{obj.unit_code}）：{obj.total} 分，{obj.grade}",
                )._repr_html_()
            )
        return "\n".join(parts)


def _label(column: str) -> str:
    if column.endswith("_rate"):
        return column[: -len("_rate")] + "得分率（%）"
    return column_label(column, "keyeval")


def evaluate_paper(path: str | Path, *, satisfaction: pl.DataFrame | None = None) -> KeyEvaluation:
    """Read, check and score a filled working paper (and a survey summary).

    Raises
    ------
    InputError
        Every problem of the filling with file, sheet and cell (see
        :func:`perfkit.keyeval.read_paper`).
    """
    filled = read_paper(path, satisfaction=satisfaction)
    return score_paper(filled)


def score_paper(filled: FilledPaper) -> KeyEvaluation:
    """Score a paper read back clean (the assessments engine does the points)."""
    system, leaves = filled.system, filled.leaves
    frame = leaves.select(
        pl.lit(str(filled.year)).alias("year"),
        "unit_code",
        pl.col("item_id").alias("item"),
        pl.when(pl.col("source") == "judged")
        .then((pl.col("score").cast(pl.Decimal(38, 6)) / SCALE).cast(pl.String))
        .alias("score"),
        pl.when(pl.col("source") == "computed")
        .then((pl.col("value").cast(pl.Decimal(38, 6)) / SCALE).cast(pl.String))
        .alias("value"),
    )
    scored = score_assessments(read_table(frame, "assessments"), system)
    items = system_items(system).select("item_id", "section", "parent", "item_label", "max_cents")
    criteria = pl.DataFrame(
        {
            "item_id": [leaf.id for leaf in system.leaves()],
            "criterion": [leaf.criteria or leaf.note for leaf in system.leaves()],
        }
    )
    points = scored.items.select(
        "unit_code", "item_id", (pl.col("points") * 100).round(0).cast(pl.Int64).alias("_cents")
    )
    table_items = (
        leaves.join(items, on="item_id", how="left", maintain_order="left")
        .join(criteria, on="item_id", how="left", maintain_order="left")
        .join(points, on=["unit_code", "item_id"], how="left", maintain_order="left")
    )
    items_out = table_items.select(
        pl.lit(filled.year).alias("year"),
        "unit_code",
        pl.col("name").alias("unit_name"),
        "item_id",
        pl.col("section").alias("group"),
        pl.col("parent").alias("level2"),
        pl.col("item_label").alias("item"),
        cents_to_float(pl.col("max_cents")).alias("max_points"),
        cents_to_float(pl.col("_cents")).alias("points"),
        pl.col("source"),
        fixed_to_float(pl.col("value")).alias("value"),
        "trace",
        "evidence",
        "reason",
        "criterion",
        pl.col("sheet"),
        pl.col("row"),
        "max_cents",
        "_cents",
    )
    groups = [g.label for g in system.groups]
    group_cents = items_out.group_by("unit_code", "group").agg(
        pl.col("_cents").sum().alias("_s"), pl.col("max_cents").sum().alias("_m")
    )
    rates = group_cents.with_columns(div_half_up(pl.col("_s") * 10_000, pl.col("_m")).alias("_r"))
    objects = leaves.select("unit_code", "name", "kind").unique("unit_code", maintain_order=True)
    units = objects.join(
        scored.units.select("unit_code", "total", "grade", "result_use"),
        on="unit_code",
        maintain_order="left",
    )
    wide = rates.pivot(on="group", index="unit_code", values=["_s", "_r"])
    units = units.join(wide, on="unit_code", how="left", maintain_order="left")
    units_out = units.select(
        pl.lit(filled.year).alias("year"),
        "unit_code",
        pl.col("name").alias("unit_name"),
        "kind",
        *[cents_to_float(pl.col(f"_s_{g}")).alias(g) for g in groups],
        *[cents_to_float(pl.col(f"_r_{g}")).alias(f"{g}_rate") for g in groups],
        "total",
        "grade",
        "result_use",
    )
    results = _objects(filled.year, units_out, items_out, rates, system)
    return KeyEvaluation(
        system,
        filled.year,
        results,
        units_out,
        items_out.drop("max_cents", "_cents"),
        filled.warnings + scored.warnings,
    )


def _dec(cents: int | None) -> Decimal:
    return Decimal(cents or 0).scaleb(-2)


def _objects(
    year: int, units: pl.DataFrame, items: pl.DataFrame, rates: pl.DataFrame, system: System
) -> tuple[ObjectResult, ...]:
    out = []
    totals = units.with_columns((pl.col("total") * 100).round(0).cast(pl.Int64).alias("_t"))
    for unit in totals.iter_rows(named=True):
        code = unit["unit_code"]
        mine = items.filter(pl.col("unit_code") == code)
        by_group = {
            r["group"]: r for r in rates.filter(pl.col("unit_code") == code).iter_rows(named=True)
        }
        groups = tuple(
            GroupResult(
                g.label, g.points, _dec(by_group[g.label]["_s"]), _dec(by_group[g.label]["_r"])
            )
            for g in system.groups
            if g.label in by_group
        )
        leaves = tuple(
            LeafResult(
                item_id=r["item_id"],
                group=r["group"],
                level2=r["level2"],
                label=r["item"],
                points=_dec(r["max_cents"]),
                score=_dec(r["_cents"]),
                source=r["source"],
                criterion=r["criterion"] or "",
                value=None if r["value"] is None else Decimal(repr(r["value"])),
                trace=r["trace"] or "",
                evidence=r["evidence"] or "",
                reason=r["reason"] or "",
            )
            for r in mine.iter_rows(named=True)
        )
        out.append(
            ObjectResult(
                code,
                unit["unit_name"],
                unit["kind"],
                year,
                _dec(unit["_t"]),
                unit["grade"],
                unit["result_use"],
                groups,
                leaves,
            )
        )
    return tuple(out)

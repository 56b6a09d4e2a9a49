"""Verification results for the sample region (示例复核数据), generated and seeded.

The finance bureau of the fictional 云岭州 verifies a sample of the **2023**
project self-evaluations: a systematic PPS draw (monetary-unit sampling) of 46
projects, with the projects whose self-score is 100 despite low execution and
those whose budget was withdrawn taken first::

    Design("pps", n=46, risk=("self_100_low_execution", "budget_zero")), seed 2023

Simulated verifiers then fill the field workbook from "evidence": in about
45 % of the projects they find something — a quantitative result overstated
(the supported value is 60–90 % of the reported one), a qualitative indicator
only partly achieved (部分达成…, with a score inside its band), or spending that
did not happen (the supported 执行数 is 85–95 % of the reported one).  Every
other value is confirmed (left blank).  The filled workbook is then re-scored
with :func:`perfkit.sampling._verify.verify`, exactly as a user would.

Written to ``DATA_DIR`` (default ``data/sample``):

* ``verifications.csv`` — the contract's ``verifications`` table;
* ``verification_2023/selection.json``, ``picks.csv``, ``strata.csv``,
  ``field_workbook.xlsx`` (blank) and ``field_workbook_filled.xlsx``.

Deterministic: the draw uses the record's seed and the verifiers' findings
their own ``numpy.random.default_rng(FINDINGS_SEED)``, in pick and item order,
so the same inputs give byte-identical files.  Run::

    python -m perfkit.samples.verifications data/sample
"""

from __future__ import annotations

import sys
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import numpy as np
import polars as pl

from perfkit._limits import format_expr
from perfkit.sampling._population import load_population
from perfkit.sampling._selection import Design, Selection, draw_sample
from perfkit.sampling._verify import Verification, verify
from perfkit.sampling._workbook import write_field_workbook

__all__ = ["DESIGN", "FINDINGS_SEED", "SEED", "YEAR", "simulate_findings", "write_verifications"]

#: The verified year, the draw and its seed.
YEAR = 2023
SEED = 2023
DESIGN = Design("pps", n=46, risk=("self_100_low_execution", "budget_zero"))
#: Seed of the simulated verifiers' findings.
FINDINGS_SEED = 5
_PARTIAL = "部分达成年度指标并具有一定效果"


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _scaled(text: str, factor: float) -> str:
    """A reported number times a factor, with the reported number of decimals (rounded down)."""
    value = Decimal(text) * Decimal(str(round(factor, 4)))
    quantum = Decimal(1).scaleb(-_decimals(text))
    return str(value.quantize(quantum, rounding=ROUND_FLOOR))


def simulate_findings(selection: Selection, seed: int = FINDINGS_SEED) -> pl.DataFrame:
    """What simulated verifiers enter: one row per changed item (others stay blank).

    Returns a frame with ``unit_code``, ``name``, ``verified_actual``,
    ``verified_points`` and ``note`` for :func:`write_field_workbook`'s ``filled``.

    Examples
    --------
    >>> pop = load_population("data/sample/projects.csv", year=YEAR)
    >>> found = simulate_findings(draw_sample(pop, DESIGN, SEED))
    >>> found.columns
    ['unit_code', 'name', 'verified_actual', 'verified_points', 'note']
    """
    rng = np.random.default_rng(seed)
    pop = selection.population
    assert pop.scores is not None
    order = selection.picks.select("unit_code", pl.col("order").alias("_order"))
    items = (
        pop.scores.items.filter(pl.col("year") == pop.year)
        .join(order, on="unit_code", how="inner")
        .sort("_order", pl.col("rule") != "execution_rate", maintain_order=True)
    )
    finding = dict(zip(order["unit_code"].to_list(), rng.random(order.height) < 0.45, strict=True))
    u1, u2 = rng.random(items.height), rng.random(items.height)
    rows = []
    cols = ["unit_code", "item", "rule", "direction", "actual", "weight"]
    for i, (code, item, rule, direction, actual, weight) in enumerate(
        items.select(cols).iter_rows()
    ):  # the sample's items only (a few hundred), in pick and item order
        if not finding[code] or actual is None:
            continue
        if rule == "execution_rate" and u1[i] < 0.25 and Decimal(actual) > 0:
            spent = _scaled(actual, 0.85 + 0.1 * u2[i])
            rows.append((code, item, spent, None, f"部分支出未实际发生，核实执行数{spent}万元"))
        elif direction == "positive" and u1[i] < 0.35 and Decimal(actual) > 0:
            value = _scaled(actual, 0.6 + 0.3 * u2[i])
            rows.append((code, item, value, None, f"佐证材料只支持完成{value}，按核实数计"))
        elif direction == "qualitative" and actual == "达成年度指标" and u1[i] < 0.5:
            cents = int(Decimal(str(weight)) * 100)
            points = (cents * (60 + int(19 * u2[i]))) // 100  # inside [60 %, 80 %) of the weight
            rows.append((code, item, _PARTIAL, points / 100, "佐证材料显示目标部分达成"))
    return pl.DataFrame(
        rows,
        schema={
            "unit_code": pl.String,
            "name": pl.String,
            "verified_actual": pl.String,
            "verified_points": pl.Float64,
            "note": pl.String,
        },
        orient="row",
    )


def _two_decimals(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.is_not_null()).then(
        format_expr("{}", (expr * 100).round(0).cast(pl.Int64)).str.replace(
            r"^(-?)(\d*)(\d\d)$", "${1}${2}.${3}"
        )
    )


def verifications_csv(verification: Verification) -> pl.DataFrame:
    """The ``verifications`` table as the sample writes it (numbers as two-decimal text)."""
    table = verification.verifications_table()
    return table.with_columns(
        _two_decimals(pl.col("verified_score")).str.replace(r"^\.", "0.").alias("verified_score"),
        _two_decimals(pl.col("verified_points").cast(pl.Float64))
        .str.replace(r"^\.", "0.")
        .alias("verified_points"),
    )


def write_verifications(data_dir: str | Path = "data/sample") -> list[Path]:
    """Draw, fill and verify the 2023 sample; write the files listed in the module docstring.

    Examples
    --------
    >>> import shutil, tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> for name in ("projects.csv", "indicators.csv"):
    ...     _ = shutil.copy(Path("data/sample") / name, tmp / name)
    >>> sorted(p.name for p in write_verifications(tmp))[:2]
    ['field_workbook.xlsx', 'field_workbook_filled.xlsx']
    """
    data_dir = Path(data_dir)
    out = data_dir / f"verification_{YEAR}"
    pop = load_population(data_dir / "projects.csv", data_dir / "indicators.csv", year=YEAR)
    selection = draw_sample(pop, DESIGN, SEED)
    written = selection.write(out)
    filled = out / "field_workbook_filled.xlsx"
    write_field_workbook(selection, filled, filled=simulate_findings(selection))
    written.append(filled)
    verification = verify(out / "selection.json", filled)
    table = verifications_csv(verification)
    target = data_dir / "verifications.csv"
    table.write_csv(target)
    written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_verifications(sys.argv[1] if len(sys.argv) > 1 else "data/sample"):
        print(f"wrote {path}")

"""The sample region's planning year 2025 (计划年度): targets, budget requests, ex-ante scores.

Derived from the region's 2024 tables in ``data/sample`` and drawn from its **own**
random stream (``numpy.random.default_rng([seed, 25])``), so every existing file of the
sample stays byte-identical.  Writes ``data/sample/plan_2025/``:

* ``projects.csv`` — the 2025 projects (continuing ones and new ones), with the planned
  budget as ``budget_full_year`` (``executed`` empty: the year has not begun);
* ``indicators.csv`` — their targets (no actuals).  Targets of continuing projects follow
  last year's results (a positive target above last year's actual, a reverse one at it),
  so a clean plan gets no ambition finding; one weak target set of each kind is planted
  on the project listed in :data:`PLANTED` (data/README.md lists them);
* ``budget_requests.csv`` — what each project asked for and what the review approved;
* ``assessments_exante.csv`` — the ex-ante assessment (``ex-ante`` system) of the new
  projects.

Run ``python -m perfkit.samples.plan [data/sample]`` to write them.
"""

from __future__ import annotations

import math
import sys
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from perfkit.tables._contract import TABLES, contract_headers

__all__ = ["PLANTED", "PLAN_YEAR", "plan_tables", "write_plan"]

PLAN_YEAR = 2025
#: Weak targets planted in the sample plan: rule → project code (data/README.md).
PLANTED = {
    "completeness.missing_level1": "P2019-D01-001",
    "completeness.missing_output_kind": "P2019-D01-002",
    "completeness.duplicate_name": "P2019-D01-006",
    "clarity.no_number": "P2019-D02-002",
    "clarity.no_unit": "P2019-D02-003",
    "clarity.qualitative_share": "P2019-D02-004",
    "clarity.direction_contradiction": "P2020-D02-002",
    "clarity.reverse_zero": "P2020-D02-003",
    "relevance.vague_benefit": "P2019-D03-002",
    "relevance.cost_over_budget": "P2020-D02-004",
    # the ambition rules: D12 农牧局's projects, D41 农业农村局 since the 2024 rename
    "ambition.target_low": "P2019-D12-003",
    "ambition.overachieved_not_raised": "P2021-D12-006",
    "ambition.raised_after_shortfall": "P2019-D12-004",
    "ambition.budget_up_chronic_low": "P2020-D12-006",
}
#: The indicator each ambition rule is planted on, and its 2025 target.
_AMBITION = {
    "ambition.target_low": ("培育新型农业经营主体", "44"),  # 2024: target 39, actual 44
    "ambition.overachieved_not_raised": ("带动农户增收", "275"),  # 2024: 401.47 of 275
    "ambition.raised_after_shortfall": ("带动农户增收", "201"),  # 2024: 85.6 of 167
}
FILES = ("projects", "indicators", "budget_requests", "assessments_exante")
_NEW_PROJECTS = 20
_EXANTE_ITEMS = {  # item → maximum (the ex-ante system's leaves)
    "1.1": 10, "1.2": 10, "1.3": 5, "2.1": 10, "2.2": 10, "3.1": 10, "3.2": 10,
    "4.1": 10, "4.2": 10, "5.1": 10, "5.2": 5,
}  # fmt: skip


def _d(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text))
    except Exception:
        return None


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _raised(target: Decimal, actual: Decimal, unit: str | None) -> Decimal:
    """A positive target above both last year's target and actual (capped at 100 %)."""
    if unit == "%":
        if actual >= 100:
            return Decimal(100)
        return min(Decimal(100), max(target, actual.to_integral_value(ROUND_CEILING) + 1))
    bumped = (actual * Decimal("1.05")).to_integral_value(ROUND_CEILING)
    return max(target, bumped, actual.to_integral_value(ROUND_CEILING) + 1)


def _next_target(row: dict[str, Any]) -> str | None:
    direction, target, actual = row["direction"], _d(row["target"]), _d(row["actual"])
    if direction == "定性" or target is None or actual is None:
        return row["target"]
    if direction == "正向":
        if actual < target:  # not reached: keep the target
            return row["target"]
        return _plain(_raised(target, actual, row["unit"]))
    if direction == "反向":
        return _plain(actual) if actual > 0 else row["target"]
    return row["target"]


def _cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _read_english(data: Path, table: str) -> pl.DataFrame:
    """A region table as written (English or Chinese headers), with the English names."""
    frame = pl.read_csv(data / f"{table}.csv", infer_schema=False)
    names = {column.display: column.name for column in TABLES[table].columns}
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def plan_tables(data_dir: str | Path = "data/sample", seed: int = 2024) -> dict[str, pl.DataFrame]:
    """The planning year's tables, derived from ``data_dir``'s 2024 tables.

    Examples
    --------
    >>> t = plan_tables()
    >>> sorted(t), t["projects"].get_column("year").unique().to_list()
    (['assessments_exante', 'budget_requests', 'indicators', 'projects'], [2025])
    """
    rng = np.random.default_rng([seed, 25])
    data = Path(data_dir)
    projects = _read_english(data, "projects")
    indicators = _read_english(data, "indicators")
    departments = _read_english(data, "departments")
    last = str(PLAN_YEAR - 1)
    p24 = projects.filter(pl.col("year") == last).sort("project_code")
    rates = projects.filter(pl.col("year").is_in([str(PLAN_YEAR - 2), last])).with_columns(
        (
            pl.col("executed").cast(pl.Float64) < 0.6 * pl.col("budget_full_year").cast(pl.Float64)
        ).alias("low")
    )
    chronic = set(
        rates.group_by("project_code")
        .agg(pl.col("low").all() & (pl.len() == 2))
        .filter(pl.col("low"))
        .get_column("project_code")
    )
    ending = rng.random(p24.height) < 0.05
    keep = [
        c for c, end in zip(p24.get_column("project_code"), ending, strict=True)
        if not end or c in PLANTED.values()
    ]  # fmt: skip
    p25 = p24.filter(pl.col("project_code").is_in(keep))
    budgets = []
    for code, budget in p25.select("project_code", "budget_full_year").iter_rows():
        b = Decimal(budget)
        if code == PLANTED["ambition.budget_up_chronic_low"]:
            b = b * Decimal("1.2")
        elif code in chronic:
            b = b * Decimal("0.8")
        else:
            b = b * Decimal(str(round(float(rng.uniform(0.9, 1.1)), 4)))
        budgets.append(str(b.quantize(Decimal("0.01"), ROUND_HALF_UP)))
    p25 = p25.with_columns(
        pl.lit(str(PLAN_YEAR)).alias("year"), pl.Series("budget_full_year", budgets)
    )
    rows = indicators.filter((pl.col("year") == last) & pl.col("unit_code").is_in(keep)).to_dicts()
    for row in rows:
        row["target"] = _next_target(row)
    rows = _plant(rows, p25)
    # new projects: a department's new line of work, targets copied from a sibling project
    depts = departments.filter(pl.col("year") == last).sort("dept_code")
    new_projects, new_rows = [], []
    picks = rng.choice(p24.height, size=_NEW_PROJECTS, replace=False)
    for n, i in enumerate(sorted(int(x) for x in picks), start=1):
        model = p24.row(i, named=True)
        code = f"P{PLAN_YEAR}-{model['dept_code']}-{n:03d}"
        budget = _cents(float(rng.uniform(20, 400)))
        new_projects.append(
            model
            | {
                "year": str(PLAN_YEAR),
                "project_code": code,
                "project_name": f"{model['project_name']}（新增）",
                "budget_full_year": str(budget),
            }
        )
        for row in indicators.filter(
            (pl.col("year") == last) & (pl.col("unit_code") == model["project_code"])
        ).to_dicts():
            new_rows.append(row | {"unit_code": code})
    plan_projects = (
        pl.concat([p25, pl.DataFrame(new_projects, schema=p25.schema)])
        .with_columns(
            pl.col("budget_full_year").alias("budget_initial"),
            pl.lit(None, pl.String).alias("executed"),  # the year has not begun: empty
        )
        .select(
            "year",
            "project_code",
            "project_name",
            "dept_code",
            "dept_name",
            "budget_initial",
            "budget_full_year",
            "executed",
            "category",
        )
        .with_columns(pl.col("year").cast(pl.Int64))
    )
    plan = (
        pl.DataFrame(rows + new_rows, schema=indicators.schema)
        .with_columns(pl.lit(str(PLAN_YEAR)).alias("year"))
        .select("year", "unit_code", "level1", "level2", "name", "direction", "target", "unit")
        .with_columns(pl.col("year").cast(pl.Int64))
    )
    # budget requests: what each project asked for, what the review approved
    region = {
        code: (
            "州本级" if level == "州级" else name[: name.index("县") + 1] if "县" in name else name
        )
        for code, name, level in depts.select("dept_code", "dept_name", "level").iter_rows()
    }
    requests = []
    for code, name, dept, dept_name, budget in plan_projects.select(
        "project_code", "project_name", "dept_code", "dept_name", "budget_full_year"
    ).iter_rows():
        approved = Decimal(budget)
        cut = 0.0 if rng.random() < 0.4 else float(rng.uniform(0.05, 0.6))
        requested = (approved / Decimal(str(round(1 - cut, 4)))).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        requests.append(
            {
                "year": PLAN_YEAR,
                "project_code": code,
                "project_name": name,
                "dept_code": dept,
                "dept_name": dept_name,
                "region": region.get(dept, "州本级"),
                "requested": str(requested),
                "approved": str(approved),
            }
        )
    exante = []
    for project in new_projects:
        for item, top in _EXANTE_ITEMS.items():
            share = float(rng.uniform(0.45, 1.0))
            score = Decimal(math.floor(top * share * 2)) / 2
            exante.append(
                {
                    "year": PLAN_YEAR,
                    "unit_code": project["project_code"],
                    "item": item,
                    "score": _plain(score) if score else "0",
                }
            )
    return {
        "projects": plan_projects,
        "indicators": plan,
        "budget_requests": pl.DataFrame(requests),
        "assessments_exante": pl.DataFrame(exante),
    }


def _first(rows: list[dict], code: str, test) -> dict | None:  # type: ignore[no-untyped-def]
    return next((r for r in rows if r["unit_code"] == code and test(r)), None)


def _plant(rows: list[dict[str, Any]], projects: pl.DataFrame) -> list[dict[str, Any]]:
    """The weak targets of :data:`PLANTED`, each on its project."""
    budgets = dict(projects.select("project_code", "budget_full_year").iter_rows())
    code = PLANTED["completeness.missing_level1"]
    rows = [r for r in rows if not (r["unit_code"] == code and "满意" in r["level1"])]
    code = PLANTED["completeness.missing_output_kind"]
    rows = [r for r in rows if not (r["unit_code"] == code and "时效" in r["level2"])]
    code = PLANTED["completeness.duplicate_name"]
    first = _first(rows, code, lambda r: "产出" in r["level1"])
    if first is not None:
        rows.append(first | {"level2": "质量指标" if "数量" in first["level2"] else "数量指标"})
    r = _first(rows, PLANTED["clarity.no_number"], lambda r: r["direction"] != "定性")
    if r is not None:
        r["target"] = "明显提升"
    r = _first(rows, PLANTED["clarity.no_unit"], lambda r: r["direction"] != "定性" and r["unit"])
    if r is not None:
        r["unit"] = None
    code = PLANTED["clarity.qualitative_share"]
    for i, r in enumerate(x for x in rows if x["unit_code"] == code):
        if i > 0 and "满意" not in r["level1"]:
            r.update(direction="定性", target="明显改善", unit=None)
    r = _first(rows, PLANTED["clarity.direction_contradiction"], lambda r: r["direction"] == "正向")
    if r is not None:
        r["target"] = f"≤{r['target']}"
    code = PLANTED["clarity.reverse_zero"]
    r = _first(rows, code, lambda r: r["direction"] == "正向" and "产出" in r["level1"])
    if r is not None:
        rows.append(r | {"level2": "时效指标", "name": "整改问题平均天数", "direction": "反向",
                         "target": "0", "unit": "天"})  # fmt: skip
    code = PLANTED["relevance.vague_benefit"]
    rows.append({"year": str(PLAN_YEAR - 1), "unit_code": code, "level1": "效益指标",
                 "level2": "经济效益", "name": "带动经济发展", "direction": "正向",
                 "target": "60", "actual": None, "unit": "%"})  # fmt: skip
    code = PLANTED["relevance.cost_over_budget"]
    over = (Decimal(budgets[code]) * Decimal("1.5")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rows.append({"year": str(PLAN_YEAR - 1), "unit_code": code, "level1": "产出指标",
                 "level2": "成本指标", "name": "项目总成本", "direction": "反向",
                 "target": str(over), "actual": None, "unit": "万元"})  # fmt: skip
    # ambition: the planted indicator's 2025 target against its 2024 target and actual
    for rule, (name, target) in _AMBITION.items():
        r = _first(rows, PLANTED[rule], lambda r, name=name: r["name"] == name)
        if r is not None:
            r["target"] = target
    return rows


def write_plan(
    data_dir: str | Path = "data/sample", seed: int = 2024, headers: str = "en"
) -> list[Path]:
    """Write ``plan_2025/`` under ``data_dir`` (UTF-8 CSV, no BOM); return the files.

    ``data_dir`` must hold the region's tables (:func:`perfkit.samples.region.write_sample`,
    English or Chinese headers); ``headers="zh"`` writes the contract's Chinese headers
    for the columns the contract knows.
    """
    out = Path(data_dir) / f"plan_{PLAN_YEAR}"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in plan_tables(data_dir, seed).items():
        path = out / f"{name}.csv"
        contract = _CONTRACT_TABLE.get(name)
        if contract is not None:
            table = contract_headers(table, contract, headers)
        path.write_bytes(table.write_csv(line_terminator="\n").encode("utf-8"))
        paths.append(path)
    return paths


#: Plan file → the contract table whose headers it carries.
_CONTRACT_TABLE = {"projects": "projects", "indicators": "indicators"}


if __name__ == "__main__":
    for written in write_plan(sys.argv[1] if len(sys.argv) > 1 else "data/sample"):
        print(f"{written}  {written.stat().st_size:,} bytes")

"""The selection record (抽样记录): what a reviewer needs to re-perform a draw.

``selection.json`` holds, in plain JSON (UTF-8, money as decimal text in 万元):

* ``format`` (``perfkit-selection/1``), ``perfkit_version``;
* ``rng``: the random generator — ``numpy.random.default_rng(seed)``, i.e. a
  ``numpy.random.Generator`` on the PCG64 bit generator — and the numpy version;
* ``seed``;
* ``population``: unit kind, year, indicator system, number of units, money,
  the **fingerprint** (SHA-256 of the units sorted by code with their money
  and every column the design reads: the stratum column, the columns of the
  risk rules) and those columns themselves, so that a changed population can
  be reported unit by unit;
* ``design``: method, strata, allocation, bands, target, risk rules;
* ``draw``: the total size, random picks, certainty units, the PPS interval
  and random start (exact to 10⁻⁶ 万元), per-stratum counts;
* ``inputs``: the files read, with their SHA-256 (paths relative to the record);
* ``picks``: every pick with its stratum, reason, inclusion probability and order.

:func:`perfkit.sampling.reperform` (module ``_reperform``) draws again from a
population and reports ``identical`` or exactly what differs.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from perfkit._version import __version__
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import cents_text
from perfkit.sampling._designs import Design
from perfkit.sampling._population import Population, fingerprint
from perfkit.sampling._risk import RiskRule
from perfkit.tables._write import atomic_write_text

__all__ = ["FORMAT", "RNG_NAME", "SelectionRecord", "build_record"]

#: Record format tag.
FORMAT = "perfkit-selection/1"
#: The random generator every draw uses.
RNG_NAME = "numpy.random.default_rng(seed) — numpy.random.Generator(PCG64)"


@dataclass
class SelectionRecord:
    """A draw's full description (see the module docstring for the fields).

    Examples
    --------
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> rec = draw_sample(pop, Design("srs", n=5), seed=3).record
    >>> rec.seed, rec.design["method"], len(rec.picks), len(rec.population["fingerprint"])
    (3, 'srs', 5, 64)
    >>> SelectionRecord.from_json(rec.to_json()) == rec
    True
    """

    seed: int
    design: dict[str, Any]
    population: dict[str, Any]
    draw: dict[str, Any]
    picks: list[dict[str, Any]]
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    perfkit_version: str = ""
    rng: dict[str, str] = field(default_factory=dict)
    format: str = FORMAT
    location: Path | None = field(default=None, compare=False, repr=False)

    # ------------------------------------------------------------------ reading
    @property
    def year(self) -> int:
        """The population's year."""
        return int(self.population["year"])

    @property
    def kind(self) -> str:
        """``projects`` or ``departments``."""
        return str(self.population["kind"])

    @property
    def system(self) -> str:
        """The indicator system the population was scored with."""
        return str(self.population["system"])

    def design_obj(self) -> Design:
        """The :class:`~perfkit.sampling._selection.Design`."""
        return Design.from_dict(self.design)

    def picks_frame(self) -> pl.DataFrame:
        """The picks as a polars frame."""
        schema = {
            "order": pl.Int64,
            "unit_code": pl.String,
            "unit_name": pl.String,
            "stratum": pl.String,
            "reason": pl.String,
            "inclusion_probability": pl.Float64,
            "budget_full_year": pl.String,
            "self_score": pl.String,
            "total": pl.String,
            "grade": pl.String,
            "self_grade": pl.String,
        }
        return pl.DataFrame(self.picks, schema=schema)

    def input_path(self, name: str) -> Path | None:
        """Where an input file was, resolved against the record's folder."""
        entry = self.inputs.get(name)
        if not entry:
            return None
        path = Path(entry["path"])
        if not path.is_absolute() and self.location is not None:
            path = self.location.parent / path
        return path

    # ------------------------------------------------------------------ writing
    def to_dict(self, relative_to: Path | None = None) -> dict[str, Any]:
        """JSON-ready dict; input paths relative to ``relative_to`` when given."""
        data = asdict(self)
        data.pop("location")
        if relative_to is not None:
            for entry in data["inputs"].values():
                entry["path"] = _relative(entry["path"], relative_to)
        order = ["format", "perfkit_version", "rng", "seed", "population", "design", "draw"]
        order += ["inputs", "picks"]
        return {k: data[k] for k in order}

    def to_json(self, relative_to: Path | None = None) -> str:
        """The record as JSON text (UTF-8, Chinese kept, two-space indent).

        The population's per-unit columns are written one column per line.
        """
        data = self.to_dict(relative_to)
        columns = data["population"].get("data") or {}
        marks = {name: f"@@column:{name}@@" for name in columns}
        data["population"] = {**data["population"], "data": dict(marks)}
        text = json.dumps(data, ensure_ascii=False, indent=2)
        for name, mark in marks.items():
            compact = json.dumps(columns[name], ensure_ascii=False, separators=(",", ":"))
            text = text.replace(json.dumps(mark), compact, 1)
        return text + "\n"

    def save(self, path: str | Path) -> Path:
        """Write the record to ``path`` atomically (input paths stored relative to its folder)."""
        path = Path(path)
        return atomic_write_text(path, self.to_json(path.parent.resolve()))

    @classmethod
    def from_json(cls, text: str, location: Path | None = None) -> SelectionRecord:
        """Parse a record; clear errors for anything that is not one."""
        where = str(location) if location else "the selection record"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PerfkitError(
                _("{where} is not valid JSON: {exc}").format(where=where, exc=exc)
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PerfkitError(
                _("{where} is not a perfkit selection record ({format})").format(
                    where=where, format=FORMAT
                )
            )
        needed = ["seed", "design", "population", "draw", "picks"]
        missing = [k for k in needed if k not in data]
        if missing:
            raise PerfkitError(
                _("{where} lacks {choices}").format(where=where, choices=", ".join(missing))
            )
        return cls(
            seed=int(data["seed"]),
            design=data["design"],
            population=data["population"],
            draw=data["draw"],
            picks=data["picks"],
            inputs=data.get("inputs") or {},
            perfkit_version=data.get("perfkit_version", ""),
            rng=data.get("rng") or {},
            location=location,
        )

    @classmethod
    def load(cls, path: str | Path) -> SelectionRecord:
        """Read ``selection.json``."""
        path = Path(path)
        if not path.is_file():
            raise PerfkitError(_("{path}: selection record not found").format(path=path))
        return cls.from_json(path.read_text(encoding="utf-8"), location=path.resolve())


def _relative(path: str, base: Path) -> str:
    target = Path(path).resolve()
    try:
        return Path(os.path.relpath(target, base)).as_posix()
    except ValueError:  # another drive on Windows
        return str(target)


def _fingerprint_columns(design: dict[str, Any], rules: list[RiskRule]) -> list[str]:
    columns = ["unit_code", "money"]
    strata = design.get("strata")
    if design.get("method") == "stratified" and strata and strata != "amount_band":
        columns.append(strata)
    for rule in rules:
        columns += [c for c in rule.columns() if c not in columns]
    return columns


def _column_values(frame: pl.DataFrame, column: str) -> list[Any]:
    series = frame.get_column(column)
    if column in ("money", "executed"):
        return frame.select(money_text_expr(pl.col(column))).to_series().to_list()
    if column.endswith("_cents"):
        return [None if v is None else int(v) for v in series.to_list()]
    return series.to_list()


def build_record(
    population: Population,
    design: Any,
    seed: int,
    picks: pl.DataFrame,
    strata: pl.DataFrame,
    info: dict[str, Any],
    rules: list[RiskRule],
) -> SelectionRecord:
    """Assemble the record of a draw (used by :func:`~perfkit.sampling.draw_sample`)."""
    design_dict = design.to_dict()
    frame = population.frame.sort("unit_code")
    columns = _fingerprint_columns(design_dict, rules)
    pop = {
        "kind": population.kind,
        "year": population.year,
        "system": population.system,
        "units": frame.height,
        "money": money_text(population.money),
        "fingerprint": fingerprint(frame, columns),
        "fingerprint_columns": columns,
        "data": {c: _column_values(frame, c) for c in columns},
    }
    ordered = picks.with_columns(
        pl.col("reason")
        .str.split(":")
        .list.first()
        .replace_strict({"risk": 0, "certain": 1, "random": 2}, return_dtype=pl.Int32)
        .alias("_k")
    ).sort("_k", "unit_code")
    rows = ordered.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("order"),
        "unit_code",
        "unit_name",
        "stratum",
        "reason",
        "inclusion_probability",
        money_text_expr(pl.col("money")).alias("budget_full_year"),
        _cents_text("self_cents").alias("self_score"),
        _cents_text("total_cents").alias("total"),
        "grade",
        "self_grade",
    ).to_dicts()
    draw = {
        "n": info["n"],
        "risk_picks": int(ordered["reason"].str.starts_with("risk:").sum()),
        "certain_picks": int((ordered["reason"] == "certain").sum()),
        "random_picks": int((ordered["reason"] == "random").sum()),
        "picked_money": money_text(int(ordered["money"].sum() or 0)),
    }
    for key in ("interval", "start", "m", "zero_money_units", "coverage_sizes_tried"):
        if info.get(key) is not None:
            draw[key] = info[key]
    if "random_money" in info:
        draw["random_money"] = money_text(int(info["random_money"]))
    draw["strata"] = strata.select(
        "stratum", "units", "available", "picked", "risk", "certain", "random"
    ).to_dicts()
    return SelectionRecord(
        seed=seed,
        design=design_dict,
        population=pop,
        draw=draw,
        picks=rows,
        inputs={k: dict(v) for k, v in population.sources.items()},
        perfkit_version=__version__,
        rng={"name": RNG_NAME, "bit_generator": "PCG64", "numpy": np.__version__},
    )


def money_text(fixed: int) -> str:
    """Fixed-point money as exact decimal text in 万元 (``18966530000`` → ``18966.53``).

    Examples
    --------
    >>> money_text(18_966_530_000), money_text(0), money_text(1)
    ('18966.53', '0', '0.000001')
    """
    whole, frac = divmod(abs(int(fixed)), 10**6)
    text = f"{whole}.{frac:06d}".rstrip("0").rstrip(".")
    return ("-" if fixed < 0 else "") + text


def money_text_expr(fixed: pl.Expr) -> pl.Expr:
    """Vectorised :func:`money_text` for non-negative fixed-point columns.

    Examples
    --------
    >>> df = pl.DataFrame({"m": [18_966_530_000, 0, 1]}, schema={"m": pl.Int128})
    >>> df.select(money_text_expr(pl.col("m"))).to_series().to_list()
    ['18966.53', '0', '0.000001']
    """
    whole = (fixed // 10**6).cast(pl.String)
    frac = (fixed % 10**6).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return pl.when(frac == "").then(whole).otherwise(whole + pl.lit(".") + frac)


def _cents_text(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_not_null()).then(cents_text(pl.col(column)))

"""Re-scoring what the verifiers found (复核计分): verified values → verified scores.

:func:`verify` takes the selection record and the verifiers' results — the
filled field workbook, or a ``verifications`` table of the data contract — and
re-scores every picked unit with the engine:

* **projects**: the unit's original rows of ``projects`` and ``indicators``
  (found through the record's inputs, whose population fingerprint must still
  match) with 实际完成值 replaced by 复核完成值 where one was entered, 执行数 by
  the verified 执行数, and for 定性 indicators the entered 复核得分 (blank: the
  level's default points; the unit's own score is kept when the level did not
  change).  The engine scores them exactly as it scored the self-evaluation.
* **departments**: each project's verified score (复核得分, blank: its
  recomputed score); the department's verified score is their money-weighted
  mean, as for its self-score.

The result lists per unit the self-score, the recomputed score, the verified
score, the difference (self − verified), the grade change and the indicators
that moved; per item the reported and verified values and points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from perfkit.errors import InputError, PerfkitError, Problem
from perfkit.i18n import _
from perfkit.numbers import FIXED, SCALE, cents_to_float, map_unique, parse_fixed, to_cents
from perfkit.present._labels import column_label
from perfkit.sampling._evaluate import evaluate
from perfkit.sampling._population import (
    Population,
    _weighted_cents,
    fingerprint,
    load_population,
)
from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._workbook import SUMMARY_SHEET, FieldEntries, read_field_workbook
from perfkit.scoring._engine import score_projects
from perfkit.scoring._grading import grade_expr, grade_rank
from perfkit.scoring._result import PandasScores
from perfkit.systems import qualitative_levels, qualitative_rule
from perfkit.tables._contract import text_key
from perfkit.tables._read import RawTable, read_table
from perfkit.tables._validate import check_table
from perfkit.tables._workbook_guard import workbook_problems
from perfkit.tables._write import atomic_output, write_csv, write_excel

__all__ = ["Verification", "read_results", "sampling_label", "verify"]


def sampling_label(name: str) -> str:
    """Header for a sampling output column: the label registry, in sampling's words.

    Examples
    --------
    >>> sampling_label("reason"), sampling_label("total"), sampling_label("unit_name")
    ('抽取原因', '复算得分', '名称')
    """
    return column_label(name, "sampling")


@dataclass
class Verification:
    """Verified scores of the sampled units.

    Attributes
    ----------
    units : polars.DataFrame
        Per unit: ``unit_code``, ``unit_name``, ``stratum``, ``reason``,
        ``inclusion_probability``, ``budget_full_year``, ``self_score``,
        ``self_grade``, ``total`` (recomputed), ``grade``, ``verified_score``,
        ``verified_grade``, ``verified_diff`` (self − verified), ``grade_change``,
        ``items_changed``, ``items_moved``, ``note``.
    items : polars.DataFrame
        Per item (per project for departments): reported and verified value,
        recomputed and verified points, ``moved``.
    record : SelectionRecord
    warnings : list of Problem
    """

    units: pl.DataFrame
    items: pl.DataFrame
    record: SelectionRecord
    warnings: list[Problem] = field(default_factory=list)

    def to_pandas(self):
        """``units`` and ``items`` as pandas frames."""
        return PandasScores(self.units.to_pandas(), self.items.to_pandas())

    def verifications_table(self) -> pl.DataFrame:
        """The results as the contract's ``verifications`` table (one row per item).

        Columns: year, unit_code, verified_score, name, verified_actual,
        verified_points, note.  For departments ``name`` is a project code.
        """
        scores = self.units.select("unit_code", "verified_score")
        return self.items.join(scores, on="unit_code", how="left", maintain_order="left").select(
            pl.lit(self.record.year, pl.Int32).alias("year"),
            "unit_code",
            "verified_score",
            pl.col("item").alias("name"),
            "verified_actual",
            "verified_points",
            "note",
        )

    def evaluate(self, *, threshold: float | str = 5, confidence: float = 0.95):
        """Project the findings to the population (:func:`~perfkit.sampling._evaluate.evaluate`)."""
        return evaluate(self, threshold=threshold, confidence=confidence)

    def write(self, out_dir: str | Path, *, evaluation=None) -> list[Path]:
        """Write ``verified_units.csv``, ``verified_items.csv``, ``verifications.csv`` and
        ``verification.xlsx`` (and ``evaluation.json`` when given), atomically."""
        owned = (
            "verified_units.csv",
            "verified_items.csv",
            "verifications.csv",
            "verification.xlsx",
            "evaluation.json",
        )
        output = atomic_output(out_dir, owns=owned)
        with output as tmp:
            write_csv(self.units, tmp / "verified_units.csv")
            write_csv(self.items, tmp / "verified_items.csv")
            write_csv(self.verifications_table(), tmp / "verifications.csv")
            write_excel(
                tmp / "verification.xlsx",
                {"复核结果": self.units, "复核明细": self.items},
                label=sampling_label,
            )
            if evaluation is not None:
                (tmp / "evaluation.json").write_text(
                    json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8",
                )
        return output.written


# ------------------------------------------------------------------------ inputs


def read_results(path: str | Path, record: SelectionRecord) -> FieldEntries:
    """The verifiers' results: a filled field workbook, or a ``verifications`` table.

    A ``.xlsx`` with a ``汇总`` sheet is read as the field workbook; anything else
    as the contract's ``verifications`` table (CSV, xlsx or Parquet), whose rows
    name the unit (``unit_code``) and the item (``name``: 三级指标, 预算执行率, or
    for departments a project code).
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and path.is_file():
        import fastexcel  # fastexcel: only when a workbook is read

        problems, refused = workbook_problems(path)  # before a native reader opens it
        if "*" in refused:
            raise InputError(problems, summary=_("cannot read the results"))
        try:
            names = fastexcel.read_excel(path).sheet_names
        except Exception:
            names = []
        if SUMMARY_SHEET in names:
            return read_field_workbook(path, record, strict=False)
    raw = read_table(path, "verifications")
    typed, problems = check_table(raw)
    picked = {p["unit_code"] for p in record.picks}
    label = raw.source
    bad_year = typed.filter(pl.col("year") != record.year)
    problems += [
        Problem(
            label,
            r,
            raw.header("year"),
            _("year {year}, but the record drew {drawn}").format(year=y, drawn=record.year),
        )
        for r, y in bad_year.select("_row", "year").iter_rows()
    ]
    stray = typed.filter(~pl.col("unit_code").is_in(list(picked)))
    problems += [
        Problem(
            label,
            r,
            raw.header("unit_code"),
            _("unit {code!r} is not in the selection record").format(code=c),
        )
        for r, c in stray.select("_row", "unit_code").iter_rows()
    ]
    if "name" not in typed.columns:
        problems.append(
            Problem(label, None, "name", _("the item name (三级指标) column is needed"))
        )
    errors = [p for p in problems if p.severity == "error"]
    if errors and ("name" not in typed.columns or typed.height == 0):
        raise InputError(
            problems, summary=_("{label}: the results have problems").format(label=label)
        )
    typed = typed.filter(pl.col("unit_code").is_in(list(picked)))
    frame = typed.select(
        "unit_code",
        pl.col("name"),
        (
            pl.col("verified_actual_text")
            if "verified_actual_text" in typed.columns
            else pl.lit(None, pl.String)
        ).alias("verified_actual"),
        (pl.col("verified_points") if "verified_points" in typed.columns else pl.lit(None, FIXED))
        .cast(FIXED)
        .alias("verified_points"),
        (pl.col("note") if "note" in typed.columns else pl.lit(None, pl.String)).alias("note"),
        pl.lit(None, pl.String).alias("sheet"),
        pl.col("_row").alias("row"),
        pl.lit(raw.header("verified_points")).alias("points_cell"),
        pl.lit(raw.header("verified_actual")).alias("actual_cell"),
        pl.lit(raw.header("name")).alias("name_cell"),
    ).with_columns(pl.lit(label).alias("file"))
    return FieldEntries(
        frame, record.kind, label, [p for p in problems if p.severity != "error"], errors
    )


def _where(row: dict, column: str, header: str) -> tuple[str, int | None, str]:
    """File label, row and column of an entry for a Problem."""
    file = row["file"] if row.get("sheet") is None else f"{row['file']} [{row['sheet']}]"
    cell = row.get(column)
    col = f"{cell} {header}" if row.get("sheet") is not None else (cell or header)
    return file, row.get("row"), col


def _population(record: SelectionRecord, projects, indicators) -> Population:
    projects = projects or record.input_path("projects")
    indicators = indicators or record.input_path("indicators")
    if projects is None:
        raise PerfkitError(_("the record names no projects table: give --projects"))
    pop = load_population(
        projects, indicators, year=record.year, kind=record.kind, system=record.system
    )
    now = fingerprint(pop.frame, record.population["fingerprint_columns"])
    if now != record.population["fingerprint"]:
        raise PerfkitError(
            _(
                "the inputs changed since the draw (population fingerprint differs): run `perfkit "
                "sample reperform` to see what changed"
            )
        )
    return pop


# ------------------------------------------------------------------------ verify


def verify(
    record: SelectionRecord | str | Path,
    results: str | Path | FieldEntries,
    *,
    projects: str | Path | None = None,
    indicators: str | Path | None = None,
) -> Verification:
    """Re-score the picked units with the verified values.

    Parameters
    ----------
    record : SelectionRecord or path
        The selection record (``selection.json``).
    results : path or FieldEntries
        The filled field workbook, or a ``verifications`` table.
    projects, indicators : path, optional
        The inputs of the draw; by default the files the record names.

    Raises
    ------
    InputError
        Every problem in the results at once (file, sheet, cell).
    PerfkitError
        When the inputs changed since the draw.

    Examples
    --------
    >>> import tempfile
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> from perfkit.sampling._workbook import write_field_workbook
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> s = draw_sample(pop, Design("srs", n=3), seed=1)
    >>> book = write_field_workbook(s, Path(tempfile.mkdtemp()) / "w.xlsx")
    >>> v = verify(s.record, book)      # nothing entered: every value confirmed
    >>> (v.units["verified_score"] == v.units["total"]).all()
    True
    """
    if not isinstance(record, SelectionRecord):
        record = SelectionRecord.load(record)
    entries = results if isinstance(results, FieldEntries) else read_results(results, record)
    pop = _population(record, projects, indicators)
    if record.kind == "departments":
        return _verify_departments(record, entries, pop)
    return _verify_projects(record, entries, pop)


def _picks(record: SelectionRecord) -> pl.DataFrame:
    return record.picks_frame().select(
        "order", "unit_code", "stratum", "reason", "inclusion_probability"
    )


def _match(
    entries: FieldEntries, expected: pl.DataFrame, name_header: str
) -> tuple[pl.DataFrame, list[Problem]]:
    """Join entries to the expected items on (unit_code, name); report strays and gaps."""
    frame = entries.frame.with_columns(
        map_unique(entries.frame, "name", text_key, pl.String).alias("_key")
    )
    expected = expected.with_columns(
        map_unique(expected, "item", text_key, pl.String).alias("_key")
    )
    problems: list[Problem] = []
    stray = frame.join(expected, on=["unit_code", "_key"], how="anti")
    for row in stray.iter_rows(named=True):
        file, r, col = _where(row, "name_cell", name_header)
        problems.append(
            Problem(
                file,
                r,
                name_header if row.get("sheet") is None else col,
                f"{row['name']!r} is not an item of unit {row['unit_code']}",
            )
        )
    dup = frame.filter(pl.struct("unit_code", "_key").is_duplicated())
    for row in dup.iter_rows(named=True):
        file, r, _cell = _where(row, "name_cell", name_header)
        problems.append(
            Problem(
                file, r, name_header, f"{row['name']!r} appears twice for unit {row['unit_code']}"
            )
        )
    from_workbook = frame["sheet"].is_not_null().any() if frame.height else False
    if from_workbook:
        with_sheet = frame.select("unit_code").unique()
        gaps = expected.join(with_sheet, on="unit_code", how="semi").join(
            frame, on=["unit_code", "_key"], how="anti"
        )
        for code, item in gaps.select("unit_code", "item").iter_rows():
            problems.append(
                Problem(
                    entries.source,
                    None,
                    None,
                    f"the sheet of unit {code} lacks the row of {item!r}: do not delete rows",
                )
            )
    frame = frame.rename({"verified_actual": "entered_actual", "verified_points": "entered_points"})
    joined = expected.join(frame, on=["unit_code", "_key"], how="left", maintain_order="left")
    return joined, problems


def _level(frame: pl.DataFrame, column: str, phrases: dict[str, int]) -> pl.Expr:
    """The qualitative level (1–3) of a phrase column, null for anything else."""
    return map_unique(frame, column, lambda t: phrases.get(text_key(t)), pl.Int32)


def _verify_projects(
    record: SelectionRecord, entries: FieldEntries, pop: Population
) -> Verification:
    assert pop.scores is not None
    system = pop.scores.system
    picked = [p["unit_code"] for p in record.picks]
    order = _picks(record).select("unit_code", pl.col("order").alias("_order"))
    items = (
        pop.scores.items.filter((pl.col("year") == record.year) & pl.col("unit_code").is_in(picked))
        .join(order, on="unit_code", how="left", maintain_order="left")
        .sort("_order", pl.col("rule") != "execution_rate", maintain_order=True)
    )
    joined, problems = _match(entries, items, "三级指标")
    problems = entries.errors + problems
    phrases = qualitative_levels(system, text_key)
    levels = list(qualitative_rule(system).levels)
    problems += _check_values(joined, phrases, levels)
    if any(p.severity == "error" for p in problems):
        raise InputError(
            problems, summary=_("the verified values have problems; nothing was written")
        )
    p_raw, i_raw = _raw_inputs(record, pop, picked)
    p_raw, i_raw = _apply(joined, p_raw, i_raw, phrases)

    try:
        verified = score_projects(p_raw, i_raw, system)
    except InputError as exc:
        raise InputError(
            exc.problems, summary=_("the verified values do not score; nothing was written")
        ) from None
    v_items = verified.items.select(
        "unit_code",
        pl.col("source_row"),
        pl.col("rule"),
        pl.col("actual").alias("verified_actual"),
        pl.col("points").alias("verified_points"),
    )
    items_out = joined.join(
        v_items, on=["unit_code", "source_row", "rule"], how="left", maintain_order="left"
    ).select(
        "unit_code",
        "item",
        "group",
        "rule",
        "weight",
        pl.col("actual").alias("reported_actual"),
        "verified_actual",
        *([pl.col("self_points")] if "self_points" in joined.columns else []),
        pl.col("points").alias("recomputed_points"),
        "verified_points",
        ((pl.col("verified_points") * 100).round(0) != (pl.col("points") * 100).round(0)).alias(
            "moved"
        ),
        pl.col("note"),
        pl.col("sheet"),
        pl.col("row").alias("sheet_row"),
    )
    warnings = entries.warnings + _entered_point_warnings(joined, items_out)
    v_units = verified.units.select(
        "unit_code",
        pl.col("total").alias("verified_score"),
        pl.col("grade").alias("verified_grade"),
    )
    units = _unit_table(record, pop, v_units, items_out, system)
    return Verification(units, items_out, record, warnings)


def _check_values(joined: pl.DataFrame, phrases: dict[str, int], levels: list) -> list[Problem]:
    """Verified values that cannot be right: not a number, unknown phrase, score out of band."""
    problems: list[Problem] = []
    rows = joined.filter(
        pl.col("entered_actual").is_not_null() | pl.col("entered_points").is_not_null()
    )
    if rows.height == 0:
        return problems
    rows = rows.with_columns(
        parse_fixed(pl.col("entered_actual")).alias("_num"),
        _level(rows, "entered_actual", phrases).alias("_level"),
        _level(rows, "actual", phrases).alias("_old_level"),
        (pl.col("weight") * 100).round(0).cast(pl.Int64).alias("_w"),
    )
    names = " / ".join(lv.phrase for lv in levels)
    for row in rows.iter_rows(named=True):  # the entered rows only: a few per unit
        actual, points = row["entered_actual"], row["entered_points"]
        qualitative = row["direction"] == "qualitative"
        if actual is not None:
            file, r, col = _where(row, "actual_cell", "复核完成值")
            if qualitative and row["_level"] is None:
                problems.append(
                    Problem(
                        file,
                        r,
                        col,
                        _("{actual!r} is not one of {names}").format(actual=actual, names=names),
                    )
                )
            elif not qualitative and row["_num"] is None:
                problems.append(
                    Problem(file, r, col, _("{actual!r} is not a number").format(actual=actual))
                )
            elif row["rule"] == "execution_rate" and row["_num"] < 0:
                problems.append(
                    Problem(file, r, col, _("negative amount {actual}").format(actual=actual))
                )
        if points is not None:
            file, r, col = _where(row, "points_cell", "复核得分")
            cents = int(points) // (SCALE // 100)
            if cents * (SCALE // 100) != int(points):
                problems.append(Problem(file, r, col, _("a score has at most two decimals")))
            elif cents > row["_w"]:
                problems.append(
                    Problem(
                        file,
                        r,
                        col,
                        f"score {cents / 100:.2f} is above the item's points {row['_w'] / 100:.2f}",
                    )
                )
            elif qualitative:
                level = row["_level"] or row["_old_level"]
                if level is not None:
                    lv = levels[level - 1]
                    lo, hi = row["_w"] * int(lv.min_pct * 100), row["_w"] * int(lv.max_pct * 100)
                    scaled = cents * 10_000
                    outside = scaled < lo or (scaled > hi if lv.max_inclusive else scaled >= hi)
                    if outside:
                        close = "]" if lv.max_inclusive else ")"
                        problems.append(
                            Problem(
                                file,
                                r,
                                col,
                                f"score {cents / 100:.2f} is outside the band of {lv.phrase} "
                                f"([{lv.min_pct}%, {lv.max_pct}%{close} of {row['_w'] / 100:.2f})",
                            )
                        )
    return problems


def _raw_inputs(
    record: SelectionRecord, pop: Population, picked: list[str]
) -> tuple[RawTable, RawTable]:
    p_path = (
        record.input_path("projects")
        if "projects" not in pop.sources
        else Path(pop.sources["projects"]["path"])
    )
    i_path = (
        record.input_path("indicators")
        if "indicators" not in pop.sources
        else Path(pop.sources["indicators"]["path"])
    )
    p_raw, i_raw = read_table(p_path, "projects"), read_table(i_path, "indicators")
    p_typed, _p_problems = check_table(p_raw)
    i_typed, _i_problems = check_table(i_raw)
    keep_p = p_typed.filter((pl.col("year") == record.year) & pl.col("project_code").is_in(picked))[
        "_row"
    ]
    keep_i = i_typed.filter((pl.col("year") == record.year) & pl.col("unit_code").is_in(picked))[
        "_row"
    ]
    p_raw.frame = p_raw.frame.filter(pl.col("_row").is_in(keep_p.implode()))
    i_raw.frame = i_raw.frame.filter(pl.col("_row").is_in(keep_i.implode()))
    return p_raw, i_raw


def _apply(joined: pl.DataFrame, p_raw: RawTable, i_raw: RawTable, phrases: dict[str, int]):
    """Put the verified values into the raw rows (text, as if typed in the file)."""
    entered = joined.filter(
        pl.col("entered_actual").is_not_null() | pl.col("entered_points").is_not_null()
    )
    execution = entered.filter(
        (pl.col("rule") == "execution_rate") & pl.col("entered_actual").is_not_null()
    )
    if execution.height:
        new = dict(
            zip(
                execution["source_row"].to_list(),
                execution["entered_actual"].to_list(),
                strict=True,
            )
        )
        p_raw.frame = p_raw.frame.with_columns(
            pl.col("_row")
            .replace_strict(new, default=None, return_dtype=pl.String)
            .fill_null(pl.col("executed").cast(pl.String))
            .alias("executed")
        )
    ind = entered.filter(pl.col("rule") != "execution_rate")
    ind = ind.with_columns(
        _level(ind, "entered_actual", phrases).alias("_lv"),
        _level(ind, "actual", phrases).alias("_old"),
    )
    if ind.height == 0:
        return p_raw, i_raw
    actual_map = {
        r: a for r, a in ind.select("source_row", "entered_actual").iter_rows() if a is not None
    }
    frame = i_raw.frame.with_columns(pl.col(c).cast(pl.String) for c in ("actual",))
    if actual_map:
        frame = frame.with_columns(
            pl.col("_row")
            .replace_strict(actual_map, default=None, return_dtype=pl.String)
            .fill_null(pl.col("actual"))
            .alias("actual")
        )
    qual = ind.filter(pl.col("direction") == "qualitative")
    if qual.height:
        # entered score wins; a changed level without a score takes the level's default points
        points = {}
        drop = []
        for r, p, lv, old in qual.select("source_row", "entered_points", "_lv", "_old").iter_rows():
            if p is not None:
                points[r] = f"{int(p) / SCALE:.2f}"
            elif lv is not None and lv != old:
                drop.append(r)
        if "self_points" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias("self_points"))
            i_raw.headers["self_points"] = "self_points"
        sp = pl.col("self_points").cast(pl.String)
        if points:
            sp = (
                pl.col("_row")
                .replace_strict(points, default=None, return_dtype=pl.String)
                .fill_null(sp)
            )
        if drop:
            sp = pl.when(pl.col("_row").is_in(drop)).then(None).otherwise(sp)
        frame = frame.with_columns(sp.alias("self_points"))
    i_raw.frame = frame
    return p_raw, i_raw


def _entered_point_warnings(joined: pl.DataFrame, items: pl.DataFrame) -> list[Problem]:
    rows = joined.with_row_index("_i").filter(
        pl.col("entered_points").is_not_null() & (pl.col("direction") != "qualitative")
    )
    out = []
    engine = items.with_row_index("_i").select("_i", "verified_points")
    for row in rows.join(engine.rename({"verified_points": "_engine"}), on="_i").iter_rows(
        named=True
    ):
        entered = int(row["entered_points"]) / SCALE
        if row["_engine"] is not None and round(entered, 2) != round(row["_engine"], 2):
            file, r, col = _where(row, "points_cell", "复核得分")
            out.append(
                Problem(
                    file,
                    r,
                    col,
                    f"entered {entered:.2f}, but the verified value scores {row['_engine']:.2f}; "
                    "the computed points are used",
                    severity="warning",
                )
            )
    return out


def _unit_table(
    record, pop: Population, v_units: pl.DataFrame, items: pl.DataFrame, system
) -> pl.DataFrame:
    frame = pop.frame
    moved = items.group_by("unit_code", maintain_order=True).agg(
        pl.col("moved").sum().cast(pl.Int64).alias("items_changed"),
        pl.col("item").filter(pl.col("moved")).str.join("；").alias("items_moved"),
        pl.col("note").drop_nulls().str.join("；").alias("note"),
    )
    base = _picks(record).join(frame, on="unit_code", how="left", maintain_order="left")
    out = base.join(v_units, on="unit_code", how="left", maintain_order="left").join(
        moved, on="unit_code", how="left", maintain_order="left"
    )
    rank = grade_rank(system)
    return out.with_columns(
        (pl.col("verified_score") * 100).round(0).cast(pl.Int64).alias("_vc"),
    ).select(
        "order",
        "unit_code",
        "unit_name",
        "dept_code",
        "stratum",
        "reason",
        "inclusion_probability",
        (pl.col("money").cast(pl.Float64) / SCALE).alias("budget_full_year"),
        cents_to_float(pl.col("self_cents")).alias("self_score"),
        "self_grade",
        cents_to_float(pl.col("total_cents")).alias("total"),
        "grade",
        "verified_score",
        "verified_grade",
        cents_to_float(pl.col("self_cents") - pl.col("_vc")).alias("verified_diff"),
        pl.when(pl.col("self_grade") != pl.col("verified_grade"))
        .then(pl.col("self_grade") + pl.lit("→") + pl.col("verified_grade"))
        .otherwise(pl.lit(""))
        .alias("grade_change"),
        (
            pl.col("self_grade").replace_strict(rank, default=None, return_dtype=pl.Int32)
            < pl.col("verified_grade").replace_strict(rank, default=None, return_dtype=pl.Int32)
        )
        .fill_null(False)
        .alias("grade_better_than_verified"),
        pl.col("items_changed").fill_null(0),
        pl.col("items_moved").fill_null(""),
        pl.col("note").fill_null(""),
    )


def _verify_departments(
    record: SelectionRecord, entries: FieldEntries, pop: Population
) -> Verification:
    assert pop.scores is not None
    system = pop.scores.system
    picked = [p["unit_code"] for p in record.picks]
    projects = pop.scores.units.filter(
        (pl.col("year") == record.year) & pl.col("dept_code").is_in(picked)
    ).select(
        pl.col("dept_code").alias("unit_code"),
        pl.col("unit_code").alias("item"),
        "unit_name",
        "budget_full_year",
        pl.col("self_score")
        if "self_score" in pop.scores.units.columns
        else pl.lit(None, pl.Float64).alias("self_score"),
        "total",
        pl.lit("project").alias("rule"),
        pl.lit(None, pl.String).alias("direction"),
        pl.lit(100.0).alias("weight"),
        pl.lit(None, pl.String).alias("actual"),
        pl.lit(None, pl.Int64).alias("source_row"),
    )
    joined, problems = _match(entries, projects, "项目编码")
    problems = entries.errors + problems
    problems += _check_values(joined.with_columns(pl.col("rule")), {}, [])
    if any(p.severity == "error" for p in problems):
        raise InputError(
            problems, summary=_("the verified values have problems; nothing was written")
        )
    items = joined.with_columns(
        pl.when(pl.col("entered_points").is_not_null())
        .then(to_cents(pl.col("entered_points")))
        .otherwise((pl.col("total") * 100).round(0).cast(pl.Int64))
        .alias("_vc"),
        (pl.col("budget_full_year") * SCALE).round(0).cast(FIXED).alias("money"),
    )
    dept = (
        items.group_by("unit_code", maintain_order=True)
        .agg(_weighted_cents("_vc").alias("_dept_vc"))
        .with_columns(
            cents_to_float(pl.col("_dept_vc")).alias("verified_score"),
            grade_expr(pl.col("_dept_vc"), system).alias("verified_grade"),
        )
        .select("unit_code", "verified_score", "verified_grade")
    )
    items_out = items.select(
        "unit_code",
        "item",
        "unit_name",
        "budget_full_year",
        "self_score",
        pl.col("total").alias("recomputed_points"),
        cents_to_float(pl.col("_vc")).alias("verified_points"),
        pl.lit(None, pl.String).alias("verified_actual"),
        ((pl.col("total") * 100).round(0).cast(pl.Int64) != pl.col("_vc")).alias("moved"),
        "note",
        "sheet",
        pl.col("row").alias("sheet_row"),
    )
    units = _unit_table(record, pop, dept, items_out, system)
    return Verification(units, items_out, record, list(entries.warnings))

"""Checking a table against the data contract and typing its columns (数据校验).

:func:`check_table` turns a :class:`~perfkit.tables._read.RawTable` into a typed
frame — years as integers, amounts and numbers as six-decimal fixed point
(``Int128``, see :mod:`perfkit.numbers`), directions as codes — and lists
every problem: missing values in required columns, text that is not a number,
negative amounts, unknown directions, duplicate keys.  Checks are vectorised;
Python only formats the problems found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from perfkit._limits import format_expr, quoted_expr
from perfkit.errors import InternalError, Problem, problem_order
from perfkit.i18n import N_, _
from perfkit.numbers import (
    LIMIT,
    SCALE,
    beyond_limit,
    map_unique,
    parse_fixed,
    with_fixed_columns,
)
from perfkit.tables._contract import (
    DIRECTIONS,
    MAX_AMOUNT,
    MAX_NUMBER,
    TableSpec,
    table_spec,
    text_key,
)
from perfkit.tables._read import RawTable
from perfkit.tables._targets_notation import notation_columns

__all__ = [
    "MAX_LISTED",
    "Check",
    "check_table",
    "not_a_number",
    "problems_from_mask",
    "run_checks",
]

#: At most this many rows are listed per (column, kind of problem); the rest
#: are counted in one summary line so that a million bad rows stay readable.
MAX_LISTED = 200


#: Largest magnitude accepted per column kind (the data contract's range).
_RANGE = {"amount": MAX_AMOUNT, "number": MAX_NUMBER, "measure": MAX_NUMBER}
_RANGE_TEXT = {  # translated when used (perfkit.i18n): {{}} is the value, {limit} the bound
    "amount": N_("'{{}}' is out of range: an amount is at most {limit} (10⁹ 万元)"),
    "number": N_("'{{}}' is out of range: a number is at most {limit} (10¹²) in magnitude"),
    "measure": N_("'{{}}' is out of range: a number is at most {limit} (10¹²) in magnitude"),
}


def problems_from_mask(
    frame: pl.DataFrame,
    mask: pl.Expr,
    raw: RawTable,
    column: str | None,
    message: str | pl.Expr,
    severity: str = "error",
) -> list[Problem]:
    """Problems for the rows of ``frame`` where ``mask`` holds.

    ``message`` is a fixed text or an expression giving a text per row; it is
    evaluated on the whole ``frame`` before the rows are filtered, so a window
    in it (``pl.col("_row").min().over(...)``, a unit's sum) sees every row.
    Rows are reported by their source row number (``_row``).

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> raw = read_table(pl.DataFrame({"year": ["2024", "24"], "dept_code": ["D1", "D2"],
    ...                                "dept_name": ["民政局", "外事办"]}), "departments")
    >>> found = problems_from_mask(raw.frame, pl.col("year").str.len_chars() != 4, raw,
    ...                            "year", "year must have four digits")
    >>> [str(p) for p in found]
    ['<departments> 第2行 year：year must have four digits']
    """
    msg = message if isinstance(message, pl.Expr) else pl.lit(message)
    # the message is built on the whole frame, then filtered: a figure in it (a sum over
    # the unit, the first row of a duplicate) is a window over all rows, not over the hits
    hits = (
        frame.select(pl.col("_row"), msg.alias("_msg"), mask.fill_null(False).alias("_hit"))
        .filter(pl.col("_hit"))
        .drop("_hit")
    )
    if hits.height == 0:
        return []
    header = raw.header(column) if column else None
    shown = hits.head(MAX_LISTED)
    out = [Problem(raw.source, r, header, m, severity) for r, m in shown.iter_rows()]
    if hits.height > MAX_LISTED:
        first = shown.get_column("_msg")[0]
        out.append(
            Problem(
                raw.source,
                None,
                header,
                _("… and {n} more rows like row {row} ({first})").format(
                    n=hits.height - MAX_LISTED, row=shown.get_column("_row")[0], first=first
                ),
                severity,
            )
        )
    return out


def _direction_code(text: object) -> str | None:
    """指标方向 text → direction code (``≥`` / ``正向`` / ``＞＝`` → ``positive``)."""
    return DIRECTIONS.get(text_key(text))


@dataclass(frozen=True)
class Check:
    """A check to run on a frame: rows where ``mask`` holds are problems."""

    mask: pl.Expr
    column: str | None
    message: str | pl.Expr
    severity: str = "error"


def run_checks(frame: pl.DataFrame, raw: RawTable, checks: list[Check]) -> list[Problem]:
    """Evaluate every check's mask in one parallel pass; format only the ones that hit.

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> raw = read_table(pl.DataFrame({"year": ["2024"], "dept_code": ["D1"],
    ...                                "dept_name": [None]}), "departments")
    >>> [str(p) for p in run_checks(raw.frame, raw, [
    ...     Check(pl.col("dept_name").is_null(), "dept_name", "missing value")])]
    ['<departments> 第1行 dept_name：missing value']
    """
    if not checks or frame.height == 0:
        return []
    hits = frame.select(
        [c.mask.fill_null(False).any().alias(f"_m{i}") for i, c in enumerate(checks)]
    ).row(0)
    problems: list[Problem] = []
    for check, hit in zip(checks, hits, strict=True):
        if hit:
            problems += problems_from_mask(
                frame, check.mask.fill_null(False), raw, check.column, check.message, check.severity
            )
    return problems


def check_table(
    raw: RawTable, spec: TableSpec | str | None = None
) -> tuple[pl.DataFrame, list[Problem]]:
    """Type a raw table's columns by the contract and list every problem.

    Parameters
    ----------
    raw : RawTable
        As returned by :func:`perfkit.tables._read.read_table`.
    spec : TableSpec or str, optional
        Defaults to the spec the raw table was read with (the contract's
        table, or a variant such as :data:`perfkit.tables._contract.MIDYEAR_PROJECTS`,
        in which a column like ``executed`` may be empty).

    Returns
    -------
    (polars.DataFrame, list of Problem)
        The typed frame (same rows, ``_row`` kept; for ``measure`` columns a
        ``<name>_text`` column keeps the text) and the problems, including
        the reader's warnings.

    Raises
    ------
    InternalError
        polars panicked on the table (a bug, not a problem of the data): the
        message names the file instead of a ``PanicException`` escaping.

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> df = pl.DataFrame({"year": ["2024", "2024"], "month": ["5", "13"],
    ...                    "unit_code": ["P1", "P1"], "executed_to_date": ["-1", "x"]})
    >>> typed, problems = check_table(read_table(df, "monitoring"))
    >>> for p in problems: print(p)
    <monitoring> 第1行 executed_to_date：金额为负数 -1
    <monitoring> 第2行 executed_to_date：'x' 不是数字
    <monitoring> 第2行 month：月份须为 1 到 12 的整数，而不是 '13'
    """
    try:
        return _check_table(raw, spec)
    except pl.exceptions.PanicException as exc:  # a BaseException: a clean error naming the file
        raise InternalError(exc, raw.source) from exc


def _check_table(raw: RawTable, spec: TableSpec | str | None) -> tuple[pl.DataFrame, list[Problem]]:
    """:func:`check_table` itself."""
    if not isinstance(spec, TableSpec):
        spec = table_spec(spec) if spec else (raw.spec or table_spec(raw.name))
    frame = raw.frame
    exprs: list[pl.Expr] = []
    numbers: dict[str, int] = {}
    for col in spec.columns:
        name = col.name
        if name not in frame.columns:
            continue
        source = pl.col(name)
        if col.kind in ("amount", "number", "measure", "year", "month"):
            numbers[name] = _RANGE.get(col.kind, LIMIT)
            if col.kind == "measure":
                exprs.append(source.cast(pl.String).alias(f"{name}_text"))
        elif col.kind == "direction":
            exprs.append(map_unique(frame, name, _direction_code, pl.String).alias(f"_{name}"))
    work = with_fixed_columns(frame, numbers).with_columns(exprs)
    values = IndicatorValues.of(work, raw) if _has_indicator_values(spec, frame) else None
    if values is not None:
        work = values.frame
    checks: list[Check] = []
    for col in spec.columns:
        name = col.name
        if name not in frame.columns:
            continue
        source, parsed = pl.col(name), pl.col(f"_{name}")
        text = quoted_expr(source)
        if col.required:
            blank = source.is_null()
            if values is not None and name in values.blank_ok:
                blank = blank & ~values.blank_ok[name]
            checks.append(Check(blank, name, _("missing value")))
        if col.kind in ("amount", "number", "measure"):
            big = pl.col(f"_{name}_big")
            limit = f"{_RANGE[col.kind]:,}"
            message = _(_RANGE_TEXT[col.kind]).format(limit=limit)
            checks.append(Check(big, name, format_expr(message, text)))
        if col.kind in ("amount", "number"):
            checks.append(
                Check(
                    source.is_not_null() & parsed.is_null() & ~big,
                    name,
                    format_expr(_("'{}' is not a number"), text),
                )
            )
            if col.kind == "amount":
                checks.append(Check(parsed < 0, name, format_expr(_("negative amount {}"), text)))
        elif col.kind in ("year", "month"):
            lo, hi = (1900, 2200) if col.kind == "year" else (1, 12)
            whole = (parsed % SCALE == 0) & (parsed >= lo * SCALE) & (parsed <= hi * SCALE)
            what = (
                _("year must be a whole number like 2024, not '{{}}'")
                if col.kind == "year"
                else _("month must be a whole number from {lo} to {hi}, not '{{}}'")
            )
            checks.append(
                Check(
                    source.is_not_null() & ~whole.fill_null(False),
                    name,
                    format_expr(what.format(lo=lo, hi=hi), text),
                )
            )
        elif col.kind == "direction":
            checks.append(
                Check(
                    source.is_not_null() & parsed.is_null(),
                    name,
                    format_expr(
                        _("direction '{}' is not one of 正向, 反向, 等于, 定性 or ≥, ≤, ="), text
                    ),
                )
            )
    if values is not None:
        checks += values.checks
    problems = list(raw.problems) + run_checks(work, raw, checks)
    if values is not None:
        problems += values.warnings(raw)
    final: list[pl.Expr] = [pl.col("_row")]
    for col in spec.columns:
        name = col.name
        if name not in frame.columns:
            continue
        if col.kind in ("amount", "number", "direction"):
            final.append(pl.col(f"_{name}").alias(name))
        elif col.kind in ("year", "month"):
            final.append((pl.col(f"_{name}") // SCALE).cast(pl.Int32).alias(name))
        elif col.kind == "measure":
            final += [pl.col(f"{name}_text"), pl.col(f"_{name}").alias(name)]
        else:
            source = pl.col(name)
            final.append(
                source if frame.schema[name] == pl.String else source.cast(pl.String).alias(name)
            )
    if values is not None:
        final = values.resolved(final)
    typed = work.select(final)
    problems += duplicate_key_problems(typed, raw, spec.key)
    return typed, sorted(problems, key=problem_order)


def not_a_number(frame: pl.DataFrame, text: str, value: str) -> pl.Expr:
    """Rows whose ``text`` is given but ``value`` did not parse, numbers out of range excepted.

    :func:`check_table` already reports a number beyond the contract's range
    ("out of range"); checks that need a number (a quantitative target, an
    actual value) use this mask so that such a value is not reported twice.
    Only the distinct failing texts are examined.

    Examples
    --------
    >>> df = pl.DataFrame({"t": ["1e30", "九成", "5"], "v": [None, None, 5]})
    >>> df.select(not_a_number(df, "t", "v")).to_series().to_list()
    [False, True, False]
    """
    failing = pl.col(text).is_not_null() & pl.col(value).is_null()
    distinct = frame.select(pl.col(text).filter(failing).unique()).to_series()
    big = pl.DataFrame({"t": distinct}).filter(beyond_limit(pl.col("t"))).get_column("t")
    return failing & ~pl.col(text).is_in(big.implode()) if big.len() else failing


#: Direction words of :func:`perfkit.tables._targets_notation.parse_target` → direction codes.
_NOTATION_CODES = {"正向": "positive", "反向": "reverse", "等于": "equal"}
#: How many rows a summarising warning names.
_ROWS_NAMED = 10
#: Messages of the indicator value rules (English msgids; translated when used, perfkit.i18n).
_MESSAGES = {
    "contradiction": N_(
        "annual target '{}' means {}, which contradicts the direction '{}' "
        "(make them agree, or leave the direction blank)"
    ),
    "target_unit": N_("annual target '{}' has the unit '{}', not the measurement unit '{}'"),
    "actual_unit": N_("actual value '{}' has the unit '{}', which differs from {} '{}'"),
    "actual_direction": N_(
        "actual value '{}' carries a direction ({}): write the value only, "
        "with a unit if any, e.g. 96%"
    ),
    "blank_qualitative": N_(
        "{n} qualitative indicators have a blank annual target (rows {rows}): accepted, "
        "a qualitative indicator is scored by how far it was achieved, not by a target"
    ),
}


def _has_indicator_values(spec: TableSpec, frame: pl.DataFrame) -> bool:
    """Tables with 指标方向 and 年度指标值: ``indicators`` and its variants."""
    return spec.name == "indicators" and {"direction", "target"} <= set(frame.columns)


def _split(
    work: pl.DataFrame, column: str, where: pl.Expr, prefix: str, value: str
) -> pl.DataFrame:
    """Add the notation columns of ``column`` (``{prefix}direction``, ``number``, ``unit``)
    and the resolved value ``{value}_r`` and text ``{column}_r``.

    Nearly every table holds plain numbers only: then nothing is split, the
    notation columns are nulls and the resolved columns the parsed ones, at
    the cost of one pass over the mask.
    """
    if work.select(where.fill_null(False).any()).item():
        number = pl.col(f"{prefix}number")
        return work.with_columns(notation_columns(work, column, where, prefix=prefix)).with_columns(
            pl.coalesce(pl.col(value), parse_fixed(number)).alias(f"{value}_r"),
            pl.coalesce(number, pl.col(column)).alias(f"{column}_r"),
        )
    nulls = [pl.lit(None, pl.String).alias(prefix + f) for f in ("direction", "number", "unit")]
    return work.with_columns(
        *nulls, pl.col(value).alias(f"{value}_r"), pl.col(column).alias(f"{column}_r")
    )


def _any(frame: pl.DataFrame, expr: pl.Expr) -> bool:
    return bool(frame.select(expr.is_not_null().any()).item())


def _unit_key(expr: pl.Expr) -> pl.Expr:
    """Units compared as text keys: ``％`` is ``%``, ``KM`` is ``km``, blanks do not count."""
    return expr.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_lowercase()


@dataclass
class IndicatorValues:
    """An indicators table's direction, target, actual and unit, with the notation resolved.

    A quantitative target may carry its direction and unit (``≥95%``,
    ``≤100万元``, ``不超过3天``; :mod:`perfkit.tables._targets_notation`) and an
    actual its unit (``96%``).  The symbol gives the direction when the
    指标方向 column is blank and must agree with it when both are given; a
    unit written in a value goes to the unit column and must agree with it
    (and an actual's with the target's).  A qualitative indicator's target
    is descriptive text that scoring never reads: it may be blank (one
    warning per file).  Plain numbers are read exactly as before.

    Attributes
    ----------
    frame : polars.DataFrame
        The working frame with the resolved columns (``_dir_r``, ``_target_r``,
        ``target_text_r``, ``_actual_r``, ``actual_text_r``, ``_unit_r``).
    blank_ok : dict
        Column → rows where a blank value is not a "missing value".
    checks : list of Check
        Contradictions between a value's notation and the other columns.

    Examples
    --------
    >>> from perfkit.tables._read import read_table
    >>> df = pl.DataFrame({"year": ["2024"] * 2, "unit_code": ["P1"] * 2,
    ...                    "level1": ["产出指标", "效益指标"], "level2": ["数量", "效益"],
    ...                    "name": ["甲", "乙"], "direction": [None, "定性"],
    ...                    "target": ["≥95%", None], "actual": ["96%", "达成"]})
    >>> typed, problems = check_table(read_table(df, "indicators"))
    >>> typed.select("direction", "target_text", "actual_text", "unit").rows()
    [('positive', '95', '96', '%'), ('qualitative', None, '达成', None)]
    >>> [p.severity for p in problems]  # the blank qualitative target: one warning
    ['warning']
    """

    frame: pl.DataFrame
    blank_ok: dict[str, pl.Expr]
    checks: list[Check]
    has_unit_column: bool

    @classmethod
    def of(cls, work: pl.DataFrame, raw: RawTable) -> IndicatorValues:
        """Resolve the notation of ``work`` (a frame being typed by :func:`check_table`)."""
        given = pl.col("_direction")
        written = pl.col("target_text")
        may_be_quantitative = given.is_null() | (given != "qualitative")
        split = written.is_not_null() & pl.col("_target").is_null() & may_be_quantitative
        work = _split(work, "target_text", split, "_t_", "_target")
        symbol = pl.col("_t_direction").replace_strict(
            _NOTATION_CODES, default=None, return_dtype=pl.String
        )
        work = work.with_columns(symbol.alias("_t_sym")).with_columns(
            pl.coalesce(given, pl.col("_t_sym")).alias("_dir_r")
        )
        has_unit = "unit" in work.columns
        stated = pl.col("unit").cast(pl.String) if has_unit else pl.lit(None, pl.String)
        t_unit = pl.col("_t_unit")
        checks = [
            Check(
                given.is_not_null() & pl.col("_t_sym").is_not_null() & (given != pl.col("_t_sym")),
                "target",
                format_expr(
                    _(_MESSAGES["contradiction"]),
                    written,
                    pl.col("_t_direction"),
                    pl.col("direction"),
                ),
            )
        ]
        if has_unit and _any(work, t_unit):  # units are compared only where values carry one
            checks.append(
                Check(
                    stated.is_not_null()
                    & t_unit.is_not_null()
                    & (_unit_key(stated) != _unit_key(t_unit)),
                    "target",
                    format_expr(_(_MESSAGES["target_unit"]), written, t_unit, stated),
                )
            )
        units = [stated, t_unit]
        if "actual" in work.columns:
            quantitative = pl.col("_dir_r").is_not_null() & (pl.col("_dir_r") != "qualitative")
            actual = pl.col("actual_text")
            split = actual.is_not_null() & pl.col("_actual").is_null() & quantitative
            work = _split(work, "actual_text", split, "_a_", "_actual")
            a_unit, expected = pl.col("_a_unit"), pl.coalesce(stated, t_unit)
            source = pl.when(stated.is_not_null()).then(pl.lit(_("the measurement unit")))
            if _any(work, a_unit):
                checks.append(
                    Check(
                        a_unit.is_not_null()
                        & expected.is_not_null()
                        & (_unit_key(a_unit) != _unit_key(expected)),
                        "actual",
                        format_expr(
                            _(_MESSAGES["actual_unit"]),
                            actual,
                            a_unit,
                            source.otherwise(pl.lit(_("the annual target's unit"))),
                            expected,
                        ),
                    )
                )
            checks.append(
                Check(
                    pl.col("_a_direction").is_in(list(_NOTATION_CODES)),
                    "actual",
                    format_expr(_(_MESSAGES["actual_direction"]), actual, pl.col("_a_direction")),
                )
            )
            units.append(a_unit)
        split_units = [u for u in units[1:] if _any(work, u)]
        resolved_unit = pl.coalesce(units[:1] + split_units) if split_units else units[0]
        work = work.with_columns(resolved_unit.alias("_unit_r"))
        blank_ok = {
            "direction": pl.col("_t_sym").is_not_null(),
            "target": (pl.col("_dir_r") == "qualitative").fill_null(False),
        }
        return cls(work, blank_ok, checks, has_unit)

    def warnings(self, raw: RawTable) -> list[Problem]:
        """One warning per file for the qualitative indicators with a blank target."""
        blank = self.frame.filter(
            pl.col("target").is_null() & (pl.col("_dir_r") == "qualitative")
        ).get_column("_row")
        if blank.len() == 0:
            return []
        rows = _(", ").join(str(r) for r in blank.head(_ROWS_NAMED).to_list())
        rows += "…" if blank.len() > _ROWS_NAMED else ""
        message = _(_MESSAGES["blank_qualitative"]).format(n=blank.len(), rows=rows)
        return [Problem(raw.source, None, raw.header("target"), message, "warning")]

    def resolved(self, final: list[pl.Expr]) -> list[pl.Expr]:
        """``check_table``'s output columns with the resolved values in place."""
        swap = {
            "direction": "_dir_r",
            "target": "_target_r",
            "target_text": "target_text_r",
            "actual": "_actual_r",
            "actual_text": "actual_text_r",
            "unit": "_unit_r",
        }
        out = [
            pl.col(swap[name]).alias(name) if name in swap else expr
            for expr, name in ((e, e.meta.output_name()) for e in final)
        ]
        if not self.has_unit_column and self.frame.get_column("_unit_r").is_not_null().any():
            out.append(pl.col("_unit_r").alias("unit"))  # units written in the values
        return out


def duplicate_key_problems(typed: pl.DataFrame, raw: RawTable, key: Iterable[str]) -> list[Problem]:
    """One problem per row whose key repeats an earlier row's key."""
    key = [k for k in key if k in typed.columns]
    if not key:
        return []
    if not typed.select(pl.struct(key).is_duplicated().any()).item():
        return []
    first = pl.col("_row").min().over(key)
    dup = pl.len().over(key) > 1
    marked = typed.with_columns(first.alias("_first"))
    parts = [format_expr(f"{k}={{}}", pl.col(k).cast(pl.String)) for k in key]
    message = format_expr(
        _("duplicate key ({}) also on row {}"),
        pl.concat_str(parts, separator=", "),
        pl.col("_first"),
    )
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    mask = dup & complete & (pl.col("_row") != pl.col("_first"))
    return problems_from_mask(marked, mask, raw, key[-1], message)

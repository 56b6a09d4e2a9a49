"""Exact money and score arithmetic (金额与得分的精确计算).

The rounding rule (``docs/scoring.md``, "Rounding and exactness"): every item's
points are rounded half-up to two decimals (89.995 → 90.00, 2.675 → 2.68), totals
are sums of rounded items, and binary floating point must never move a total
across a grade boundary.

perfkit therefore never scores in floating point.  Every number read from the
input is held as a fixed-point integer with six decimals (``SCALE = 10**6``,
i.e. 0.01 元 when amounts are in 万元) in polars ``Int128`` columns, and points
are integer *cents* (hundredths of a point).  A rule's result
``weight × numerator / denominator`` is rounded half-up with pure integer
arithmetic::

    cents = floor((2 · weight_cents · N + D) / (2 · D))

which is exact for any inputs.  Floats appear only at the very end, when cents
are shown (``cents / 100`` is the double nearest the two-decimal value, and
prints as exactly that value).

**Range.**  A number read is at most :data:`LIMIT` (10¹²) in magnitude; text
beyond it parses to null like text that is no number, and
:func:`beyond_limit` tells the two apart so that validation can say "out of
range".  The bound keeps every product that scoring forms exact: a fixed-point
value is then at most 10¹⁸, a product of two of them 10³⁶ (with a factor 2 and
a weight in cents still below Int128's 1.7 × 10³⁸), instead of a
``ComputeError: overflow`` on a 27-digit number.  The data contract narrows it
further (:data:`perfkit.tables._contract.MAX_AMOUNT`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = [
    "LIMIT",
    "SCALE",
    "beyond_limit",
    "cents_text",
    "cents_to_float",
    "div_half_up",
    "fixed_text",
    "fixed_to_float",
    "map_unique",
    "parse_decimal",
    "parse_fixed",
    "parse_fixed_column",
    "ratio_cents",
    "round_half_up",
    "to_cents",
    "two_decimals",
    "with_fixed_columns",
]

#: Fixed-point scale of every parsed number: six decimal places.
SCALE = 10**6
#: Largest magnitude of a number perfkit parses (10¹²); larger ones parse to null.
LIMIT = 10**12
FIXED = pl.Int128
#: Numbers are parsed with 25 decimals (13 digits before the point hold :data:`LIMIT`)
#: and then rounded half-up to six with one integer division, so the rounding is exact
#: for any number written with up to 25 decimals (polars' own cast to six decimals rounds
#: a tie to even).  A longer one is first rounded to 25 by the cast.
_DEC = pl.Decimal(38, 25)
_BEYOND_SIX = 10 ** (25 - 6)

_FULLWIDTH = [chr(c) for c in range(0xFF10, 0xFF1A)] + ["．", "，", "－", "＋", "　"]
_HALFWIDTH = [str(d) for d in range(10)] + [".", ",", "-", "+", " "]
_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"


def normalise_number_text(expr: pl.Expr) -> pl.Expr:
    """Full-width digits to ASCII, surrounding blanks stripped, ``1,234.5`` → ``1234.5``.

    Only well-formed thousands groups lose their commas; ``1,23`` stays as it
    is and fails to parse, so nothing is guessed.
    """
    text = expr.str.replace_many(_FULLWIDTH, _HALFWIDTH).str.strip_chars()
    grouped = text.str.contains(_GROUPED)
    text = pl.when(grouped).then(text.str.replace_all(",", "", literal=True)).otherwise(text)
    return pl.when(text == "").then(None).otherwise(text)


def parse_fixed(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """Parse a column of numbers to six-decimal fixed point (``Int128``).

    Text is normalised first (see :func:`normalise_number_text`).  Text that is
    not a number, or a number beyond :data:`LIMIT` in magnitude, becomes null;
    callers compare with the raw column to report it (:func:`beyond_limit`
    tells which).  Values with more than six decimals are rounded to six (the
    contract's precision), half-up and exactly: ``0.0000005`` → ``0.000001``,
    ``-0.0000005`` → ``-0.000001``.  Numeric columns are converted directly.
    :func:`parse_fixed_column` does the same for a whole column, faster.

    Examples
    --------
    >>> df = pl.DataFrame({"x": ["40.1", "１２", "1,234.5", "九成", None, "1e30"]})
    >>> df.select(parse_fixed(pl.col("x"))).to_series().to_list()
    [40100000, 12000000, 1234500000, None, None, None]
    """
    if dtype is not None and dtype.is_numeric():
        return _to_fixed(_numeric_as_decimal(expr, dtype))
    text = normalise_number_text(expr.cast(pl.String))
    return _to_fixed(text.cast(_DEC, strict=False))


def _to_fixed(decimal: pl.Expr, limit: int = LIMIT) -> pl.Expr:
    """Decimal(38, 25) → Int128 fixed point; null beyond ``limit`` (never an overflow).

    A Decimal(38, 25) is held as the integer of its 10⁻²⁵; one integer division
    rounds it half-up to millionths (no multiplication, which could overflow).
    """
    fixed = _half_up_millionths(decimal)
    return pl.when(fixed.is_between(-limit * SCALE, limit * SCALE)).then(fixed)


def _half_up_millionths(decimal: pl.Expr) -> pl.Expr:
    """Decimal(38, 25) → Int128 millionths, half-up (a tie away from zero), exactly."""
    units = decimal.to_physical()  # the integer of the 10⁻²⁵
    away = (units.abs() + _BEYOND_SIX // 2) // _BEYOND_SIX  # Int128 has no negation: 0 − x
    return pl.when(units >= 0).then(away).otherwise(pl.lit(0, FIXED) - away)


def _numeric_as_decimal(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A numeric column as Decimal(38, 25), through its shortest text (``0.1``), exactly."""
    # through text: a number too large for 13 digits becomes null (a direct numeric cast
    # would raise instead of giving null)
    return expr.cast(pl.String).cast(_DEC, strict=False)


def beyond_limit(expr: pl.Expr, dtype: pl.DataType | None = None, limit: int = LIMIT) -> pl.Expr:
    """True where a value is a number larger than ``limit`` in magnitude.

    Such values parse to null (:func:`parse_fixed`); this tells them apart
    from text that is no number at all, for a message that says what is wrong.

    Examples
    --------
    >>> df = pl.DataFrame({"x": ["1e30", "9" * 40, "12", "九成", "inf", None]})
    >>> df.select(beyond_limit(pl.col("x"))).to_series().to_list()
    [True, True, False, False, False, False]
    """
    if dtype is not None and dtype.is_numeric():
        number = expr.cast(pl.Float64, strict=False)
        decimal = _numeric_as_decimal(expr, dtype)
        digits = number.is_finite()
    else:
        text = normalise_number_text(expr.cast(pl.String))
        number = text.cast(pl.Float64, strict=False)
        decimal = text.cast(_DEC, strict=False)
        digits = text.str.contains(r"^[+-]?[\d.]+([eE][+-]?\d+)?$")  # not 'inf' or 'nan'
    exact = decimal.abs() > limit  # Decimal(38, 25) holds up to 10¹³, exactly
    rough = digits & number.is_not_nan() & (number.abs() > limit)  # beyond: a float says enough
    return pl.when(decimal.is_not_null()).then(exact).otherwise(rough).fill_null(False)


def with_fixed_columns(frame: pl.DataFrame, limits: Mapping[str, int]) -> pl.DataFrame:
    """Parse columns to fixed point and flag the numbers beyond each column's limit.

    For each column ``name`` of ``limits`` adds ``_<name>``, the fixed-point
    value (as :func:`parse_fixed_column`; null for text that is no number and
    for a number beyond the limit, itself at most :data:`LIMIT`) and
    ``_<name>_big``, True for the latter, so that a message can say "out of
    range" instead of "not a number".  Each column is parsed once.

    Examples
    --------
    >>> df = pl.DataFrame({"x": ["12", "2000", "九成", "1e30", "-2000"]})
    >>> with_fixed_columns(df, {"x": 1000}).select("_x", "_x_big").rows()
    [(12000000, False), (None, True), (None, False), (None, True), (None, True)]
    """
    parsed, derived = [], []
    for name, limit in limits.items():
        limit = min(limit, LIMIT)
        dtype = frame.schema[name]
        col, fixed = pl.col(name), pl.col(f"__{name}_fixed")
        extra: pl.Expr | None = None
        if dtype != pl.String:
            decimal = _numeric_as_decimal(col, dtype)
            extra = beyond_limit(col, dtype, limit)  # beyond what a decimal holds
        else:
            decimal, failing = _decimal_column(frame, name)
            if failing.len():
                huge = pl.DataFrame({"t": failing}).filter(beyond_limit(pl.col("t"), limit=limit))
                if huge.height:
                    extra = col.is_in(huge.get_column("t").implode())
        parsed.append(_half_up_millionths(decimal).alias(f"__{name}_fixed"))
        within = fixed.is_between(-limit * SCALE, limit * SCALE)
        big = (~within).fill_null(False)
        derived += [
            pl.when(within).then(fixed).alias(f"_{name}"),
            (big if extra is None else big | extra.fill_null(False)).alias(f"_{name}_big"),
        ]
    staged = frame.with_columns(parsed).with_columns(derived)
    return staged.drop([f"__{name}_fixed" for name in limits])


def parse_fixed_column(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Parse column ``name`` of ``frame`` to fixed point, normalising only what needs it.

    Plain ASCII numbers (nearly all values) are cast directly; the distinct
    values that fail that cast (full-width digits, thousands separators, or
    text that is no number at all) are normalised once each and mapped back.
    Same result as :func:`parse_fixed`, at the cost of one cast per row.

    Examples
    --------
    >>> df = pl.DataFrame({"x": ["40.1", "１２", "1,234.5", "九成", None, "9" * 27]})
    >>> df.select(parse_fixed_column(df, "x")).to_series().to_list()
    [40100000, 12000000, 1234500000, None, None, None]
    """
    dtype = frame.schema[name]
    col = pl.col(name)
    if dtype != pl.String:
        return parse_fixed(col, dtype)
    return _to_fixed(_decimal_column(frame, name)[0])


def _decimal_column(frame: pl.DataFrame, name: str) -> tuple[pl.Expr, pl.Series]:
    """Column ``name`` (text) as Decimal(38, 25), normalising only the values that need it.

    Also returns the distinct texts that fail the plain cast.
    """
    col = pl.col(name)
    plain = col.cast(_DEC, strict=False)
    failing = frame.select(col.filter(col.is_not_null() & plain.is_null()).unique()).to_series()
    if failing.len():
        fixed = (
            pl.DataFrame({"t": failing})
            .with_columns(normalise_number_text(pl.col("t")).cast(_DEC, strict=False).alias("d"))
            .drop_nulls("d")
        )
        if fixed.height:
            mapping = dict(zip(fixed["t"].to_list(), fixed["d"].to_list(), strict=True))
            repaired = col.replace_strict(mapping, default=None, return_dtype=_DEC)
            plain = pl.coalesce(plain, repaired)
    return plain, failing


def map_unique(
    frame: pl.DataFrame,
    column: str,
    function: Callable[[str], object],
    dtype: pl.DataType | type[pl.DataType],
    where: pl.Expr | None = None,
) -> pl.Expr:
    """Map a low-cardinality text column through a Python function, once per distinct value.

    Text normalisation (NFKC, blanks, case) is costly per row but cheap per
    distinct value; categorical columns (指标方向, 一级指标, qualitative phrases)
    have a handful.  Rows outside ``where`` map to null.

    Examples
    --------
    >>> df = pl.DataFrame({"d": ["正向", "≥", "正向", "x"]})
    >>> df.select(map_unique(df, "d", {"正向": "positive", "≥": "positive"}.get, pl.String)
    ...           ).to_series().to_list()
    ['positive', 'positive', 'positive', None]
    """
    col = pl.col(column)
    values = col if where is None else col.filter(where)
    distinct = frame.select(values.drop_nulls().unique()).to_series().to_list()
    mapping = {v: function(v) for v in distinct}
    mapped = col.replace_strict(mapping, default=None, return_dtype=dtype)
    return mapped if where is None else pl.when(where).then(mapped)


def div_half_up(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """``numerator / denominator`` rounded half-up to an integer, exactly; null where ``den ≤ 0``.

    The one exact half-up division of perfkit's columns (integers of any
    width: money in fixed point, points in cents, rates in hundredths).
    *Half-up* means a half rounds away from zero, as ``decimal.ROUND_HALF_UP``
    and a person with a calculator do: 2.5 → 3 and −2.5 → −3.  For a
    non-negative numerator this is ``floor((2n + d) / 2d)``, the formula the
    scoring rules state.  No float is involved, so no value ever drifts.

    Parameters
    ----------
    numerator : polars.Expr
        Integer column (signed).
    denominator : polars.Expr or int
        Integer column or constant; rows where it is not positive give null.

    Returns
    -------
    polars.Expr
        The rounded quotient, in the integer type of the inputs.

    Examples
    --------
    >>> df = pl.DataFrame({"n": [5, -5, 4, -4, 7, 1], "d": [2, 2, 3, 3, 0, 3]})
    >>> df.select(div_half_up(pl.col("n"), pl.col("d"))).to_series().to_list()
    [3, -3, 1, -1, None, 0]
    >>> df.select(div_half_up(pl.col("n"), 2)).to_series().to_list()
    [3, -3, 2, -2, 4, 1]
    """
    den = denominator if isinstance(denominator, pl.Expr) else pl.lit(denominator)
    d = pl.when(den > 0).then(den)
    magnitude = (numerator.abs() * 2 + d) // (d * 2)
    return pl.when(numerator < 0).then(magnitude * -1).otherwise(magnitude)  # no `neg` on Int128


def to_cents(fixed: pl.Expr) -> pl.Expr:
    """Fixed-point value → integer cents, rounded half-up (:func:`div_half_up`).

    Examples
    --------
    >>> df = pl.DataFrame({"x": [2_675_000, 89_995_000, 2_004_999]}, schema={"x": pl.Int128})
    >>> df.select(to_cents(pl.col("x"))).to_series().to_list()
    [268, 9000, 200]
    """
    return div_half_up(fixed, SCALE // 100).cast(pl.Int64)


def ratio_cents(weight_cents: pl.Expr, numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``weight × numerator / denominator`` in cents, rounded half-up exactly.

    ``numerator`` and ``denominator`` are fixed-point (any common scale);
    ``denominator`` must be positive where the result is used (callers guard
    zero denominators with ``pl.when``).  Rounded by :func:`div_half_up`.

    Examples
    --------
    >>> df = pl.DataFrame({"w": [500, 500, 5000], "n": [40_100_000, 42_500_000, 1],
    ...                    "d": [100_000_000, 100_000_000, 3]},
    ...                   schema={"w": pl.Int64, "n": pl.Int128, "d": pl.Int128})
    >>> df.select(ratio_cents(pl.col("w"), pl.col("n"), pl.col("d"))).to_series().to_list()
    [201, 213, 1667]
    """
    den = pl.when(denominator > 0).then(denominator).otherwise(pl.lit(1, FIXED))
    return div_half_up(weight_cents.cast(FIXED) * numerator, den).cast(pl.Int64)


def cents_to_float(cents: pl.Expr) -> pl.Expr:
    """Integer cents → Float64 points for display and export (86.23, not 8623).

    The result is the double nearest the two-decimal value, so it prints as
    that value (``660`` → ``6.6``, never ``6.6000000000000005``: a float
    division by a literal may be compiled as a multiplication by its inverse,
    so the division is done in decimal).

    Examples
    --------
    >>> pl.select(cents_to_float(pl.lit(660))).item()
    6.6
    """
    return (cents.cast(pl.Decimal(38, 2)) / 100).cast(pl.Float64)


def fixed_to_float(fixed: pl.Expr) -> pl.Expr:
    """Fixed-point value → the nearest Float64, for display and export.

    Examples
    --------
    >>> pl.select(fixed_to_float(pl.lit(18_966_530_000, FIXED))).item()
    18966.53
    """
    return (fixed.cast(pl.Decimal(38, 6)) / SCALE).cast(pl.Float64)


def cents_text(cents: pl.Expr) -> pl.Expr:
    """Integer cents as two-decimal text for messages (``3000`` → ``"30.00"``).

    Examples
    --------
    >>> pl.select(cents_text(pl.lit(-705))).item()
    '-7.05'
    """
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    a = cents.abs()
    return pl.concat_str(
        [sign, (a // 100).cast(pl.String), pl.lit("."), (a % 100).cast(pl.String).str.zfill(2)]
    )


def fixed_text(fixed: pl.Expr) -> pl.Expr:
    """Fixed-point value as plain decimal text without trailing zeros (``40.1``, ``95``).

    Examples
    --------
    >>> pl.select(fixed_text(pl.lit(40_100_000, FIXED))).item()
    '40.1'
    >>> pl.select(fixed_text(pl.lit(-1_790_000, FIXED))).item()
    '-1.79'
    """
    return fixed_to_float(fixed).cast(pl.String).str.replace(r"\.0$", "")


def round_half_up(value: float | int | str | Decimal | Fraction, decimals: int = 2) -> Decimal:
    """Round a single number half-up, as a person with a calculator would.

    The one scalar counterpart of :func:`div_half_up`: a half rounds away
    from zero (−2.5 → −3).  The value is taken by its decimal text, so
    ``2.675`` (stored in binary as 2.67499999…) still rounds to 2.68.  A
    :class:`~fractions.Fraction` (an exact ratio of integers, e.g.
    ``Fraction(weight * pct, 100)``) is rounded exactly, whatever its size.

    Examples
    --------
    >>> round_half_up(2.675), round_half_up(89.995), round_half_up("22.295")
    (Decimal('2.68'), Decimal('90.00'), Decimal('22.30'))
    >>> round_half_up(-2.5, 0), round_half_up(Fraction(2, 3), 4), round_half_up(Fraction(-5, 2), 0)
    (Decimal('-3'), Decimal('0.6667'), Decimal('-3'))
    """
    quantum = Decimal(1).scaleb(-decimals)
    if isinstance(value, Fraction):
        scaled = value * 10**decimals
        magnitude = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
        return (Decimal(-magnitude if scaled < 0 else magnitude) * quantum).quantize(quantum)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def parse_decimal(value: object, what: str, *, percent: bool = False, hint: str = "") -> Decimal:
    """A number a user typed (an option, a threshold, a band) as an exact Decimal.

    Blanks around it are ignored, and with ``percent=True`` a trailing ``%``
    too.  Text that is no finite number raises
    :class:`~perfkit.errors.PerfkitError`: ``<what> <value> is not a number``
    followed by ``hint`` (a user error: exit status 1).

    Examples
    --------
    >>> parse_decimal(" 62.5% ", "--low-threshold", percent=True)
    Decimal('62.5')
    >>> parse_decimal("lots", "--threshold")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: --threshold 'lots' 不是数字
    """
    text = str(value).strip()
    if percent:
        text = text.removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise PerfkitError(
            _("{what} {value!r} is not a number{hint}").format(
                what=what, value=value, hint=_(hint) if hint else ""
            )
        )
    return number


def two_decimals(value: Decimal, what: str) -> Decimal:
    """``value`` unchanged when it has at most two decimals, else ValueError naming ``what``.

    Points and percentages in systems and policies are given to the cent.

    Examples
    --------
    >>> two_decimals(Decimal("12.50"), "points")
    Decimal('12.50')
    >>> two_decimals(Decimal("1.005"), "points")
    Traceback (most recent call last):
    ...
    ValueError: points 1.005 超过两位小数
    """
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(
            _("{what} {value} has more than two decimals").format(what=what, value=value)
        )
    return value

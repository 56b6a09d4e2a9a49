"""The notations of 年度指标值 and 实际完成值 (指标值写法), for forms and tables alike.

Forms and tables write a target as one piece of text: ``≥95%``, ``≤100万元``,
``=0起``, ``≥ 1 次``, ``＞＝９５％``, ``1,000人次以上``, ``不超过3天``.
:func:`parse_target` splits it into a direction (正向/反向/等于, or 定性 when
there is no number), the number and the unit.  Text is normalised first (NFKC:
full-width → half-width; blanks removed), thousands separators are dropped
only where they are well formed.  The functions work on one text;
:func:`parse_targets` maps a whole column and :func:`notation_columns` a frame's
column, calling Python once per *distinct* text.

This module is the one owner of the notation: the forms reader
(:mod:`perfkit.forms._read`) and the table checks (:mod:`perfkit.tables._validate`)
both use it, so a target means the same wherever it is written.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import polars as pl

__all__ = ["Target", "notation_columns", "parse_target", "parse_targets"]


def _plain(text: str) -> str:
    """NFKC and no blanks, case kept (for units such as ``km``)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# longest first: "≥" before ">"; words as written on forms
_PREFIXES = [
    (">=", "正向"),
    ("≥", "正向"),
    ("≧", "正向"),
    ("不低于", "正向"),
    ("不少于", "正向"),
    ("大于等于", "正向"),
    ("大于", "正向"),
    (">", "正向"),
    ("<=", "反向"),
    ("≤", "反向"),
    ("≦", "反向"),
    ("不高于", "反向"),
    ("不超过", "反向"),
    ("不多于", "反向"),
    ("小于等于", "反向"),
    ("小于", "反向"),
    ("<", "反向"),
    ("==", "等于"),
    ("=", "等于"),
    ("等于", "等于"),
]
_SUFFIXES = [("以上", "正向"), ("以下", "反向"), ("以内", "反向")]
_NUMBER = re.compile(r"([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(.*)")


class Target(NamedTuple):
    """A parsed 指标值: direction (正向/反向/等于/定性, or None), number text, unit."""

    direction: str | None
    number: str | None
    unit: str | None


def parse_target(text: str) -> Target:
    """Split a form's 指标值 into direction, number and unit.

    Returns direction None when the text gives no ≥/≤/= (the caller decides);
    定性 with no number when the text has no leading number.

    Examples
    --------
    >>> parse_target("≥95%")
    Target(direction='正向', number='95', unit='%')
    >>> parse_target("≤100万元"), parse_target("=0起"), parse_target("≥ 1 次")
    (Target(direction='反向', number='100', unit='万元'), Target(direction='等于', number='0', unit='起'), Target(direction='正向', number='1', unit='次'))
    >>> parse_target("＞＝１,２００人次"), parse_target("98%以上"), parse_target("100")
    (Target(direction='正向', number='1200', unit='人次'), Target(direction='正向', number='98', unit='%'), Target(direction=None, number='100', unit=None))
    >>> parse_target("有效提升")
    Target(direction='定性', number=None, unit=None)
    """  # noqa: E501
    body = _plain(text).replace("％", "%")
    direction = None
    for prefix, word in _PREFIXES:
        if body.startswith(prefix):
            direction, body = word, body[len(prefix) :]
            break
    match = _NUMBER.fullmatch(body)
    if not match:
        return Target("定性", None, None)
    number, unit = match.group(1).replace(",", ""), match.group(2)
    for suffix, word in _SUFFIXES:
        if unit.endswith(suffix) and direction is None:
            direction, unit = word, unit[: -len(suffix)]
    return Target(direction, number, unit or None)


def parse_targets(column: pl.Series) -> pl.DataFrame:
    """:func:`parse_target` over a text column (once per distinct value).

    Examples
    --------
    >>> parse_targets(pl.Series(["≥95%", "≥95%", None])).rows()
    [('正向', '95', '%'), ('正向', '95', '%'), (None, None, None)]
    """
    frame = pl.DataFrame({"text": column.cast(pl.String)})
    return frame.select(notation_columns(frame, "text"))


def notation_columns(
    frame: pl.DataFrame, column: str, where: pl.Expr | None = None, prefix: str = ""
) -> list[pl.Expr]:
    """Expressions splitting ``column`` into ``direction``, ``number`` and ``unit`` (text).

    :func:`parse_target` runs once per distinct text of the rows where
    ``where`` holds; other rows get nulls.  The output columns are named
    ``{prefix}direction``, ``{prefix}number`` and ``{prefix}unit``.

    Examples
    --------
    >>> df = pl.DataFrame({"t": ["≥95%", "明显改善", "不超过3天", "88"], "q": [1, 0, 1, 1]})
    >>> df.select(notation_columns(df, "t", pl.col("q") == 1, prefix="t_")).rows()
    [('正向', '95', '%'), (None, None, None), ('反向', '3', '天'), (None, '88', None)]
    """
    text = pl.col(column).cast(pl.String)
    values = text if where is None else text.filter(where)
    distinct = frame.select(values.drop_nulls().unique()).to_series().to_list()
    parsed = {v: parse_target(v) for v in distinct}
    exprs = []
    for i, name in enumerate(Target._fields):
        mapping = {k: v[i] for k, v in parsed.items()}
        split = text.replace_strict(mapping, default=None, return_dtype=pl.String)
        exprs.append((split if where is None else pl.when(where).then(split)).alias(prefix + name))
    return exprs

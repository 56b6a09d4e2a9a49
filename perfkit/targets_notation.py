"""Reading 年度指标值 and 实际完成值 as written on forms (指标值解析).

Forms write a target as one piece of text: ``≥95%``, ``≤100万元``, ``=0起``,
``≥ 1 次``, ``＞＝９５％``, ``1,000人次以上``.  :func:`parse_target` splits it
into a direction (正向/反向/等于, or 定性 when there is no number), the number
and the unit.  Text is normalised first (NFKC: full-width → half-width; blanks
removed), thousands separators are dropped only where they are well formed.
The functions work on one text; :func:`parse_targets` maps a whole column,
calling Python once per *distinct* text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import polars as pl

from perfkit.forms.grid import plain

__all__ = ["Target", "parse_target", "parse_targets"]

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
    body = plain(text).replace("％", "%")
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
    distinct = column.drop_nulls().unique().to_list()
    parsed = {v: parse_target(v) for v in distinct}
    out = {}
    for i, name in enumerate(Target._fields):
        mapping = {k: v[i] for k, v in parsed.items()}
        out[name] = column.replace_strict(mapping, default=None, return_dtype=pl.String)
    return pl.DataFrame(out)

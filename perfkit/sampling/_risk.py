"""Must-include rules (风险必选规则): which units are taken before the random part.

A rule is either the name of one of the scoring engine's flags
(:data:`perfkit.scoring._flags.FLAG_LABELS`, with or without the ``flag_`` prefix)::

    self_score_diff            自评分与复算分差异较大或等级不一致
    self_100_low_execution     自评满分但执行率偏低
    score_rate_above_execution 指标得分率明显高于预算执行率
    over_completion            超额完成
    budget_zero                全年预算数为0

or a comparison ``FIELD OP VALUE`` on one of the fields below, with ``OP`` one
of ``>= > <= < == = !=`` (also ``≥ ≤ ≠``)::

    amount, money, budget_full_year   全年预算数 (万元)
    executed                          全年执行数 (万元)
    execution_rate                    预算执行率 (%)
    self_score, total                 自评得分, 复算得分
    score_diff                        自评得分 − 复算得分
    dept_code, category, grade, self_grade   (text; == and != only)

Rules are parsed by a small tokenizer, never evaluated as code, and every
comparison is exact: money in fixed point, scores in cents, the execution rate
by cross-multiplication (``executed × 100 ≥ value × budget``), so ``amount>=500``
takes a project of exactly 500.00 万元.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import FIXED, LIMIT, SCALE, parse_decimal
from perfkit.scoring._flags import FLAG_LABELS
from perfkit.tables._contract import text_key

__all__ = ["FIELDS", "RiskRule", "parse_rule", "risk_matches"]

#: Numeric fields: name → (column, scale of the column relative to 10⁻⁶ units, label).
_NUMERIC = {
    "amount": ("money", 1, "全年预算数"),
    "money": ("money", 1, "全年预算数"),
    "budget_full_year": ("money", 1, "全年预算数"),
    "executed": ("executed", 1, "全年执行数"),
    "self_score": ("self_cents", SCALE // 100, "自评得分"),
    "total": ("total_cents", SCALE // 100, "复算得分"),
    "score_diff": (None, SCALE // 100, "自评得分−复算得分"),
    "execution_rate": (None, 1, "预算执行率"),
}
_TEXT = {
    "dept_code": "部门编码",
    "category": "项目类别",
    "grade": "复算等级",
    "self_grade": "自评等级",
}
#: Every field a comparison may use.
FIELDS = tuple(_NUMERIC) + tuple(_TEXT)

_OPS = {">=": "ge", ">": "gt", "<=": "le", "<": "lt", "==": "eq", "=": "eq", "!=": "ne"}
_SYMBOLS = {"≥": ">=", "≤": "<=", "≠": "!=", "＝": "="}
_RULE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<|=)\s*(.+)$")


@dataclass(frozen=True)
class RiskRule:
    """A parsed rule: a flag, or a field compared with a value.

    Attributes
    ----------
    text : str
        The rule in canonical form (``amount>=500``, ``self_score_diff``), used
        as the pick's reason (``risk:amount>=500``).
    flag : str or None
        The flag code for flag rules.
    field, op, value : str or None
        The comparison for field rules (``value`` as decimal text or text).
    """

    text: str
    flag: str | None = None
    field: str | None = None
    op: str | None = None
    value: str | None = None

    def describe(self) -> str:
        """The rule in Chinese, for reports.

        Examples
        --------
        >>> parse_rule("amount >= 500").describe()
        '全年预算数 ≥ 500'
        >>> parse_rule("flag_budget_zero").describe()
        '全年预算数为0，执行率无法计算'
        """
        if self.flag:
            return FLAG_LABELS[self.flag]
        assert self.field is not None and self.op is not None
        label = _NUMERIC[self.field][2] if self.field in _NUMERIC else _TEXT[self.field]
        symbol = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "=", "ne": "≠"}[self.op]
        return f"{label} {symbol} {self.value}"

    def columns(self) -> list[str]:
        """Population columns the rule reads (for the population fingerprint)."""
        if self.flag:
            return [f"flag_{self.flag}"]
        assert self.field is not None
        if self.field in _TEXT:
            return [self.field]
        return {
            "score_diff": ["self_cents", "total_cents"],
            "execution_rate": ["money", "executed"],
        }.get(self.field, [_NUMERIC[self.field][0]])

    def mask(self, frame: pl.DataFrame) -> pl.Expr:
        """Boolean expression: the units the rule takes (nulls never match)."""
        if self.flag:
            return pl.col(f"flag_{self.flag}").fill_null(False)
        assert self.field is not None and self.op is not None and self.value is not None
        if self.field in _TEXT:
            left, right = pl.col(self.field), pl.lit(self.value)
        else:
            column, scale, _rest = _NUMERIC[self.field]
            value = int(Decimal(self.value) * SCALE)
            if self.field == "execution_rate":
                b = pl.col("money")
                left = pl.when(b > 0).then(pl.col("executed") * 100 * SCALE)
                right = pl.lit(value, FIXED) * b
            else:
                col = (
                    pl.col("self_cents") - pl.col("total_cents")
                    if self.field == "score_diff"
                    else pl.col(column)
                )
                left, right = col.cast(FIXED) * scale, pl.lit(value, FIXED)
        compare = {
            "ge": left >= right,
            "gt": left > right,
            "le": left <= right,
            "lt": left < right,
            "eq": left == right,
            "ne": left != right,
        }[self.op]
        return compare.fill_null(False)


def parse_rule(text: str) -> RiskRule:
    """Parse one rule (a flag name, or ``FIELD OP VALUE``); never evaluates code.

    Raises
    ------
    PerfkitError
        Naming the rule and what is wrong with it.

    Examples
    --------
    >>> parse_rule("self_score_diff").text, parse_rule("flag_budget_zero").flag
    ('self_score_diff', 'budget_zero')
    >>> r = parse_rule("amount ≥ 500")
    >>> r.field, r.op, r.value, r.text
    ('amount', 'ge', '500', 'amount>=500')
    >>> parse_rule("amount >= lots")
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: 风险规则 'amount >= lots'： 'lots' 不是数字
    """
    raw = str(text)
    cleaned = raw.strip()
    for symbol, ascii_op in _SYMBOLS.items():
        cleaned = cleaned.replace(symbol, ascii_op)
    cleaned = re.sub(r"\s+", " ", cleaned)
    if not cleaned:
        raise PerfkitError(_("an empty risk rule"))
    code = text_key(cleaned)
    if re.fullmatch(r"[a-z_][a-z0-9_]*", code):
        flag = code.removeprefix("flag_")
        if flag in FLAG_LABELS:
            return RiskRule(text=flag, flag=flag)
        raise PerfkitError(
            _(
                "risk rule {raw!r}: unknown flag {code!r}; flags are {flags} (or compare a field: "
                "{fields}, e.g. 'amount>=500')"
            ).format(raw=raw, code=code, flags=", ".join(FLAG_LABELS), fields=", ".join(FIELDS))
        )
    match = _RULE.match(cleaned)
    if not match:
        raise PerfkitError(
            _(
                "risk rule {raw!r}: write a flag name or FIELD OP VALUE (OP one of >= > <= < == "
                "!= ; e.g. 'amount>=500')"
            ).format(raw=raw)
        )
    name, op, value = match.group(1).lower(), match.group(2), match.group(3).strip()
    value = value.strip("'\"")
    if name not in FIELDS:
        raise PerfkitError(
            _("risk rule {raw!r}: unknown field {name!r}; use one of {fields}").format(
                raw=raw, name=name, fields=FIELDS
            )
        )
    if name in _TEXT:
        if _OPS[op] not in ("eq", "ne"):
            raise PerfkitError(
                _("risk rule {raw!r}: the text field {name} takes == or != only").format(
                    raw=raw, name=name
                )
            )
        return RiskRule(
            text=f"{name}{'!=' if op == '!=' else '=='}{value}",
            field=name,
            op=_OPS[op],
            value=value,
        )
    number = parse_decimal(value, _("risk rule {raw!r}:").format(raw=raw))
    if abs(number) > LIMIT:  # the data contract's bound (also keeps quantize in range)
        raise PerfkitError(
            _("risk rule {raw!r}: {value!r} is out of range (at most {limit:,})").format(
                raw=raw, value=value, limit=LIMIT
            )
        )
    if number != number.quantize(Decimal(1).scaleb(-6)):
        raise PerfkitError(
            _("risk rule {raw!r}: {value!r} needs at most six decimals").format(
                raw=raw, value=value
            )
        )
    shown = format(number.normalize(), "f") if number != 0 else "0"
    canonical = {"=": "=="}.get(op, op)
    return RiskRule(text=f"{name}{canonical}{shown}", field=name, op=_OPS[op], value=shown)


def risk_matches(frame: pl.DataFrame, rules: list[RiskRule]) -> pl.Series:
    """Per unit, the rules that take it, joined by ``;`` (empty text when none).

    Raises
    ------
    PerfkitError
        When a rule reads a column the population lacks (for example
        ``self_score`` when the projects table has no 自评得分).

    Examples
    --------
    >>> df = pl.DataFrame({"unit_code": ["A", "B"], "money": [500 * 10**6, 10**6],
    ...                    "flag_budget_zero": [False, True]},
    ...                   schema_overrides={"money": pl.Int128})
    >>> risk_matches(df, [parse_rule("amount>=500"), parse_rule("budget_zero")]).to_list()
    ['amount>=500', 'budget_zero']
    """
    for rule in rules:
        absent = [c for c in rule.columns() if c not in frame.columns]
        empty = [
            c
            for c in rule.columns()
            if c in frame.columns and frame[c].null_count() == frame.height and frame.height
        ]
        if absent or empty:
            raise PerfkitError(
                _("risk rule {rule!r} needs {choices}, which the population does not have").format(
                    rule=rule.text, choices=", ".join(absent + empty)
                )
            )
    if not rules:
        return pl.Series("risk", [""] * frame.height, pl.String)
    parts = [pl.when(rule.mask(frame)).then(pl.lit(rule.text)) for rule in rules]
    joined = pl.concat_str(parts, separator=";", ignore_nulls=True).fill_null("")
    return frame.select(joined.alias("risk")).to_series()

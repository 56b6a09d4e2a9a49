"""Data contract v1 (数据契约): the tables perfkit reads, their columns and aliases.

This module is the data contract (``docs/data-contract.md``) as data.  Each
table has columns with a canonical English name, the Chinese headers that mean
the same (表头别名), a kind that says how values are checked, and whether the
column is required.
Headers are matched after normalisation (full-width → half-width, blanks
removed, case folded), so ``项目 编码`` and ``Project_Code`` both map.

Numbers have a documented range (取值范围, ``docs/data-contract.md``, section Values): an
amount is 0 … :data:`MAX_AMOUNT` 万元, any other number (a score, a weight, a
target, an actual value) is at most :data:`MAX_NUMBER` in magnitude; six
decimals are kept.  A value outside it is a problem with file, row and column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import polars as pl

from perfkit.i18n import _
from perfkit.numbers import LIMIT

__all__ = [
    "INDICATOR_TARGETS",
    "MAX_AMOUNT",
    "MAX_NUMBER",
    "MIDYEAR_PROJECTS",
    "SOURCE_COLUMNS",
    "TABLES",
    "Column",
    "TableSpec",
    "normalise_header",
    "table_spec",
    "text_key",
]

#: Column kinds.  ``text``: any non-empty text; ``year``/``month``: whole
#: numbers in range; ``amount``: a number ≥ 0 (money, 万元); ``number``: any
#: number; ``measure``: a number, or text for qualitative indicators;
#: ``direction``: 正向/反向/等于/定性 or ≥ ≤ =.
KINDS = ("text", "year", "month", "amount", "number", "measure", "direction")

#: Largest amount accepted, in 万元 (10⁹ 万元 = 10 万亿元, about a third of the
#: national general budget; no single project or department comes near).  With
#: six decimals such an amount has 15 significant digits, so it survives the
#: round trip through a double in the result tables exactly.
MAX_AMOUNT = 10**9
#: Largest magnitude of any other number (scores, weights, targets, actual
#: values: counts such as 人次 may be large).  Equal to
#: :data:`perfkit.numbers.LIMIT`, the bound that keeps scoring's integer
#: products inside Int128.
MAX_NUMBER = LIMIT


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...] = ()
    label: str = ""  # Chinese label for reports

    @property
    def display(self) -> str:
        """Chinese label used in formatted outputs."""
        return self.label or (self.aliases[0] if self.aliases else self.name)


@dataclass(frozen=True)
class TableSpec:
    """A contract table: its columns and the key that must be unique."""

    name: str
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    alias_map: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    #: "" for the contract's table; a name such as "midyear" for a relaxed variant.
    variant: str = ""

    def __post_init__(self) -> None:
        for col in self.columns:
            for header in (col.name, *col.aliases):
                self.alias_map[normalise_header(header)] = col.name

    def column(self, name: str) -> Column:
        """The column called ``name`` (canonical English name)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        """Canonical names of required columns."""
        return [c.name for c in self.columns if c.required]

    def with_optional(self, *names: str, variant: str) -> TableSpec:
        """A variant of this table in which the named columns may be left out or left empty.

        Values that are given are still checked as the contract says (an
        ``executed`` that is given must be a number ≥ 0); the key and the
        other columns are unchanged.

        Examples
        --------
        >>> spec = table_spec("projects").with_optional("executed", variant="midyear")
        >>> "executed" in spec.required, spec.name, spec.variant
        (False, 'projects', 'midyear')
        """
        unknown = [n for n in names if n not in {c.name for c in self.columns}]
        if unknown:
            raise KeyError(
                _("{name} has no column(s) {unknown}").format(name=self.name, unknown=unknown)
            )
        columns = tuple(replace(c, required=False) if c.name in names else c for c in self.columns)
        return TableSpec(self.name, self.label, columns, self.key, variant=variant)


def text_key(text: object) -> str:
    """Key for matching user text: NFKC (full-width → half-width), no blanks, lower case.

    Examples
    --------
    >>> text_key(" 产出 指标 "), text_key("＞＝"), text_key("Project_Code")
    ('产出指标', '>=', 'project_code')
    """
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def normalise_header(text: str) -> str:
    """Normalise a header for matching: :func:`text_key` without a trailing unit in brackets.

    Examples
    --------
    >>> normalise_header(" 项目 编码 "), normalise_header("Project_Code")
    ('项目编码', 'project_code')
    >>> normalise_header("全年预算数（万元）")
    '全年预算数'
    """
    return re.sub(r"\((万元|元|%)\)$", "", text_key(text))


def header_unit(text: str) -> str | None:
    """The unit in brackets at the end of a header (``万元``, ``元``, ``%``), or None.

    A unit in a header is never converted (docs/data-contract.md#headers-表头): an
    amount column headed in 元 is refused, as reading it as 万元 would be 10,000
    times too large.

    Examples
    --------
    >>> header_unit("全年预算数（元）"), header_unit("全年预算数（万元）"), header_unit("年度")
    ('元', '万元', None)
    """
    found = re.search(r"\((万元|元|%)\)$", text_key(text))
    return found.group(1) if found else None


def _c(name: str, kind: str, required: bool, *aliases: str, label: str = "") -> Column:
    return Column(name, kind, required, tuple(aliases), label)


#: Where a row was read from when it came from a spreadsheet form (``perfkit import-forms``):
#: optional in ``projects`` and ``indicators``; scoring carries them into its results.
SOURCE_COLUMNS = ("source_file", "source_sheet", "source_cell")
SOURCE = (
    _c("source_file", "text", False, "来源文件"),
    _c("source_sheet", "text", False, "来源工作表"),
    _c("source_cell", "text", False, "来源单元格"),
)

PROJECTS = TableSpec(
    "projects",
    "项目",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("project_code", "text", True, "项目编码", "项目代码"),
        _c("project_name", "text", True, "项目名称"),
        _c("dept_code", "text", True, "部门编码", "部门代码"),
        _c("dept_name", "text", True, "部门名称", "主管部门"),
        _c("budget_initial", "amount", True, "年初预算数", "年初预算"),
        _c("budget_full_year", "amount", True, "全年预算数", "全年预算", "调整后预算数"),
        _c("executed", "amount", True, "全年执行数", "执行数", "实际支出"),
        _c("category", "text", False, "项目类别", "项目类型"),
        _c("self_score", "number", False, "自评得分", "自评分"),
        _c("self_grade", "text", False, "自评等级"),
        _c("carryover", "amount", False, "结转结余", "上年结转"),
        _c("funds_received", "amount", False, "实际到位资金", "到位资金"),
        *SOURCE,
    ),
    key=("year", "project_code"),
)

INDICATORS = TableSpec(
    "indicators",
    "绩效指标",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("unit_code", "text", True, "项目编码", "部门编码", "单位编码"),
        _c("level1", "text", True, "一级指标"),
        _c("level2", "text", True, "二级指标"),
        _c("name", "text", True, "三级指标", "指标名称"),
        _c("direction", "direction", True, "指标方向", "方向"),
        # a quantitative target may carry its direction and unit (≥95%, 不超过3天); a 定性
        # indicator's target may be blank: tables._validate.IndicatorValues, docs/data-contract.md
        _c("target", "measure", True, "年度指标值", "指标值", "目标值"),
        _c("actual", "measure", True, "实际完成值", "完成值"),
        _c("unit", "text", False, "计量单位", "单位"),
        _c("weight", "number", False, "分值", "权重"),
        _c("self_points", "number", False, "自评得分", "得分"),
        _c("reason", "text", False, "偏差原因", "偏差原因分析及改进措施"),
        *SOURCE,
    ),
    key=("year", "unit_code", "level1", "level2", "name"),
)

DEPARTMENTS = TableSpec(
    "departments",
    "部门",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("dept_code", "text", True, "部门编码", "部门代码"),
        _c("dept_name", "text", True, "部门名称"),
        _c("level", "text", False, "级次"),
        _c("sector", "text", False, "行业"),
        _c("budget_full_year", "amount", False, "全年预算数"),
        _c("executed", "amount", False, "全年执行数", "执行数"),
        _c("previous_code", "text", False, "原部门编码"),
    ),
    key=("year", "dept_code"),
)

ASSESSMENTS = TableSpec(
    "assessments",
    "考核打分",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("unit_code", "text", True, "部门编码", "项目编码", "单位编码"),
        _c("item", "text", True, "指标", "考核内容", "考核指标"),
        _c("score", "number", False, "得分", "考核结果"),
        _c("value", "number", False, "计算值"),
        _c("note", "text", False, "备注"),
    ),
    key=("year", "unit_code", "item"),
)

VERIFICATIONS = TableSpec(
    "verifications",
    "复核结果",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("unit_code", "text", True, "项目编码", "部门编码", "单位编码"),
        _c("verified_score", "number", True, "复核得分"),
        _c("name", "text", False, "三级指标", "指标名称"),
        _c("verified_actual", "measure", False, "复核完成值"),
        _c("verified_points", "number", False, "复核指标得分"),
        _c("note", "text", False, "备注"),
    ),
    key=("year", "unit_code", "name"),
)

MONITORING = TableSpec(
    "monitoring",
    "执行监控",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("month", "month", True, "月份"),
        _c("unit_code", "text", True, "项目编码", "单位编码"),
        _c("executed_to_date", "amount", True, "累计执行数"),
    ),
    key=("year", "month", "unit_code"),
)

INDICATOR_PROGRESS = TableSpec(
    "indicator_progress",
    "指标进度",
    (
        _c("year", "year", True, "年度", "年份"),
        _c("month", "month", True, "月份"),
        _c("unit_code", "text", True, "项目编码", "单位编码"),
        _c("name", "text", True, "三级指标", "指标名称"),
        _c("actual_to_date", "measure", True, "累计完成值"),
    ),
    key=("year", "month", "unit_code", "name"),
)

SURVEY = TableSpec(
    "survey",
    "满意度调查",
    (
        _c("respondent", "text", True, "受访者", "问卷编号", "答卷编号"),
        _c("question", "text", True, "题目", "问题", "调查项目"),
        _c("answer", "text", True, "答案", "回答", "满意程度"),
        _c("year", "year", False, "年度", "年份"),
        _c("unit_code", "text", False, "项目编码", "部门编码", "单位编码"),
    ),
    key=("year", "unit_code", "respondent", "question"),
)

#: ``projects`` during the year (年中监控): the year is not over, so ``executed``
#: (and ``budget_initial``) may be left out or empty; monitoring needs only the
#: codes, names and ``budget_full_year``.  The year-end ``projects`` table is
#: unchanged.
MIDYEAR_PROJECTS = PROJECTS.with_optional("budget_initial", "executed", variant="midyear")

#: ``indicators`` as annual targets (绩效目标): ``actual`` may be left out or
#: empty, as it is before the year ends.
INDICATOR_TARGETS = INDICATORS.with_optional("actual", variant="targets")

#: Every contract table by name.
TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        PROJECTS,
        INDICATORS,
        DEPARTMENTS,
        ASSESSMENTS,
        VERIFICATIONS,
        MONITORING,
        INDICATOR_PROGRESS,
        SURVEY,
    )
}


def table_spec(name: str) -> TableSpec:
    """The contract's spec for table ``name`` (``projects``, ``indicators``, …).

    Examples
    --------
    >>> table_spec("projects").key
    ('year', 'project_code')
    """
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(
            _("unknown table {name!r}; the contract has {tables}").format(
                name=name, tables=sorted(TABLES)
            )
        ) from None


#: The header languages a contract table can be written with (``--headers``).
HEADERS = ("en", "zh")


def contract_headers(frame: pl.DataFrame, table: str, headers: str = "en") -> pl.DataFrame:
    """``frame`` with the contract's headers: English names as they are, or the Chinese ones.

    The Chinese header of a column is its first Chinese name in the contract
    (``executed`` → ``全年执行数``), one that perfkit reads back as that column;
    columns outside the contract keep their names.  Only the headers change: the
    values, their order and the column order stay.

    Examples
    --------
    >>> frame = pl.DataFrame({"year": [2024], "executed": [1.5], "note": ["x"]})
    >>> contract_headers(frame, "projects", "zh").columns
    ['年度', '全年执行数', 'note']
    >>> contract_headers(frame, "projects").columns
    ['year', 'executed', 'note']
    """
    if headers not in HEADERS:
        raise ValueError(
            _("headers must be one of {choices}, not {headers!r}").format(
                choices=HEADERS, headers=headers
            )
        )
    if headers == "en":
        return frame
    spec = table_spec(table)
    names = {c.name: c.display for c in spec.columns}
    return frame.rename({c: names[c] for c in frame.columns if c in names})


#: Direction words and symbols → canonical direction codes.
DIRECTIONS = {
    "正向": "positive",
    "≥": "positive",
    ">=": "positive",
    "positive": "positive",
    "反向": "reverse",
    "≤": "reverse",
    "<=": "reverse",
    "reverse": "reverse",
    "等于": "equal",
    "=": "equal",
    "equal": "equal",
    "定性": "qualitative",
    "qualitative": "qualitative",
}

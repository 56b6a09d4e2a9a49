"""A fictional sample region (示例数据): 云岭州, three years of projects and departments.

The generator builds one fictional prefecture with about forty departments and
about six hundred projects a year, with performance indicators, department
assessments (部门整体评价 under the built-in ``dept-overall`` system) and the
phenomena an evaluator looks for: December supplementary money that could not
be spent, chronically low execution, idle carried-over projects, budgets of 0,
spending above budget, a renamed department and inflated self-scores — and
mid-year monitoring snapshots of the last year (May and August, see
:mod:`perfkit.samples._monitoring`).  Every value follows data contract v1
(``docs/data-contract.md``); amounts are in 万元.

It is deterministic: one ``numpy.random.default_rng(seed)`` drives every draw
of the yearly tables, in a fixed order, and no set or hash order is ever
iterated, so the same arguments give byte-identical files.  The monitoring
snapshots draw from their own stream, ``default_rng([seed, 7])``, so the
yearly tables do not depend on them.  Amounts are held as integer cents and
written as two-decimal text; no float ever reaches a file.

Run ``python -m perfkit.samples.region data/sample`` to (re)write the sample.
``data/README.md`` is its data dictionary and lists the planted phenomena.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from perfkit.i18n import _
from perfkit.numbers import round_half_up
from perfkit.samples._monitoring import monitoring_tables
from perfkit.systems import System, load_system
from perfkit.systems._model import (
    ChecklistRule,
    DeductionRule,
    EnteredRule,
    EqualRule,
    PositiveRule,
    ReverseRule,
    SteppedRule,
    YesNoRule,
)
from perfkit.tables import contract_headers

__all__ = ["generate_sample", "write_sample"]

REGION = "云岭州"
FILES = (
    "projects",
    "indicators",
    "departments",
    "assessments",
    "monitoring",
    "indicator_progress",
)
#: The built-in system whose items ``assessments.csv`` fills for every department.
ASSESSMENT_SYSTEM = "dept-overall"

# ---------------------------------------------------------------- departments
# (code, name, level, sector, theme, size).  ``size`` weighs how many projects a
# department gets; ``theme`` picks its project names and indicators.
DEPARTMENTS: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("D01", "教育局", "州级", "教育", "教育", 3.0),
    ("D02", "卫生健康委员会", "州级", "卫生健康", "卫生", 3.0),
    ("D03", "民政局", "州级", "社会保障和就业", "民政", 2.5),
    ("D04", "人力资源和社会保障局", "州级", "社会保障和就业", "人社", 2.0),
    ("D05", "交通运输局", "州级", "交通运输", "交通", 2.0),
    ("D06", "住房和城乡建设局", "州级", "城乡社区", "住建", 2.0),
    ("D07", "水务局", "州级", "农林水", "水务", 2.0),
    ("D08", "林业和草原局", "州级", "农林水", "林草", 2.0),
    ("D09", "生态环境局", "州级", "节能环保", "生态", 1.5),
    ("D10", "自然资源局", "州级", "自然资源海洋气象", "自然资源", 1.2),
    ("D11", "文化和旅游局", "州级", "文化旅游体育与传媒", "文旅", 1.5),
    ("D12", "农牧局", "州级", "农林水", "农业", 3.0),
    ("D13", "公安局", "州级", "公共安全", "公安", 1.5),
    ("D14", "司法局", "州级", "公共安全", "司法", 0.8),
    ("D15", "应急管理局", "州级", "灾害防治及应急管理", "应急", 1.0),
    ("D16", "市场监督管理局", "州级", "一般公共服务", "市场监管", 1.0),
    ("D17", "财政局", "州级", "一般公共服务", "财政", 1.0),
    ("D18", "发展和改革委员会", "州级", "一般公共服务", "发改", 1.0),
    ("D19", "科学技术局", "州级", "科学技术", "科技", 0.8),
    ("D20", "工业和信息化局", "州级", "资源勘探工业信息", "工信", 1.0),
    ("D21", "商务局", "州级", "商业服务业", "商务", 0.8),
    ("D22", "乡村振兴局", "州级", "农林水", "乡村振兴", 2.0),
    ("D23", "医疗保障局", "州级", "卫生健康", "医保", 1.0),
    ("D24", "退役军人事务局", "州级", "社会保障和就业", "退役军人", 0.8),
    ("D25", "统计局", "州级", "一般公共服务", "统计", 0.5),
    ("D26", "广播电视台", "州级", "文化旅游体育与传媒", "广电", 0.6),
    ("D27", "外事办公室", "州级", "一般公共服务", "外事", 0.6),
    ("D28", "民族宗教事务委员会", "州级", "一般公共服务", "民宗", 0.6),
    ("D29", "机关事务管理局", "州级", "一般公共服务", "机关事务", 0.6),
    ("D30", "粮食和物资储备局", "州级", "粮油物资储备", "粮储", 0.5),
    ("D31", "青溪县教育体育局", "县级", "教育", "教育", 1.2),
    ("D32", "青溪县卫生健康局", "县级", "卫生健康", "卫生", 1.0),
    ("D33", "青溪县农业农村局", "县级", "农林水", "农业", 1.2),
    ("D34", "白沙县民政局", "县级", "社会保障和就业", "民政", 0.8),
    ("D35", "白沙县交通运输局", "县级", "交通运输", "交通", 0.8),
    ("D36", "白沙县住房和城乡建设局", "县级", "城乡社区", "住建", 0.8),
    ("D37", "云川县教育体育局", "县级", "教育", "教育", 1.0),
    ("D38", "云川县水务局", "县级", "农林水", "水务", 0.8),
    ("D39", "雪峰县林业和草原局", "县级", "农林水", "林草", 0.8),
    ("D40", "雪峰县卫生健康局", "县级", "卫生健康", "卫生", 0.8),
)

#: The department renamed and re-coded in the last year: old code, new code, new name.
RENAMED = ("D12", "D41", "农业农村局")
#: The department holding the seed's December-supplement project (4229.50 / 18966.53).
SEED_DEPT = "D27"
#: 2022 外事办: 18966.53 budget incl. 13850 added at the end of December, 4229.50 spent.
SEED_PROJECT = ("对外交流合作专项资金", 511653, 1385000, 422950)

PLACES = ("青溪县", "白沙县", "云川县", "雪峰县", "石门县", "澜江市", "州本级")

# ---------------------------------------------------------------- indicator templates
# An indicator template is (name, level2, direction, unit, kind, params):
#   count  – 正向, integer target drawn log-uniformly in params=(lo, hi)
#   pct    – 正向 percentage, target one of params
#   rev    – 反向, integer target in params=(lo, hi)
#   budget – 反向, target = the project's budget (万元), actual = its spending
#   zero   – 等于 0 (accidents, incidents)
#   std    – 等于 a standard, target one of params
#   qual   – 定性, params = target text

Template = tuple[str, str, str, str, str, tuple[Any, ...]]


def _cnt(name: str, unit: str, lo: int, hi: int, level2: str = "数量指标") -> Template:
    return (name, level2, "正向", unit, "count", (lo, hi))


def _pct(name: str, level2: str, *targets: int) -> Template:
    return (name, level2, "正向", "%", "pct", targets)


def _rev(name: str, level2: str, unit: str, lo: int, hi: int) -> Template:
    return (name, level2, "反向", unit, "rev", (lo, hi))


def _zero(name: str, level2: str, unit: str) -> Template:
    return (name, level2, "等于", unit, "zero", ())


def _std(name: str, level2: str, unit: str, *values: int) -> Template:
    return (name, level2, "等于", unit, "std", values)


def _qual(name: str, level2: str, target: str) -> Template:
    return (name, level2, "定性", "", "qual", (target,))


SOC, ECO, ENV, SUS = "社会效益", "经济效益", "生态效益", "可持续影响"


@dataclass(frozen=True)
class Theme:
    """A department's line of work: project names (with category) and indicators."""

    projects: tuple[tuple[str, str], ...]
    outputs: tuple[Template, ...]
    effects: tuple[Template, ...]
    satisfaction: str = "服务对象满意度"


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _load_themes() -> dict[str, Theme]:
    """The themes table, ``themes.yaml`` next to this module (lists read back as tuples)."""
    text = resources.files("perfkit.samples").joinpath("themes.yaml").read_text(encoding="utf-8")
    return {
        name: Theme(**{key: _tuples(value) for key, value in fields.items()})
        for name, fields in yaml.safe_load(text).items()
    }


#: Theme name → its projects and indicator templates, from ``themes.yaml`` (package data).
THEMES: dict[str, Theme] = _load_themes()

#: Projects every department has (运转保障 and the like); they take generic outputs.
GENERIC_PROJECTS: tuple[tuple[str, str], ...] = (
    ("信息化建设及运维经费", "运转保障"),
    ("专项业务工作经费", "运转保障"),
    ("聘用人员经费", "运转保障"),
    ("办公设备购置", "运转保障"),
    ("业务培训经费", "其他"),
    ("宣传工作经费", "其他"),
)

GENERIC_OUTPUTS: tuple[Template, ...] = (
    _cnt("运维信息系统数量", "套", 2, 20),
    _cnt("开展专项业务培训", "期", 2, 30),
    _cnt("完成宣传报道篇数", "篇", 10, 200),
    _cnt("开展监督检查次数", "次", 5, 80),
    _cnt("保障聘用人员数量", "人", 5, 120),
    _cnt("购置办公设备数量", "台（套）", 10, 300),
)

GENERIC_BY_LEVEL2: dict[str, tuple[Template, ...]] = {
    "质量指标": (
        _pct("项目验收合格率", "质量指标", 95, 100),
        _pct("资金发放准确率", "质量指标", 100),
        _pct("工程质量合格率", "质量指标", 95, 100),
        _zero("质量安全事故发生数", "质量指标", "起"),
        _pct("档案资料完整率", "质量指标", 95, 100),
        _qual("项目实施规范性", "质量指标", "符合相关规定"),
        _rev("群众投诉件数", "质量指标", "件", 3, 20),
    ),
    "时效指标": (
        _pct("资金拨付及时率", "时效指标", 95, 100),
        _rev("补助资金发放周期", "时效指标", "天", 15, 60),
        _pct("项目按期完成率", "时效指标", 90, 100),
        _qual("项目完成及时性", "时效指标", "按期完成"),
        _rev("问题整改完成时限", "时效指标", "天", 15, 45),
    ),
    "成本指标": (
        ("项目支出控制数", "成本指标", "反向", "万元", "budget", ()),
        _std("人均补助标准", "成本指标", "元/人", 300, 600, 1000, 1200, 2400),
        _rev("单位工程造价", "成本指标", "元/平方米", 800, 3000),
        _qual("成本控制情况", "成本指标", "控制在预算范围内"),
    ),
    SOC: (_qual("社会公众认可度", SOC, "有效提升"), _pct("政策知晓率", SOC, 85, 90)),
    ECO: (_cnt("带动就业人数", "人", 20, 800, ECO), _qual("促进地方经济发展", ECO, "有效带动")),
    ENV: (_qual("生态环境影响", ENV, "无不良影响"), _zero("环境污染事件发生数", ENV, "起")),
    SUS: (
        _qual("长效管理机制建立情况", SUS, "建立健全"),
        _cnt("项目持续发挥作用年限", "年", 3, 10, SUS),
        _qual("对行业发展的持续影响", SUS, "持续发挥作用"),
    ),
}

GENERIC_SATISFACTION = ("服务对象满意度", "受益群众满意度", "社会公众满意度")

LEVEL1 = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    SOC: "效益指标",
    ECO: "效益指标",
    ENV: "效益指标",
    SUS: "效益指标",
    "服务对象满意度": "满意度指标",
}

QUAL_PHRASES = ("达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差")
#: Band of each qualitative level, in % of the weight: (min, max, max inclusive, default).
QUAL_BANDS = ((80, 100, True, 100), (60, 80, False, 70), (0, 60, False, 30))

SHORTFALL_REASONS = (
    "项目前期手续办理时间较长，开工时间推迟",
    "资金下达较晚，部分任务结转下年实施",
    "实际申报人数少于预期",
    "受雨季影响，工程进度滞后",
    "政策调整，部分任务未实施",
    "招标采购流程较长，合同签订推迟",
    "年初目标设定偏高，实际需求不足",
    "项目实施单位配套资金未及时到位",
)
OVERRUN_REASONS = ("原材料价格上涨，实际成本超出预期", "工作量增加，完成时间延长")
IDLE_REASON = "项目未实施，资金结转下年"
CANCELLED_REASON = "项目取消，预算收回"
OVER_REASON = "年初目标设定偏低，实际需求超出预期"

GROUP_POINTS = {"产出指标": 5000, "效益指标": 3000, "满意度指标": 1000}  # cents
GROUP_POINTS_NO_SAT = {"产出指标": 5625, "效益指标": 3375}

# Role of a project in a year (the planted phenomena).
NORMAL, SEED, CHRONIC, IDLE, STALLING, DECEMBER, ZERO_BUDGET, OVERSPENT = (
    "normal",
    "seed",
    "chronic",
    "idle",
    "stalling",
    "december",
    "zero_budget",
    "overspent",
)


# ---------------------------------------------------------------- small helpers


def _money(cents: int) -> Decimal:
    """Integer cents → a two-decimal Decimal (``422950`` → ``4229.50``)."""
    return Decimal(cents).scaleb(-2)


def _text(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros (``95.0`` → ``95``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _grade(cents: int) -> str:
    if cents >= 9000:
        return "优"
    if cents >= 8000:
        return "良"
    if cents >= 6000:
        return "中"
    return "差"


def _half_up(num: int, den: int) -> int:
    """round(num / den) half-up (:func:`perfkit.numbers.round_half_up`, exact)."""
    return int(round_half_up(Fraction(num, den), 0))


def _round_cents(rng: np.random.Generator, cents: float) -> int:
    """Round an amount given in cents: half of the time to whole 万元, as budgets often are."""
    if rng.random() < 0.5:
        return round(cents / 100.0) * 100
    return round(cents)


def _split_weights(rng: np.random.Generator, total: int, k: int) -> list[int]:
    """Split ``total`` cents into ``k`` unit-given weights: whole or half points, exact sum."""
    if k == 1:
        return [total]
    quantum = 100 if total >= 300 * k else 50
    shares = rng.dirichlet(np.full(k, 4.0))
    parts = [max(quantum, int(s * total) // quantum * quantum) for s in shares]
    parts[0] += total - sum(parts)
    while parts[0] <= 0:  # minimums pushed the first weight below zero: take from the largest
        j = max(range(1, k), key=lambda i: parts[i])
        parts[j] -= quantum
        parts[0] += quantum
    return parts


def _split_equal(total: int, k: int) -> list[int]:
    """Equal 2-decimal split, extra cents to the first items (docs/scoring.md, "Equal split")."""
    base, extra = divmod(total, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


# ---------------------------------------------------------------- model


@dataclass
class Indicator:
    """An indicator of a project, stable across the project's years."""

    level1: str
    level2: str
    name: str
    direction: str
    unit: str
    kind: str
    params: tuple[Any, ...]
    base: int = 0  # base target (count/rev) or chosen standard/percentage


@dataclass
class Project:
    """A project's stable attributes, and its amounts of the year before (``prev``)."""

    code: str
    name: str
    base_dept: str
    category: str
    generic: bool
    base_cents: int
    shortfall: float  # probability that a quantitative indicator falls short
    indicators: list[Indicator] = field(default_factory=list)
    weights: list[int] | None = None  # cents, unit-given; None → equal split
    continue_until: int = 0  # forced to continue up to this year
    ends: bool = False  # ends after the current year
    prev: dict[str, int] | None = None  # previous year's amounts


class _Region:
    """The mutable state of one generation run."""

    def __init__(self, rng: np.random.Generator, years: tuple[int, ...], n_departments: int):
        self.rng = rng
        self.years = years
        self.depts = DEPARTMENTS[:n_departments]
        self.dept_index = {d[0]: d for d in self.depts}
        self.rename_year = years[-1] if len(years) >= 2 and RENAMED[0] in self.dept_index else None
        self.seq: dict[tuple[int, str], int] = {}
        self.names: dict[str, set[str]] = {d[0]: set() for d in self.depts}  # membership only
        sizes = np.array([d[5] for d in self.depts])
        self.dept_p = sizes / sizes.sum()

    # -- departments
    def dept_code(self, base: str, year: int) -> str:
        if self.rename_year is not None and base == RENAMED[0] and year >= self.rename_year:
            return RENAMED[1]
        return base

    def dept_name(self, base: str, year: int) -> str:
        if self.dept_code(base, year) != base:
            return RENAMED[2]
        return self.dept_index[base][1]

    # -- projects
    def new_project(
        self, year: int, start: int, base: str | None = None, stem: tuple[str, str] | None = None
    ) -> Project:
        rng = self.rng
        if base is None:
            base = self.depts[int(rng.choice(len(self.depts), p=self.dept_p))][0]
        code_dept = self.dept_code(base, year)
        key = (start, code_dept)
        self.seq[key] = self.seq.get(key, 0) + 1
        code = f"P{start}-{code_dept}-{self.seq[key]:03d}"
        theme = THEMES[self.dept_index[base][4]]
        if stem is None:
            generic = bool(rng.random() < 0.22)
            pool = GENERIC_PROJECTS if generic else theme.projects
            stem = pool[int(rng.integers(len(pool)))]
        else:
            generic = False
        name = self._unique_name(base, stem[0])
        factor = {"基础设施": 2.5, "产业发展": 1.5, "民生保障": 1.3, "运转保障": 0.35, "其他": 0.8}[
            stem[1]
        ]
        if self.dept_index[base][2] == "县级":
            factor *= 0.5
        wan = float(np.clip(np.exp(rng.normal(np.log(120.0), 1.0)) * factor, 3.0, 20000.0))
        project = Project(
            code=code,
            name=name,
            base_dept=base,
            category=stem[1],
            generic=generic,
            base_cents=round(wan * 100),
            shortfall=float(min(0.6, rng.beta(2.0, 7.0))),
        )
        self._design_indicators(project, theme)
        return project

    def _unique_name(self, base: str, stem: str) -> str:
        used = self.names[base]
        name = stem
        if name in used:
            place = PLACES[int(self.rng.integers(len(PLACES)))]
            name = f"{stem}（{place}）"
        phase = 2
        while name in used:  # 二期 … 十期, then 第11批 …
            label = f"{'二三四五六七八九十'[phase - 2]}期" if phase <= 10 else f"第{phase}批"
            name = f"{stem}（{label}）"
            phase += 1
        used.add(name)
        return name

    def _design_indicators(self, project: Project, theme: Theme) -> None:
        """Choose 4–10 indicators and, for about half the projects, unit-given weights."""
        rng = self.rng
        total = int(rng.choice(np.arange(4, 11), p=[0.07, 0.13, 0.2, 0.22, 0.18, 0.12, 0.08]))
        has_sat = bool(rng.random() >= 0.15)
        n_sat = (2 if rng.random() < 0.15 else 1) if has_sat else 0
        n_eff = int(rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2]))
        n_out = max(2, total - n_sat - n_eff)
        chosen: list[Template] = []
        names: list[str] = []

        def take(pool: Sequence[Template], n: int) -> None:
            order = rng.permutation(len(pool))
            for i in order:
                if n == 0:
                    return
                if pool[int(i)][0] not in names:
                    chosen.append(pool[int(i)])
                    names.append(pool[int(i)][0])
                    n -= 1

        # 产出: at least one 数量指标, the rest drawn among 数量/质量/时效/成本
        outputs = GENERIC_OUTPUTS if project.generic else theme.outputs
        level2s = ["数量指标"] + [
            str(x)
            for x in rng.choice(
                ["数量指标", "质量指标", "时效指标", "成本指标"],
                size=n_out - 1,
                p=[0.35, 0.3, 0.2, 0.15],
            )
        ]
        for level2 in ("数量指标", "质量指标", "时效指标", "成本指标"):
            n = level2s.count(level2)
            if level2 == "数量指标":
                before = len(chosen)
                take(outputs, n)
                take(GENERIC_OUTPUTS, n - (len(chosen) - before))
            else:
                take(GENERIC_BY_LEVEL2[level2], n)
        # 效益: the theme's effects first, then generic ones
        before = len(chosen)
        take(theme.effects, n_eff)
        generic_effects = [t for lv in (SOC, ECO, ENV, SUS) for t in GENERIC_BY_LEVEL2[lv]]
        take(generic_effects, n_eff - (len(chosen) - before))
        # 满意度
        sat_names = [
            theme.satisfaction,
            *[s for s in GENERIC_SATISFACTION if s != theme.satisfaction],
        ]
        for i in range(n_sat):
            targets = (90, 95) if i else (85, 90, 95)
            chosen.append(_pct(sat_names[i], "服务对象满意度", *targets))
        for name, level2, direction, unit, kind, params in chosen:
            ind = Indicator(LEVEL1[level2], level2, name, direction, unit, kind, params)
            if kind in ("count", "rev"):
                lo, hi = params
                ind.base = round(np.exp(rng.uniform(np.log(lo), np.log(hi))))
            elif kind in ("pct", "std"):
                ind.base = int(params[int(rng.integers(len(params)))])
            project.indicators.append(ind)
        order = {"产出指标": 0, "效益指标": 1, "满意度指标": 2}
        project.indicators.sort(key=lambda i: order[i.level1])  # stable: keeps level2 order
        if rng.random() < 0.5:
            groups = GROUP_POINTS if has_sat else GROUP_POINTS_NO_SAT
            weights: list[int] = []
            for level1, points in groups.items():
                k = sum(1 for i in project.indicators if i.level1 == level1)
                weights += _split_weights(rng, points, k)
            project.weights = weights


# ---------------------------------------------------------------- amounts per year


def _amounts(region: _Region, p: Project, year: int, role: str, first: bool) -> dict[str, int]:
    """Budget, carry-over and spending (cents) of a project in a year, by its role."""
    rng = region.rng
    prev = p.prev
    if role == SEED:
        initial, adjust, executed = SEED_PROJECT[1:]
        return {"initial": initial, "carry": 0, "full": initial + adjust, "executed": executed}
    # carry-over (结转): the previous year's unspent money, mostly carried in full
    carry = 0
    if prev is not None:
        unspent = max(0, prev["full"] - prev["executed"])
        if role == IDLE or rng.random() < 0.65:
            carry = unspent
        else:
            carry = int(unspent * rng.uniform(0.2, 0.9))
    elif first and rng.random() < 0.25:
        carry = int(p.base_cents * rng.uniform(0.05, 0.4))
    growth = rng.uniform(0.9, 1.15)
    initial = _round_cents(rng, p.base_cents * growth)
    if role == IDLE:
        if prev is not None:  # carried over again, no new money, nothing spent
            return {"initial": 0, "carry": carry, "full": carry, "executed": 0}
        return {"initial": initial, "carry": carry, "full": initial + carry, "executed": 0}
    if role == ZERO_BUDGET:  # budget withdrawn (预算收回) during the year
        return {"initial": max(initial, 100), "carry": carry, "full": 0, "executed": 0}
    draw = rng.random()
    if role == DECEMBER:  # large supplementary money at the end of December
        adjust = round((initial + carry) * rng.uniform(1.8, 3.5) / 1000.0) * 1000
    elif draw < 0.55:
        adjust = 0
    elif draw < 0.85:
        adjust = int(initial * rng.uniform(0.02, 0.3))
    else:
        adjust = -int(initial * rng.uniform(0.02, 0.2))
    full = initial + carry + adjust
    if role == CHRONIC:
        rate = rng.uniform(0.18, 0.55)
    elif role == STALLING:  # started, then stalled: the rest is carried over
        rate = rng.uniform(0.1, 0.4)
    elif role == DECEMBER:
        rate = (initial + carry) * rng.uniform(0.55, 0.95) / full
    elif role == OVERSPENT:
        rate = rng.uniform(1.01, 1.08)
    elif prev is not None and prev["full"] > 0 and prev["executed"] < 0.6 * prev["full"]:
        rate = rng.uniform(0.6, 1.0)  # no ordinary project is low two years running
    elif rng.random() < 0.22:
        rate = 1.0
    else:
        rate = float(rng.beta(6.0, 1.4))
    executed = round(full * rate)
    return {"initial": initial, "carry": carry, "full": full, "executed": executed}


# ---------------------------------------------------------------- indicators per year


def _points(direction: str, target: Decimal, actual: Decimal | str, weight: int) -> int:
    """Points (cents) of an indicator by the default rules of docs/scoring.md, half-up."""
    if direction == "定性":
        pct = QUAL_BANDS[QUAL_PHRASES.index(str(actual))][3]
        return _half_up(weight * pct, 100)
    assert isinstance(actual, Decimal)
    t, a = Fraction(target), Fraction(actual)
    if direction == "反向":
        if a <= t:
            return weight
        if a >= 2 * t:
            return 0
        ratio = (2 * t - a) / t
    elif direction == "等于" and t == 0:
        return weight if a <= 0 else 0
    else:
        if a >= t or t == 0:
            return weight
        ratio = a / t
    return _half_up(weight * ratio.numerator, ratio.denominator)


def _band_max(weight: int, level: int) -> int:
    """Highest cents an entered qualitative score may have at a level (upper bound exclusive)."""
    _lo, hi, inclusive, _ = QUAL_BANDS[level]
    if inclusive:
        return weight * hi // 100
    return (weight * hi + 99) // 100 - 1


def _indicator_rows(
    region: _Region,
    p: Project,
    year: int,
    amounts: dict[str, int],
    not_done: bool,
    poor: bool,
    full_marks: bool,
) -> list[dict[str, Any]]:
    """One year's indicator rows of a project (target, actual, reason; points filled later)."""
    rng = region.rng
    rows = []
    short = min(0.75, p.shortfall + (0.35 if poor else 0.0))
    for ind in p.indicators:
        drift = rng.uniform(0.95, 1.15)
        reason = None
        outcome = rng.random()
        kind, unit = ind.kind, ind.unit
        if kind == "qual":
            target: str | Decimal = ind.params[0]
            if full_marks:
                level = 0
            elif not_done:
                level = 2
            else:
                partial = 0.18 + (0.3 if poor else 0.0)
                level = 0 if outcome >= partial else (1 if outcome >= partial * 0.25 else 2)
            actual: str | Decimal = QUAL_PHRASES[level]
            if level and rng.random() < 0.6:
                reason = SHORTFALL_REASONS[int(rng.integers(len(SHORTFALL_REASONS)))]
        elif kind in ("count", "pct"):
            if kind == "count":
                target = Decimal(max(1, round(ind.base * drift)))
            else:
                target = Decimal(ind.base)
            decimals = 2 if unit.startswith(("万", "亿")) else (1 if unit == "%" else 0)
            cap = {"%": Decimal(100), "天": Decimal(365)}.get(unit)
            if not_done:
                actual = Decimal(0)
            elif full_marks or outcome >= short:
                over = rng.random()
                if over < 0.62:
                    factor = 1.0
                elif over < 0.92:
                    factor = rng.uniform(1.0, 1.25)
                else:
                    factor = rng.uniform(1.3, 2.0)  # over-completion
                actual = (target * Decimal(f"{factor:.4f}")).quantize(Decimal(1).scaleb(-decimals))
                if cap is not None and actual > cap:
                    actual = cap
                if actual < target:
                    actual = target
                if factor >= 1.3 and actual >= target * Decimal("1.3") and rng.random() < 0.5:
                    reason = OVER_REASON
            else:
                factor = rng.uniform(0.45, 0.99)
                actual = (target * Decimal(f"{factor:.4f}")).quantize(Decimal(1).scaleb(-decimals))
                if rng.random() < 0.6:
                    reason = SHORTFALL_REASONS[int(rng.integers(len(SHORTFALL_REASONS)))]
        elif kind in ("rev", "budget"):
            if kind == "budget":
                base = amounts["initial"] or amounts["full"]
                target = _money(base)
                if not_done:
                    actual = Decimal(0).quantize(Decimal("0.01"))
                elif full_marks:
                    actual = _money(min(amounts["executed"], base))
                else:
                    actual = _money(amounts["executed"])
            else:
                target = Decimal(max(1, round(ind.base * drift)))
                if full_marks or outcome < 0.35:
                    actual = target
                elif outcome < 0.75:
                    actual = Decimal(max(0, round(float(target) * rng.uniform(0.5, 0.97))))
                elif outcome < 0.96:  # between target and twice the target
                    actual = Decimal(round(float(target) * rng.uniform(1.05, 1.9)))
                else:
                    actual = Decimal(round(float(target) * rng.uniform(2.0, 2.5)))
            if actual > target and rng.random() < 0.6:
                reason = OVERRUN_REASONS[int(rng.integers(len(OVERRUN_REASONS)))]
        elif kind == "zero":
            target = Decimal(0)
            actual = Decimal(0) if (full_marks or not_done or outcome >= 0.05) else Decimal(1)
            if actual > 0:
                reason = "发生一起事故，已按规定处置"
        else:  # std: equal to a standard
            target = Decimal(ind.base)
            if not_done:
                actual = Decimal(0)
            elif full_marks or outcome >= 0.1:
                actual = target
            else:
                actual = Decimal(int(ind.base * 0.9))
                reason = "部分对象按新标准执行时间较晚"
        if not_done and reason is None and kind != "zero":
            reason = IDLE_REASON if amounts["full"] > 0 else CANCELLED_REASON
        rows.append(
            {
                "year": year,
                "unit_code": p.code,
                "level1": ind.level1,
                "level2": ind.level2,
                "name": ind.name,
                "direction": ind.direction,
                "target": _measure(target, kind),
                "actual": _measure(actual, kind),
                "unit": unit or None,
                "weight": None,
                "self_points": None,
                "reason": reason,
                "_target": target,
                "_actual": actual,
            }
        )
    return rows


def _measure(value: str | Decimal, kind: str) -> str:
    """Target/actual as written: a phrase, a plain number, or 2-decimal 万元."""
    if isinstance(value, str):
        return value
    return format(value, "f") if kind == "budget" else _text(value)


def _self_evaluate(
    region: _Region, p: Project, rows: list[dict[str, Any]], amounts: dict[str, int], mode: str
) -> int:
    """Fill weights and self points of a project's rows; return the self score in cents.

    ``mode``: ``honest`` (self score = recomputed score), ``inflate`` (2–8 points
    above it), ``hundred`` (full marks whatever happened) or ``modest``
    (a little below).  With unit-given weights the self score is exactly
    execution points + the sum of the indicators' self points.
    """
    rng = region.rng
    full, executed = amounts["full"], amounts["executed"]
    exec_points = _half_up(1000 * min(executed, full), full) if full > 0 else 0
    weights = p.weights if p.weights is not None else []
    if p.weights is None:
        for level1 in ("产出指标", "效益指标", "满意度指标"):
            k = sum(1 for r in rows if r["level1"] == level1)
            if k:
                has_sat = any(r["level1"] == "满意度指标" for r in rows)
                points = (GROUP_POINTS if has_sat else GROUP_POINTS_NO_SAT)[level1]
                weights = weights + _split_equal(points, k)
    points = [
        _points(r["direction"], r["_target"], r["_actual"], w)
        for r, w in zip(rows, weights, strict=True)
    ]
    true_score = exec_points + sum(points)
    if mode == "hundred":
        inflation = 10000 - true_score
    elif mode == "inflate":  # 2–8 points, but reaching 100 only in mode "hundred"
        inflation = int(rng.integers(200, 801))
        inflation = max(0, min(inflation, 10000 - true_score - int(rng.integers(1, 150))))
    elif mode == "modest":
        inflation = -int(rng.integers(50, 301))
    else:
        inflation = 0
    if p.weights is None:
        return max(0, min(10000, true_score + inflation))
    # unit-given weights: spread the inflation over the items that have room
    claimed = [exec_points, *points]
    caps = [1000]
    for r, w in zip(rows, weights, strict=True):
        if r["direction"] == "定性":
            caps.append(_band_max(w, QUAL_PHRASES.index(r["_actual"])))
        else:
            caps.append(w)
    if inflation > 0:
        for i in (int(j) for j in rng.permutation(len(claimed))):
            extra = min(inflation, caps[i] - claimed[i])
            if extra > 0:
                claimed[i] += extra
                inflation -= extra
    elif inflation < 0:
        for i in (int(j) for j in rng.permutation(len(claimed))):
            cut = min(
                -inflation, claimed[i] - (0 if i == 0 else _band_min(rows[i - 1], weights[i - 1]))
            )
            if cut > 0:
                claimed[i] -= cut
                inflation += cut
    for r, w, c in zip(rows, weights, claimed[1:], strict=True):
        r["weight"] = _money(w)
        r["self_points"] = _money(c)
    return sum(claimed)


def _band_min(row: dict[str, Any], weight: int) -> int:
    if row["direction"] != "定性":
        return 0
    lo = QUAL_BANDS[QUAL_PHRASES.index(row["_actual"])][0]
    return (weight * lo + 99) // 100


# ---------------------------------------------------------------- assessments


def _assessment_rows(
    rng: np.random.Generator, system: System, year: int, dept: str, stats: dict[str, Any]
) -> list[dict[str, Any]]:
    """Evaluator-entered items of the assessment system for one department-year.

    Entered and checklist items get a ``score``; computed items get the
    ``value`` their rule scores (see :func:`_assessment_value`).  ``stats``
    holds the department's project totals (cents) and its ``diligence`` (0–1),
    how well it is run, which drives every draw.
    """
    diligence = stats["diligence"]
    rows = []
    for leaf in system.leaves():
        rule = leaf.rule
        score: Decimal | None = None
        value: Decimal | None = None
        note = None
        if isinstance(rule, EnteredRule):
            step = rule.step or (
                Decimal("0.5") if leaf.points % Decimal("0.5") == 0 else Decimal("0.01")
            )
            steps = int(leaf.points / step)
            lost = int(rng.binomial(min(steps, 4), 0.5 * (1.0 - diligence)))
            score = (steps - lost) * step
            if lost and rng.random() < 0.4:
                note = "相关佐证材料不完整"
        elif isinstance(rule, ChecklistRule):
            met = [rng.random() < 0.6 + 0.4 * diligence for _ in rule.items]
            score = sum((s.points for s, ok in zip(rule.items, met, strict=True) if ok), Decimal(0))
            missing = [s.label for s, ok in zip(rule.items, met, strict=True) if not ok]
            if missing and rng.random() < 0.5:
                note = f"未满足：{missing[0]}"
        elif isinstance(rule, YesNoRule):
            value = Decimal(1) if rng.random() < 0.7 + 0.28 * diligence else Decimal(0)
            if not value:
                note = "未提供相关制度文件"
        elif isinstance(rule, DeductionRule):
            count = int(rng.poisson(1.2 * (1.0 - diligence)))
            per = Decimal(1) if rule.per_occurrence is not None else Decimal("0.5")
            value = count * per  # occurrences, or the points deducted without per_occurrence
            if count:
                note = f"发现问题{count}个，已督促整改"
        elif rule is not None:
            value = _assessment_value(rng, leaf.label, rule, stats)
        rows.append(
            {
                "year": year,
                "unit_code": dept,
                "item": leaf.id,
                "score": None if score is None else score.quantize(Decimal("0.01")),
                "value": None if value is None else value.quantize(Decimal("0.01")),
                "note": note,
            }
        )
    return rows


def _pct_of(part: int, whole: int) -> Decimal:
    """part / whole × 100 as a 2-decimal Decimal (half-up); 0 when whole is 0."""
    return Decimal(_half_up(10000 * part, whole)).scaleb(-2) if whole else Decimal("0.00")


def _assessment_value(
    rng: np.random.Generator, label: str, rule: Any, stats: dict[str, Any]
) -> Decimal:
    """A realistic computed value (``value``) for a stepped or target item.

    Execution and carry-over rates come from the department's projects; the
    others are drawn around the item's target, better for diligent departments.
    """
    d = stats["diligence"]
    full, executed = stats["full"], stats["executed"]

    def two(x: float) -> Decimal:
        return Decimal(f"{x:.2f}")

    if "执行率" in label and "采购" not in label:
        return _pct_of(executed, full)
    if "结转" in label or "结余" in label:
        return _pct_of(max(0, full - executed), full)
    if isinstance(rule, SteppedRule):
        if "满意度" in label:  # 100 − satisfaction rate
            return two(100.0 - min(99.5, rng.normal(86.0 + 8.0 * d, 4.0)))
        deviation = rng.normal(-2.0, 4.0 + 14.0 * (1.0 - d))  # signed deviation in % points
        return two(deviation if rule.absolute else abs(deviation))
    target = float(rule.target if rule.target is not None else 100)
    if isinstance(rule, EqualRule) and target == 0:  # a change rate: mostly not increased
        draw = rng.random()
        if draw < 0.3:
            return Decimal("0.00")
        if draw < 0.85 - 0.1 * (1.0 - d):
            return two(-rng.uniform(0.5, 25.0))
        return two(rng.uniform(0.5, 12.0))
    if isinstance(rule, ReverseRule):
        if rng.random() < 0.1 + 0.25 * (1.0 - d):
            return two(target * rng.uniform(1.0, 1.15))
        return two(target * rng.uniform(0.8, 1.0))
    if isinstance(rule, PositiveRule | EqualRule) and rng.random() < 0.3 + 0.45 * d:
        return two(target)
    return two(target * rng.uniform(0.78 + 0.15 * d, 1.0))


# ---------------------------------------------------------------- public API


def generate_sample(
    seed: int = 2024,
    years: tuple[int, ...] = (2022, 2023, 2024),
    n_departments: int = 40,
    projects_per_year: int = 600,
) -> dict[str, pl.DataFrame]:
    """Generate the fictional sample region 云岭州 (示例数据).

    Parameters
    ----------
    seed : int, default 2024
        Seed of the ``numpy.random.default_rng`` that drives every draw of the
        yearly tables; the monitoring snapshots draw from their own stream
        ``default_rng([seed, 7])`` (see :mod:`perfkit.samples._monitoring`), so
        the yearly tables do not depend on them.
    years : tuple of int, default (2022, 2023, 2024)
        Budget years, ascending.  The department rename (D12 农牧局 → D41
        农业农村局) happens in the last year when there are two or more.
    n_departments : int, default 40
        Departments D01… (at most 40; the renamed one counts once).
    projects_per_year : int, default 600
        About this many projects each year (±2 %).

    Returns
    -------
    dict of str to polars.DataFrame
        ``projects``, ``indicators``, ``departments`` and ``assessments`` with
        the contract's canonical English columns, all years stacked, and
        ``monitoring`` and ``indicator_progress`` for May and August of the
        last year.  Amounts, weights and points are ``Decimal(18, 2)``;
        ``target``, ``actual`` and ``actual_to_date`` are text (a number, or a
        level phrase for 定性).

    Notes
    -----
    The planted phenomena (chronic low execution, idle projects, December
    supplements, budgets of 0, overspending, inflated self-scores, the renamed
    department) are described with their codes in ``data/README.md``.
    ``assessments`` needs the built-in ``dept-overall`` system.

    Examples
    --------
    >>> tables = generate_sample(years=(2023, 2024), n_departments=12, projects_per_year=60)
    >>> sorted(tables)
    ['assessments', 'departments', 'indicator_progress', 'indicators', 'monitoring', 'projects']
    >>> tables["departments"].filter(previous_code="D12")["dept_code"].to_list()
    ['D41']
    """
    years = tuple(sorted({int(y) for y in years}))
    if not years:
        raise ValueError(_("years must not be empty"))
    if not 1 <= n_departments <= len(DEPARTMENTS):
        raise ValueError(_("n_departments must be between 1 and {n}").format(n=len(DEPARTMENTS)))
    rng = np.random.default_rng(seed)
    region = _Region(rng, years, n_departments)
    first = years[0]
    scale = projects_per_year / 600.0
    n_chronic = max(1, round(15 * scale))
    n_idle = max(1, round(8 * scale)) if len(years) >= 2 else 0

    projects_out: list[dict[str, Any]] = []
    indicators_out: list[dict[str, Any]] = []
    roles: dict[str, str] = {}  # project code → standing role (seed/chronic/idle)
    idle_from: dict[str, int] = {}
    active: list[Project] = []
    for yi, year in enumerate(years):
        jitter = projects_per_year // 50  # about ±2 %
        target_n = projects_per_year + int(rng.integers(-jitter, jitter + 1))
        if yi == 0:
            if SEED_DEPT in region.dept_index:
                seed_project = region.new_project(year, year, SEED_DEPT, (SEED_PROJECT[0], "其他"))
                seed_project.continue_until = years[min(1, len(years) - 1)]
                roles[seed_project.code] = SEED
                active.append(seed_project)
            while len(active) < target_n:
                start = year - int(rng.choice([0, 1, 2, 3], p=[0.4, 0.25, 0.2, 0.15]))
                active.append(region.new_project(year, start))
            # standing roles: chronic low execution and idle projects, kept in every year
            candidates = [p for p in active if p.code not in roles and p.base_cents >= 2000]
            picks = [int(i) for i in rng.permutation(len(candidates))]
            renamed_first = [i for i in picks if candidates[i].base_dept == RENAMED[0]][:1]
            ordered = renamed_first + [i for i in picks if i not in renamed_first]
            for n, i in enumerate(ordered[: n_chronic + n_idle]):
                p = candidates[i]
                p.continue_until = years[-1]
                if n < n_chronic:
                    roles[p.code] = CHRONIC
                else:
                    roles[p.code] = IDLE
                    late = len(years) >= 3 and (n - n_chronic) % 2 == 1
                    idle_from[p.code] = years[1] if late else first
        else:
            kept = []
            for p in active:
                if p.ends:
                    continue
                keep_p = 0.9 if p.category == "运转保障" else 0.72
                if p.continue_until >= year or rng.random() < keep_p:
                    kept.append(p)
            active = kept
            while len(active) < target_n:
                active.append(region.new_project(year, year))
        # roles this year
        year_roles: dict[str, str] = {}
        for p in active:
            role = roles.get(p.code, NORMAL)
            if role == SEED and yi > 0:
                role = NORMAL
            if role == IDLE and year < idle_from[p.code]:
                role = STALLING
            year_roles[p.code] = role
        ordinary = [
            p
            for p in active
            if year_roles[p.code] == NORMAL and p.continue_until < year and p.base_cents >= 1000
        ]
        picks = [int(i) for i in rng.permutation(len(ordinary))]
        n_dec = max(1, round(8 * scale))
        n_zero = max(1, round(2 * scale))
        n_over = max(1, round(2 * scale))
        quotas = [(DECEMBER, n_dec), (ZERO_BUDGET, n_zero), (OVERSPENT, n_over)]
        for i in picks:
            if not quotas:
                break
            p = ordinary[i]
            role, left = quotas[0]
            if (
                role != OVERSPENT
                and p.prev is not None
                and (p.prev["executed"] < 0.6 * p.prev["full"])
            ):
                continue  # keeps "no ordinary project low two years running"
            year_roles[p.code] = role
            p.ends = p.ends or role == ZERO_BUDGET  # a withdrawn budget ends the project
            quotas = [(role, left - 1), *quotas[1:]] if left > 1 else quotas[1:]
        # self-evaluation modes: mostly inflated, some 100 even with low execution
        active.sort(key=lambda p: (region.dept_code(p.base_dept, year), p.code))
        year_rows: list[tuple[Project, dict[str, int], str]] = []
        for p in active:
            role = year_roles[p.code]
            amounts = _amounts(region, p, year, role, first=yi == 0)
            year_rows.append((p, amounts, role))
        low = [
            i
            for i, (_, a, r) in enumerate(year_rows)
            if a["full"] > 0 and a["executed"] < 0.8 * a["full"] and r != ZERO_BUDGET
        ]
        hundred = (
            {
                int(i)
                for i in rng.choice(
                    low, size=min(len(low), max(1, round(6 * scale))), replace=False
                )
            }
            if low
            else set()
        )
        for i, (p, amounts, role) in enumerate(year_rows):
            draw = rng.random()
            if i in hundred or draw < 0.02:
                mode = "hundred"
            elif draw < 0.74:
                mode = "inflate"
            elif draw < 0.96:
                mode = "honest"
            else:
                mode = "modest"
            not_done = role in (IDLE, ZERO_BUDGET) and amounts["executed"] == 0
            poor = role in (CHRONIC, DECEMBER, SEED, STALLING)
            rows = _indicator_rows(region, p, year, amounts, not_done, poor, mode == "hundred")
            score = _self_evaluate(region, p, rows, amounts, mode)
            for r in rows:
                del r["_target"], r["_actual"]
            indicators_out.extend(rows)
            projects_out.append(
                {
                    "year": year,
                    "project_code": p.code,
                    "project_name": p.name,
                    "dept_code": region.dept_code(p.base_dept, year),
                    "dept_name": region.dept_name(p.base_dept, year),
                    "budget_initial": _money(amounts["initial"]),
                    "budget_full_year": _money(amounts["full"]),
                    "executed": _money(amounts["executed"]),
                    "category": p.category,
                    "self_score": _money(score),
                    "self_grade": _grade(score),
                    "carryover": _money(amounts["carry"]),
                }
            )
            p.prev = amounts
        last_roles = year_roles  # the last year's roles, for the monitoring snapshots

    # departments and their assessments
    departments_out: list[dict[str, Any]] = []
    assessments_out: list[dict[str, Any]] = []
    diligence = {d[0]: float(rng.beta(5.0, 1.6)) for d in region.depts}
    system = load_system(ASSESSMENT_SYSTEM)
    for year in years:
        for d in region.depts:
            code = region.dept_code(d[0], year)
            mine = [r for r in projects_out if r["year"] == year and r["dept_code"] == code]
            full = sum(int(r["budget_full_year"] * 100) for r in mine)
            executed = sum(int(r["executed"] * 100) for r in mine)
            departments_out.append(
                {
                    "year": year,
                    "dept_code": code,
                    "dept_name": region.dept_name(d[0], year),
                    "level": d[2],
                    "sector": d[3],
                    "budget_full_year": _money(full),
                    "executed": _money(executed),
                    "previous_code": d[0] if code != d[0] else None,
                }
            )
            stats = {"full": full, "executed": executed, "diligence": diligence[d[0]]}
            assessments_out.extend(_assessment_rows(rng, system, year, code, stats))
    departments_out.sort(key=lambda r: (r["year"], r["dept_code"]))
    assessments_out.sort(key=lambda r: (r["year"], r["unit_code"]))  # stable: keeps item order
    # mid-year snapshots of the last year, from their own stream (the draws above are untouched)
    monitoring_out, progress_out = monitoring_tables(
        projects_out, indicators_out, last_roles, years[-1], seed
    )
    return {
        "projects": _frame(projects_out, "projects"),
        "indicators": _frame(indicators_out, "indicators"),
        "departments": _frame(departments_out, "departments"),
        "assessments": _frame(assessments_out, "assessments"),
        "monitoring": _frame(monitoring_out, "monitoring"),
        "indicator_progress": _frame(progress_out, "indicator_progress"),
    }


_AMOUNT = pl.Decimal(18, 2)
_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "projects": {
        "year": pl.Int64(),
        "project_code": pl.String(),
        "project_name": pl.String(),
        "dept_code": pl.String(),
        "dept_name": pl.String(),
        "budget_initial": _AMOUNT,
        "budget_full_year": _AMOUNT,
        "executed": _AMOUNT,
        "category": pl.String(),
        "self_score": _AMOUNT,
        "self_grade": pl.String(),
        "carryover": _AMOUNT,
    },
    "indicators": {
        "year": pl.Int64(),
        "unit_code": pl.String(),
        "level1": pl.String(),
        "level2": pl.String(),
        "name": pl.String(),
        "direction": pl.String(),
        "target": pl.String(),
        "actual": pl.String(),
        "unit": pl.String(),
        "weight": _AMOUNT,
        "self_points": _AMOUNT,
        "reason": pl.String(),
    },
    "departments": {
        "year": pl.Int64(),
        "dept_code": pl.String(),
        "dept_name": pl.String(),
        "level": pl.String(),
        "sector": pl.String(),
        "budget_full_year": _AMOUNT,
        "executed": _AMOUNT,
        "previous_code": pl.String(),
    },
    "assessments": {
        "year": pl.Int64(),
        "unit_code": pl.String(),
        "item": pl.String(),
        "score": _AMOUNT,
        "value": _AMOUNT,
        "note": pl.String(),
    },
    "monitoring": {
        "year": pl.Int64(),
        "month": pl.Int64(),
        "unit_code": pl.String(),
        "executed_to_date": _AMOUNT,
    },
    "indicator_progress": {
        "year": pl.Int64(),
        "month": pl.Int64(),
        "unit_code": pl.String(),
        "name": pl.String(),
        "actual_to_date": pl.String(),
    },
}


def _frame(rows: list[dict[str, Any]], table: str) -> pl.DataFrame:
    schema = _SCHEMAS[table]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def write_sample(out_dir: str | Path, *, headers: str = "en", **kwargs: Any) -> list[Path]:
    """Generate the sample and write it as UTF-8 CSV files (no BOM).

    Parameters
    ----------
    out_dir : str or Path
        Folder to write ``projects.csv``, ``indicators.csv``,
        ``departments.csv`` and ``assessments.csv`` into (created if missing).
    headers : {"en", "zh"}
        The contract's English column names, or its Chinese headers.
    **kwargs
        Passed to :func:`generate_sample` (``seed``, ``years``, …).

    Returns
    -------
    list of Path
        The files written, in the order above.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_sample(tmp, n_departments=5, projects_per_year=20, years=(2024,))
    ...     [p.name for p in paths]     # doctest: +NORMALIZE_WHITESPACE
    ['projects.csv', 'indicators.csv', 'departments.csv', 'assessments.csv',
     'monitoring.csv', 'indicator_progress.csv']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = generate_sample(**kwargs)
    paths = []
    for name in FILES:
        path = out / f"{name}.csv"
        text = contract_headers(tables[name], name, headers).write_csv(line_terminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


if __name__ == "__main__":
    target_dir = sys.argv[1] if len(sys.argv) > 1 else "data/sample"
    for written in write_sample(target_dir):
        print(f"{written}  {written.stat().st_size:,} bytes")

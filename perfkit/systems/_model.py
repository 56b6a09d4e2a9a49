"""The indicator-system model (指标体系): a tree of groups and items, each leaf with one rule.

An indicator system is data, written in YAML and validated on load with
pydantic.  Rules form a *closed* set of declarative kinds (:data:`Rule`); none
of them evaluates user text.  Two kinds of system exist:

``kind: indicators``
    Leaves come from the ``indicators`` table (项目支出绩效自评): groups marked
    ``from_data`` take the indicators whose 一级指标 matches the group's label or
    aliases, and each indicator's rule follows its direction
    (``indicator_rules``).  Weights come from the data or are split equally.
``kind: assessments``
    Every leaf is an item of the system (部门整体评价, 预算管理考核, 事前评估…),
    scored from the ``assessments`` table: an evaluator-entered score checked
    against the item's maximum, or a computed rule on the entered ``value``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from perfkit.config import StrictModel
from perfkit.i18n import _
from perfkit.numbers import two_decimals

__all__ = [
    "FLAG_CODES",
    "MEASURES",
    "SEVERITIES",
    "ChecklistRule",
    "DeductionRule",
    "EnteredRule",
    "EqualRule",
    "ExecutionRateRule",
    "GradeBand",
    "Node",
    "OverCompletion",
    "PositiveRule",
    "QualitativeLevel",
    "QualitativeRule",
    "ReverseRule",
    "Rule",
    "SteppedRule",
    "System",
    "YesNoRule",
    "qualitative_levels",
    "qualitative_rule",
]


# ---------------------------------------------------------------- rule kinds


class PositiveRule(StrictModel):
    """正向 (≥): actual ≥ target → full points; else points × actual / target.

    ``target`` is given only in assessment systems, where the entered
    ``value`` is the actual; indicator systems take target and actual from data.
    """

    kind: Literal["positive"] = "positive"
    target: Decimal | None = None


class ReverseRule(StrictModel):
    """反向 (≤): actual ≤ target → full.

    ``variant: linear`` (default): target < actual < 2·target → points ×
    (1 − (actual − target)/target), actual ≥ 2·target → 0.
    ``variant: ratio``: points × target / actual.
    """

    kind: Literal["reverse"] = "reverse"
    variant: Literal["linear", "ratio"] = "linear"
    target: Decimal | None = None


class EqualRule(StrictModel):
    """等于 (=): target 0 → full if actual ≤ 0 else 0; target > 0 → as positive."""

    kind: Literal["equal"] = "equal"
    target: Decimal | None = None


class QualitativeLevel(StrictModel):
    """One of the three qualitative levels: its phrase, band (% of points) and default."""

    phrase: str
    aliases: list[str] = Field(default_factory=list)
    min_pct: Decimal = Field(ge=0, le=100)
    max_pct: Decimal = Field(ge=0, le=100)
    max_inclusive: bool = False
    default_pct: Decimal = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _band(self) -> QualitativeLevel:
        if self.min_pct > self.max_pct:
            raise ValueError(
                _("min_pct {min_pct} is above max_pct {max_pct}").format(
                    min_pct=self.min_pct, max_pct=self.max_pct
                )
            )
        upper_ok = (
            self.default_pct <= self.max_pct
            if self.max_inclusive
            else (self.default_pct < self.max_pct)
        )
        if not (self.min_pct <= self.default_pct and upper_ok):
            raise ValueError(
                _("default_pct {default_pct} is outside the level's band").format(
                    default_pct=self.default_pct
                )
            )
        return self


def _default_levels() -> list[QualitativeLevel]:
    return [
        QualitativeLevel(
            phrase="达成年度指标",
            aliases=["达成", "已达成", "完成"],
            min_pct=Decimal(80),
            max_pct=Decimal(100),
            max_inclusive=True,
            default_pct=Decimal(100),
        ),
        QualitativeLevel(
            phrase="部分达成年度指标并具有一定效果",
            aliases=["部分达成", "基本达成"],
            min_pct=Decimal(60),
            max_pct=Decimal(80),
            default_pct=Decimal(70),
        ),
        QualitativeLevel(
            phrase="未达成年度指标且效果较差",
            aliases=["未达成", "未完成"],
            min_pct=Decimal(0),
            max_pct=Decimal(60),
            default_pct=Decimal(30),
        ),
    ]


class QualitativeRule(StrictModel):
    """定性: three levels, each a band of the points; entered score must fall in its band.

    With no entered score, the level's ``default_pct`` of the points is used
    (built-in 100 % / 70 % / 30 % — perfkit's documented convention).
    """

    kind: Literal["qualitative"] = "qualitative"
    levels: list[QualitativeLevel] = Field(default_factory=_default_levels)

    @field_validator("levels")
    @classmethod
    def _three(cls, levels: list[QualitativeLevel]) -> list[QualitativeLevel]:
        if len(levels) != 3:
            raise ValueError(
                _("a qualitative rule has exactly three levels, not {n_levels}").format(
                    n_levels=len(levels)
                )
            )
        words = [w for lv in levels for w in (lv.phrase, *lv.aliases)]
        dup = {w for w in words if words.count(w) > 1}
        if dup:
            raise ValueError(
                _("phrases used by more than one level: {dup}").format(dup=sorted(dup))
            )
        return levels

    def phrase_levels(self, key: Callable[[str], str] = str) -> dict[str, int]:
        """Every accepted phrase (its ``phrase`` and ``aliases``, through ``key``) → level 1–3.

        Examples
        --------
        >>> words = QualitativeRule().phrase_levels()
        >>> words["达成"], words["部分达成年度指标并具有一定效果"], words["未达成"]
        (1, 2, 3)
        """
        return {
            key(word): i
            for i, level in enumerate(self.levels, start=1)
            for word in (level.phrase, *level.aliases)
        }

    def accepted_text(self) -> str:
        """The three phrases and each level's first short form, for messages.

        Examples
        --------
        >>> QualitativeRule().accepted_text().split(" / ")[-3:]
        ['未达成年度指标且效果较差 (or 达成', '部分达成', '未达成)']
        """
        phrases = " / ".join(lv.phrase for lv in self.levels)
        short = [lv.aliases[0] for lv in self.levels if lv.aliases]
        return f"{phrases} (or {' / '.join(short)})" if short else phrases


class ExecutionRateRule(StrictModel):
    """预算执行率: min(执行数 / 全年预算数, 1) × points; budget 0 → 0 points and a flag."""

    kind: Literal["execution_rate"] = "execution_rate"


class Step(StrictModel):
    """A band of a stepped rule: values up to ``upto`` (inclusive) earn ``points``."""

    upto: Decimal | None = None
    points: Decimal = Field(ge=0)


class SteppedRule(StrictModel):
    """Stepped bands on the entered value (偏离度 ≤10 % → 3, 10–20 % → 2, …).

    ``absolute: true`` compares |value| (a deviation may be signed).  Bands are
    in ascending ``upto``; the last band has no ``upto`` and takes the rest.
    """

    kind: Literal["stepped"] = "stepped"
    bands: list[Step] = Field(min_length=2)
    absolute: bool = True

    @field_validator("bands")
    @classmethod
    def _ascending(cls, bands: list[Step]) -> list[Step]:
        if bands[-1].upto is not None:
            raise ValueError(_("the last band must have no 'upto' (it takes every larger value)"))
        bounds = [b.upto for b in bands[:-1]]
        if any(b is None for b in bounds):
            raise ValueError(_("only the last band may omit 'upto'"))
        if any(a >= b for a, b in itertools.pairwise(bounds)):
            raise ValueError(_("band bounds must ascend: {bounds}").format(bounds=bounds))
        return bands


class YesNoRule(StrictModel):
    """是/否: value 是/1 → full points, 否/0 → 0 (an entered score must be 0 or full)."""

    kind: Literal["yes_no"] = "yes_no"


class SubItem(StrictModel):
    label: str
    points: Decimal = Field(gt=0)


class ChecklistRule(StrictModel):
    """A checklist of sub-items (often half-point each); the score is the sum of those met.

    An entered score must equal the sum of some subset of the sub-items.
    """

    kind: Literal["checklist"] = "checklist"
    items: list[SubItem] = Field(min_length=1)


class DeductionRule(StrictModel):
    """Deduction from full marks with a floor of 0 (扣分制).

    The entered ``value`` is the number of occurrences when ``per_occurrence``
    is set (points = max(0, full − per_occurrence × value)), otherwise the
    points deducted.
    """

    kind: Literal["deduction"] = "deduction"
    per_occurrence: Decimal | None = Field(default=None, gt=0)


class EnteredRule(StrictModel):
    """Evaluator-entered score, validated against the item's maximum (and ``step``)."""

    kind: Literal["entered"] = "entered"
    step: Decimal | None = Field(default=None, gt=0)


Rule = Annotated[
    PositiveRule
    | ReverseRule
    | EqualRule
    | QualitativeRule
    | ExecutionRateRule
    | SteppedRule
    | YesNoRule
    | ChecklistRule
    | DeductionRule
    | EnteredRule,
    Field(discriminator="kind"),
]

# ---------------------------------------------------------------- tree

#: Measures a leaf of a key-evaluation system can be computed from (``measure:``), never
#: typed: the rate in percent that the leaf's rule turns into points (docs/key-evaluations.md).
Measure = Literal[
    "execution_rate",  # 预算执行率: executed / budget_full_year × 100
    "funds_in_place_rate",  # 资金到位率: funds_received / budget_full_year × 100
    "output_quantity",  # mean completion (%) of the object's 数量指标
    "output_quality",  # … 质量指标
    "output_timeliness",  # … 时效指标
    "output_cost",  # … 成本指标
    "satisfaction_rate",  # 满意度: (满意 + 非常满意) / n × 100 from the survey
    "satisfaction_index",  # 满意度: the survey's weighted index (0–100)
]
MEASURES: tuple[str, ...] = Measure.__args__  # type: ignore[attr-defined]
_MEASURE_RULES = ("positive", "reverse", "equal")


class Node(StrictModel):
    """A group or an item of the system tree.

    A leaf has a ``rule``; a group has ``children`` (whose points add up to
    its own), or ``from_data: true`` in an indicators system.
    """

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    points: Decimal = Field(ge=0)
    aliases: list[str] = Field(default_factory=list)
    rule: Rule | None = None
    children: list[Node] = Field(default_factory=list)
    from_data: bool = False
    if_absent: Literal["error", "redistribute"] = "error"
    redistribute_to: list[str] = Field(default_factory=list)
    bonus: bool = False
    note: str = ""
    #: 评分标准: what earns and what loses the item's points (shown beside the score).
    criteria: str = ""
    #: A computed leaf (key evaluations): the measure its rule scores, taken from the data.
    measure: Measure | None = None

    @field_validator("points")
    @classmethod
    def _two_decimals(cls, v: Decimal) -> Decimal:
        return two_decimals(v, "points")

    @model_validator(mode="after")
    def _shape(self) -> Node:
        shapes = sum([self.rule is not None, bool(self.children), self.from_data])
        if shapes != 1:
            raise ValueError(
                _(
                    "node {id!r} ({label}) needs exactly one of 'rule', 'children' "
                    "or 'from_data: true'"
                ).format(id=self.id, label=self.label)
            )
        if self.children:
            total = sum((c.points for c in self.children if not c.bonus), Decimal(0))
            if total != self.points:
                raise ValueError(
                    _(
                        "node {id!r} ({label}): children's points add up to {total}, not {points}"
                    ).format(id=self.id, label=self.label, total=total, points=self.points)
                )
        rule = self.rule
        if isinstance(rule, SteppedRule) and any(b.points > self.points for b in rule.bands):
            raise ValueError(
                _("node {id!r}: a band gives more than the item's {points}").format(
                    id=self.id, points=self.points
                )
            )
        if isinstance(rule, ChecklistRule):
            total = sum((s.points for s in rule.items), Decimal(0))
            if total != self.points:
                raise ValueError(
                    _("node {id!r}: checklist sub-items add up to {total}, not {points}").format(
                        id=self.id, total=total, points=self.points
                    )
                )
        if self.measure is not None and (rule is None or rule.kind not in _MEASURE_RULES):
            raise ValueError(
                _(
                    "node {id!r}: a computed leaf (measure: {measure}) needs a "
                    "rule that scores a value ({rules})"
                ).format(id=self.id, measure=self.measure, rules=", ".join(_MEASURE_RULES))
            )
        if self.if_absent == "redistribute" and not self.redistribute_to:
            raise ValueError(
                _("node {id!r}: if_absent: redistribute needs redistribute_to").format(id=self.id)
            )
        return self

    def leaves(self) -> list[Node]:
        """Leaf nodes below (and including) this node, in file order."""
        if not self.children:
            return [self]
        return [leaf for c in self.children for leaf in c.leaves()]

    def walk(self) -> list[Node]:
        """This node and every node below it, depth first."""
        return [self, *[n for c in self.children for n in c.walk()]]


class GradeBand(StrictModel):
    """A grade and its inclusive lower bound (优 ≥ 90)."""

    grade: str = Field(min_length=1)
    min: Decimal

    @field_validator("min")
    @classmethod
    def _two_decimals(cls, v: Decimal) -> Decimal:
        return two_decimals(v, "grade bound")


class OverCompletion(StrictModel):
    """超额完成: actual ≥ threshold % of target is flagged; optionally a deduction.

    ``action: deduct`` takes ``deduct_pct`` % of the indicator's points off
    (10号 allows a deduction by the size of the deviation; localities set it).
    """

    threshold_pct: Decimal = Field(default=Decimal(130), gt=100)
    action: Literal["flag", "deduct"] = "flag"
    deduct_pct: Decimal = Field(default=Decimal(0), ge=0, le=100)


#: The per-unit flags of an indicators system (风险提示), in the order they are listed.
FlagCode = Literal[
    "over_completion",
    "budget_zero",
    "execution_over_100",
    "unspent_over_20",
    "score_rate_above_execution",
    "self_score_diff",
    "self_grade_better",
    "self_100_low_execution",
]
FLAG_CODES: tuple[str, ...] = FlagCode.__args__  # type: ignore[attr-defined]
#: Severities, most severe first (高 / 中 / 低).
Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[str, ...] = Severity.__args__  # type: ignore[attr-defined]


def _default_severity() -> dict[str, str]:
    """perfkit's default severities (see docs/scoring.md, "Flags and risk order")."""
    return {
        "self_grade_better": "high",
        "self_100_low_execution": "high",
        "self_score_diff": "medium",
        "budget_zero": "medium",
        "execution_over_100": "medium",
        "unspent_over_20": "medium",
        "score_rate_above_execution": "low",
        "over_completion": "low",
    }


class Flags(StrictModel):
    """Thresholds and severities of the per-unit flags (复核风险提示).

    ``severity`` gives each flag ``high``, ``medium`` or ``low``; flags left
    out keep perfkit's default.  A project's risk level is its most severe
    flag's; projects are listed most severe first, then by money.
    """

    self_score_diff_points: Decimal = Decimal(5)
    self_100_execution_below_pct: Decimal = Decimal(80)
    score_rate_above_execution_rel_pct: Decimal = Decimal(5)
    unspent_above_pct: Decimal = Decimal(20)
    severity: dict[FlagCode, Severity] = Field(default_factory=_default_severity)

    @field_validator("severity", mode="after")
    @classmethod
    def _fill_severity(cls, given: dict) -> dict:
        return {**_default_severity(), **given}


class ResultUse(StrictModel):
    """结果应用 for one grade."""

    action: Literal["support", "improve", "cut", "cancel"]
    label: str


def _default_result_use() -> dict[str, ResultUse]:
    return {
        "优": ResultUse(action="support", label="优先保障"),
        "良": ResultUse(action="support", label="予以支持"),
        "中": ResultUse(action="improve", label="整改并压减预算"),
        "差": ResultUse(action="cut", label="压减或取消预算"),
    }


def _default_indicator_rules() -> dict[str, Rule]:
    return {
        "positive": PositiveRule(),
        "reverse": ReverseRule(),
        "equal": EqualRule(),
        "qualitative": QualitativeRule(),
    }


class System(StrictModel):
    """A whole indicator system: tree, grade bands, rules, flags and result use."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str
    kind: Literal["indicators", "assessments"]
    description: str = ""
    source: str = ""
    total: Decimal = Decimal(100)
    groups: list[Node] = Field(min_length=1)
    grades: list[GradeBand] = Field(min_length=1)
    rounding: Literal["half_up"] = "half_up"
    indicator_rules: dict[Literal["positive", "reverse", "equal", "qualitative"], Rule] = Field(
        default_factory=_default_indicator_rules
    )
    over_completion: OverCompletion = OverCompletion()
    flags: Flags = Flags()
    result_use: dict[str, ResultUse] = Field(default_factory=_default_result_use)

    @field_validator("indicator_rules", mode="after")
    @classmethod
    def _fill_rules(cls, rules: dict) -> dict:
        return {**_default_indicator_rules(), **rules}

    @field_validator("grades")
    @classmethod
    def _descending(cls, grades: list[GradeBand]) -> list[GradeBand]:
        mins = [g.min for g in grades]
        if any(a <= b for a, b in itertools.pairwise(mins)):
            raise ValueError(
                _("grade bands must be listed from the highest bound down: {mins}").format(
                    mins=mins
                )
            )
        names = [g.grade for g in grades]
        if len(set(names)) != len(names):
            raise ValueError(_("grade names repeat: {names}").format(names=names))
        return grades

    @model_validator(mode="after")
    def _consistent(self) -> System:
        base = sum((g.points for g in self.groups if not g.bonus), Decimal(0))
        if base != self.total:
            raise ValueError(
                _("top-level groups add up to {base}, not total {total}").format(
                    base=base, total=self.total
                )
            )
        nodes = [n for g in self.groups for n in g.walk()]
        ids = [n.id for n in nodes]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(_("node ids repeat: {dup}").format(dup=dup))
        top = {g.id for g in self.groups}
        for g in self.groups:
            bad = [t for t in g.redistribute_to if t not in top or t == g.id]
            if bad:
                raise ValueError(
                    _("group {id!r}: redistribute_to names unknown groups {bad}").format(
                        id=g.id, bad=bad
                    )
                )
        if self.kind == "indicators":
            execution = [n for n in nodes if isinstance(n.rule, ExecutionRateRule)]
            if len(execution) != 1:
                raise ValueError(_("an indicators system needs exactly one execution_rate item"))
            if not any(g.from_data for g in self.groups):
                raise ValueError(_("an indicators system needs at least one group with from_data"))
            if any(n.from_data for g in self.groups for n in g.walk()[1:]):
                raise ValueError(_("from_data is allowed on top-level groups only"))
        else:
            if any(n.from_data for n in nodes):
                raise ValueError(_("from_data is only for kind: indicators"))
            if any(isinstance(n.rule, ExecutionRateRule) for n in nodes):
                raise ValueError(
                    _(
                        "execution_rate needs projects; in an assessments system use "
                        "'positive' with target 100 on the entered rate"
                    )
                )
        for g in self.groups:
            for n in g.leaves():
                r = n.rule
                if (
                    self.kind == "assessments"
                    and isinstance(r, PositiveRule | ReverseRule | EqualRule)
                    and r.target is None
                ):
                    raise ValueError(
                        _(
                            "item {id!r}: a {kind} rule in an assessments system needs a target"
                        ).format(id=n.id, kind=r.kind)
                    )
                if self.kind == "assessments" and isinstance(r, QualitativeRule):
                    raise ValueError(
                        _(
                            "item {id!r} ({label}): a qualitative rule scores an "
                            "indicator's phrase and is not allowed in an assessments "
                            "system; use 'entered'"
                        ).format(id=n.id, label=n.label)
                    )
        if self.grades[-1].min > 0:
            raise ValueError(
                _("the lowest grade band must start at 0 or below so every score gets a grade")
            )
        return self

    # ------------------------------------------------------------- helpers
    def leaves(self) -> list[Node]:
        """Every leaf item in file order."""
        return [leaf for g in self.groups for leaf in g.leaves()]

    def group_of(self) -> dict[str, Node]:
        """Leaf id → its top-level group."""
        return {leaf.id: g for g in self.groups for leaf in g.leaves()}

    @property
    def execution_group(self) -> Node | None:
        """The top-level group holding the execution-rate item (indicators systems)."""
        for g in self.groups:
            if any(isinstance(n.rule, ExecutionRateRule) for n in g.walk()):
                return g
        return None

    @property
    def data_groups(self) -> list[Node]:
        """Top-level groups whose items come from the indicators table."""
        return [g for g in self.groups if g.from_data]

    @property
    def indicator_points(self) -> Decimal:
        """Points carried by the data-driven groups (90 in 项目支出绩效自评)."""
        return sum((g.points for g in self.data_groups), Decimal(0))


def qualitative_levels(system: System, key: Callable[[str], str] = str) -> dict[str, int]:
    """The one phrase → level lookup (定性): a system's qualitative phrases → level 1–3.

    Scoring, monitoring and verification all read a 定性 value through it, so a
    system's own phrases are honoured everywhere (see ``docs/systems.md``).

    Parameters
    ----------
    system : System
        The indicator system; its ``indicator_rules["qualitative"]`` holds the levels.
    key : callable
        Normalises each phrase (``perfkit.tables`` passes its ``text_key``).

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> qualitative_levels(load_system("project-self-eval"))["未完成"]
    3
    """
    return qualitative_rule(system).phrase_levels(key)


def qualitative_rule(system: System) -> QualitativeRule:
    """The system's 定性 rule (the built-in levels when it sets none).

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> len(qualitative_rule(load_system("project-self-eval")).levels)
    3
    """
    rule = system.indicator_rules.get("qualitative")
    return rule if isinstance(rule, QualitativeRule) else QualitativeRule()

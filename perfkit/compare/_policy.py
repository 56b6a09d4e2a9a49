"""Budget policy for result use (结果应用政策): what next year's budget does with each finding.

A policy is data — a YAML file such as ``parameters/policies/budget-policy.yaml``
— read with ``yaml.safe_load`` and validated with pydantic; a malformed file
fails with its path and the key path of every problem.  It says, for each
grade and for the chronic findings, what happens to a project's budget:

``keep``
    keep the base amount (优/良: 予以支持);
``cut``
    cut ``ratio_pct`` percent of the base (中 −10 %, 差 −30 %);
``cancel``
    cancel the project (suggested 0);
``recover``
    take the money back (suggested 0; for idle money, 收回);
``to_executed``
    cap the budget at what the project actually spent in the base year.

When several rules apply to a project the one that leaves the least money
wins (the largest cut); the reason lists every rule that applied.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from perfkit.config import StrictModel, load_yaml_model, validate_model
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.numbers import two_decimals
from perfkit.present._labels import ACTION_LABELS

__all__ = [
    "Action",
    "BudgetPolicy",
    "IdleRule",
    "LowEfficiencyRule",
    "PolicyError",
    "load_policy",
    "policy_from_dict",
]


class PolicyError(PerfkitError):
    """A budget-policy file is malformed; the message names the file and key paths."""


class Action(StrictModel):
    """What happens to a project's budget (``keep``, ``cut``, ``cancel``, ``recover`` …)."""

    action: Literal["keep", "cut", "cancel", "recover", "to_executed"]
    ratio_pct: Decimal | None = Field(default=None, description="percent cut, for action cut")
    label: str | None = Field(default=None, description="wording used in the reason")

    @model_validator(mode="after")
    def _ratio(self) -> Action:
        if self.action == "cut":
            if self.ratio_pct is None:
                raise ValueError(_("action cut needs ratio_pct (the percent cut, e.g. 10)"))
            if not Decimal(0) < self.ratio_pct <= Decimal(100):
                raise ValueError(
                    _("ratio_pct {ratio_pct} must be above 0 and at most 100").format(
                        ratio_pct=self.ratio_pct
                    )
                )
            two_decimals(self.ratio_pct, "ratio_pct")
        elif self.ratio_pct is not None:
            raise ValueError(
                _("ratio_pct is only for action cut, not {action}").format(action=self.action)
            )
        return self

    @property
    def keep_hundredths(self) -> int | None:
        """Percent of the base kept, in hundredths (10000 = all); None for ``to_executed``."""
        if self.action == "keep":
            return 10_000
        if self.action == "cut":
            assert self.ratio_pct is not None
            return 10_000 - int(self.ratio_pct * 100)
        if self.action in ("cancel", "recover"):
            return 0
        return None

    def describe(self) -> str:
        """The action in words: ``压减30%``, ``取消预算``, or the policy's own label.

        Examples
        --------
        >>> Action(action="cut", ratio_pct=Decimal("30")).describe()
        '压减30%'
        """
        if self.label:
            return self.label
        if self.action == "cut":
            return f"压减{_pct_text(self.ratio_pct)}%"
        return ACTION_LABELS[self.action]


def _pct_text(value: Decimal | None) -> str:
    text = format(value, "f") if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


class LowEfficiencyRule(Action):
    """低效项目: execution below ``threshold_pct`` in ``consecutive`` years running."""

    threshold_pct: Decimal = Decimal(60)
    consecutive: int = Field(default=2, ge=1)
    money_line_pct: Decimal = Decimal(10)

    @field_validator("threshold_pct", "money_line_pct")
    @classmethod
    def _percent(cls, value: Decimal) -> Decimal:
        if not Decimal(0) <= value <= Decimal(100):
            raise ValueError(
                _("{value} must be a percentage between 0 and 100").format(value=value)
            )
        return two_decimals(value, "percentage")


class IdleRule(Action):
    """闲置项目: money carried over and unspent in ``min_years`` years running."""

    min_years: int = Field(default=2, ge=1)


def _default_grades() -> dict[str, Action]:
    return {
        "优": Action(action="keep", label="优先保障"),
        "良": Action(action="keep", label="予以支持"),
        "中": Action(action="cut", ratio_pct=Decimal(10)),
        "差": Action(action="cut", ratio_pct=Decimal(30)),
    }


class BudgetPolicy(StrictModel):
    """A result-use budget policy (结果应用政策); see the module docstring.

    Examples
    --------
    >>> p = BudgetPolicy()
    >>> p.grades["差"].describe(), p.low_efficiency.describe(), p.idle.describe()
    ('压减30%', '压减20%', '收回闲置资金')
    """

    name: str = Field(default="budget-policy", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = "下年度预算安排结果应用政策（默认）"
    description: str = ""
    base: Literal["budget_full_year", "budget_initial"] = "budget_full_year"
    grades: dict[str, Action] = Field(default_factory=_default_grades)
    low_efficiency: LowEfficiencyRule = LowEfficiencyRule(action="cut", ratio_pct=Decimal(20))
    idle: IdleRule = IdleRule(action="recover", label="收回闲置资金")
    combine: Literal["largest_cut"] = "largest_cut"

    @field_validator("grades")
    @classmethod
    def _some_grades(cls, value: dict[str, Action]) -> dict[str, Action]:
        if not value:
            raise ValueError(_("give an action for every grade (优, 良, 中, 差)"))
        return value

    def check_grades(self, grades: list[str], source: str = "the policy") -> None:
        """Raise when the policy's grades differ from the indicator system's.

        Examples
        --------
        >>> BudgetPolicy().check_grades(["A", "B"], "p.yaml")
        Traceback (most recent call last):
        ...
        perfkit.compare._policy.PolicyError: p.yaml：grades：A, B 没有处理方式; ...
        """
        missing = [g for g in grades if g not in self.grades]
        extra = [g for g in self.grades if g not in grades]
        if missing or extra:
            parts = []
            if missing:
                parts.append(_("no action for {missing}").format(missing=", ".join(missing)))
            if extra:
                parts.append(
                    _("{extra} is not a grade of the system").format(extra=", ".join(extra))
                )
            raise PolicyError(
                _("{source}: grades: {parts} (the system's grades: {grades})").format(
                    source=source, parts="; ".join(parts), grades=", ".join(grades)
                )
            )


def policy_from_dict(data: object, source: str = "<dict>") -> BudgetPolicy:
    """Validate a mapping (parsed YAML) as a budget policy.

    Examples
    --------
    >>> policy_from_dict({"grades": {"中": {"action": "cut"}}}, "p.yaml")
    Traceback (most recent call last):
    ...
    perfkit.compare._policy.PolicyError: p.yaml：预算政策有误：
      grades.中: action cut 需要 ratio_pct（压减的百分比，如 10）
    """
    return validate_model(data, BudgetPolicy, source=source, **_HOW)


_HOW: dict[str, Any] = {"what": "budget policy", "shape": "name, grades, ...", "error": PolicyError}


def load_policy(policy: str | Path | BudgetPolicy | dict[str, Any] | None = None) -> BudgetPolicy:
    """Load a budget policy from YAML (safe_load), a mapping, or the default.

    Parameters
    ----------
    policy : path, mapping, BudgetPolicy or None
        None gives the default policy (中 −10 %, 差 −30 %, low efficiency
        −20 %, idle money recovered), the same as
        ``parameters/policies/budget-policy.yaml``.

    Raises
    ------
    PolicyError
        The file is missing, not YAML, or breaks the model; the message names
        the file and each offending key path.

    Examples
    --------
    >>> p = load_policy("parameters/policies/budget-policy.yaml")
    >>> p.grades["中"].ratio_pct, p.low_efficiency.threshold_pct
    (Decimal('10'), Decimal('60'))
    """
    if policy is None:
        return BudgetPolicy()
    if isinstance(policy, BudgetPolicy):
        return policy
    if isinstance(policy, dict):
        return policy_from_dict(policy)
    return load_yaml_model(Path(policy), BudgetPolicy, **_HOW)

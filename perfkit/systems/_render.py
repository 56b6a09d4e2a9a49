"""A system as text: the outline that ``perfkit systems show`` prints."""

from __future__ import annotations

from typing import Any

from perfkit.i18n import _
from perfkit.present._labels import SEVERITY_LABELS
from perfkit.systems._model import Node, System

__all__ = ["render_system"]


def render_system(system: System) -> str:
    """A system as an indented outline (for `perfkit systems show`).

    Examples
    --------
    >>> from perfkit.systems import load_system
    >>> print(render_system(load_system("project-self-eval")).splitlines()[0])
    项目支出绩效自评（财预〔2020〕10号） [project-self-eval, kind: indicators, 总分 100]
    """
    lines = [
        _("{title} [{name}, kind: {kind}, total {total}]").format(
            title=system.title, name=system.name, kind=system.kind, total=system.total
        )
    ]
    if system.description:
        lines.append(f"  {system.description.strip()}")

    def node(n: Node, depth: int) -> None:
        pad = "  " * depth
        tag = _(" (bonus or deduction)") if n.bonus else ""
        tag += (
            _(" [computed from the data: {measure}]").format(measure=n.measure) if n.measure else ""
        )
        head = _("{id} {label}: {points} points").format(id=n.id, label=n.label, points=n.points)
        if n.rule is not None:
            lines.append(f"{pad}{head} — {_rule_text(n.rule)}{tag}")
        elif n.from_data:
            extra = (
                _("; without indicators, shared out in proportion to {groups}").format(
                    groups=", ".join(n.redistribute_to)
                )
                if (n.if_absent == "redistribute")
                else ""
            )
            lines.append(
                _("{head} — indicators from the data{extra}").format(
                    head=f"{pad}{head}", extra=extra
                )
            )
        else:
            lines.append(f"{pad}{head}{tag}")
            for child in n.children:
                node(child, depth + 1)

    lines.append(_("tree:"))
    for group in system.groups:
        node(group, 1)
    if system.kind == "indicators":
        lines.append(
            _("indicator rules: ")
            + ", ".join(f"{k} → {_rule_text(r)}" for k, r in system.indicator_rules.items())
        )
        oc = system.over_completion
        action = (
            oc.action
            if oc.action == "flag"
            else _("deduct {pct}% of the points").format(pct=oc.deduct_pct)
        )
        lines.append(
            _("over-completion: ≥ {threshold_pct}% of target → {action}").format(
                threshold_pct=oc.threshold_pct, action=action
            )
        )
        severity = system.flags.severity
        lines.append(
            _("flag severity: ")
            + ", ".join(f"{code} {SEVERITY_LABELS[level]}" for code, level in severity.items())
        )
    lines.append(_("grades: ") + ", ".join(f"{b.grade} ≥ {b.min}" for b in system.grades))
    lines.append(
        _("result use: ") + ", ".join(f"{g}: {r.label}" for g, r in system.result_use.items())
    )
    return "\n".join(lines)


def _rule_text(rule: Any) -> str:
    fields = rule.model_dump(exclude={"kind"}, exclude_none=True)
    if rule.kind == "qualitative":
        return (
            "qualitative ("
            + " / ".join(
                f"{lv.phrase} {lv.min_pct}–{lv.max_pct}% 默认{lv.default_pct}%"
                for lv in rule.levels
            )
            + ")"
        )
    if rule.kind == "stepped":
        bands = [
            f"≤{b.upto}→{b.points}" if b.upto is not None else f"其余→{b.points}"
            for b in rule.bands
        ]
        return "stepped (" + ", ".join(bands) + ")"
    if rule.kind == "checklist":
        return "checklist (" + ", ".join(f"{s.label} {s.points}" for s in rule.items) + ")"
    detail = ", ".join(f"{k}={v}" for k, v in fields.items())
    return f"{rule.kind}" + (f" ({detail})" if detail else "")

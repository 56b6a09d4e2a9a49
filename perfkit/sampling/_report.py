"""Plain descriptions of a draw (抽样说明), for workbooks, notebooks and the CLI.

In the chosen language (the catalog's Chinese by default); the field workbook
writes them in Chinese whatever the language, as its other labels.
"""

from __future__ import annotations

from perfkit.i18n import N_, _
from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._risk import parse_rule

__all__ = ["design_text", "draw_summary"]

_METHODS = {
    "srs": N_("simple random sampling"),
    "stratified": N_("stratified random sampling"),
    "pps": N_(
        "systematic sampling with probability proportional to money (monetary-unit "
        "sampling, fixed interval, random start)"
    ),
    "cell": N_(
        "cell sampling with probability proportional to money (monetary-unit sampling, "
        "one random point per cell)"
    ),
}
_ALLOCATIONS = {
    "proportional": N_("proportional allocation"),
    "equal": N_("equal allocation"),
    "minimum": N_("a minimum per stratum, the rest proportional"),
}
_STRATA = {
    "dept_code": N_("department"),
    "dept_name": N_("department"),
    "category": N_("project category"),
    "grade": N_("recomputed grade"),
    "self_grade": N_("self-grade"),
    "amount_band": N_("amount band"),
}


def design_text(record: SelectionRecord) -> str:
    """The design of a record in one phrase (in the chosen language).

    Examples
    --------
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> rec = draw_sample(pop, Design("stratified", strata="dept_code", n=45,
    ...                               risk=("budget_zero",)), seed=1).record
    >>> design_text(rec)
    '分层随机抽样（按部门分层，按比例分配），样本量45个，风险必选规则：全年预算数为0，执行率无法计算'
    """
    d = record.design
    text = _(_METHODS[d["method"]]) if d["method"] in _METHODS else d["method"]
    if d["method"] == "stratified":
        strata = _(_STRATA[d["strata"]]) if d["strata"] in _STRATA else d["strata"]
        allocation = d.get("allocation") or "proportional"
        alloc = _(_ALLOCATIONS[allocation]) if allocation in _ALLOCATIONS else ""
        if allocation == "minimum":
            alloc = _("at least {minimum} per stratum, the rest proportional").format(
                minimum=d.get("minimum")
            )
        text += _(" (stratified by {strata}, {allocation})").format(strata=strata, allocation=alloc)
    kind, value = d["target"]["kind"], d["target"]["value"]
    if kind == "n":
        text += _(", sample size {n}").format(n=value)
    elif kind == "share":
        text += _(", {share:g}% of the units drawn").format(share=float(value) * 100)
    else:
        text += _(", money coverage at least {coverage:g}%").format(coverage=float(value) * 100)
    if d.get("risk"):
        rules = _("; ").join(parse_rule(r).describe() for r in d["risk"])
        text += _(", risk must-include rules: {rules}").format(rules=rules)
    return text


def draw_summary(record: SelectionRecord) -> list[str]:
    """A few sentences on what was drawn and why (in the chosen language).

    Examples
    --------
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> rec = draw_sample(pop, Design("srs", n=20), seed=1).record
    >>> draw_summary(rec)[0]
    '2023年度共606个项目，全年预算数合计153003.99万元。'
    """
    pop, draw = record.population, record.draw
    unit = _("projects") if pop["kind"] == "projects" else _("departments")
    lines = [
        _("{year}: {units} {unit}, full-year budget {money} (10k yuan) in all.").format(
            year=pop["year"], units=pop["units"], unit=unit, money=pop["money"]
        ),
        _("Method: {design}; random seed {seed} (numpy PCG64, numpy.random.default_rng).").format(
            design=design_text(record), seed=record.seed
        ),
        _(
            "{n} {unit} drawn: {risk} must-include by risk, {certain} must-include by an "
            "amount reaching the sampling interval, {random} at random; the full-year budget "
            "of the picks is {money} (10k yuan) in all."
        ).format(
            n=draw["n"],
            unit=unit,
            risk=draw["risk_picks"],
            certain=draw["certain_picks"],
            random=draw["random_picks"],
            money=draw["picked_money"],
        ),
    ]
    if draw.get("interval"):
        if draw.get("start"):
            lines.append(
                _(
                    "Sampling interval {interval} (10k yuan), random start {start} (10k yuan)."
                ).format(interval=draw["interval"], start=draw["start"])
            )
        else:
            lines.append(
                _("Sampling interval {interval} (10k yuan).").format(interval=draw["interval"])
            )
    return lines

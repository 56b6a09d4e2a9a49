"""Plain-Chinese descriptions of a draw (抽样说明), for workbooks, notebooks and the CLI."""

from __future__ import annotations

from perfkit.sampling._record import SelectionRecord
from perfkit.sampling._risk import parse_rule

__all__ = ["design_text", "draw_summary"]

_METHODS = {
    "srs": "简单随机抽样",
    "stratified": "分层随机抽样",
    "pps": "按金额概率比例系统抽样（货币单位抽样，固定间隔、随机起点）",
    "cell": "按金额概率比例分段随机抽样（货币单位抽样，每段随机一点）",
}
_ALLOCATIONS = {
    "proportional": "按比例分配",
    "equal": "等额分配",
    "minimum": "每层保底、余额按比例分配",
}
_STRATA = {
    "dept_code": "部门",
    "dept_name": "部门",
    "category": "项目类别",
    "grade": "复算等级",
    "self_grade": "自评等级",
    "amount_band": "金额区间",
}


def design_text(record: SelectionRecord) -> str:
    """The design of a record in one Chinese phrase.

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
    text = _METHODS.get(d["method"], d["method"])
    if d["method"] == "stratified":
        strata = _STRATA.get(d["strata"], d["strata"])
        alloc = _ALLOCATIONS.get(d.get("allocation") or "proportional", "")
        if d.get("allocation") == "minimum":
            alloc = f"每层至少{d.get('minimum')}个、余额按比例分配"
        text += f"（按{strata}分层，{alloc}）"
    kind, value = d["target"]["kind"], d["target"]["value"]
    if kind == "n":
        text += f"，样本量{value}个"
    elif kind == "share":
        text += f"，抽取{float(value) * 100:g}%的单位"
    else:
        text += f"，资金覆盖率不低于{float(value) * 100:g}%"
    if d.get("risk"):
        text += "，风险必选规则：" + "；".join(parse_rule(r).describe() for r in d["risk"])
    return text


def draw_summary(record: SelectionRecord) -> list[str]:
    """A few Chinese sentences on what was drawn and why.

    Examples
    --------
    >>> from perfkit.sampling import load_population, Design, draw_sample
    >>> pop = load_population("data/sample/projects.csv", year=2023)
    >>> rec = draw_sample(pop, Design("srs", n=20), seed=1).record
    >>> draw_summary(rec)[0]
    '2023年度共606个项目，全年预算数合计153003.99万元。'
    """
    pop, draw = record.population, record.draw
    unit = "项目" if pop["kind"] == "projects" else "部门"
    lines = [
        f"{pop['year']}年度共{pop['units']}个{unit}，全年预算数合计{pop['money']}万元。",
        f"抽样方法：{design_text(record)}；随机数种子{record.seed}"
        f"（numpy PCG64，numpy.random.default_rng）。",
        f"共抽取{draw['n']}个{unit}：风险必选{draw['risk_picks']}个，金额达到抽样间隔必选"
        f"{draw['certain_picks']}个，随机抽取{draw['random_picks']}个；抽中单位全年预算数合计"
        f"{draw['picked_money']}万元。",
    ]
    if draw.get("interval"):
        start = f"，随机起点{draw['start']}万元" if draw.get("start") else ""
        lines.append(f"抽样间隔{draw['interval']}万元{start}。")
    return lines

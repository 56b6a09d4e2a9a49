"""Chinese headers and words for the comparison's tables (跨年度比较报表表头)."""

from __future__ import annotations

from typing import Any

import polars as pl

from perfkit._frames import to_polars
from perfkit.compare._chronic import KIND_LABELS
from perfkit.compare._policy import ACTION_LABELS
from perfkit.compare._transitions import MOVEMENT_LABELS
from perfkit.present._labels import column_label

__all__ = ["COMPARE_LABELS", "compare_label", "for_people", "translate_compare"]

#: Comparison output column → header shown to people.
COMPARE_LABELS: dict[str, str] = {
    "from_year": "起始年度",
    "to_year": "对比年度",
    "from_grade": "起始等级",
    "to_grade": "对比等级",
    "units": "单位个数",
    "from_units": "起始等级单位数",
    "share": "占比（%）",
    "from_total": "起始得分",
    "to_total": "对比得分",
    "change": "变动",
    "movement": "等级变动",
    "improved": "等级提升",
    "declined": "等级下降",
    "stayed": "等级不变",
    "score_up": "得分上升",
    "score_down": "得分下降",
    "score_same": "得分不变",
    "mean_change": "平均变动",
    "median": "中位数",
    "p10": "10%分位",
    "p25": "25%分位",
    "p75": "75%分位",
    "p90": "90%分位",
    "min_change": "最大降幅",
    "max_change": "最大升幅",
    "bin_start": "变动区间下限（含）",
    "bin_end": "变动区间上限（不含）",
    "dept_code": "部门编码（现）",
    "dept_name": "部门名称（现）",
    "dept_code_then": "当年部门编码",
    "dept_name_then": "当年部门名称",
    "departments": "部门个数",
    "mean_score": "平均得分",
    "weighted_score": "资金加权平均得分",
    "score_change": "平均得分较上年变动",
    "from_value": "起始值",
    "to_value": "终止值",
    "direction": "方向",
    "kind": "问题类型代码",
    "kind_label": "问题类型",
    "years": "涉及年度",
    "first_year": "起始年度",
    "last_year": "终止年度",
    "n_years": "连续年数",
    "ongoing": "延续至最近年度",
    "execution_rates": "各年预算执行率",
    "unspent": "结余（万元）",
    "projects": "项目个数",
    "low_efficiency_projects": "低效项目个数",
    "idle_projects": "闲置项目个数",
    "low_efficiency_money": "低效项目资金（万元）",
    "idle_money": "闲置项目资金（万元）",
    "low_efficiency_share": "低效无效资金占比（%）",
    "line": "控制线（%）",
    "over_line": "超过控制线",
    "budget_year": "预算年度",
    "low_efficiency_years": "低效年度",
    "idle_years": "闲置年度",
    "base_amount": "基数（万元）",
    "suggested_amount": "建议安排（万元）",
    "cut_pct": "压减比例（%）",
    "freed": "压减/收回资金（万元）",
    "action": "处理方式",
    "applied_rule": "依据",
    "reason": "理由",
    "projects_cut": "压减项目数",
    "projects_to_zero": "取消或收回项目数",
    "by_low_efficiency": "按低效项目处理数",
    "by_idle": "按闲置项目处理数",
    "years_present": "有数据年度",
    "years_missing": "缺失年度",
    "entered": "新增",
    "ended": "已结束",
    "gap": "中间缺年",
    "carryover": "结转结余（万元）",
    "budget_initial": "年初预算数（万元）",
    "previous_code": "原部门编码",
}

_RULE_WORDS = {"grade": "评价等级", "low_efficiency": "低效项目", "idle": "闲置项目"}


def compare_label(name: str) -> str:
    """Header for a comparison column, falling back to perfkit's general labels.

    Examples
    --------
    >>> compare_label("weighted_score"), compare_label("grade_优"), compare_label("total")
    ('资金加权平均得分', '优（个）', '总分')
    """
    if name in COMPARE_LABELS:
        return COMPARE_LABELS[name]
    for prefix, suffix in (("grade_", "（个）"), ("share_", "占比（%）")):
        if name.startswith(prefix):
            return name[len(prefix) :] + suffix
    return column_label(name)


def translate_compare(frame: pl.DataFrame) -> pl.DataFrame:
    """Codes → Chinese words in the comparison's code columns (movement, kind, action, rule).

    Examples
    --------
    >>> translate_compare(pl.DataFrame({"movement": ["improved"], "action": ["recover"]})).row(0)
    ('等级提升', '收回资金')
    """
    maps = {
        "movement": MOVEMENT_LABELS,
        "action": ACTION_LABELS,
        "applied_rule": _RULE_WORDS,
        "kind": KIND_LABELS,
    }
    exprs = [
        pl.col(c).replace(m)
        for c, m in maps.items()
        if frame.schema.get(c) == pl.String and not (c == "kind" and "kind_label" in frame.columns)
    ]
    return frame.with_columns(exprs) if exprs else frame


def for_people(frame: Any) -> pl.DataFrame:
    """A comparison table as people read it: Chinese headers and words (for notebooks).

    Examples
    --------
    >>> for_people(pl.DataFrame({"dept_code": ["D41"], "movement": ["declined"]})).columns
    ['部门编码（现）', '等级变动']
    """
    table = to_polars(frame)
    table = translate_compare(table)
    names: dict[str, str] = {}
    for column in table.columns:
        label = compare_label(column)
        names[column] = label if label not in names.values() else f"{label}（{column}）"
    return table.rename(names)

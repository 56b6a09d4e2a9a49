"""Every user-facing text of target review (绩效目标审核), in one place.

Kept together so that the gettext catalog (``perfkit/i18n``) can take them over in one
move.  Templates use ``{}`` placeholders filled by ``polars.format`` (one per row,
vectorised) or ``str.format``.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "SUGGESTIONS", "TEXTS"]

# the labels of rules, families and severities are people's words for codes: they live in
# the one label registry (perfkit/present/_labels.py: TARGET_RULE_LABELS …)

#: Rule id → message template (``{}`` filled per row, in the order the rule gives).
MESSAGES = {
    "completeness.missing_level1": "项目 {} 缺少{}指标",
    "completeness.missing_output_kind": "项目 {} 的产出指标缺少{}",
    "completeness.duplicate_name": "指标“{}”在项目 {} 中重复（另见第 {} 行）",
    "clarity.no_number": "定量指标“{}”的年度指标值“{}”没有数值",
    "clarity.no_unit": "定量指标“{}”没有计量单位（年度指标值 {}）",
    "clarity.qualitative_share": "项目 {} 的 {} 个指标中有 {} 个定性指标，占 {}%，超过 {}%",
    "clarity.direction_contradiction": "指标“{}”的年度指标值“{}”与指标方向“{}”矛盾",
    "clarity.reverse_zero": "反向指标“{}”的目标值为 0",
    "relevance.vague_benefit": "效益指标“{}”表述空泛（含“{}”），无法衡量",
    "relevance.unit_category": "效益指标“{}”的计量单位“{}”不是{}类项目常用的单位（{}）",
    "relevance.cost_over_budget": "成本指标合计 {} 万元，超过项目预算 {} 万元",
    "relevance.outside_library": "指标“{}”不在{}类共性指标库中",
    "relevance.missing_common": "项目缺少{}类共性指标：{}",
    "ambition.target_low": "指标“{}”的目标 {} 不高于 {} 年的实际完成值 {}",
    "ambition.overachieved_not_raised": (
        "指标“{}”{} 年完成 {}，达到目标 {} 的 {}%，今年目标 {} 未提高"
    ),
    "ambition.raised_after_shortfall": (
        "指标“{}”{} 年只完成目标 {} 的 {}%（完成 {}），今年目标却提高到 {}"
    ),
    "ambition.budget_up_chronic_low": (
        "项目连续 {} 年预算执行率低于 {}%（{} 年 {}%），预算却由 {} 万元增加到 {} 万元"
    ),
}

#: Rule id → suggestion in Chinese (fixed text; the message carries the figures).
SUGGESTIONS = {
    "completeness.missing_level1": "补充该类指标；产出、效益、满意度指标均应设置",
    "completeness.missing_output_kind": "产出指标应覆盖数量、质量、时效、成本四个方面",
    "completeness.duplicate_name": "合并重复的指标，或改为能区分的名称",
    "clarity.no_number": "写明可衡量的数值，如“≥95%”“1200人次”",
    "clarity.no_unit": "补充计量单位（人次、%、万元、天……）",
    "clarity.qualitative_share": "把能量化的指标改为定量指标",
    "clarity.direction_contradiction": "使指标方向与指标值的符号一致",
    "clarity.reverse_zero": "目标为 0 的指标应设为“等于”（=0），反向指标应给出上限",
    "relevance.vague_benefit": "改为与项目直接相关、可衡量的效益指标（参照共性指标库）",
    "relevance.unit_category": "选择与项目类别相符的效益指标和计量单位",
    "relevance.cost_over_budget": "核实成本指标，合计不应超过项目预算",
    "relevance.outside_library": "优先选用共性指标库中的指标，或说明设置理由",
    "relevance.missing_common": "参照共性指标库补充同类项目的常用指标",
    "ambition.target_low": "目标应不低于上年实际完成水平",
    "ambition.overachieved_not_raised": "上年大幅超额完成，应适当提高目标",
    "ambition.raised_after_shortfall": "上年完成不足六成，提高目标前应说明依据",
    "ambition.budget_up_chronic_low": "执行持续偏低的项目不宜增加预算，应说明理由或压减",
}

#: Other texts (input problems, conclusions, headings).
TEXTS = {
    "unknown_project": "项目 {} 不在项目表 {} 的 {} 年项目中",
    "plan_year_mixed": "计划年度应只有一个，发现 {}",
    "history_not_earlier": "历史数据中有 {} 年，不早于计划年度 {}：历史只应包含以前年度",
    "library_missing_column": "共性指标库缺少列：{}",
    "library_bad_kind": "类型“{}”应为“指标”或“模糊表述”",
    "library_range": "典型值下限 {} 大于上限 {}",
    "negative_request": "申报数 {} 不能为负数",
    "negative_approved": "审定数 {} 不能为负数",
    "approved_over_request": "审定数 {} 大于申报数 {}",
    "history_missing": "历史数据文件夹 {} 中没有 {} 表",
}

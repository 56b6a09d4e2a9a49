"""Chinese labels for output columns and codes (报表中文表头)."""

from __future__ import annotations

import polars as pl

__all__ = [
    "COLUMN_LABELS",
    "DIRECTION_LABELS",
    "FLAG_LABELS",
    "SEVERITY_LABELS",
    "column_label",
    "translate_for_people",
]

#: Flag code → Chinese label used in reports.
FLAG_LABELS: dict[str, str] = {
    "over_completion": "超额完成（实际值≥目标值130%）",
    "budget_zero": "全年预算数为0，执行率无法计算",
    "execution_over_100": "执行数超过全年预算数",
    "unspent_over_20": "预算结余超过20%",
    "self_score_diff": "自评分与复算分差异较大或等级不一致",
    "self_grade_better": "自评等级高于复算等级",
    "self_100_low_execution": "自评满分但执行率偏低",
    "score_rate_above_execution": "指标得分率明显高于预算执行率",
}


#: Severity code → Chinese label used in reports (most severe first).
SEVERITY_LABELS: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}

#: Output column → header shown to people.
COLUMN_LABELS: dict[str, str] = {
    "year": "年度",
    "unit_code": "单位编码",
    "unit_name": "名称",
    "project_code": "项目编码",
    "project_name": "项目名称",
    "dept_code": "部门编码",
    "dept_name": "部门名称",
    "category": "项目类别",
    "budget_initial": "年初预算数（万元）",
    "budget_full_year": "全年预算数（万元）",
    "executed": "全年执行数（万元）",
    "execution_rate": "预算执行率（%）",
    "total": "总分",
    "base_total": "基础分",
    "bonus": "加减分",
    "grade": "等级",
    "self_score": "自评得分",
    "self_grade": "自评等级",
    "score_diff": "自评分−复算分",
    "indicator_score_rate": "指标得分率（%）",
    "n_indicators": "指标个数",
    "n_items": "考核项数",
    "weights_given": "分值由单位填报",
    "result_use": "结果应用建议",
    "flags": "风险提示",
    "risk_level": "风险等级",
    "risk_order": "风险排序",
    "group": "一级指标",
    "section": "考核内容",
    "level2": "二级指标",
    "item": "三级指标/考核项",
    "item_id": "考核项编号",
    "rule": "计分规则",
    "direction": "指标方向",
    "weight": "分值",
    "max_points": "分值",
    "weight_source": "分值来源",
    "target": "年度指标值",
    "actual": "实际完成值",
    "value": "计算值",
    "unit": "计量单位",
    "ratio": "完成比例",
    "points": "得分",
    "self_points": "自评得分",
    "stated_score": "填报得分",
    "points_diff": "复算分−自评分",
    "over_completion": "超额完成",
    "reason": "偏差原因",
    "note": "备注",
    "source_row": "源文件行号",
    "source_file": "来源文件",
    "source_sheet": "来源工作表",
    "source_cell": "来源单元格",
    "sheet": "工作表",
    "address": "位置",
    "subject": "指标/项目",
    "field": "栏目",
    "stated": "填报值",
    "recomputed": "复算值",
    "check": "核对规则",
    "layout": "表样",
    "reader": "读取方式",
    "status": "状态",
    "indicators": "指标个数",
    "errors": "错误数",
    "warnings": "警告数",
    "cell": "单元格",
    "file": "文件",
    "row": "行",
    "column": "列",
    "message": "问题",
    "severity": "级别",
    "n_projects": "项目数",
    "money": "资金（万元）",
    "share": "占比（%）",
    "points_lost": "失分",
    "lost_share": "失分占比（%）",
    "score_rate": "得分率（%）",
    "flag": "标记代码",
    "flag_label": "风险提示",
    "flag_labels": "风险提示",
    "action": "建议类型",
    "action_label": "结果应用",
    "unit_codes": "涉及项目",
    "score": "得分",
    # mid-year monitoring (绩效运行监控)
    "month": "月份",
    "as_of": "截至日期",
    "level1": "一级指标",
    "name": "三级指标",
    "executed_to_date": "累计执行数（万元）",
    "time_progress": "序时进度（%）",
    "execution_progress": "执行进度/序时进度（%）",
    "execution_alert": "执行预警",
    "execution_note": "执行说明",
    "expected_to_date": "按序时进度应执行数（万元）",
    "behind_schedule": "滞后金额（万元）",
    "unspent_to_date": "尚未执行数（万元）",
    "indicators_reported": "报送指标数",
    "indicators_red": "红色指标数",
    "indicators_yellow": "黄色指标数",
    "indicators_green": "绿色指标数",
    "indicators_blue": "蓝色指标数",
    "indicator_alert": "指标预警",
    "reasons": "预警原因",
    "actual_to_date": "累计完成值",
    "expected_value": "按序时进度应完成值",
    "progress": "完成进度/序时进度（%）",
    "completion": "占年度指标值（%）",
    "basis": "判定方法",
    "departments": "部门个数",
    "projects": "项目个数",
    "overall_progress": "总体进度（%）",
    "relation": "与序时进度比较",
    "red_projects": "红色项目数",
    "red_budget": "红色项目预算（万元）",
    "yellow_projects": "黄色项目数",
    "yellow_budget": "黄色项目预算（万元）",
    "green_projects": "绿色项目数",
    "green_budget": "绿色项目预算（万元）",
    "budget_zero_projects": "预算为0项目数",
    "indicator_red_projects": "指标红色项目数",
    "indicator_yellow_projects": "指标黄色项目数",
    "indicator_green_projects": "指标绿色项目数",
    "indicator_blue_projects": "指标蓝色项目数",
    "not_reported": "未报送项目数",
    "sentence": "监控结论",
    "detail": "预警情况",
    "n_poor": "差等项目数",
}

DIRECTION_LABELS = {"positive": "正向", "reverse": "反向", "equal": "等于", "qualitative": "定性"}
RULE_LABELS = {
    "execution_rate": "预算执行率",
    "positive": "正向",
    "reverse/linear": "反向（线性）",
    "reverse/ratio": "反向（比值）",
    "equal": "等于",
    "qualitative": "定性",
    "stepped": "分档",
    "yes_no": "是否",
    "checklist": "子项清单",
    "deduction": "扣分",
    "entered": "录入得分",
}
WEIGHT_SOURCE_LABELS = {"given": "单位填报", "equal_split": "平均分配", "system": "体系规定"}


def column_label(name: str) -> str:
    """Header shown to people for an output column.

    Examples
    --------
    >>> column_label("total"), column_label("flag_budget_zero"), column_label("产出指标")
    ('总分', '标记：全年预算数为0，执行率无法计算', '产出指标')
    """
    if name.startswith("flag_") and name[5:] in FLAG_LABELS:
        return "标记：" + FLAG_LABELS[name[5:]]
    return COLUMN_LABELS.get(name, name)


def translate_for_people(frame: pl.DataFrame) -> pl.DataFrame:
    """Codes → Chinese words in the columns people read (direction, rule, flags, risk, weights).

    Examples
    --------
    >>> df = pl.DataFrame({"flags": ["budget_zero;over_completion"], "risk_level": ["medium"]})
    >>> translate_for_people(df).row(0)
    ('全年预算数为0，执行率无法计算；超额完成（实际值≥目标值130%）', '中')
    """
    exprs = []
    if frame.schema.get("direction") == pl.String:
        exprs.append(pl.col("direction").replace(DIRECTION_LABELS))
    if frame.schema.get("rule") == pl.String:
        exprs.append(pl.col("rule").replace(RULE_LABELS))
    if frame.schema.get("weight_source") == pl.String:
        exprs.append(pl.col("weight_source").replace(WEIGHT_SOURCE_LABELS))
    if frame.schema.get("risk_level") == pl.String:
        exprs.append(pl.col("risk_level").replace(SEVERITY_LABELS))
    if frame.schema.get("flags") == pl.String:
        exprs.append(
            pl.col("flags")
            .str.split(";")
            .list.eval(pl.element().replace(FLAG_LABELS))
            .list.join("；")
        )
    return frame.with_columns(exprs) if exprs else frame

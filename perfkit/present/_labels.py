"""The one label registry (报表中文表头与代码用语): every column header and code word people read.

General headers (:data:`COLUMN_LABELS`) serve every report; a domain whose reports word a
column differently (``compare``: 部门编码（现）, ``sampling``: 复算得分) has its own headers in
:data:`DOMAIN_COLUMN_LABELS`, looked up first.  Code words (红/黄/绿/蓝, 等级提升, 收回资金 …)
live in :data:`CODE_LABELS`, per domain and column.  Domain packages import from here;
none keeps a dictionary of its own.  See ``docs/architecture.md``, "Labels and tables
for people".
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from perfkit.i18n import _

__all__ = [
    "ACTION_LABELS",
    "ALERT_LABELS",
    "APPLIED_RULE_LABELS",
    "BASIS_LABELS",
    "CODE_LABELS",
    "COLUMN_LABELS",
    "COMPARE_COLUMN_LABELS",
    "DIRECTION_LABELS",
    "DOMAINS",
    "DOMAIN_COLUMN_LABELS",
    "EXECUTION_NOTE_LABELS",
    "EXPLORER_COLUMN_LABELS",
    "FLAG_LABELS",
    "KIND_LABELS",
    "MOVEMENT_LABELS",
    "PICK_LABELS",
    "PROBLEM_LEVEL_LABELS",
    "REASON_LABELS",
    "RELATION_LABELS",
    "RULE_LABELS",
    "SAMPLING_COLUMN_LABELS",
    "SEVERITY_LABELS",
    "TARGET_FAMILY_LABELS",
    "TARGET_RULE_LABELS",
    "TARGET_SEVERITY_LABELS",
    "WEIGHT_SOURCE_LABELS",
    "column_label",
    "people_headers",
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
    "projects_losing": "失分项目数",
    "lost_rate": "失分率（%）",
    "mean_score_rate": "平均得分率（%）",
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

# ---------------------------------------------------------------- mid-year monitoring (双监控)

#: Alert colour code → the Chinese word used in workbooks and sentences.
ALERT_LABELS = {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝"}
#: Relation to time progress → the words used in sentences.
RELATION_LABELS = {
    "above": "高于",
    "slightly_above": "略高于",
    "equal": "持平",
    "slightly_below": "略低于",
    "below": "低于",
}
#: Indicator alert ``basis`` code → how the alert was decided.
BASIS_LABELS = {
    "positive": "正向：累计完成值 ÷（年度指标值 × 序时进度）",
    "equal": "等于（目标值 > 0）：同正向",
    "equal_zero": "等于 0：累计值 ≤ 0 为绿，否则为红",
    "target_zero": "正向、年度指标值为 0：已达成",
    "reverse": "反向：（年度指标值 × 序时进度）÷ 累计完成值；超过全年上限为红",
    "qualitative": "定性：达成绿、部分达成黄、未达成红",
}
#: ``execution_note`` code → words (the same state as the flag of that name).
EXECUTION_NOTE_LABELS = {"budget_zero": FLAG_LABELS["budget_zero"]}

# ---------------------------------------------------------------- cross-year comparison

#: Grade movement code → words.
MOVEMENT_LABELS = {"improved": "等级提升", "declined": "等级下降", "stayed": "等级不变"}
#: Budget action code → how a reason names it.
ACTION_LABELS = {
    "keep": "维持预算",
    "cut": "压减",
    "cancel": "取消预算",
    "recover": "收回资金",
    "to_executed": "按实际执行数核定",
}
#: Chronic problem kind → words.
KIND_LABELS = {"low_efficiency": "低效项目（执行率持续偏低）", "idle": "闲置项目（结转资金未使用）"}
#: The policy rule a suggestion applied → words.
APPLIED_RULE_LABELS = {"grade": "评价等级", "low_efficiency": "低效项目", "idle": "闲置项目"}

#: Comparison output column → header (where it differs from the general one).
COMPARE_COLUMN_LABELS: dict[str, str] = {
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

# ---------------------------------------------------------------- sampling and verification

#: How a unit came into the sample (the code before ``:`` in ``reason``) → words.
PICK_LABELS = {"risk": "风险必选", "certain": "金额必选", "random": "随机抽取"}
#: A pick's ``reason`` code → words in the field workbook (``risk:…`` names its rules).
REASON_LABELS = {"certain": "必选（金额达到抽样间隔）", "random": "随机抽取"}

#: Sampling and verification column → header (where it differs from the general one).
SAMPLING_COLUMN_LABELS: dict[str, str] = {
    "order": "序号",
    "stratum": "层",
    "reason": "抽取原因",
    "inclusion_probability": "入样概率",
    "verified_score": "复核得分",
    "verified_grade": "复核等级",
    "verified_diff": "自评分−复核分",
    "grade_change": "等级变化",
    "grade_better_than_verified": "自评等级高于复核等级",
    "items_changed": "变动指标数",
    "items_moved": "变动指标",
    "reported_actual": "填报完成值",
    "verified_actual": "复核完成值",
    "recomputed_points": "复算得分",
    "verified_points": "复核得分",
    "moved": "得分变动",
    "sheet": "工作表",
    "sheet_row": "工作表行号",
    "units": "单位数",
    "available": "可随机抽取单位数",
    "picked": "抽中单位数",
    **PICK_LABELS,
    "pick": "抽取",
    "money": "全年预算数（万元）",
    "picked_money": "抽中金额（万元）",
    "count_coverage": "数量覆盖率",
    "money_coverage": "资金覆盖率",
    "money_share": "资金占比",
    "note": "备注",
    "total": "复算得分",
    "grade": "复算等级",
}

# ---------------------------------------------------------------- key evaluations

#: Key evaluations (重点评价): the scored table's headers (docs/key-evaluations.md).
KEYEVAL_COLUMN_LABELS: dict[str, str] = {
    "unit_code": "对象编码",
    "unit_name": "对象名称",
    "kind": "评价类型",
    "item_id": "编号",
    "group": "一级指标",
    "level2": "二级指标",
    "item": "三级指标",
    "max_points": "分值",
    "points": "得分",
    "source": "计分方式",
    "criterion": "评分标准",
    "value": "计算值（%）",
    "trace": "数据来源",
    "evidence": "佐证材料",
    "reason": "扣分理由",
    "sheet": "底稿工作表",
    "row": "底稿行号",
    "total": "总分",
    "grade": "等级",
    "result_use": "结果应用",
    "question": "调查题目",
    "n": "有效答卷数",
    "satisfied": "满意数",
    "rate": "满意率（%）",
    "ci_low": "置信区间下限（%）",
    "ci_high": "置信区间上限（%）",
    "index": "满意度指数",
    "needed_n": "所需样本量",
    "enough": "样本量是否足够",
    "score_rate": "得分率（%）",
}
#: How a key-evaluation leaf was scored, and what was evaluated.
KEYEVAL_SOURCE_LABELS = {"computed": "由数据计算", "judged": "评价人评分"}
KEYEVAL_KIND_LABELS = {"project": "项目支出", "department": "部门整体支出"}

# ---------------------------------------------------------------- the registry

#: The analysis explorer's department overview → header (where it differs).
EXPLORER_COLUMN_LABELS: dict[str, str] = {"score": "加权平均分"}

#: Target review (绩效目标审核): rule family → label (the review system's item ids).
TARGET_FAMILY_LABELS: dict[str, str] = {
    "completeness": "完整性",
    "clarity": "明确性",
    "ambition": "合理性",
    "relevance": "相关性",
}

#: Severity → Chinese word (findings.csv keeps the code, people see the word).
TARGET_SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}

#: Rule id → short Chinese label.
TARGET_RULE_LABELS: dict[str, str] = {
    "completeness.missing_level1": "缺少一级指标",
    "completeness.missing_output_kind": "产出指标不全",
    "completeness.duplicate_name": "指标名称重复",
    "clarity.no_number": "定量指标无数值",
    "clarity.no_unit": "定量指标无计量单位",
    "clarity.qualitative_share": "定性指标占比过高",
    "clarity.direction_contradiction": "指标方向与指标值矛盾",
    "clarity.reverse_zero": "反向指标目标为0",
    "relevance.vague_benefit": "效益指标表述空泛",
    "relevance.unit_category": "效益指标单位与项目类别不符",
    "relevance.cost_over_budget": "成本指标超出项目预算",
    "relevance.outside_library": "指标不在共性指标库中",
    "relevance.missing_common": "缺少共性指标",
    "ambition.target_low": "目标偏低",
    "ambition.overachieved_not_raised": "持续超额未调高目标",
    "ambition.raised_after_shortfall": "目标偏高",
    "ambition.budget_up_chronic_low": "执行持续偏低仍增加预算",
}

#: Target review's output columns → header.
TARGETS_COLUMN_LABELS: dict[str, str] = {
    "project_name": "项目名称",
    "name": "三级指标",
    "rule": "审核规则",
    "family": "审核方面",
    "severity": "严重程度",
    "message": "审核发现",
    "suggestion": "修改建议",
    "file": "文件",
    "row": "行",
    "column": "列",
    "score": "审核得分",
    "conclusion": "审核结论",
    "result_use": "处理意见",
    "n_error": "错误（个）",
    "n_warning": "警告（个）",
    "n_info": "提示（个）",
    "n_findings": "审核发现（个）",
    "requested": "申报数",
    "approved": "审定数",
    "reduced": "审减数",
    "reduction_rate": "审减率（%）",
    "level": "级次",
    "region": "地区",
}

#: The domains whose reports word some columns or codes their own way.
DOMAINS = ("general", "compare", "explorer", "monitoring", "sampling", "targets", "keyeval")
#: Domain → its own headers, looked up before :data:`COLUMN_LABELS`.
DOMAIN_COLUMN_LABELS: dict[str, Mapping[str, str]] = {
    "general": {},
    "compare": COMPARE_COLUMN_LABELS,
    "explorer": EXPLORER_COLUMN_LABELS,
    "monitoring": {},
    "sampling": SAMPLING_COLUMN_LABELS,
    "targets": TARGETS_COLUMN_LABELS,
    "keyeval": KEYEVAL_COLUMN_LABELS,
}
#: A problem's severity (the machine field: ``error``/``warning``) → the word people read.
PROBLEM_LEVEL_LABELS: dict[str, str] = {"error": "错误", "warning": "警告"}

_GENERAL_CODES: dict[str, Mapping[str, str]] = {
    "severity": PROBLEM_LEVEL_LABELS,
    "direction": DIRECTION_LABELS,
    "rule": RULE_LABELS,
    "weight_source": WEIGHT_SOURCE_LABELS,
    "risk_level": SEVERITY_LABELS,
}
#: Domain → code column → code → words.  ``flags`` (``a;b``) is translated item by item.
CODE_LABELS: dict[str, Mapping[str, Mapping[str, str]]] = {
    "general": _GENERAL_CODES,
    "compare": {
        "movement": MOVEMENT_LABELS,
        "action": ACTION_LABELS,
        "applied_rule": APPLIED_RULE_LABELS,
        "kind": KIND_LABELS,
    },
    "monitoring": {
        "execution_alert": ALERT_LABELS,
        "indicator_alert": ALERT_LABELS,
        "direction": DIRECTION_LABELS,
        "execution_note": EXECUTION_NOTE_LABELS,
        "relation": RELATION_LABELS,
        "basis": BASIS_LABELS,
    },
    "explorer": _GENERAL_CODES,
    "sampling": _GENERAL_CODES,
    "targets": {
        "rule": TARGET_RULE_LABELS,
        "family": TARGET_FAMILY_LABELS,
        "severity": TARGET_SEVERITY_LABELS,
        "direction": DIRECTION_LABELS,
    },
    "keyeval": {"source": KEYEVAL_SOURCE_LABELS, "kind": KEYEVAL_KIND_LABELS},
}
#: Header suffixes of the comparison's per-grade columns (``grade_优`` → 优（个）).
_COMPARE_PREFIXES = (("grade_", "（个）"), ("share_", "占比（%）"))


def _domain(domain: str) -> str:
    if domain not in DOMAINS:
        raise ValueError(
            _("domain must be one of {domains}, not {domain!r}").format(
                domains=DOMAINS, domain=domain
            )
        )
    return domain


def column_label(name: str, domain: str = "general") -> str:
    """Header shown to people for an output column (a domain's own wording first).

    Parameters
    ----------
    name : str
        The output column.
    domain : {"general", "compare", "explorer", "monitoring", "sampling", "targets"}
        Whose reports the column appears in.

    Examples
    --------
    >>> column_label("total"), column_label("flag_budget_zero"), column_label("产出指标")
    ('总分', '标记：全年预算数为0，执行率无法计算', '产出指标')
    >>> column_label("total", "sampling"), column_label("grade_优", "compare")
    ('复算得分', '优（个）')
    """
    own = DOMAIN_COLUMN_LABELS[_domain(domain)]
    if name in own:
        return own[name]
    if domain == "compare":
        for prefix, suffix in _COMPARE_PREFIXES:
            if name.startswith(prefix):
                return name[len(prefix) :] + suffix
    if name.startswith("flag_") and name[5:] in FLAG_LABELS:
        return "标记：" + FLAG_LABELS[name[5:]]
    return COLUMN_LABELS.get(name, name)


def people_headers(columns: list[str], domain: str = "general") -> dict[str, str]:
    """Column → its header, unique within the table (a repeated header gets its column name).

    Examples
    --------
    >>> people_headers(["weight", "max_points"])
    {'weight': '分值', 'max_points': '分值（max_points）'}
    """
    names: dict[str, str] = {}
    for column in columns:
        label = column_label(column, domain)
        names[column] = label if label not in names.values() else f"{label}（{column}）"
    return names


def translate_for_people(frame: pl.DataFrame, domain: str = "general") -> pl.DataFrame:
    """Codes → Chinese words in the columns people read (direction, rule, flags, alerts …).

    The domain's code columns first, then the general ones it does not set; text
    columns only, so a column that already holds words is left alone.

    Examples
    --------
    >>> df = pl.DataFrame({"flags": ["budget_zero;over_completion"], "risk_level": ["medium"]})
    >>> translate_for_people(df).row(0)
    ('全年预算数为0，执行率无法计算；超额完成（实际值≥目标值130%）', '中')
    >>> df = pl.DataFrame({"execution_alert": ["red"], "movement": ["improved"]})
    >>> translate_for_people(df, "monitoring").row(0), translate_for_people(df, "compare").row(0)
    (('红', 'improved'), ('red', '等级提升'))
    """
    codes = {**_GENERAL_CODES, **CODE_LABELS[_domain(domain)]}
    if domain == "compare" and "kind_label" in frame.columns:
        codes.pop("kind")  # the words are there already; keep the code
    exprs = [
        pl.col(c).replace(words) for c, words in codes.items() if frame.schema.get(c) == pl.String
    ]
    if frame.schema.get("flags") == pl.String:
        exprs.append(
            pl.col("flags")
            .str.split(";")
            .list.eval(pl.element().replace(FLAG_LABELS))
            .list.join("；")
        )
    return frame.with_columns(exprs) if exprs else frame

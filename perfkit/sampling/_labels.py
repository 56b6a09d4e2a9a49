"""Chinese column labels of the sampling outputs (抽样复核表头)."""

from __future__ import annotations

from perfkit.present._labels import column_label

__all__ = ["SAMPLING_LABELS", "sampling_label"]

#: Column → header shown to people in the sampling and verification workbooks.
SAMPLING_LABELS: dict[str, str] = {
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
    "risk": "风险必选",
    "certain": "金额必选",
    "random": "随机抽取",
    "money": "全年预算数（万元）",
    "picked_money": "抽中金额（万元）",
    "count_coverage": "数量覆盖率",
    "money_coverage": "资金覆盖率",
    "money_share": "资金占比",
    "note": "备注",
    "total": "复算得分",
    "grade": "复算等级",
}


def sampling_label(name: str) -> str:
    """Header for a sampling output column (falls back to :func:`perfkit.present.column_label`).

    Examples
    --------
    >>> sampling_label("reason"), sampling_label("total"), sampling_label("unit_name")
    ('抽取原因', '复算得分', '名称')
    """
    return SAMPLING_LABELS.get(name) or column_label(name)

"""Messages of the forms package written for users in Chinese (表单提示语).

New user messages of :mod:`perfkit.forms` are kept here, in one place, until
the project moves every message to one catalog.
"""

from __future__ import annotations

__all__ = ["FORMULA_WITHOUT_VALUE", "NO_CARRYOVER_COLUMN", "NO_PROJECT_MATCHES"]

#: A formula cell saved without its computed value (read as empty by every reader).
FORMULA_WITHOUT_VALUE = "公式 '{formula}' 没有计算值（请在 Excel 中重新计算并保存）"
#: export-forms -p: the projects table given has no carryover column.
NO_CARRYOVER_COLUMN = "{file}：项目表没有“上年结转”(carryover) 列，无法填写自评表的上年结转资金"
#: export-forms -p: no scored project is in the projects table given.
NO_PROJECT_MATCHES = (
    "{file}：评分结果中的项目（年度 + 项目编码）都不在这张项目表里，请给出评分时用的项目表"
)

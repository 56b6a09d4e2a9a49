"""Messages of the forms package written for users in Chinese (表单提示语).

New user messages of :mod:`perfkit.forms` are kept here, in one place, until
the project moves every message to one catalog.
"""

from __future__ import annotations

__all__ = ["CARRYOVER_FILLED", "FORMULA_WITHOUT_VALUE"]

#: A formula cell saved without its computed value (read as empty by every reader).
FORMULA_WITHOUT_VALUE = "公式 '{formula}' 没有计算值（请在 Excel 中重新计算并保存）"
#: export-forms: how many forms got their 上年结转资金 filled.
CARRYOVER_FILLED = "上年结转资金已填写：{filled} / {total} 张表"

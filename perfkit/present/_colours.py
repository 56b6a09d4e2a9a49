"""Colours and orders shared by charts, tables and workbooks (no altair here).

``perfkit.present.charts`` draws with them; modules that only need a colour (the
monitoring workbook's alert fills) import them from :mod:`perfkit.present` without
paying altair's import time.

Examples
--------
>>> from perfkit.present import ALERT_COLOURS, GRADE_ORDER
>>> GRADE_ORDER[0], ALERT_COLOURS["red"]
('优', '#d32f2f')
"""

from __future__ import annotations

__all__ = ["ALERT_COLOURS", "FONT", "GRADE_COLOURS", "GRADE_ORDER"]

#: Font stack for chart text; the first one installed on the reader's machine wins.
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, PingFang SC, sans-serif"
#: Grades best first.
GRADE_ORDER = ["优", "良", "中", "差"]
#: One colour per grade (优 green … 差 red).
GRADE_COLOURS = {"优": "#2e7d32", "良": "#1e88e5", "中": "#f9a825", "差": "#c62828"}
#: Monitoring alert colours (红/黄/绿/蓝).
ALERT_COLOURS = {"red": "#d32f2f", "yellow": "#fbc02d", "green": "#388e3c", "blue": "#1976d2"}

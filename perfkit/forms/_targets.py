"""Reading 年度指标值 and 实际完成值 as written on forms (指标值解析).

The splitter moved to :mod:`perfkit.tables._targets_notation`, one owner for the forms
and the table readers; this module re-exports it so that imports keep working.
"""

from __future__ import annotations

from perfkit.tables._targets_notation import Target, parse_target, parse_targets

__all__ = ["Target", "parse_target", "parse_targets"]

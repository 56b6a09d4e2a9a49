"""Cross-year comparison (跨年度比较)."""

from perfkit.compare.panel import Panel, panel

__all__ = ["Panel", "panel"]

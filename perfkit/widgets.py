"""Interactive widgets for notebooks (交互组件).

``perfkit.widgets.Explorer(data)`` is the analyst's explorer; see
:mod:`perfkit.explorer`.
"""

from perfkit.explorer import Explorer, Filters

__all__ = ["Explorer", "Filters"]

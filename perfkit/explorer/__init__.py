"""The analyst's explorer (分析浏览器): filter, chart, drill into and export scored projects.

* :class:`Explorer` — the ipywidgets workbench (JupyterLab; served by
  ``perfkit dashboard`` as a Voila page).
* :class:`Filters`, :class:`Brush` — the selection as one polars expression.
* :func:`explorer_data` — the in-memory frame the filters run on.
* :mod:`perfkit.explorer.views` — the charts, table pages, drill-down and
  export of a selection, without widgets.
* :class:`ExportLimits` — limits on the export button (set by ``perfkit dashboard``);
  :mod:`perfkit.explorer.guard` and :mod:`perfkit.explorer.server` keep the
  dashboard's pages bounded and free of tracebacks (``docs/security.md``).
"""

from perfkit.explorer.data import ExplorerData, explorer_data
from perfkit.explorer.filters import Brush, Filters
from perfkit.explorer.limits import ExportLimits
from perfkit.explorer.widget import Explorer

__all__ = ["Brush", "Explorer", "ExplorerData", "ExportLimits", "Filters", "explorer_data"]

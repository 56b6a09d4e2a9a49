"""The analyst's explorer (分析浏览器): filter, chart, drill into and export scored projects.

* :class:`Explorer` — the ipywidgets workbench (JupyterLab; served by
  ``perfkit dashboard`` as a Voila page).
* :class:`Filters`, :class:`Brush` — the selection as one polars expression.
* :func:`explorer_data` — the in-memory frame the filters run on.
* :mod:`perfkit.explorer._views` — the charts, table pages, drill-down and
  export of a selection, without widgets.
* :class:`ExportLimits` — limits on the export button (set by ``perfkit dashboard``);
  :mod:`perfkit.explorer._guard` and :mod:`perfkit.explorer.server` keep the
  dashboard's pages bounded and free of tracebacks (``docs/security.md``).
"""

from perfkit.explorer._data import DATA_ENV, EXPORT_ENV, ExplorerData, explorer_data, resolve_dir
from perfkit.explorer._filters import Brush, Filters
from perfkit.explorer._launch import (
    SYSTEM_ENV,
    dashboard_env,
    dashboard_inputs,
    default_notebook,
    serve,
    voila_command,
    voila_env,
)
from perfkit.explorer._limits import ExportLimits, dashboard_limits
from perfkit.explorer._session import ExplorerSession, explorer_for
from perfkit.explorer._views import (
    department_overview,
    export_selection,
    scatter_chart,
    summary_text,
)
from perfkit.explorer._widget import Explorer

__all__ = [
    "DATA_ENV",
    "EXPORT_ENV",
    "SYSTEM_ENV",
    "Brush",
    "Explorer",
    "ExplorerData",
    "ExplorerSession",
    "ExportLimits",
    "Filters",
    "dashboard_env",
    "dashboard_inputs",
    "dashboard_limits",
    "default_notebook",
    "department_overview",
    "explorer_data",
    "explorer_for",
    "export_selection",
    "resolve_dir",
    "scatter_chart",
    "serve",
    "summary_text",
    "voila_command",
    "voila_env",
]

"""The explorer notebook's one call (分析浏览器): check the parameters, load, build the widget.

``notebooks/explore.ipynb`` calls :func:`explorer_for` and only presents what it
returns; the parameter checks live here, not in the notebook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from perfkit.errors import PerfkitError
from perfkit.explorer._data import DATA_ENV, EXPORT_ENV, ExplorerData, explorer_data, resolve_dir
from perfkit.explorer._filters import Filters
from perfkit.explorer._launch import SYSTEM_ENV
from perfkit.explorer._limits import dashboard_limits
from perfkit.explorer._views import department_overview, summary_text
from perfkit.explorer._widget import Explorer
from perfkit.i18n import _

__all__ = ["ExplorerSession", "explorer_for"]


@dataclass(eq=False)
class ExplorerSession:
    """The data, the first year shown, and the explorer widget."""

    data: ExplorerData
    first_year: int
    explorer: Explorer

    @property
    def year_units(self) -> pl.DataFrame:
        """The first year's units."""
        return self.data.units.filter(pl.col("year") == self.first_year)

    @property
    def summary(self) -> str:
        """``2024 年：已选 …`` for the first year."""
        units = self.year_units
        return f"{self.first_year} 年：{summary_text(units, units.height)}"

    @property
    def departments(self) -> pl.DataFrame:
        """The first year's departments, lowest budget-weighted score first."""
        return department_overview(self.year_units)


def explorer_for(
    *,
    data_dir: str = "",
    year: int = 0,
    system: str = "",
    max_points: int = 5000,
    export_dir: str = "",
) -> ExplorerSession:
    """Check the explorer's parameters, load and score the data, build the widget.

    Parameters
    ----------
    data_dir : str
        The folder with ``projects`` and ``indicators``; ``""``: ``$PERFKIT_DATA``,
        else ``data/sample``.
    year : int
        The year shown first; 0 for the latest year in the data.
    system : str
        A built-in system or a YAML path; ``""``: ``$PERFKIT_SYSTEM``, else
        ``project-self-eval``.
    max_points : int
        At most this many projects are drawn in the scatter chart (at least 1).
    export_dir : str
        The folder for Excel exports; ``""``: ``$PERFKIT_EXPORT_DIR``, else ``exports``.

    Returns
    -------
    ExplorerSession

    Raises
    ------
    PerfkitError
        A folder that does not exist, a year without projects, ``max_points`` below 1.

    Examples
    --------
    >>> explorer_for(data_dir="data/sample", max_points=0)
    Traceback (most recent call last):
    ...
    perfkit.errors.PerfkitError: max_points 至少为 1，而不是 0
    """
    data_folder = resolve_dir(data_dir, DATA_ENV, "data/sample")
    export_folder = resolve_dir(export_dir, EXPORT_ENV, "exports", must_exist=False)
    system = system or os.environ.get(SYSTEM_ENV) or "project-self-eval"
    if max_points < 1:
        raise PerfkitError(
            _("max_points must be at least 1, got {max_points}").format(max_points=max_points)
        )
    data = explorer_data(data_folder, system=system)
    if year and year not in data.years:
        raise PerfkitError(
            _("year {year}: no projects in {data_folder}; years present: {years}").format(
                year=year, data_folder=data_folder, years=data.years
            )
        )
    first_year = year or data.years[0]
    limits = dashboard_limits()  # set by `perfkit dashboard`; None in JupyterLab and papermill
    explorer = Explorer(
        data,
        filters=Filters(years=(first_year,)),
        max_points=max_points,
        export_dir=Path(export_folder),
        export_limits=limits,
        dashboard=limits is not None,
    )
    return ExplorerSession(data, first_year, explorer)

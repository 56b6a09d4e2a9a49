"""The explorer's data held in memory (浏览器数据): scored projects and their items.

:func:`explorer_data` accepts what an analyst has at hand — a data folder, a
:class:`~perfkit.scoring._result.ScoreResult`, or the units (and items) frames in
polars or pandas — and builds, once, the frame every filter runs on: the
units plus exact helper columns (score and execution rate in integer cents,
so a range boundary such as "exactly 60" is decided in integers) and a
deterministic sampling rank for the scatter chart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from perfkit._frames import to_polars
from perfkit.errors import PerfkitError
from perfkit.i18n import _
from perfkit.scoring._api import score
from perfkit.scoring._flags import FLAG_LABELS, SEVERITY_LABELS, risk_level
from perfkit.scoring._result import ScoreResult
from perfkit.systems import load_system
from perfkit.systems._model import Flags
from perfkit.tables._read import find_table

__all__ = [
    "DATA_ENV",
    "EXPORT_ENV",
    "REQUIRED_COLUMNS",
    "ExplorerData",
    "explorer_data",
    "resolve_dir",
]

#: Environment variable naming the data folder (set by ``perfkit dashboard``).
DATA_ENV = "PERFKIT_DATA"
#: Environment variable naming the export folder (set by ``perfkit dashboard``).
EXPORT_ENV = "PERFKIT_EXPORT_DIR"

#: Columns of the units table the explorer needs.
REQUIRED_COLUMNS = (
    "year",
    "unit_code",
    "unit_name",
    "dept_code",
    "dept_name",
    "budget_full_year",
    "executed",
    "execution_rate",
    "total",
    "grade",
)
#: Seed of the scatter chart's sampling rank (same data → same points drawn).
SAMPLE_SEED = 20240101


@dataclass
class ExplorerData:
    """Projects prepared for filtering.

    Attributes
    ----------
    units : polars.DataFrame
        One row per project and year, the scored columns plus ``_total_c``,
        ``_rate_c`` (integer cents; null when the rate is undefined) and
        ``_rank`` (a seeded permutation used to sample the scatter chart).
    items : polars.DataFrame or None
        One row per scored item (indicators and their points), when known.
    flag_codes : list of str
        The ``flag_*`` columns present, without the prefix, most severe first.
    severity : dict
        Flag code → ``high``/``medium``/``low`` (the system's ``flags.severity``).
    """

    units: pl.DataFrame
    items: pl.DataFrame | None
    flag_codes: list[str]
    severity: dict[str, str] = field(default_factory=lambda: dict(Flags().severity))

    @property
    def years(self) -> list[int]:
        """Years present, latest first."""
        return sorted(self.units["year"].unique().to_list(), reverse=True)

    @property
    def departments(self) -> pl.DataFrame:
        """``dept_code`` and ``dept_name`` (the latest name of a code), by code."""
        return (
            self.units.sort("year")
            .group_by("dept_code")
            .agg(pl.col("dept_name").last())
            .sort("dept_code")
        )

    @property
    def categories(self) -> list[str]:
        """Project categories present (empty when the data has none)."""
        if "category" not in self.units.columns:
            return []
        return sorted(self.units["category"].drop_nulls().unique().to_list())


def _from_folder(folder: Path, system: str) -> ScoreResult:
    if not folder.is_dir():
        raise PerfkitError(
            _("{folder}: not a folder (give the folder with projects and indicators)").format(
                folder=folder
            )
        )
    paths = {name: find_table(folder, name) for name in ("projects", "indicators")}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        raise PerfkitError(
            _("{folder}: no {missing} table (.csv, .xlsx or .parquet) in the folder").format(
                folder=folder, missing=" or ".join(missing)
            )
        )
    return score(paths["projects"], paths["indicators"], system=system)


def _cents(column: str) -> pl.Expr:
    # the scored values are 2-decimal numbers: ×100 and rounding recovers their exact cents
    return (pl.col(column) * 100).round(0).cast(pl.Int64)


def explorer_data(
    data: Any,
    items: Any = None,
    *,
    system: str = "project-self-eval",
) -> ExplorerData:
    """Prepare scored projects for the explorer.

    Parameters
    ----------
    data : path, ScoreResult, ExplorerData, polars.DataFrame or pandas.DataFrame
        A data folder (its ``projects`` and ``indicators`` tables are scored
        with ``system``), a scoring result, or the units table.
    items : polars.DataFrame or pandas.DataFrame, optional
        The items table, when ``data`` is a units table (for drill-down and
        export of indicators).
    system : str
        The indicator system used to score a data folder.

    Returns
    -------
    ExplorerData

    Raises
    ------
    PerfkitError
        When the folder has no projects/indicators or the units lack a column.

    Examples
    --------
    >>> d = explorer_data("data/sample")
    >>> d.units.select("total", "_total_c").row(0)
    (90.32, 9032)
    >>> d.years[:2], d.flag_codes[0], d.severity[d.flag_codes[0]]
    ([2024, 2023], 'self_grade_better', 'high')
    """
    if isinstance(data, ExplorerData):
        return data
    if isinstance(data, str | Path):
        data = _from_folder(Path(data), system)
    if isinstance(data, ScoreResult):
        units, items, severity = data.units, data.items, data.system.flags.severity
    else:
        units = to_polars(data, "units")
        items = None if items is None else to_polars(items, "items")
        severity = load_system(system).flags.severity
    missing = [c for c in REQUIRED_COLUMNS if c not in units.columns]
    if missing:
        raise PerfkitError(
            _("units: missing column(s) {missing} (give perfkit.score(...).units)").format(
                missing=", ".join(missing)
            )
        )
    rank = np.random.default_rng(SAMPLE_SEED).permutation(units.height)
    order = list(SEVERITY_LABELS)
    flag_codes = sorted(
        (c[5:] for c in units.columns if c.startswith("flag_") and c[5:] in FLAG_LABELS),
        key=lambda code: order.index(severity[code]),
    )
    if "risk_level" not in units.columns and flag_codes:  # units scored before risk levels
        units = units.with_columns(risk_level(severity, flag_codes).alias("risk_level"))
    prepared = units.with_columns(
        pl.col("year").cast(pl.Int32),
        _cents("total").alias("_total_c"),
        _cents("execution_rate").alias("_rate_c"),
        pl.Series("_rank", rank, dtype=pl.Int64),
    )
    if items is not None:
        items = items.with_columns(pl.col("year").cast(pl.Int32))
    return ExplorerData(prepared, items, flag_codes, dict(severity))


def resolve_dir(given: str, env: str, default: str, *, must_exist: bool = True) -> Path:
    """A folder parameter: ``given``, else the environment variable ``env``, else ``default``.

    Raises
    ------
    PerfkitError
        When ``must_exist`` and the folder does not exist (the message says
        which setting named it).

    Examples
    --------
    >>> resolve_dir("data/sample", DATA_ENV, "data/sample").name
    'sample'
    >>> resolve_dir("", "PERFKIT_NO_SUCH_VARIABLE", "nowhere")
    Traceback (most recent call last):
    perfkit.errors.PerfkitError: 数据文件夹 'nowhere'（默认值）不存在...
    """
    if given:
        path, source = given, _("the data_dir parameter")
    elif os.environ.get(env):
        path, source = os.environ[env], f"${env}"
    else:
        path, source = default, _("the default")
    folder = Path(path).expanduser()
    if must_exist and not folder.is_dir():
        raise PerfkitError(
            _(
                "data folder {path!r} ({source}) does not exist (working "
                "directory {cwd}); give the folder with projects and indicators"
            ).format(path=path, source=source, cwd=Path.cwd())
        )
    return folder

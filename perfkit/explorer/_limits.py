"""The dashboard's limits (限制): kernels at once, idle time, and the 导出Excel button.

``perfkit dashboard`` runs at most :data:`DEFAULT_MAX_KERNELS` kernels (pages) at
once and shuts down those idle for :data:`DEFAULT_IDLE_TIMEOUT` seconds (both
options; the server side is :mod:`perfkit.explorer.server`).

A page of ``perfkit dashboard`` is a kernel of its own, and its export button
can be clicked through the widget channel as fast as a script can send
messages.  :class:`ExportLimits` bounds what one page can make the server
write: a minimum interval between two exports, a number of exports per page,
the projects per export, the bytes per workbook, and the bytes of all
workbooks in the export folder (which also bounds what reloading the page
again and again can write).  :class:`ExportGate` applies them.

``perfkit dashboard`` hands the limits to the page's kernel as JSON in the
environment variable :data:`LIMITS_ENV`; in JupyterLab or papermill the
variable is absent and exports are not limited.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from perfkit.errors import PerfkitError
from perfkit.i18n import _

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_KERNELS",
    "EXPORT_PATTERN",
    "LIMITS_ENV",
    "ExportGate",
    "ExportLimits",
    "cull_interval",
    "dashboard_limits",
    "folder_bytes",
]

#: Environment variable carrying the export limits (JSON) to a dashboard kernel.
LIMITS_ENV = "PERFKIT_DASHBOARD_LIMITS"
#: File names the export button writes (counted against the folder quota).
EXPORT_PATTERN = "绩效评价筛选结果-*.xlsx"
_MB = 1024 * 1024
#: Default most kernels (pages) open at once.
DEFAULT_MAX_KERNELS = 4
#: Default seconds without activity after which a page's kernel is shut down.
DEFAULT_IDLE_TIMEOUT = 600


def cull_interval(idle_timeout: int) -> int:
    """How often (seconds) the culler looks for idle kernels: a tenth of the timeout, 1–60 s.

    Examples
    --------
    >>> cull_interval(600), cull_interval(30), cull_interval(3)
    (60, 3, 1)
    """
    return max(1, min(60, idle_timeout // 10))


@dataclass(frozen=True)
class ExportLimits:
    """What one dashboard page may export; 0 switches a limit off.

    Attributes
    ----------
    min_interval : float
        Seconds between two exports of a page (default 5).
    max_exports : int
        Exports per page (default 20); an export that starts counts, even if it
        then fails; one refused by these limits does not.
    max_rows : int
        Projects per export (default 100,000; the items sheet has its own
        limit of 100,000 rows, beyond which it is left out).
    max_bytes : int
        Bytes per workbook (default 50 MiB); a larger one is not kept.
    max_folder_bytes : int
        Bytes of all exported workbooks in the export folder (default 1 GiB).

    Examples
    --------
    >>> ExportLimits().max_exports, ExportLimits(max_exports=3).min_interval
    (20, 5.0)
    >>> ExportLimits(max_rows=-1)
    Traceback (most recent call last):
    perfkit.errors.PerfkitError: 导出上限 max_rows 应为不小于 0 的数（0 表示不限），而不是 -1
    """

    min_interval: float = 5.0
    max_exports: int = 20
    max_rows: int = 100_000
    max_bytes: int = 50 * _MB
    max_folder_bytes: int = 1024 * _MB

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or value < 0:
                raise PerfkitError(
                    _(
                        "export limit {name} must be a number >= 0 (0 = no limit), got {value!r}"
                    ).format(name=f.name, value=value)
                )
            if f.name != "min_interval" and value != int(value):
                raise PerfkitError(
                    _("export limit {name} must be a whole number, got {value!r}").format(
                        name=f.name, value=value
                    )
                )
            typed = float(value) if f.name == "min_interval" else int(value)
            object.__setattr__(self, f.name, typed)

    def to_env(self) -> str:
        """The limits as the JSON value of :data:`LIMITS_ENV`.

        Examples
        --------
        >>> ExportLimits.from_mapping(json.loads(ExportLimits(max_rows=10).to_env())).max_rows
        10
        """
        return json.dumps(asdict(self))

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], *, source: str = "limits") -> ExportLimits:
        """Limits from a mapping of field names; unknown names are an error.

        Examples
        --------
        >>> ExportLimits.from_mapping({"max_exports": 2}).max_exports
        2
        >>> ExportLimits.from_mapping({"max_export": 2})
        Traceback (most recent call last):
        perfkit.errors.PerfkitError: limits：未知的导出上限 max_export...
        """
        if not isinstance(values, Mapping):
            raise PerfkitError(
                _("{source}: expected an object of export limits").format(source=source)
            )
        names = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in values if k not in names)
        if unknown:
            raise PerfkitError(
                _("{source}: unknown export limit(s) {unknown} (known: {names})").format(
                    source=source, unknown=", ".join(unknown), names=", ".join(sorted(names))
                )
            )
        return cls(**values)  # type: ignore[arg-type]


def dashboard_limits(environ: Mapping[str, str] | None = None) -> ExportLimits | None:
    """The export limits ``perfkit dashboard`` gave this kernel, or None outside the dashboard.

    Examples
    --------
    >>> dashboard_limits({}) is None
    True
    >>> dashboard_limits({LIMITS_ENV: '{"max_exports": 3}'}).max_exports
    3
    >>> dashboard_limits({LIMITS_ENV: "nonsense"})
    Traceback (most recent call last):
    perfkit.errors.PerfkitError: $PERFKIT_DASHBOARD_LIMITS：不是 JSON...
    """
    env = os.environ if environ is None else environ
    text = env.get(LIMITS_ENV)
    if not text:
        return None
    try:
        values = json.loads(text)
    except ValueError as exc:
        raise PerfkitError(
            _("${variable}: not JSON ({exc})").format(variable=LIMITS_ENV, exc=exc)
        ) from None
    return ExportLimits.from_mapping(values, source=f"${LIMITS_ENV}")


def _mb(size: int) -> str:
    return f"{size / _MB:,.1f} MB"


def folder_bytes(folder: Path) -> int:
    """Bytes of the exported workbooks (:data:`EXPORT_PATTERN`) in ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "绩效评价筛选结果-1.xlsx").write_bytes(b"12345")
    >>> _ = (d / "other.xlsx").write_bytes(b"123")
    >>> folder_bytes(d), folder_bytes(d / "missing")
    (5, 0)
    """
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.glob(EXPORT_PATTERN) if p.is_file())


class ExportGate:
    """Decides, per page, whether an export may run now (and says why not, in Chinese).

    Parameters
    ----------
    limits : ExportLimits
        The limits to apply.
    clock : callable
        Seconds from a monotonic clock (replaceable in tests).

    Examples
    --------
    >>> now = [100.0]
    >>> gate = ExportGate(ExportLimits(min_interval=5, max_exports=2), clock=lambda: now[0])
    >>> gate.refusal(rows=10, folder=Path("nowhere")) is None
    True
    >>> gate.record()
    >>> gate.refusal(rows=10, folder=Path("nowhere"))
    '导出过于频繁：两次导出至少间隔 5 秒，请 5 秒后再试。'
    >>> now[0] += 5
    >>> gate.record()
    >>> now[0] += 60
    >>> gate.refusal(rows=10, folder=Path("nowhere"))
    '本页已导出 2 次，达到每页上限 2 次；刷新页面后可继续导出。'
    """

    def __init__(self, limits: ExportLimits, *, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.clock = clock
        self.exports = 0
        self.last: float | None = None

    def refusal(self, *, rows: int, folder: Path) -> str | None:
        """Why an export of ``rows`` projects into ``folder`` is refused now, or None."""
        lim = self.limits
        if lim.min_interval and self.last is not None:
            wait = lim.min_interval - (self.clock() - self.last)
            if wait > 0:
                return (
                    f"导出过于频繁：两次导出至少间隔 {lim.min_interval:g} 秒，"
                    f"请 {math.ceil(wait)} 秒后再试。"
                )
        if lim.max_exports and self.exports >= lim.max_exports:
            return (
                f"本页已导出 {self.exports} 次，达到每页上限 {lim.max_exports} 次；"
                "刷新页面后可继续导出。"
            )
        if lim.max_rows and rows > lim.max_rows:
            return (
                f"所选项目 {rows:,} 个，超过单次导出上限 {lim.max_rows:,} 个；"
                "请缩小筛选范围后再导出。"
            )
        if lim.max_folder_bytes:
            used = folder_bytes(folder)
            if used >= lim.max_folder_bytes:
                return (
                    f"导出文件夹中的工作簿已达 {_mb(used)}（上限 {_mb(lim.max_folder_bytes)}）；"
                    "请管理员清理导出文件夹后再导出。"
                )
        return None

    def record(self) -> None:
        """Count an export that is about to run (it starts the interval)."""
        self.exports += 1
        self.last = self.clock()

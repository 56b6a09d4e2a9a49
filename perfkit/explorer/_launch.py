"""Starting the dashboard: the Voila command, its environment, and the server's life.

``perfkit dashboard`` (:mod:`perfkit.cli.dashboard`) parses its options and calls
these; Voila runs ``notebooks/explore.ipynb`` (or the ``--notebook`` given) as
:mod:`perfkit.explorer.server`:

* no code is shown (``--strip_sources=True``) and tracebacks are not sent;
* the page cannot run code: Voila's kernel accepts only widget messages
  (``comm_*``, ``kernel_info_request``, ``shutdown_request``), never an
  ``execute_request``, so a visitor can use the widgets and nothing else;
* it listens on 127.0.0.1 only; the data folder and the export folder are
  passed to the notebook through the environment (``PERFKIT_DATA``,
  ``PERFKIT_EXPORT_DIR``, ``PERFKIT_SYSTEM``);
* each page is a kernel (~300 MB): at most ``max_kernels`` run at once (a
  page beyond gets a Chinese "try later" page, HTTP 503), and a kernel idle
  for ``--idle-timeout`` seconds is shut down, connected or not
  (:mod:`perfkit.explorer.server`);
* the export button is limited per page (``--export-interval``,
  ``--max-exports``, ``--export-max-rows``, ``--export-max-mb``) and for the
  export folder (``--export-quota-mb``), through ``PERFKIT_DASHBOARD_LIMITS``
  (:mod:`perfkit.explorer._limits`).

``docs/security.md`` (the dashboard's exposure) says what a visitor can and
cannot do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from perfkit.errors import PerfkitError
from perfkit.explorer._data import DATA_ENV, EXPORT_ENV
from perfkit.explorer._limits import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_KERNELS,
    LIMITS_ENV,
    ExportLimits,
    cull_interval,
)
from perfkit.i18n import _
from perfkit.present import TEMPLATES
from perfkit.tables._read import find_table

__all__ = [
    "SYSTEM_ENV",
    "dashboard_env",
    "dashboard_inputs",
    "default_notebook",
    "serve",
    "voila_command",
    "voila_env",
]

#: Environment variable naming the indicator system (set by ``perfkit dashboard``).
SYSTEM_ENV = "PERFKIT_SYSTEM"


def default_notebook() -> Path:
    """``notebooks/explore.ipynb`` of the perfkit checkout.

    Examples
    --------
    >>> default_notebook().name
    'explore.ipynb'
    """
    return Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"


def voila_command(
    notebook: Path,
    port: int,
    *,
    open_browser: bool,
    max_kernels: int = DEFAULT_MAX_KERNELS,
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT,
) -> list[str]:
    """The Voila command line: localhost only, sources stripped, no port fallback.

    Voila runs as :mod:`perfkit.explorer.server` (Voila with a kernel cap);
    kernels idle for ``idle_timeout`` seconds are culled, connected or not
    (0: never).

    Examples
    --------
    >>> cmd = voila_command(Path("explore.ipynb"), 8866, open_browser=False)
    >>> cmd[1:4], "--strip_sources=True" in cmd, "--no-browser" in cmd
    (['-m', 'perfkit.explorer.server', 'explore.ipynb'], True, True)
    >>> [a for a in cmd if "max_kernels" in a or "cull_idle" in a]
    ['--CappedKernelManager.max_kernels=4', '--CappedKernelManager.cull_idle_timeout=600']
    """
    cmd = [
        sys.executable,
        "-m",
        "perfkit.explorer.server",
        str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # the notebook's how-to-run cells are for notebook users, not the page
        "--TagRemovePreprocessor.enabled=True",
        "--TagRemovePreprocessor.remove_cell_tags=hide-in-report",
        # Voila's lab page minus its CDN stylesheets (found through JUPYTER_PATH, see voila_env)
        "--template=perfkit-offline",
        # at most max_kernels pages at once; idle ones culled even while a tab is open
        f"--CappedKernelManager.max_kernels={max_kernels}",
        f"--CappedKernelManager.cull_idle_timeout={idle_timeout}",
        f"--CappedKernelManager.cull_interval={cull_interval(idle_timeout)}",
        "--CappedKernelManager.cull_connected=True",
        "--CappedKernelManager.cull_busy=False",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def voila_env() -> dict[str, str]:
    """The environment for Voila: perfkit's templates first on JUPYTER_PATH.

    Examples
    --------
    >>> (TEMPLATES / "voila" / "templates" / "perfkit-offline" / "index.html.j2").is_file()
    True
    >>> voila_env()["JUPYTER_PATH"].split(os.pathsep)[0] == str(TEMPLATES)
    True
    """
    paths = [str(TEMPLATES), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {**os.environ, "JUPYTER_PATH": os.pathsep.join(paths)}


def dashboard_inputs(data_dir: str | Path, notebook: str | Path | None = None) -> tuple[Path, Path]:
    """The data folder and the notebook to serve, as absolute paths.

    Raises
    ------
    PerfkitError
        The folder is missing or has no projects or indicators table, or the
        notebook does not exist.

    Examples
    --------
    >>> data, page = dashboard_inputs("data/sample")
    >>> data.name, page.name
    ('sample', 'explore.ipynb')
    >>> dashboard_inputs("no/such/folder")
    Traceback (most recent call last):
    perfkit.errors.PerfkitError: no/such/folder：没有这个文件夹（请用 --data DIR 给出）
    """
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise PerfkitError(
            _("{data_dir}: no such folder (give --data DIR)").format(data_dir=data_dir)
        )
    missing = [name for name in ("projects", "indicators") if find_table(data, name) is None]
    if missing:
        raise PerfkitError(
            _("{data_dir}: no {missing} table (.csv, .xlsx or .parquet) in the folder").format(
                data_dir=data_dir, missing=" or ".join(missing)
            )
        )
    page = Path(notebook).resolve() if notebook else default_notebook()
    if not page.is_file():
        raise PerfkitError(_("{page}: notebook not found (give --notebook PATH)").format(page=page))
    return data, page


def dashboard_env(
    data: Path, export_dir: str | Path, system: str, limits: ExportLimits
) -> dict[str, str]:
    """Voila's environment: :func:`voila_env` plus what the page reads (data, exports, limits).

    Examples
    --------
    >>> env = dashboard_env(Path("/d"), "/e", "dept-overall", ExportLimits())
    >>> env["PERFKIT_DATA"], env["PERFKIT_EXPORT_DIR"], env["PERFKIT_SYSTEM"]
    ('/d', '/e', 'dept-overall')
    """
    return {
        **voila_env(),
        DATA_ENV: str(data),
        EXPORT_ENV: str(Path(export_dir).resolve()),
        SYSTEM_ENV: system,
        LIMITS_ENV: limits.to_env(),
    }


def serve(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Run the Voila server until it stops; the exit status for ``perfkit dashboard``.

    SIGTERM and Ctrl-C stop the server (Voila shuts its kernels down on
    SIGTERM); a server stopped that way counts as a clean exit (0).
    """
    server = subprocess.Popen(command, env=env, cwd=cwd)

    def stop(_signum: int, _frame: object) -> None:
        server.terminate()  # Voila shuts its kernels down on SIGTERM

    signal.signal(signal.SIGTERM, stop)
    try:
        status = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        status = server.wait()
    return 0 if status in (0, -signal.SIGTERM) else status

"""``perfkit dashboard``: the explorer as a Voila page on localhost (分析浏览器网页).

Voila runs ``notebooks/explore.ipynb`` and serves its widgets as a page:

* no code is shown (``--strip_sources=True``) and tracebacks are not sent;
* the page cannot run code: Voila's kernel accepts only widget messages
  (``comm_*``, ``kernel_info_request``, ``shutdown_request``), never an
  ``execute_request``, so a visitor can use the widgets and nothing else;
* it listens on 127.0.0.1 only; the data folder and the export folder are
  passed to the notebook through the environment (``PERFKIT_DATA``,
  ``PERFKIT_EXPORT_DIR``, ``PERFKIT_SYSTEM``);
* each page is a kernel (~300 MB): at most ``--max-kernels`` run at once (a
  page beyond gets a Chinese "try later" page, HTTP 503), and a kernel idle
  for ``--idle-timeout`` seconds is shut down, connected or not
  (:mod:`perfkit.explorer.server`);
* the export button is limited per page (``--export-interval``,
  ``--max-exports``, ``--export-max-rows``, ``--export-max-mb``) and for the
  export folder (``--export-quota-mb``), through ``PERFKIT_DASHBOARD_LIMITS``
  (:mod:`perfkit.explorer.limits`).

``docs/security.md`` (the dashboard's exposure) says what a visitor can and
cannot do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from perfkit.batch.html import TEMPLATES
from perfkit.cli._support import user_errors
from perfkit.errors import PerfkitError
from perfkit.explorer.data import DATA_ENV, EXPORT_ENV
from perfkit.explorer.limits import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_KERNELS,
    LIMITS_ENV,
    ExportLimits,
    cull_interval,
)
from perfkit.readers import find_table

__all__ = ["SYSTEM_ENV", "dashboard", "default_notebook", "voila_command"]

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


@click.command("dashboard")
@click.option(
    "--data",
    "data_dir",
    default="data/sample",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder with the projects and indicators tables.",
)
@click.option("--port", default=8866, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option(
    "--system",
    default="project-self-eval",
    show_default=True,
    help="Indicator system: a built-in name or a YAML file.",
)
@click.option(
    "--export-dir",
    default="exports",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the page's 导出Excel button writes workbooks.",
)
@click.option(
    "--notebook",
    type=click.Path(dir_okay=False),
    help="Serve another explorer notebook instead of notebooks/explore.ipynb.",
)
@click.option(
    "--max-kernels",
    default=DEFAULT_MAX_KERNELS,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Most pages open at once (each is a kernel, ~300 MB); more get a 'try later' page.",
)
@click.option(
    "--idle-timeout",
    default=DEFAULT_IDLE_TIMEOUT,
    show_default=True,
    type=click.IntRange(0, 7 * 24 * 3600),
    help="Seconds without activity after which a page's kernel is shut down, "
    "even with the tab open (0: never).",
)
@click.option(
    "--export-interval",
    default=ExportLimits.min_interval,
    show_default=True,
    type=click.FloatRange(0, 24 * 3600),
    help="Seconds between two exports of a page (0: no limit).",
)
@click.option(
    "--max-exports",
    default=ExportLimits.max_exports,
    show_default=True,
    type=click.IntRange(0),
    help="Exports per page (0: no limit).",
)
@click.option(
    "--export-max-rows",
    default=ExportLimits.max_rows,
    show_default=True,
    type=click.IntRange(0),
    help="Projects per export (0: no limit).",
)
@click.option(
    "--export-max-mb",
    default=ExportLimits.max_bytes // 2**20,
    show_default=True,
    type=click.IntRange(0, 10**6),
    help="MiB per exported workbook; a larger one is not kept (0: no limit).",
)
@click.option(
    "--export-quota-mb",
    default=ExportLimits.max_folder_bytes // 2**20,
    show_default=True,
    type=click.IntRange(0, 10**9),
    help="MiB of exported workbooks in the export folder, beyond which exports are "
    "refused (0: no limit).",
)
@user_errors
def dashboard(
    data_dir: str,
    port: int,
    no_browser: bool,
    system: str,
    export_dir: str,
    notebook: str | None,
    max_kernels: int,
    idle_timeout: int,
    export_interval: float,
    max_exports: int,
    export_max_rows: int,
    export_max_mb: int,
    export_quota_mb: int,
) -> None:
    """Serve the analyst's explorer as a Voila page on localhost (no code shown or run).

    Each page is a kernel of its own: at most --max-kernels at once, shut down after
    --idle-timeout seconds without activity; the export button is limited per page.
    See docs/security.md.
    """
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise PerfkitError(f"{data_dir}: no such folder (give --data DIR)")
    missing = [name for name in ("projects", "indicators") if find_table(data, name) is None]
    if missing:
        raise PerfkitError(
            f"{data_dir}: no {' or '.join(missing)} table (.csv, .xlsx or .parquet) in the folder"
        )
    page = Path(notebook).resolve() if notebook else default_notebook()
    if not page.is_file():
        raise PerfkitError(f"{page}: notebook not found (give --notebook PATH)")
    limits = ExportLimits(
        min_interval=export_interval,
        max_exports=max_exports,
        max_rows=export_max_rows,
        max_bytes=export_max_mb * 2**20,
        max_folder_bytes=export_quota_mb * 2**20,
    )
    env = {
        **voila_env(),
        DATA_ENV: str(data),
        EXPORT_ENV: str(Path(export_dir).resolve()),
        SYSTEM_ENV: system,
        LIMITS_ENV: limits.to_env(),
    }
    idle = f"idle pages closed after {idle_timeout} s" if idle_timeout else "idle pages kept"
    click.echo(
        f"perfkit dashboard: http://127.0.0.1:{port}/  (data {data}; exports to "
        f"{env[EXPORT_ENV]}; at most {max_kernels} pages, {idle}; Ctrl-C stops)"
    )
    command = voila_command(
        page,
        port,
        open_browser=not no_browser,
        max_kernels=max_kernels,
        idle_timeout=idle_timeout,
    )
    server = subprocess.Popen(command, env=env, cwd=page.parent)

    def stop(_signum: int, _frame: object) -> None:
        server.terminate()  # Voila shuts its kernels down on SIGTERM

    signal.signal(signal.SIGTERM, stop)
    try:
        status = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        status = server.wait()
    sys.exit(0 if status in (0, -signal.SIGTERM) else status)

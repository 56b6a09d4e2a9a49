"""``perfkit dashboard``: the explorer as a Voila page on localhost (分析浏览器网页).

Voila runs ``notebooks/explore.ipynb`` and serves its widgets as a page:

* no code is shown (``--strip_sources=True``) and tracebacks are not sent;
* the page cannot run code: Voila's kernel accepts only widget messages
  (``comm_*``, ``kernel_info_request``, ``shutdown_request``), never an
  ``execute_request``, so a visitor can use the widgets and nothing else;
* it listens on 127.0.0.1 only; the data folder and the export folder are
  passed to the notebook through the environment (``PERFKIT_DATA``,
  ``PERFKIT_EXPORT_DIR``, ``PERFKIT_SYSTEM``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from perfkit.batch.html import TEMPLATES
from perfkit.cli_support import user_errors
from perfkit.errors import PerfkitError
from perfkit.explorer.data import DATA_ENV, EXPORT_ENV
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


def voila_command(notebook: Path, port: int, *, open_browser: bool) -> list[str]:
    """The Voila command line: localhost only, sources stripped, no port fallback.

    Examples
    --------
    >>> cmd = voila_command(Path("explore.ipynb"), 8866, open_browser=False)
    >>> cmd[1:4], "--strip_sources=True" in cmd, "--no-browser" in cmd
    (['-m', 'voila', 'explore.ipynb'], True, True)
    """
    cmd = [
        sys.executable,
        "-m",
        "voila",
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
@user_errors
def dashboard(
    data_dir: str,
    port: int,
    no_browser: bool,
    system: str,
    export_dir: str,
    notebook: str | None,
) -> None:
    """Serve the analyst's explorer as a Voila page on localhost (no code shown or run)."""
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
    env = {
        **voila_env(),
        DATA_ENV: str(data),
        EXPORT_ENV: str(Path(export_dir).resolve()),
        SYSTEM_ENV: system,
    }
    click.echo(
        f"perfkit dashboard: http://127.0.0.1:{port}/  (data {data}; exports to "
        f"{env[EXPORT_ENV]}; Ctrl-C stops)"
    )
    server = subprocess.Popen(
        voila_command(page, port, open_browser=not no_browser), env=env, cwd=page.parent
    )

    def stop(_signum: int, _frame: object) -> None:
        server.terminate()  # Voila shuts its kernels down on SIGTERM

    signal.signal(signal.SIGTERM, stop)
    try:
        status = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        status = server.wait()
    sys.exit(0 if status in (0, -signal.SIGTERM) else status)

"""``perfkit dashboard``: the explorer as a Voila page on localhost (分析浏览器网页).

The options are parsed here; :mod:`perfkit.explorer._launch` builds the Voila
command and its environment and runs the server (what a visitor can and cannot
do: ``docs/security.md``, the dashboard's exposure).
"""

from __future__ import annotations

import sys

import click

from perfkit.cli._support import user_errors
from perfkit.explorer import EXPORT_ENV, dashboard_env, dashboard_inputs, serve, voila_command
from perfkit.explorer._limits import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_KERNELS, ExportLimits
from perfkit.i18n import _

__all__ = ["dashboard"]


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
    data, page = dashboard_inputs(data_dir, notebook)
    limits = ExportLimits(
        min_interval=export_interval,
        max_exports=max_exports,
        max_rows=export_max_rows,
        max_bytes=export_max_mb * 2**20,
        max_folder_bytes=export_quota_mb * 2**20,
    )
    env = dashboard_env(data, export_dir, system, limits)
    idle = (
        _("idle pages closed after {seconds} s").format(seconds=idle_timeout)
        if idle_timeout
        else _("idle pages kept")
    )
    click.echo(
        _(
            "perfkit dashboard: http://127.0.0.1:{port}/  (data {data}; exports to "
            "{exports}; at most {pages} pages, {idle}; Ctrl-C stops)"
        ).format(port=port, data=data, exports=env[EXPORT_ENV], pages=max_kernels, idle=idle)
    )
    command = voila_command(
        page,
        port,
        open_browser=not no_browser,
        max_kernels=max_kernels,
        idle_timeout=idle_timeout,
    )
    sys.exit(serve(command, env, cwd=page.parent))

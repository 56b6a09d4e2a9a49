"""``perfkit run``: run a schedule of notebooks (批量生成报告).

Exit status: 0 when every report succeeded (or was already up to date),
1 for a user error (bad schedule, missing notebook, an output that cannot be
written), 2 for a usage error, 3 when one or more reports failed (the others
are still written), 130 / 143 when SIGINT / SIGTERM stopped the run (the
index and manifest mark the unfinished reports).
The command never prompts, so it can run from cron or a systemd timer.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from perfkit.cli._support import user_errors
from perfkit.i18n import _

EXIT_REPORTS_FAILED = 3


@click.command("run")
@click.argument("schedule", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Override output_dir.")
@click.option("--workers", "-w", type=click.IntRange(1, 256), help="Override workers.")
@click.option("--force", is_flag=True, help="Redo every report, even complete and up-to-date ones.")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a pool of processes on this machine; dask: a Dask distributed cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler address (tcp://host:8786); without it a LocalCluster is started.",
)
@click.option(
    "--engine",
    type=click.Choice(["warm", "cold"]),
    default="warm",
    show_default=True,
    help="warm: each worker keeps a live kernel, report after report; cold: a kernel per report.",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Each report reads, checks and scores its data itself (no scores cache in OUT/.cache).",
)
@click.option("--log", "log_file", type=click.Path(dir_okay=False), help="Also log to this file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (errors are still printed).")
@user_errors
def run(
    schedule: str,
    out_dir: str | None,
    workers: int | None,
    force: bool,
    executor: str,
    scheduler: str | None,
    engine: str,
    no_cache: bool,
    log_file: str | None,
    quiet: bool,
) -> None:
    """Run a schedule: every notebook run → executed notebook + offline HTML report.

    Writes index.html and manifest.json in the output folder; re-running skips
    reports that are complete and up to date.
    """
    # nbformat, papermill (and dask with --executor dask): imported when the command runs
    from perfkit.batch import RunInterrupted, run_schedule

    if scheduler and executor != "dask":
        raise click.UsageError(_("--scheduler needs --executor dask"))
    _setup_logging(log_file)
    bar: Any = None

    def progress(record: dict[str, Any], done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="份", desc="报告", disable=quiet, file=sys.stderr)
        bar.update(done - bar.n)
        if record["status"] == "failed":
            err = record.get("error") or {}
            tqdm.write(
                click.style(
                    _("✗ {name}: {where} {ename}: {evalue}").format(
                        name=record["name"],
                        where=_where(err),
                        ename=err.get("ename"),
                        evalue=err.get("evalue"),
                    ),
                    fg="red",
                ),
                file=sys.stderr,
            )

    try:
        result = run_schedule(
            schedule,
            output_dir=out_dir,
            workers=workers,
            force=force,
            executor=executor,
            scheduler=scheduler,
            engine=engine,
            cache=not no_cache,
            on_progress=progress,
        )
    except RunInterrupted as stop:
        if bar is not None:
            bar.close()
        _stopped(stop)
        sys.exit(stop.exit_code)
    if bar is not None:
        bar.close()
    for note in result.notes:
        click.secho(_("note: {note}").format(note=note), fg="yellow", err=True)
    click.echo(
        _("{n} report(s): {ok} written, {skipped} up to date, {failed} failed").format(
            n=len(result.records), ok=result.ok, skipped=result.skipped, failed=len(result.failed)
        )
    )
    _where_written(result)
    if result.failed:
        for record in result.failed:
            err = record.get("error") or {}
            click.secho(
                _("failed: {name} — {where}: {ename}: {evalue} ({path})").format(
                    name=record["name"],
                    where=_where(err),
                    ename=err.get("ename"),
                    evalue=err.get("evalue"),
                    path=Path(result.output_dir) / record["name"],
                ),
                fg="red",
                err=True,
            )
        sys.exit(EXIT_REPORTS_FAILED)


def _stopped(stop: Any) -> None:
    """What a run stopped by a signal did, and where its index is."""
    result = stop.result
    if result is None:
        click.secho(_("✗ {reason}").format(reason=stop), fg="red", err=True)
        return
    click.secho(
        _(
            "✗ the run was interrupted by {signal}: {ok} written, {skipped} up to date, "
            "{failed} failed, {interrupted} not complete (marked interrupted in the index); "
            "the next run redoes the unfinished reports"
        ).format(
            signal=signal.Signals(stop.signum).name,
            ok=result.ok,
            skipped=result.skipped,
            failed=len(result.failed),
            interrupted=len(result.interrupted),
        ),
        fg="red",
        err=True,
    )
    _where_written(result)


def _where_written(result: Any) -> None:
    """The run's index and manifest (the paths stay as they are)."""
    click.echo(_("index: {path}").format(path=result.index))
    click.echo(_("manifest: {path}").format(path=result.manifest))


def _setup_logging(log_file: str | None) -> None:
    logger = logging.getLogger("perfkit.batch")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(logging.NullHandler())
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


def _where(error: dict[str, Any]) -> str:
    """Where a run failed, as a reader of the notebook sees it: ``In [3] `ev = …```."""
    if error.get("execution_count") is None:
        return _("(before the first cell)")
    source = f" `{error['source']}`" if error.get("source") else ""
    return f"In [{error['execution_count']}]{source}"

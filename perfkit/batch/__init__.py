"""Batch runs of parameterised notebooks (批量报告): schedules, executors, index and manifest.

Examples
--------
>>> from perfkit.batch import load_schedule, expand_runs
>>> runs = expand_runs(load_schedule("parameters/schedules/annual.yaml"))
>>> len(runs), runs[0].name
(40, '2024-D01')
"""

from perfkit.batch._execute import RunTask, execute_run
from perfkit.batch._html import notebook_to_html
from perfkit.batch._runner import BatchResult, RunInterrupted, run_schedule
from perfkit.batch._schedule import Run, Schedule, expand_runs, load_schedule

__all__ = [
    "BatchResult",
    "Run",
    "RunInterrupted",
    "RunTask",
    "Schedule",
    "execute_run",
    "expand_runs",
    "load_schedule",
    "notebook_to_html",
    "run_schedule",
]

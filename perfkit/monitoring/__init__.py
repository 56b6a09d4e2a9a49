"""Mid-year performance monitoring (绩效运行监控，“双监控”).

Projects are monitored during the year on both money and targets against time
progress (序时进度; the rules are in ``docs/monitoring.md``):

* :mod:`~perfkit.monitoring._timeprogress` — time progress, month / 12 or days
  elapsed / days in the year, as an exact fraction;
* :mod:`~perfkit.monitoring._bands` — the colours (< 60 red, 60–< 80 yellow,
  ≥ 80 green, blue at ≥ 120 % of the annual target), decided exactly;
* :mod:`~perfkit.monitoring._execution` — execution alerts per project;
* :mod:`~perfkit.monitoring._indicators` — indicator alerts (正向, 反向, 等于, 定性);
* :mod:`~perfkit.monitoring._summary` — departments and region, the sentence
  “总体进度46%，略高于序时进度41.67%”;
* :mod:`~perfkit.monitoring._inputs` — reading and cross-checking the inputs;
* :mod:`~perfkit.monitoring._result` (a result writes itself), :mod:`~perfkit.monitoring._export`
  (labels and colours) and :mod:`perfkit.cli.monitoring` —
  ``perfkit monitor``: CSVs and a coloured workbook;
* :mod:`~perfkit.monitoring.charts` — execution against time progress, by
  department or project (altair).

Examples
--------
>>> from perfkit.monitoring import monitor, time_progress
>>> time_progress(2024, 8).percent
Decimal('66.67')
"""

from perfkit.monitoring._api import monitor
from perfkit.monitoring._bands import ALERTS
from perfkit.monitoring._export import people_table
from perfkit.monitoring._report import MonitoringReport, report_for
from perfkit.monitoring._result import MonitoringResult
from perfkit.monitoring._timeprogress import TimeProgress, time_progress
from perfkit.present._labels import ALERT_LABELS

__all__ = [
    "ALERTS",
    "ALERT_LABELS",
    "MonitoringReport",
    "MonitoringResult",
    "TimeProgress",
    "monitor",
    "people_table",
    "report_for",
    "time_progress",
]

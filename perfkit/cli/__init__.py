"""The ``perfkit`` command line: the root group and where each command lives.

User errors (bad input, unknown system, unreadable file) print a clear message
and exit with status 1, never a traceback; usage errors exit with 2.

Each command group is a module of this package, imported only when one of its
commands runs (:class:`~perfkit.cli._lazy.LazyGroup`), so ``perfkit --help``
and ``perfkit systems list`` do not pay for notebooks, statistics or charts:

* :mod:`perfkit.cli.scoring` — ``score``, ``validate``, ``systems``, ``demo``, ``sample-data``
* :mod:`perfkit.cli.forms` — ``import-forms``, ``check-forms``, ``export-forms``
* :mod:`perfkit.cli.monitoring` — ``monitor``
* :mod:`perfkit.cli.sampling` — ``sample``, ``verify``
* :mod:`perfkit.cli.compare` — ``compare``
* :mod:`perfkit.cli.batch` — ``run``
* :mod:`perfkit.cli.dashboard` — ``dashboard``

Shared options and the user-error handling are in :mod:`perfkit.cli._support`.
A new command goes in :data:`COMMANDS` with its one-line help (the first
sentence of its docstring; ``tests/test_cli_lazy.py`` keeps the two equal).

Examples
--------
>>> from click.testing import CliRunner
>>> print(CliRunner().invoke(main, ["--version"]).output.strip())
perfkit, version 0.1.0
"""

from __future__ import annotations

import click

from perfkit._version import __version__
from perfkit.cli import _i18n
from perfkit.cli._lazy import LazyGroup
from perfkit.i18n import ENV_VARIABLE, LANGUAGES, N_, set_language

_i18n.install()  # click's own words and the help texts in the chosen language

__all__ = ["COMMANDS", "main"]

#: Command name → (``module:attr`` of the command, its one-line help for ``perfkit --help``).
COMMANDS: dict[str, tuple[str, str]] = {
    "score": (
        "perfkit.cli.scoring:score",
        "Validate the inputs, score them and write the results (nothing is written on errors).",
    ),
    "validate": (
        "perfkit.cli.scoring:validate",
        "Check inputs against the data contract and the system; list every problem.",
    ),
    "systems": (
        "perfkit.cli.scoring:systems",
        "List and show indicator systems (指标体系).",
    ),
    "demo": (
        "perfkit.cli.scoring:demo",
        "The main job on a data folder: validate and score every year, write under --out.",
    ),
    "sample-data": (
        "perfkit.cli.scoring:sample_data",
        "Generate the deterministic sample region (data/sample).",
    ),
    "import-forms": (
        "perfkit.cli.forms:import_forms_command",
        "Read official 项目支出绩效自评表 workbooks (files or folders; .xlsx, .xls) into tables.",
    ),
    "check-forms": (
        "perfkit.cli.forms:check_forms_command",
        "Recompute submitted forms and list where each disagrees with itself or the rules.",
    ),
    "export-forms": (
        "perfkit.cli.forms:export_forms_command",
        "Write each scored project as an official 项目支出绩效自评表, ready to print and sign.",
    ),
    "monitor": (
        "perfkit.cli.monitoring:monitor",
        "Execution and indicator progress against time progress (双监控): red/yellow/green/blue.",
    ),
    "sample": (
        "perfkit.cli.sampling:sample",
        "Sample verification (自评复核抽样): plan a size, draw, re-perform a draw.",
    ),
    "verify": (
        "perfkit.cli.sampling:verify",
        "Re-score the verified values (复核计分) and evaluate the sample.",
    ),
    "compare": (
        "perfkit.cli.compare:compare",
        "Compare years: grade transitions, trends, chronic problems and budget suggestions.",
    ),
    "run": (
        "perfkit.cli.batch:run",
        "Run a schedule: every notebook run → executed notebook + offline HTML report.",
    ),
    "dashboard": (
        "perfkit.cli.dashboard:dashboard",
        "Serve the analyst's explorer as a Voila page on localhost (no code shown or run).",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(
    __version__,
    prog_name="perfkit",
    message="%(prog)s, version %(version)s",  # for scripts: the same in every language
    help=N_("Show the version and exit."),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar=ENV_VARIABLE,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, param, value: set_language(value),
    help=N_("Language of messages, help and reports: zh (default) or en; or set PERFKIT_LANG."),
)
def main() -> None:
    """perfkit — 预算绩效评价分析工作台: score, grade and check budget performance evaluations."""

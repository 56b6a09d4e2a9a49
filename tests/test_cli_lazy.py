"""The ``perfkit`` command starts at once: commands are imported only when they run.

* the root group's table (:data:`perfkit.cli.COMMANDS`) names exactly the commands
  that exist in ``perfkit/cli/``, and keeps each one's own one-line help;
* ``perfkit --help`` reads as click would print it for the commands themselves;
* ``perfkit --help``, ``perfkit systems list`` and ``perfkit <command> --help``
  import none of the heavy libraries (notebooks, statistics, charts, Excel
  readers, dask, Voila) — checked in a fresh interpreter, from ``sys.modules``;
* a mistyped command still gets click's suggestion.

Start-up times are measured in ``benchmarks/bench_cli.py``, not asserted here.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import perfkit.cli
from perfkit.cli import COMMANDS, main
from perfkit.cli._lazy import LazyGroup

ROOT = Path(__file__).resolve().parent.parent

#: Never imported to print help or list the systems (the reason perfkit was slow to start).
HEAVY = (
    "nbformat",
    "nbconvert",
    "nbclient",
    "papermill",
    "jsonschema",
    "scipy",
    "altair",
    "ipywidgets",
    "dask",
    "distributed",
    "voila",
    "openpyxl",
    "fastexcel",
)

#: Runs ``perfkit ARGS`` in this interpreter, then writes the modules it imported to a file.
DRIVER = """
import contextlib, io, json, sys
from perfkit.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(sys.argv[2:], standalone_mode=False)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"status": status, "output": out.getvalue(), "modules": sorted(sys.modules)}, f)
"""


def _commands_defined_in_cli_modules() -> dict[str, click.Command]:
    """Every top-level command of the modules in perfkit/cli/ (subcommands of a group excluded)."""
    found: dict[str, click.Command] = {}
    for info in pkgutil.iter_modules(perfkit.cli.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"perfkit.cli.{info.name}")
        commands = [v for v in vars(module).values() if isinstance(v, click.Command)]
        children = {
            id(child)
            for group in commands
            if isinstance(group, click.Group)
            for child in group.commands.values()
        }
        for command in commands:
            if id(command) not in children and command.name is not None:
                assert command.name not in found, f"two commands named {command.name}"
                found[command.name] = command
    return found


def _load(target: str) -> click.Command:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def test_the_table_names_every_command_that_exists_and_nothing_else() -> None:
    defined = _commands_defined_in_cli_modules()
    assert sorted(COMMANDS) == sorted(defined)
    for name, (target, _) in COMMANDS.items():
        assert _load(target) is defined[name], f"{name}: {target} is another command"
        assert main.get_command(click.Context(main), name) is defined[name]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_tables_one_line_help_is_the_commands_own(name: str) -> None:
    command = _load(COMMANDS[name][0])
    assert COMMANDS[name][1] == command.get_short_help_str(limit=10_000)


@pytest.mark.parametrize("width", [60, 80, 200])
def test_help_lists_the_commands_as_click_lists_them_when_all_are_imported(width: int) -> None:
    def group(cls: type[click.Group], **kwargs: object) -> click.Group:
        return cls(
            name=main.name,
            help=main.help,
            params=main.params,
            context_settings=main.context_settings,
            **kwargs,  # type: ignore[arg-type]
        )

    lazy = group(LazyGroup, lazy_subcommands=COMMANDS)  # nothing loaded yet
    eager = group(click.Group, commands={n: _load(t) for n, (t, _) in COMMANDS.items()})
    shown = CliRunner().invoke(lazy, ["--help"], terminal_width=width)
    expected = CliRunner().invoke(eager, ["--help"], terminal_width=width)
    assert shown.exit_code == expected.exit_code == 0
    assert shown.output == expected.output
    assert not lazy.commands  # the help came from the table


def _run_fresh(tmp_path: Path, *args: str) -> dict:
    """``perfkit ARGS`` in a new interpreter: its status, output and the modules it imported."""
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(report), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(report.read_text(encoding="utf-8"))


def _heavy(modules: list[str]) -> list[str]:
    return sorted({m.partition(".")[0] for m in modules} & set(HEAVY))


def test_help_imports_no_command_and_no_heavy_library(tmp_path: Path) -> None:
    run = _run_fresh(tmp_path, "--help")
    assert run["status"] == 0
    for name in COMMANDS:
        assert f"\n  {name} " in run["output"]
    command_modules = {t.partition(":")[0] for t, _ in COMMANDS.values()}
    assert command_modules.isdisjoint(run["modules"])
    assert _heavy(run["modules"]) == []


def test_systems_list_imports_only_its_own_command_module(tmp_path: Path) -> None:
    run = _run_fresh(tmp_path, "systems", "list")
    assert run["status"] is None  # the command returned normally
    assert "project-self-eval" in run["output"]
    others = {t.partition(":")[0] for t, _ in COMMANDS.values()} - {"perfkit.cli.scoring"}
    assert others.isdisjoint(run["modules"])
    assert _heavy(run["modules"]) == []


# `perfkit dashboard --help` is left out: its defaults come from perfkit.explorer.limits, and
# importing perfkit.explorer (its __init__) imports the widgets (altair, ipywidgets) and, through
# perfkit.batch, nbformat.
@pytest.mark.parametrize(
    "args",
    [
        ["score", "--help"],
        ["validate", "--help"],
        ["sample-data", "--help"],
        ["import-forms", "--help"],
        ["monitor", "--help"],
        ["sample", "draw", "--help"],
        ["verify", "--help"],
        ["compare", "--help"],
        ["run", "--help"],
    ],
    ids=" ".join,
)
def test_a_commands_help_imports_no_heavy_library(tmp_path: Path, args: list[str]) -> None:
    run = _run_fresh(tmp_path, *args)
    assert run["status"] == 0
    assert run["output"].startswith(f"用法： -c {' '.join(args[:-1])} [OPTIONS]")  # zh: the default
    assert _heavy(run["modules"]) == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("scor", "score"), ("monitr", "monitor"), ("dashbord", "dashboard")],
)
def test_a_mistyped_command_gets_clicks_suggestion(typed: str, meant: str) -> None:
    lazy = LazyGroup(name="main", lazy_subcommands=COMMANDS)  # no command imported yet
    result = CliRunner().invoke(lazy, [typed])
    assert result.exit_code == 2
    # zh: the default
    assert f"错误：没有命令 '{typed}'。 您是不是要输入 '{meant}'？" in result.output
    assert not lazy.commands


def test_python_m_perfkit_cli_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "systems", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "project-self-eval" in done.stdout

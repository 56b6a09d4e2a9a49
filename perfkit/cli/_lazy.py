"""A click group whose commands are imported only when they run.

This is click's "Lazily Loading Subcommands" pattern: the group knows each
command by name, as ``"module:attr"``, and imports the module only when the
command is resolved (run, or asked for its own ``--help``).  It also knows each
command's one-line help, so that the group's ``--help`` lists every command
without importing any of them; ``tests/test_cli_lazy.py`` checks that the lines
kept here are the commands' own.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from perfkit.i18n import gettext, set_language

__all__ = ["LazyGroup"]


class LazyGroup(click.Group):
    """A :class:`click.Group` that imports a command's module when the command runs.

    Parameters
    ----------
    lazy_subcommands
        Command name → ``("package.module:attr", one-line help)``.  The help is
        what the group's ``--help`` shows beside the name (shortened to the
        terminal's width exactly as click shortens a command's own help).
    *args, **kwargs
        Passed to :class:`click.Group`.

    Examples
    --------
    >>> group = LazyGroup(
    ...     "tool", lazy_subcommands={"hello": ("perfkit.cli.scoring:demo", "Say hello.")}
    ... )
    >>> group.list_commands(click.Context(group))
    ['hello']
    >>> from click.testing import CliRunner
    >>> print(CliRunner().invoke(group, ["--help"]).output.splitlines()[-1])
      hello  Say hello.
    """

    def __init__(
        self,
        *args: Any,
        lazy_subcommands: Mapping[str, tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """As click's, with the language of ``--lang`` (or ``PERFKIT_LANG``) chosen first.

        The root's options are read before any of them runs, so that ``--help``,
        a usage error and every message are in the language asked for wherever
        ``--lang`` stands among the group's options.
        """
        if parent is None:
            set_language(_language_in(args, self.lazy_subcommands.keys() | self.commands.keys()))
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, sorted, without importing any command."""
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named ``cmd_name``, importing its module on first use."""
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        target = self.lazy_subcommands[cmd_name][0]
        module_name, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):  # a mistake in the table, not the user's
            raise TypeError(f"{target} is not a click command")
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, with the lazy names among the suggestions for a mistyped command."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = getattr(exc, "command_name", None)  # click.exceptions.NoSuchCommand (≥ 8.4)
            if name is None:
                raise
            # type(exc) is click's NoSuchCommand here (it has command_name), which takes
            # possibilities; the stubs see only UsageError
            raise type(exc)(name, possibilities=self.list_commands(ctx), ctx=ctx) from None  # type: ignore[call-arg]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The "Commands" section from the table: nothing is imported to print it."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            if name in self.commands:  # loaded already, or registered eagerly
                command = self.commands[name]
            else:
                command = click.Command(name, help=self.lazy_subcommands[name][1])
            if not command.hidden:
                rows.append((name, command))
        if not rows:
            return
        # as click.Group.format_commands: the help gets what the widest name leaves
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section(gettext("Commands")):
            formatter.write_dl(
                [(name, command.get_short_help_str(limit)) for name, command in rows]
            )


def _language_in(args: list[str], commands: set[str] | Any) -> str | None:
    """The value of the group's ``--lang`` in ``args`` (before the command), if valid.

    Examples
    --------
    >>> _language_in(["--lang=en", "score", "--lang", "zh"], {"score"})
    'en'
    >>> _language_in(["score", "--lang", "en"], {"score"}) is None
    True
    """
    for i, arg in enumerate(args):
        if arg == "--" or arg in commands:
            break
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            try:
                return set_language(value)
            except ValueError:  # click's Choice reports it, in the default language
                return None
    return None

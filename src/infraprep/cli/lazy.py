"""A click group whose sub-groups are imported only when invoked.

``infraprep --help`` and ``infraprep round 3`` must start in well under 0.3 s, while ``calc``, ``lab``,
``sim`` and friends keep growing; so those groups are named here with a one-line summary and their
modules are imported only when the user runs one of their commands (``get_command``). The root
help lists them from the summaries without importing anything.
"""


import importlib

import click
import typer
from typer.core import TyperGroup

__all__ = ["LazyGroup"]


class LazyGroup(TyperGroup):
    """Subclass and set ``lazy = {name: (target, one-line help)}``.

    A target ``"package.module"`` names a module defining a typer ``app`` (a sub-group); a target
    ``"package.module:function"`` names one command function (typer turns it into a command on first use).
    """

    lazy: dict[str, tuple[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in self.lazy if name not in self.commands)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module_name, _, function = self.lazy[name][0].partition(":")
            module = importlib.import_module(module_name)
            if function:
                single = typer.Typer(add_completion=False, rich_markup_mode=None)
                single.command(name)(getattr(module, function))
                command = typer.main.get_command(single)  # one command: typer returns the command itself
            else:
                command = typer.main.get_command(module.app)
            command.name = name
            self.commands[name] = command
        return super().get_command(ctx, name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            if args and "Did you mean" not in exc.message:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, self.lazy[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

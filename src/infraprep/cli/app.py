"""The ``infraprep`` command: one registry of every sub-command, and error handling.

Bad input never shows a traceback: an :class:`~infraprep.errors.InfraprepError` or a usage error
prints one line on stderr and exits 2. Heavy libraries (torch, numba, triton, matplotlib, numpy) are
never imported at start-up (``tests/cli/test_startup.py``).
"""


import sys
from typing import Annotated

import click
import typer

from infraprep import __version__
from infraprep.cli.lazy import LazyGroup
from infraprep.cli.output import JSON_HELP, error_console
from infraprep.errors import InfraprepError

__all__ = ["app", "main"]

class _Root(LazyGroup):
    # Commands and groups are imported only when used, so start-up stays light as they grow.
    lazy = {
        "rounds": ("infraprep.cli.study:rounds", "The interview matrix: round, focus, course mapping, duration."),
        "round": ("infraprep.cli.study:round_view", "One round: its competencies with mastery and its questions."),
        "question": ("infraprep.cli.study:question", "A question; --hint, --answer, --grade again|hard|good|easy."),
        "competencies": ("infraprep.cli.study:competencies", "All 28 competencies with id, names, round, mastery."),
        "init": ("infraprep.cli.workspace:init", "Create your own prep repository in the seed's shape."),
        "progress": ("infraprep.cli.workspace:progress", "Mastery, attempts, reviews due, streak; ticks your README."),
        "lint": ("infraprep.cli.workspace:lint", "Check all round content (file:line: message; exit 1 on any)."),
        "drill": ("infraprep.cli.practice:drill", "Numeric and concept drills, graded with a stated tolerance."),
        "review": ("infraprep.cli.practice:review", "Run the spaced-repetition cards that are due."),
        "calc": ("infraprep.cli.calc", "Calculators: the numbers a candidate derives, with the derivation shown."),
        "sim": ("infraprep.cli.sim", "Simulators: discrete-event and Monte Carlo models of the dynamics."),
        "lab": ("infraprep.cli.lab", "Labs: real implementations on real engines, measured side by side."),
        "kata": ("infraprep.cli.kata", "Coding katas: start from a skeleton, check in a sandbox."),
        "mock": ("infraprep.cli.mock", "Timed mock interviews: start, resume, history."),
        "export": ("infraprep.cli.export", "Export to Anki, or the formula sheets to one page."),
    }


app = typer.Typer(
    cls=_Root,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: rich help rendering imports markdown-it (~90 ms of start-up)
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    help="Seven-round AI-infrastructure interview preparation: every number computed, every answer executable.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"infraprep {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """With no command: the study home."""
    if ctx.invoked_subcommand is None:
        from infraprep.cli import study

        study.home(as_json)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning expected errors into one line and an exit code."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="infraprep", standalone_mode=False)
    except InfraprepError as exc:
        _fail(str(exc), exc.exit_code)
    except click.exceptions.NoArgsIsHelpError:
        sys.exit(0)  # a group called bare: its help is already printed
    except click.UsageError as exc:
        hint = f" (see 'infraprep {exc.ctx.command_path.partition(' ')[2]} --help')".replace("  ", " ") if exc.ctx else ""
        _fail(exc.format_message() + hint, 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except click.Abort:
        _fail("aborted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # a file the user named or the workspace cannot be read or written
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), 1)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    error_console.print(f"infraprep: error: {' '.join(message.split())}", markup=False, soft_wrap=True)
    sys.exit(code)

"""``infraprep lab litmus``: memory-order litmus tests counted over millions of runs on this machine."""


from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


@app.command("litmus")
def litmus(
    test: Annotated[list[str] | None, typer.Option("--test", help="sb (store buffering) or mp (message passing); repeatable. Default: both.")] = None,
    order: Annotated[list[str] | None, typer.Option("--order", help="relaxed, acq_rel or seq_cst; repeatable. Default: all three.")] = None,
    iterations: Annotated[int, typer.Option(help="Runs of each (test, order) pair.")] = 2_000_000,
    as_json: JsonFlag = False,
) -> None:
    """Store buffering and message passing under relaxed, acquire/release and seq_cst: outcome counts.

    Exits 1 if an outcome C++ forbids is observed.
    """
    from infraprep.labs.litmus import ORDERS, TESTS, run_litmus

    with step_progress("litmus", enabled=not as_json) as on_step:
        report = run_litmus(test or tuple(TESTS), order or ORDERS, iterations, on_step)
    if as_json:
        emit_json(report.to_dict())
    else:
        _render(report)
    if report.violations:
        raise typer.Exit(1)


def _render(report) -> None:
    from rich import box

    from infraprep.labs.litmus import TESTS

    def yes_no(value: bool | None) -> str:
        return "—" if value is None else ("yes" if value else "no")

    short = {"observed": "[cyan]observed[/cyan]", "violation": "[red]VIOLATION[/red]",
             "not seen": "[yellow]not seen[/yellow]", "forbidden by C++": "forbidden",
             "impossible on x86": "x86 never"}

    runs = sorted({c.iterations for c in report.cells})
    table = Table("test", "order", "(0,0)", "(0,1)", "(1,0)", "(1,1)", "C++", "x86", "verdict",
                  title=f"Litmus outcomes (a, b) over {', '.join(f'{n:,}' for n in runs)} runs each",
                  title_justify="left", box=box.SIMPLE_HEAD)
    for c in report.cells:
        counts = [f"[bold]{c.outcomes[k]}[/bold]" if k == c.forbidden else str(c.outcomes[k])
                  for k in ("00", "01", "10", "11")]
        table.add_row(c.test, c.order, *counts, yes_no(c.cpp_allows), yes_no(c.hardware_allows), short[c.verdict])
    print_table(table)
    console.print("[dim]C++ / x86: may the bold outcome (forbidden under sequential consistency) occur?[/dim]")
    for t in (TESTS[name] for name in dict.fromkeys(c.test for c in report.cells)):
        console.print(f"[dim]{t.name}: {t.program}; bold ({t.forbidden[0]},{t.forbidden[1]}) = {t.meaning}[/dim]")
    for note in report.notes():
        console.print(f"• {note}")
    console.print(f"[dim]machine: {report.machine.line()}; {report.compiler}; threads pinned: "
                  f"{all(c.pinned for c in report.cells)}[/dim]")

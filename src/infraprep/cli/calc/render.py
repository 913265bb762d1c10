"""Render a calculator result: a table of its rows and the derivation, or its JSON."""


from rich.panel import Panel
from rich.table import Table

from infraprep.calc.result import CalcResult
from infraprep.cli.output import console, emit_json, print_table

__all__ = ["show"]


def show(result: CalcResult, as_json: bool, title: str) -> None:
    if as_json:
        emit_json(result.to_dict())
        return
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value", justify="right")
    for label, value in result.rows():
        table.add_row(label, value)
    print_table(table)
    console.print(Panel(result.explain(), title="derivation", title_align="left", expand=False))

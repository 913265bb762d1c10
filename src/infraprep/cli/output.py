"""Rendering helpers shared by every command: one console, JSON out, one-line errors."""


import json
import math
import sys
from typing import Any

from rich.console import Console

__all__ = ["JSON_HELP", "console", "emit_json", "error_console", "percent", "print_table"]

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)
JSON_HELP = "Print the result as JSON (SI base units, fractions 0-1) instead of a table."


def _clean(value: Any) -> Any:
    """JSON cannot carry inf/nan: they become null (documented per command where they can occur)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n")


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction:.0%}"


def print_table(table) -> None:
    """Print a table of figures without cutting any: a column whose cells hold no spaces (numbers, ids) is
    kept at least as wide as its widest cell, so on a narrow terminal the headers wrap instead; and a
    table wider than the terminal drops its outer edges and doubled padding (a plain rule under the
    header) first."""
    from rich import box
    from rich.cells import cell_len
    from rich.measure import Measurement
    from rich.text import Text

    for column in table.columns:
        cells = [cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain for cell in column._cells]
        if cells and not any(" " in cell for cell in cells):
            column.min_width = max(column.min_width or 0, *(cell_len(cell) for cell in cells))
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    if natural > console.width:
        table.box, table.show_edge, table.pad_edge, table.collapse_padding = box.SIMPLE_HEAD, False, False, True
    console.print(table)

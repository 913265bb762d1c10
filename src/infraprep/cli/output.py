"""Rendering helpers shared by every command: one console, JSON out, one-line errors."""


import json
import math
import sys
from typing import Any

from rich.console import Console

__all__ = ["JSON_HELP", "console", "emit_json", "error_console", "percent"]

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

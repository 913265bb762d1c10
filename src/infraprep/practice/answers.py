"""Parse a candidate's typed answer into SI base units, by the dimension the drill expects.

``"14.2 GiB"``, ``"3.1e21 FLOPs"``, ``"45%"``, ``"2.3 ms"``, ``"50 GB/s"``, ``"989 TFLOP/s"``, ``"2.5x"``.
Spaces between number and unit are allowed. A bare number is read in the drill's display unit
(the prompt says "answer in GiB"), so ``14.2`` means 14.2 GiB there — never silently in bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from infraprep.calc import units
from infraprep.errors import InvalidValue

__all__ = ["DIMENSIONS", "format_answer", "parse_answer"]


def _ratio(text: str, name: str = "answer") -> float:
    number = r"([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    match = re.fullmatch(rf"\s*{number}\s*(?:[x×]|FLOPs?/(?:B|byte))?\s*", text, re.IGNORECASE)
    if not match:
        raise InvalidValue(name, text, "a number like 2.5, 2.5x or 295 FLOP/byte")
    return float(match[1])


DIMENSIONS: dict[str, Callable[..., float]] = {
    "bytes": units.parse_bytes,
    "seconds": units.parse_seconds,
    "flops": units.parse_flops,
    "flop_rate": units.parse_flop_rate,
    "bandwidth": units.parse_bandwidth,
    "fraction": units.parse_fraction,
    "count": units.parse_count,
    "ratio": _ratio,
}

_FORMATTERS: dict[str, Callable[[float], str]] = {
    "bytes": lambda v: units.format_bytes(v),
    "seconds": lambda v: units.format_seconds(v),
    "flops": lambda v: units.format_flops(v),
    "flop_rate": lambda v: units.format_flops(v, rate=True),
    "bandwidth": lambda v: units.format_bandwidth(v),
    "fraction": lambda v: f"{v:.2%}",
    "count": lambda v: units.format_count(v),
    "ratio": lambda v: f"{v:.4g}×",
}

_BARE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


def parse_answer(text: str, dimension: str, unit: str = "") -> float:
    """The answer in SI base units. ``unit`` (e.g. ``"GiB"``) applies to a bare number."""
    if dimension not in DIMENSIONS:
        raise InvalidValue("dimension", dimension, f"one of {', '.join(DIMENSIONS)}")
    text = text.strip()
    if _BARE.fullmatch(text) and unit and dimension != "ratio":
        text = text + unit
    compact = re.sub(r"(?<=[\d.])\s+(?=[^\d\s])", "", text)  # "14.2 GiB" -> "14.2GiB"
    compact = compact.replace(" ", "")
    if dimension == "bandwidth":
        compact = compact.replace("/sec", "/s")
    return DIMENSIONS[dimension](compact, "answer")


def format_answer(value: float, dimension: str, unit: str = "") -> str:
    """A value for display; in ``unit`` when given (e.g. ``GiB``, ``ms``, ``TB/s``), else the best fit."""
    if unit and dimension not in ("fraction", "ratio"):
        factor = parse_answer("1", dimension, unit)
        return f"{value / factor:.4g} {unit}"
    return _FORMATTERS[dimension](value)

"""Typer option parsers for human quantities (``70B``, ``16GiB``, ``400Gbps``, ``2.3ms``, ``45%``).

Each wraps a :mod:`infraprep.calc.units` parser and turns its error into click's ``BadParameter``,
so a bad quantity prints ``Invalid value for '--x': …`` on one line and exits 2.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import click

from infraprep.calc import units
from infraprep.errors import InvalidValue

__all__ = ["bandwidth", "byte_size", "count", "duration", "duration_or_zero", "flop_rate", "flops", "fraction"]


def _adapt(parse: Callable[..., float]) -> Callable[[str], float]:
    def parser(text: str | float) -> float:
        if isinstance(text, float):  # a default value, already parsed
            return text
        try:
            return parse(text)
        except InvalidValue as exc:
            raise click.BadParameter(f"{exc.value!r}: expected {exc.valid}") from None

    return parser


count = _adapt(units.parse_count)
byte_size = _adapt(units.parse_bytes)
bandwidth = _adapt(units.parse_bandwidth)
duration = _adapt(units.parse_seconds)
duration_or_zero = _adapt(partial(units.parse_seconds, allow_zero=True))  # latencies: α = 0 is a valid model
flops = _adapt(units.parse_flops)
flop_rate = _adapt(units.parse_flop_rate)
fraction = _adapt(units.parse_fraction)

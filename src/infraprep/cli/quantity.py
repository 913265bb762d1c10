"""Typer option parsers for human quantities (``70B``, ``16GiB``, ``400Gbps``, ``2.3ms``, ``45%``).

Each wraps a :mod:`infraprep.calc.units` parser and turns its error into click's ``BadParameter``,
so a bad quantity prints ``Invalid value for '--x': …`` on one line and exits 2.
"""


from collections.abc import Callable

import click

from infraprep.calc import units
from infraprep.errors import InvalidValue

__all__ = ["bandwidth", "byte_size", "count", "duration", "duration_or_zero", "flop_rate", "flops", "fraction", "parse_list"]


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
duration_or_zero = _adapt(lambda text: units.parse_seconds(text, allow_zero=True))
flops = _adapt(units.parse_flops)
flop_rate = _adapt(units.parse_flop_rate)
fraction = _adapt(units.parse_fraction)


def parse_list(text: str, parse: Callable[..., float], name: str, example: str, most: int = 64) -> tuple[float, ...]:
    """A comma-separated list (``1k,16k,100k``; ``1min,10min``) through a :mod:`infraprep.calc.units`
    parser; one :class:`InvalidValue` naming the whole list if any item is bad or it has 0 or > ``most`` items."""
    try:
        values = tuple(parse(part.strip(), name) for part in str(text).split(",") if part.strip())
    except InvalidValue:
        values = ()
    if not values or len(values) > most:
        raise InvalidValue(name, text, f"1 to {most} comma-separated values, e.g. {example}")
    return values

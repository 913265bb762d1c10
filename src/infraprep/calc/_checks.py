"""Validation helpers shared by the training calculators.

Each raises :class:`~infraprep.errors.InvalidValue` naming the option as the user typed it (``--tp``)
and what would be valid, so the CLI prints one line and exits 2. Library callers get the same
message. ``bool`` is rejected where a number is expected (``True`` is an ``int`` in Python).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from infraprep.errors import InvalidValue

__all__ = ["choice", "divides", "positive", "positive_int"]


MAX_INT = 2**53  # beyond this a count no longer converts to a float exactly (and may overflow one)


def positive_int(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int in [``minimum``, 2⁵³] (integral floats such as ``8.0`` are accepted)."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value, ok = int(value), True
    if not ok or not minimum <= value <= MAX_INT:
        raise InvalidValue(name, value, f"an integer from {minimum} to 2^53")
    return value


def positive(name: str, value: object, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (or ≥ 0 with ``allow_zero``)."""
    bound = "≥ 0" if allow_zero else "> 0"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidValue(name, value, f"a finite number {bound}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidValue(name, value, f"a finite number {bound}")
    return float(value)


def choice(name: str, value: object, choices: Iterable[object]) -> None:
    """``value`` must be one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise InvalidValue(name, value, "one of " + ", ".join(str(c) for c in choices))


def divides(name: str, value: int, total: int, what: str) -> None:
    """``value`` must divide ``total`` (``what`` names the total, e.g. ``"heads"``)."""
    if total % value:
        raise InvalidValue(name, value, f"a divisor of {what}={total}")

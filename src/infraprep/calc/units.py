"""Quantities in and out: parse human input into SI base units, format results for people.

Conventions (never mixed silently):

* decimal prefixes k, M, G, T, P, E are powers of 1000; binary Ki, Mi, Gi, Ti, Pi are powers of 1024;
* bytes are ``B``; bits are ``b`` (``400Gbps`` = ``400Gb/s`` = 400e9 bits/s = 50e9 bytes/s);
* a bare count suffix ``B`` means billions (``70B`` parameters), ``T`` trillions — only for counts;
* internally everything is SI base units: bytes, bytes/s, seconds, FLOPs, FLOP/s, fractions 0-1.

>>> parse_bytes("16GiB"), parse_bytes("80GB")
(17179869184.0, 80000000000.0)
>>> parse_bandwidth("400Gbps"), parse_bandwidth("3.35TB/s")
(50000000000.0, 3350000000000.0)
>>> parse_count("70B"), parse_seconds("2.3ms"), parse_fraction("45%")
(70000000000.0, 0.0023, 0.45)
"""

from __future__ import annotations

import math
import re

from infraprep.errors import InvalidValue

__all__ = [
    "format_bandwidth",
    "format_bytes",
    "format_count",
    "format_flops",
    "format_seconds",
    "parse_bandwidth",
    "parse_bytes",
    "parse_count",
    "parse_flop_rate",
    "parse_flops",
    "parse_fraction",
    "parse_seconds",
]

_DECIMAL = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_BINARY = {"Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}
_COUNT = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}
_TIME = {"": 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "min": 60.0, "h": 3600.0, "d": 86400.0}
_NUMBER = r"(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*"


def _split(text: str, name: str, expected: str) -> tuple[float, str]:
    match = re.fullmatch(_NUMBER + r"(?P<unit>[^\d\s].*)?", str(text).strip().replace("_", "").replace(",", ""))
    if not match:
        raise InvalidValue(name, text, expected)
    value = float(match["num"])
    if not math.isfinite(value):
        raise InvalidValue(name, text, expected)
    return value, (match["unit"] or "").strip()


def _positive(value: float, name: str, text: str, expected: str, allow_zero: bool) -> float:
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidValue(name, text, expected + (" (≥ 0)" if allow_zero else " (> 0)"))
    return value


def _prefixed(unit: str, base: str) -> float | None:
    """Multiplier for ``<prefix><base>`` (decimal or binary prefix), or None if it does not fit."""
    if not unit.endswith(base):
        return None
    prefix = unit[: len(unit) - len(base)]
    if prefix in _BINARY:
        return _BINARY[prefix]
    return _DECIMAL.get(prefix)


def parse_count(text: str | float, name: str = "value", allow_zero: bool = False) -> float:
    """A count such as ``70B``, ``7.5e9``, ``16k``, ``1.5T`` (B = billion, never bytes here)."""
    expected = "a count like 70B, 7.5e9, 16k or 512"
    value, unit = _split(str(text), name, expected)
    if unit not in _COUNT:
        raise InvalidValue(name, text, expected)
    return _positive(value * _COUNT[unit], name, str(text), expected, allow_zero)


def parse_bytes(text: str | float, name: str = "value", allow_zero: bool = False) -> float:
    """A size such as ``16GiB`` (binary), ``80GB`` (decimal), ``512MiB`` or a plain byte count."""
    expected = "a size like 16GiB, 80GB, 512MiB or a byte count"
    value, unit = _split(str(text), name, expected)
    factor = 1.0 if unit == "" else _prefixed(unit, "B")
    if factor is None:
        raise InvalidValue(name, text, expected)
    return _positive(value * factor, name, str(text), expected, allow_zero)


def parse_bandwidth(text: str | float, name: str = "value") -> float:
    """Bytes per second from ``3.35TB/s``, ``900GiB/s``, ``400Gbps``/``400Gb/s`` (bits) or bytes/s."""
    expected = "a bandwidth like 3.35TB/s, 50GB/s, 400Gbps or bytes per second"
    value, unit = _split(str(text), name, expected)
    if unit == "":
        return _positive(value, name, str(text), expected, False)
    for suffix, per in (("B/s", 1.0), ("Bps", 1.0), ("b/s", 1 / 8), ("bps", 1 / 8)):
        factor = _prefixed(unit, suffix)
        if factor is not None:
            return _positive(value * factor * per, name, str(text), expected, False)
    raise InvalidValue(name, text, expected)


def parse_seconds(text: str | float, name: str = "value", allow_zero: bool = False) -> float:
    """A duration such as ``2.3ms``, ``5us``, ``300s``, ``10min``, ``1.5h``, ``54d`` or plain seconds."""
    expected = "a duration like 2.3ms, 300s, 10min, 1.5h or 54d"
    value, unit = _split(str(text), name, expected)
    if unit not in _TIME:
        raise InvalidValue(name, text, expected)
    return _positive(value * _TIME[unit], name, str(text), expected, allow_zero)


_FLOP_PREFIXES = {**_DECIMAL, "Z": 1e21}


def _flop_quantity(text: str | float, name: str, expected: str, bases: tuple[str, ...]) -> float:
    value, unit = _split(str(text), name, expected)
    for base in (*bases, ""):
        if unit.endswith(base) and unit[: len(unit) - len(base)] in _FLOP_PREFIXES:
            return _positive(value * _FLOP_PREFIXES[unit[: len(unit) - len(base)]], name, str(text), expected, False)
    raise InvalidValue(name, text, expected)


def parse_flops(text: str | float, name: str = "value") -> float:
    """An amount of work such as ``3.1e21``, ``3.1e21FLOPs``, ``6EFLOPs`` or ``1.2ZFLOPs``."""
    return _flop_quantity(text, name, "FLOPs like 3.1e21 or 6EFLOPs", ("FLOPs", "FLOPS", "FLOP"))


def parse_flop_rate(text: str | float, name: str = "value") -> float:
    """A rate such as ``989TFLOPS``, ``989 TFLOP/s``, ``1.98PFLOPS`` or plain FLOP/s like ``312e12``."""
    return _flop_quantity(text, name, "a FLOP rate like 989TFLOPS, 312e12 or 1.98PFLOP/s", ("FLOP/s", "FLOPS", "FLOPs"))


def parse_fraction(text: str | float, name: str = "value") -> float:
    """A fraction 0-1 from ``0.45`` or ``45%``."""
    expected = "a fraction like 0.45 or 45%"
    value, unit = _split(str(text), name, expected)
    if unit == "%":
        value /= 100
    elif unit:
        raise InvalidValue(name, text, expected)
    if not 0 <= value <= 1:
        raise InvalidValue(name, text, expected + " between 0 and 1")
    return value


def _scaled(value: float, prefixes: list[tuple[str, float]], unit: str, digits: int) -> str:
    for prefix, factor in prefixes:
        if abs(value) >= factor:
            return f"{value / factor:.{digits}g} {prefix}{unit}"
    return f"{value:.{digits}g} {unit}"


_DEC_PREFIXES = [("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)]
_BIN_PREFIXES = [("Ei", 2.0**60), ("Pi", 2.0**50), ("Ti", 2.0**40), ("Gi", 2.0**30), ("Mi", 2.0**20), ("Ki", 2.0**10)]


def format_bytes(n: float, binary: bool = True, digits: int = 4) -> str:
    """``format_bytes(2**34)`` → ``'16 GiB'``; ``binary=False`` → decimal ``'17.18 GB'``."""
    return _scaled(n, _BIN_PREFIXES if binary else _DEC_PREFIXES, "B", digits)


def format_bandwidth(bytes_per_s: float, digits: int = 4) -> str:
    """Decimal bytes per second, as vendors quote links: ``'50 GB/s'``."""
    return _scaled(bytes_per_s, _DEC_PREFIXES, "B/s", digits)


def format_flops(flops: float, rate: bool = False, digits: int = 4) -> str:
    """``'3.15e+23 FLOPs'`` style for amounts (scientific), ``'989.4 TFLOP/s'`` for rates."""
    if rate:
        return _scaled(flops, _DEC_PREFIXES, "FLOP/s", digits)
    return f"{flops:.{digits}g} FLOPs"


def format_count(n: float, digits: int = 4) -> str:
    """``'70.55 B'``-style counts (B = billion)."""
    return _scaled(n, [("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)], "", digits).rstrip()


def format_seconds(seconds: float, digits: int = 4) -> str:
    """The most readable of ns, µs, ms, s, min, h, d."""
    for unit, factor in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if abs(seconds) >= 2 * factor:
            return f"{seconds / factor:.{digits}g} {unit}"
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(seconds) >= factor:
            return f"{seconds / factor:.{digits}g} {unit}"
    return f"{seconds / 1e-9:.{digits}g} ns"

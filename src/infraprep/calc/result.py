"""What every calculator returns: a frozen result that can explain and serialize itself.

A calculator is ``frozen inputs → pure function → frozen result``. The result carries the breakdown
in SI base units and implements:

* ``to_dict()`` — JSON-ready, SI base units (bytes, seconds, FLOPs, FLOP/s, bytes/s; fractions 0-1),
  including a ``"conventions"`` entry naming every convention used;
* ``explain()`` — the formula with the numbers substituted, as a candidate writes it on a whiteboard;
* ``rows()`` — (label, human-readable value) pairs for the CLI's table.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["CalcResult"]


@runtime_checkable
class CalcResult(Protocol):
    def to_dict(self) -> dict: ...

    def explain(self) -> str: ...

    def rows(self) -> list[tuple[str, str]]: ...

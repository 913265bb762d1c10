"""An HBM model for the attention algorithms: named arrays whose every element read and write is counted.

Dao et al. 2022 (FlashAttention, §3.2 and Appendix C) count *HBM accesses* in elements: loading a
block of Q into SRAM reads ``B_r·d`` elements, writing a block of O back writes ``B_r·d``. The
algorithms in :mod:`.flash` and :mod:`.standard` move data only through :class:`HBM`, so the count
is of what they actually do, and :mod:`.io` gives the closed forms to compare with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HBM"]


@dataclass
class HBM:
    """Arrays in high-bandwidth memory, with element counts of reads and writes per array."""

    arrays: dict[str, Any] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    writes: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def put(self, name: str, array) -> None:
        """Place an array in HBM uncounted: an input already there, or uninitialised space for an output."""
        self.arrays[name] = array

    def alloc(self, name: str, array) -> None:
        """Initialise an output in HBM: a counted write of every element."""
        self.arrays[name] = array
        self.writes[name] += array.size

    def load(self, name: str, rows: slice):
        """Read ``array[rows]`` into SRAM (a copy): counted."""
        block = self.arrays[name][rows].copy()
        self.reads[name] += block.size
        return block

    def store(self, name: str, rows: slice, block) -> None:
        """Write ``block`` to ``array[rows]``: counted."""
        self.arrays[name][rows] = block
        self.writes[name] += block.size

    @property
    def total_reads(self) -> int:
        return sum(self.reads.values())

    @property
    def total_writes(self) -> int:
        return sum(self.writes.values())

    @property
    def total(self) -> int:
        return self.total_reads + self.total_writes

    def to_dict(self) -> dict:
        return {"reads": dict(self.reads), "writes": dict(self.writes), "total": self.total}

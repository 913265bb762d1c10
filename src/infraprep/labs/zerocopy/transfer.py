"""One way of moving a buffer, measured: the row type every zero-copy measurement returns."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Transfer"]


@dataclass(frozen=True)
class Transfer:
    """How long until the receiver holds a usable array of ``nbytes``, and whether it is the sender's memory.

    ``seconds`` is the best of the reps, from the request to a usable numpy/torch object (pages of a
    fresh mapping not yet touched). ``seconds_with_read`` adds one full read pass over the data (a
    checksum, verified), which for a fresh mapping includes its page faults; ``None`` in-process.
    ``shares_memory`` is checked, not assumed: a write through the received object must show up in
    the sender's buffer (pointer equality in-process).
    """

    name: str
    scope: str  # "between processes" or "in process"
    nbytes: int
    seconds: float
    seconds_with_read: float | None
    shares_memory: bool
    how: str

    @property
    def bytes_per_s(self) -> float:
        return self.nbytes / self.seconds

    def ratio_to(self, memcpy_bytes_per_s: float) -> float:
        """Throughput ÷ memcpy bandwidth: below 1 the path copies; far above 1 it moves no bytes at all."""
        return self.bytes_per_s / memcpy_bytes_per_s

    def to_dict(self, memcpy_bytes_per_s: float) -> dict:
        with_read = self.seconds_with_read
        return {
            "name": self.name, "scope": self.scope, "bytes": self.nbytes, "seconds": self.seconds,
            "bytes_per_s": self.bytes_per_s, "ratio_to_memcpy": self.ratio_to(memcpy_bytes_per_s),
            "seconds_with_read": with_read,
            "bytes_per_s_with_read": self.nbytes / with_read if with_read else None,
            "shares_memory": self.shares_memory, "how": self.how,
        }

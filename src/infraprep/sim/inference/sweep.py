"""Request-rate sweeps: one simulation per rate, giving latency–throughput curves.

As the offered rate rises, throughput grows until the replica saturates while TTFT (queueing) and
ITL (bigger batches) climb; goodput under the SLA peaks before saturation. ``infraprep sim serve
--sweep … --plot FILE`` draws p99 TTFT and p99 ITL against achieved throughput, and goodput against
the offered rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.sim.inference.simulator import SimConfig, SimResult, simulate

__all__ = ["SweepPoint", "sweep"]


@dataclass(frozen=True)
class SweepPoint:
    rate: float
    result: SimResult

    def to_dict(self) -> dict:
        return {"rate": self.rate, **self.result.to_dict()}


def sweep(base: SimConfig, rates: Sequence[float], progress: Callable[[int], None] | None = None) -> list[SweepPoint]:
    """Simulate ``base`` at each rate (same seed: the same requests, arriving faster)."""
    if not rates or any(not r > 0 for r in rates):
        raise InvalidValue("--sweep", ",".join(map(str, rates)), "comma-separated rates > 0, like 5,10,20,40")
    return [SweepPoint(rate, simulate(base.with_workload(rate=rate), progress)) for rate in sorted(rates)]

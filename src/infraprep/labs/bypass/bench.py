"""Kernel bypass, measured: TCP loopback vs a shared-memory ring, side by side at each message size.

For each size both transports run in the same invocation, one after the other, with the same number of
timed round trips; the table reports round-trip p50/p99, CPU per message split into user and system
time, and context switches per message. The system-time column is the point: on TCP every message
costs system calls and kernel copies, on the ring none — which is what RDMA verbs do for a NIC (the
application posts work requests to a queue pair in registered memory and polls the completion queue;
the kernel is only involved in setting that up). The price shows too: a spinning poller burns CPU
while it waits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infraprep.labs.bypass.transports import Sample, run_shm, run_tcp

__all__ = ["DEFAULT_SIZES", "BypassResult", "Row", "measure"]

DEFAULT_SIZES = (64, 1024, 16 << 10, 256 << 10, 1 << 20)


def _percentile(values: Sequence[int], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo))


@dataclass(frozen=True)
class Row:
    """One transport at one size."""

    transport: str
    size: int
    sample: Sample

    def to_dict(self) -> dict:
        s, n = self.sample, self.sample.messages
        return {"transport": self.transport, "bytes": self.size, "messages": n,
                "rtt_p50_s": _percentile(s.rtt_ns, 50) * 1e-9, "rtt_p99_s": _percentile(s.rtt_ns, 99) * 1e-9,
                "cpu_user_s_per_message": s.user_s / n, "cpu_sys_s_per_message": s.sys_s / n,
                "context_switches_per_message": s.switches / n}


@dataclass(frozen=True)
class BypassResult:
    rows: tuple[Row, ...]

    def to_dict(self) -> dict:
        return {"rows": [r.to_dict() for r in self.rows],
                "conventions": {"rtt": "client-side round trip, perf_counter_ns",
                                "cpu": "client + server process CPU over the timed messages (getrusage)"}}

    def p50(self, transport: str, size: int) -> float:
        return next(r.to_dict()["rtt_p50_s"] for r in self.rows if r.transport == transport and r.size == size)


def _count(size: int, messages: int) -> int:
    """Fewer round trips for big messages: about 64 MiB of payload per transport and size."""
    return max(20, min(messages, (64 << 20) // max(size, 1)))


def measure(sizes: Sequence[int] = DEFAULT_SIZES, messages: int = 2000,
            on_step: Callable[[str, int], None] | None = None) -> BypassResult:
    """Run both transports at every size (TCP first, then the ring)."""
    rows = []
    for size in sizes:
        count = _count(size, messages)
        warmup = max(5, count // 10)
        for name, run in (("tcp", run_tcp), ("shm", run_shm)):
            if on_step:
                on_step(name, size)
            rows.append(Row(name, size, run(size, warmup, count)))
    return BypassResult(tuple(rows))

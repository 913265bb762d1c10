"""The event loop: arrivals and finishes, one scheduling pass per event time, metrics, deadlock.

Events pop in (time, kind, sequence) order — finishes before arrivals at the same instant, so freed
GPUs are visible to the pass that follows. Between two event times the state is constant, so
utilization, held-but-idle GPUs and fragmentation are integrated exactly.

Deadlock: the heap is empty (no job running, none to arrive) but jobs are still pending. Every job
fits the empty cluster (checked on input), so that can only happen when pending jobs hold GPUs
that other pending jobs need — a cycle nobody can break. The loop reports it instead of spinning.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from infraprep.sim.gang.cluster import Cluster, Shape
from infraprep.sim.gang.jobs import Job, validate_jobs

__all__ = ["SimResult", "SimState", "percentile", "simulate"]

FINISH, ARRIVAL = 0, 1


@dataclass
class SimState:
    cluster: Cluster
    weights: dict[str, float]
    pending: dict[int, Job] = field(default_factory=dict)
    running: dict[int, float] = field(default_factory=dict)  # job id → end time
    jobs: dict[int, Job] = field(default_factory=dict)
    allocated: dict[str, int] = field(default_factory=dict)  # queue → GPUs held by running jobs

    def weight(self, queue: str) -> float:
        return self.weights.get(queue, 1.0)


@dataclass(frozen=True)
class SimResult:
    scheduler: str
    total: int
    completed: int
    deadlocked: bool
    held_at_end: int  # GPUs held by pending (never-started) jobs when the run ended
    utilization: float  # GPU-time of running jobs ÷ (GPUs × span)
    utilization_loaded: float  # the same until the last arrival (leaves out the drain at the end)
    held_idle: float  # GPU-time held by pods of jobs that are not running ÷ (GPUs × span)
    fragmentation: float  # time-average share of free GPUs stranded on partly used nodes
    wait_p50: float
    wait_p99: float
    makespan: float
    mean_nodes: float  # nodes spanned per started job
    mean_racks: float
    starts: dict[int, float]
    ends: dict[int, float]
    timeline: list[tuple[float, int, int]]  # (time, busy GPUs, held-idle GPUs)

    def to_dict(self, with_timeline: bool = False) -> dict:
        out = {k: getattr(self, k) for k in ("scheduler", "total", "completed", "deadlocked", "held_at_end",
                                             "utilization", "utilization_loaded", "held_idle", "fragmentation", "wait_p50", "wait_p99",
                                             "makespan", "mean_nodes", "mean_racks")}
        out["completion"] = self.completed / self.total if self.total else 1.0
        if with_timeline:
            out["timeline"] = [list(t) for t in self.timeline]
        return out


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list; NaN for an empty one."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def simulate(shape: Shape, jobs: list[Job], scheduler, weights: dict[str, float] | None = None,
             observer: Callable[[SimState, float], None] | None = None) -> SimResult:
    """Run ``jobs`` on an empty cluster of ``shape`` under ``scheduler``; ``observer(state, now)`` is
    called after every scheduling pass (tests check invariants there)."""
    validate_jobs(jobs, shape)
    state = SimState(Cluster(shape), weights or {})
    heap: list[tuple[float, int, int, int]] = []
    for seq, job in enumerate(jobs):
        heapq.heappush(heap, (job.arrival, ARRIVAL, seq, job.id))
        state.jobs[job.id] = job
    seq = len(jobs)
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    spans: list[tuple[int, int]] = []
    busy = held = 0
    first = last = min((j.arrival for j in jobs), default=0.0)
    busy_time = held_time = frag_time = 0.0
    last_arrival = max((j.arrival for j in jobs), default=0.0)
    loaded_time = 0.0
    timeline: list[tuple[float, int, int]] = []
    while heap:
        now = heap[0][0]
        busy_time += busy * (now - last)
        loaded_time += busy * max(0.0, min(now, last_arrival) - last)
        held_time += held * (now - last)
        frag_time += state.cluster.fragmentation() * (now - last)
        last = now
        while heap and heap[0][0] == now:
            _, kind, _, job_id = heapq.heappop(heap)
            job = state.jobs[job_id]
            if kind == FINISH:
                state.cluster.release(job_id)
                del state.running[job_id]
                ends[job_id] = now
            else:
                state.pending[job_id] = job
        for job_id in scheduler.schedule(state, now):
            job = state.pending.pop(job_id)
            placements = state.cluster.pods[job_id]
            # pods that did not get a node at start are dropped: the job runs with what it has
            state.running[job_id] = now + job.duration
            starts[job_id] = now
            spans.append((len({n for n, _ in placements}), len({state.cluster.rack_of(n) for n, _ in placements})))
            seq += 1
            heapq.heappush(heap, (now + job.duration, FINISH, seq, job_id))
        state.allocated = _allocated(state)
        busy = sum(g for j in state.running for _, g in state.cluster.pods[j])
        held = sum(g for j in state.pending for _, g in state.cluster.pods.get(j, ()))
        timeline.append((now, busy, held))
        if observer:
            observer(state, now)
    span = max(last - first, 1e-12)
    capacity = shape.gpus * span
    waits = [starts[j] - state.jobs[j].arrival for j in starts]
    return SimResult(
        scheduler=scheduler.name, total=len(jobs), completed=len(ends), deadlocked=bool(state.pending) and held > 0,
        held_at_end=held, utilization=busy_time / capacity,
        utilization_loaded=loaded_time / (shape.gpus * (last_arrival - first)) if last_arrival > first else float("nan"),
        held_idle=held_time / capacity,
        fragmentation=frag_time / span, wait_p50=percentile(waits, 50), wait_p99=percentile(waits, 99),
        makespan=last - first, mean_nodes=sum(s[0] for s in spans) / len(spans) if spans else 0.0,
        mean_racks=sum(s[1] for s in spans) / len(spans) if spans else 0.0, starts=starts, ends=ends,
        timeline=timeline)


def _allocated(state: SimState) -> dict[str, int]:
    out: dict[str, int] = {}
    for job_id in state.running:
        job = state.jobs[job_id]
        out[job.queue] = out.get(job.queue, 0) + sum(g for _, g in state.cluster.pods[job_id])
    return out

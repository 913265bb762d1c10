"""Jobs as pod groups (Volcano PodGroup semantics), queues with weights, traces and the classic deadlock.

A job is ``pods`` pods of ``gpus_per_pod`` GPUs; it may start once ``min_member`` of them are placed
(Volcano's ``PodGroup.spec.minMember``); pods beyond min_member are placed if room is left at start.
It runs for ``duration`` seconds once started. ``queue`` names a weighted queue (Volcano ``Queue``
``spec.weight``); higher ``priority`` goes first within a queue.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.sim.gang.cluster import Shape

__all__ = ["Job", "classic_deadlock", "generate_trace", "validate_jobs"]


@dataclass(frozen=True)
class Job:
    id: int
    pods: int
    gpus_per_pod: int
    duration: float
    arrival: float = 0.0
    min_member: int | None = None  # default: all pods (a training job)
    priority: int = 0
    queue: str = "default"

    @property
    def gang(self) -> int:
        return self.pods if self.min_member is None else self.min_member

    @property
    def gpus(self) -> int:
        return self.pods * self.gpus_per_pod


def validate_jobs(jobs: list[Job], shape: Shape) -> None:
    """Every job must be able to start on the empty cluster (else no scheduler could run it)."""
    ids = set()
    for job in jobs:
        if job.id in ids:
            raise InvalidValue("job id", job.id, "unique ids")
        ids.add(job.id)
        if not (1 <= job.gpus_per_pod <= shape.gpus_per_node):
            raise InvalidValue(f"job {job.id} gpus_per_pod", job.gpus_per_pod, f"1..{shape.gpus_per_node}")
        if not (1 <= job.gang <= job.pods):
            raise InvalidValue(f"job {job.id} min_member", job.gang, f"1..pods={job.pods}")
        if job.gang > shape.nodes * (shape.gpus_per_node // job.gpus_per_pod):
            raise InvalidValue(f"job {job.id}", f"{job.gang} pods × {job.gpus_per_pod} GPUs",
                               f"a gang that fits the empty cluster ({shape.nodes} × {shape.gpus_per_node} GPUs)")
        if not (job.duration > 0 and math.isfinite(job.duration)) or job.arrival < 0:
            raise InvalidValue(f"job {job.id}", job, "duration > 0 and arrival ≥ 0")


def classic_deadlock() -> tuple[Shape, list[Job]]:
    """Two 6-pod jobs of 1 GPU each on 2 nodes × 4 GPUs: each needs 6, together they need 12 of 8.

    A per-pod scheduler interleaves their pods (both controllers create pods at t=0) and binds
    4 + 4: each job holds half of the cluster and waits for GPUs the other holds — forever.
    """
    return Shape(racks=1, nodes_per_rack=2, gpus_per_node=4), [Job(0, 6, 1, 10.0), Job(1, 6, 1, 10.0)]


def generate_trace(shape: Shape, jobs: int = 200, load: float = 0.9, seed: int = 0,
                   queues: dict[str, float] | None = None, elastic: float = 0.2, burst: int = 1,
                   max_fraction: float = 1 / 3) -> list[Job]:
    """A synthetic trace: Poisson arrivals at ``load`` × cluster capacity, sizes 1–64 GPUs (powers of 2,
    smaller more often, capped at ``max_fraction`` of the cluster), log-normal durations (median 30 min), pods of
    1–8 GPUs, 20% high priority, ``elastic`` share with min_member = half the pods. ``burst`` jobs
    arrive together (a sweep submitted at once), which is when per-pod scheduling can deadlock."""
    if not 1 <= jobs <= 100_000:
        raise InvalidValue("--jobs", jobs, "between 1 and 100000")
    if not 1 <= burst <= jobs:
        raise InvalidValue("--burst", burst, f"between 1 and the number of jobs ({jobs})")
    if not 0 < load <= 5:
        raise InvalidValue("--load", load, "an offered load between 0 and 5 (1 = the cluster's capacity)")
    if not 0 < max_fraction <= 1:
        raise InvalidValue("--max-job-fraction", max_fraction, "a fraction of the cluster in (0, 1]")
    queues = queues or {"prod": 3.0, "research": 1.0}
    rng = random.Random(seed)
    sizes = [s for s in (1, 2, 4, 8, 16, 32, 64, 128, 256) if s <= max(1, int(shape.gpus * max_fraction))]
    weights = [1 / (i + 1) for i in range(len(sizes))]
    drawn = []
    for _ in range(jobs):
        size = rng.choices(sizes, weights)[0]
        per_pod = rng.choice([p for p in (1, 2, 4, 8) if p <= min(size, shape.gpus_per_node) and size % p == 0])
        pods = size // per_pod
        duration = 1800.0 * math.exp(rng.gauss(0.0, 1.0))
        min_member = max(1, pods // 2) if pods > 1 and rng.random() < elastic else None
        queue = rng.choices(list(queues), list(queues.values()))[0]
        drawn.append((size, per_pod, pods, duration, min_member, queue, 1 if rng.random() < 0.2 else 0))
    mean_work = sum(d[0] * d[3] for d in drawn) / jobs  # GPU-seconds per job
    rate = load * shape.gpus / mean_work / burst  # bursts per second
    clock, out = 0.0, []
    for i, (_, per_pod, pods, duration, min_member, queue, prio) in enumerate(drawn):
        if i % burst == 0:
            clock += rng.expovariate(rate)
        out.append(Job(i, pods, per_pod, duration, clock, min_member, prio, queue))
    return out

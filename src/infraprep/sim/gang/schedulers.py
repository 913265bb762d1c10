"""Scheduling policies. Each ``schedule(state, now)`` places pods on ``state.cluster`` and returns the
ids of the jobs that start now.

* ``greedy`` — per pod, like the Kubernetes default scheduler: pods in (priority, creation time)
  order, each bound to the first node with room; a pod once bound holds its GPUs; a job starts when
  ``min_member`` of its pods are bound. Pods of jobs created together interleave — the classic
  deadlock: every job holds part of what it needs.
* ``gang`` — all-or-nothing (Volcano's gang plugin): a job's ``min_member`` pods are placed together
  or not at all. Jobs go in fair-share order (queue with the lowest allocated/weight first, then
  priority, then arrival); the first job that does not fit blocks the rest (strict order).
* ``backfill`` — gang + EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001): the blocked head job
  gets a reservation at the earliest time it fits (its *shadow time*); later jobs may start now if they
  fit and either end before the shadow time or leave the head's reservation intact.
* ``topology`` — backfill + topology-aware packing (fewest racks, then fewest nodes).
"""

from __future__ import annotations

from infraprep.errors import UnknownName
from infraprep.sim.gang.jobs import Job
from infraprep.sim.gang.placement import first_fit, pack

__all__ = ["SCHEDULERS", "GangScheduler", "GreedyPodScheduler", "make_scheduler"]


class GreedyPodScheduler:
    name = "greedy"
    gang = False

    def schedule(self, state, now: float) -> list[int]:
        cluster = state.cluster
        order = sorted((-job.priority, job.arrival, pod, job.id) for job in state.pending.values()
                        for pod in range(cluster.placed(job.id), job.pods))
        for _, _, _, job_id in order:
            job = state.pending[job_id]
            node = next((n for n, f in enumerate(cluster.free) if f >= job.gpus_per_pod), None)
            if node is not None:
                cluster.place(job_id, node, job.gpus_per_pod)
        return [j.id for j in state.pending.values() if cluster.placed(j.id) >= j.gang]


class GangScheduler:
    gang = True

    def __init__(self, backfill: bool = False, topology: bool = False) -> None:
        self.backfill, self.placer = backfill, (pack if topology else first_fit)
        self.name = "topology" if topology else ("backfill" if backfill else "gang")

    def _place(self, free: list[int], state, job: Job) -> list[int] | None:
        return self.placer(free, state.cluster.shape, job.gang, job.gpus_per_pod)

    def _order(self, state) -> list[Job]:
        """Fair share: repeatedly take the head of the queue with the lowest allocated GPUs / weight."""
        heads: dict[str, list[Job]] = {}
        for job in sorted(state.pending.values(), key=lambda j: (-j.priority, j.arrival, j.id)):
            heads.setdefault(job.queue, []).append(job)
        used = dict(state.allocated)
        order = []
        while heads:
            queue = min(heads, key=lambda q: (used.get(q, 0) / state.weight(q), q))
            job = heads[queue].pop(0)
            order.append(job)
            used[queue] = used.get(queue, 0) + job.gang * job.gpus_per_pod
            if not heads[queue]:
                del heads[queue]
        return order

    def _shadow(self, state, head: Job, now: float) -> float:
        """Earliest time the head fits, releasing running jobs in order of their end."""
        free = list(state.cluster.free)
        for end, job_id in sorted((end, j) for j, end in state.running.items()):
            for node, gpus in state.cluster.pods[job_id]:
                free[node] += gpus
            if self._place(free, state, head) is not None:
                return end
        return float("inf")  # cannot happen for a job that fits the empty cluster

    def _fits_at(self, state, head: Job, shadow: float, extra: list[tuple[int, int]]) -> bool:
        """Would the head still fit at ``shadow`` if ``extra`` pods (node, gpus) were also running then?"""
        free = list(state.cluster.free)
        for node, gpus in extra:
            free[node] -= gpus
        for job_id, end in state.running.items():
            if end <= shadow:
                for node, gpus in state.cluster.pods[job_id]:
                    free[node] += gpus
        return self._place(free, state, head) is not None

    def schedule(self, state, now: float) -> list[int]:
        cluster, started = state.cluster, []
        head = shadow = None
        for job in self._order(state):
            nodes = self._place(cluster.free, state, job)
            if nodes is None:
                if not self.backfill:
                    break
                if head is None:
                    head, shadow = job, self._shadow(state, job, now)
                continue
            if head is not None and now + job.duration > shadow and not self._fits_at(
                    state, head, shadow, [(n, job.gpus_per_pod) for n in nodes]):
                continue  # would delay the reserved head job
            for node in nodes:
                cluster.place(job.id, node, job.gpus_per_pod)
            for _ in range(job.pods - job.gang):  # elastic extras: best effort, never blocking
                more = self.placer(cluster.free, cluster.shape, 1, job.gpus_per_pod)
                if more is None:
                    break
                cluster.place(job.id, more[0], job.gpus_per_pod)
            state.running[job.id] = now + job.duration  # tentatively, so later checks see it
            started.append(job.id)
        for job_id in started:
            del state.running[job_id]  # the simulator records the start
        return started


SCHEDULERS = ("greedy", "gang", "backfill", "topology")


def make_scheduler(name: str):
    if name == "greedy":
        return GreedyPodScheduler()
    if name in ("gang", "backfill", "topology"):
        return GangScheduler(backfill=name != "gang", topology=name == "topology")
    raise UnknownName("scheduler", name, SCHEDULERS)

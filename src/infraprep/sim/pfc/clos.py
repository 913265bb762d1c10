"""A 3-tier Clos (fat-tree style) with failed links, and the routing a real one runs.

Switch numbering (ints, for speed): ToR (pod, i) = pod·T + i; aggregation (pod, j) = P·T + pod·A + j;
core c = P·(T + A) + c. Levels: ToR 0, agg 1, core 2. Every ToR links to every agg of its pod; agg j
of every pod links to the cores j·C/A … (j+1)·C/A − 1 (k-ary fat-tree wiring, Al-Fares et al.
SIGCOMM 2008 §3). A link is *up* when it climbs a level.

Routing (BGP as Clos fabrics run it, RFC 7938): inside a pod every ToR prefix is routed on shortest
paths within the pod; the aggs advertise only the pod's aggregate prefix upward, so everything outside
the pod routes to the nearest agg that still reaches *some* ToR of the pod. An agg that lost its link to
the destination ToR therefore still attracts that ToR's traffic from the cores — and must send it down
to another ToR and back up to another agg: the up-down-up *bounce* that PFC deadlocks are made of
(Hu et al., "Deadlocks in Datacenter Networks: Why Do They Form, and How to Avoid Them", HotNets 2016).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from infraprep.errors import InvalidValue
from infraprep.sim._checks import integers_in_range

__all__ = ["Clos"]


@dataclass(frozen=True)
class Clos:
    """The fabric and its failed links (pairs of switch ids, each listed once, lower id first)."""

    pods: int = 32
    tors: int = 28
    aggs: int = 4
    cores: int = 16
    failed: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        integers_in_range(self, (("pods", 1, 4096), ("tors", 2, 4096), ("aggs", 2, 4096), ("cores", 1, 4096)))
        if self.cores % self.aggs:
            raise InvalidValue("--cores", self.cores, f"a multiple of aggs={self.aggs} (fat-tree core groups)")

    @property
    def switches(self) -> int:
        return self.pods * (self.tors + self.aggs) + self.cores

    def tor(self, pod: int, i: int) -> int:
        return pod * self.tors + i

    def agg(self, pod: int, j: int) -> int:
        return self.pods * self.tors + pod * self.aggs + j

    def core(self, c: int) -> int:
        return self.pods * (self.tors + self.aggs) + c

    def level(self, v: int) -> int:
        return 0 if v < self.pods * self.tors else (1 if v < self.pods * (self.tors + self.aggs) else 2)

    def pod_of(self, v: int) -> int | None:
        if v < self.pods * self.tors:
            return v // self.tors
        if v < self.pods * (self.tors + self.aggs):
            return (v - self.pods * self.tors) // self.aggs
        return None

    def name(self, v: int) -> str:
        lvl = self.level(v)
        if lvl == 0:
            return f"tor{v // self.tors}.{v % self.tors}"
        if lvl == 1:
            k = v - self.pods * self.tors
            return f"agg{k // self.aggs}.{k % self.aggs}"
        return f"core{v - self.pods * (self.tors + self.aggs)}"

    def all_links(self) -> list[tuple[int, int]]:
        """Every cable once, (lower id, higher id)."""
        per_group = self.cores // self.aggs
        links = [(self.tor(p, i), self.agg(p, j)) for p in range(self.pods) for i in range(self.tors)
                 for j in range(self.aggs)]
        links += [(self.agg(p, j), self.core(j * per_group + g)) for p in range(self.pods) for j in range(self.aggs)
                  for g in range(per_group)]
        return links

    def adjacency(self) -> list[list[int]]:
        """Neighbours over the links that are still up."""
        adj: list[list[int]] = [[] for _ in range(self.switches)]
        for a, b in self.all_links():
            if (a, b) not in self.failed:
                adj[a].append(b)
                adj[b].append(a)
        return adj

    def with_failures(self, count: int, mode: str = "crossed", seed: int = 0) -> Clos:
        """Fail ``count`` ToR–agg links.

        ``crossed``: in pod 0, ToR i loses its link to agg i mod A (i < count) — two such failures form the
        textbook circular buffer dependency. ``random``: ``count`` ToR–agg links drawn with ``seed``.
        """
        candidates = [(self.tor(p, i), self.agg(p, j)) for p in range(self.pods) for i in range(self.tors)
                      for j in range(self.aggs)]
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= len(candidates):
            raise InvalidValue("--fail-links", count, f"an integer from 0 to {len(candidates)}")
        if mode == "crossed":
            if count > self.tors:
                raise InvalidValue("--fail-links", count, f"at most tors={self.tors} in crossed mode")
            chosen = [(self.tor(0, i), self.agg(0, i % self.aggs)) for i in range(count)]
        elif mode == "random":
            chosen = random.Random(seed).sample(candidates, count)
        else:
            raise InvalidValue("--failures", mode, "crossed or random")
        return Clos(self.pods, self.tors, self.aggs, self.cores, frozenset(self.failed | set(chosen)))


def bfs(adj: list[list[int]], sources, allowed) -> list[int]:
    """Hop distances from ``sources`` over nodes for which ``allowed(v)`` holds (−1: unreached)."""
    dist = [-1] * len(adj)
    for s in sources:
        dist[s] = 0
    queue = deque(sources)
    while queue:
        v = queue.popleft()
        for w in adj[v]:
            if dist[w] < 0 and allowed(w):
                dist[w] = dist[v] + 1
                queue.append(w)
    return dist

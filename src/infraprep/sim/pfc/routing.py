"""Routes of every ToR pair and the turns they make: the raw material of the buffer-dependency graph.

A *turn* is a packet held in the ingress buffer of link (u→v) at switch v while it waits for link
(v→w); under PFC that buffer cannot drain until (v→w)'s downstream buffer has room, so each turn is an
edge (u→v) → (v→w) of the buffer dependency graph (Dally & Seitz 1987, IEEE Trans. Computers C-36(5):
the routing is deadlock-free iff this graph is acyclic).

Each turn is recorded with the route state it was made in: the hop index h of (u→v), and whether the
packet had already *bounced* (gone down and then up again). A bounce is a turn whose first link goes
down a level and whose second goes up. The outside-the-pod part of the routes towards a pod is the same
for all of its ToRs, so it is walked once per pod; the inside part once per destination ToR.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from infraprep.sim.pfc.clos import Clos, bfs

__all__ = ["HOPS", "Router", "Turns", "enumerate_turns"]

HOPS = 32  # hop-indexed node = link · HOPS + h (a route in a 3-tier Clos is far shorter)


class Router:
    """Destination-based next hops: shortest paths inside the destination's pod, shortest paths to the
    pod's aggregate prefix (an agg still reaching some ToR of the pod) outside it."""

    def __init__(self, clos: Clos) -> None:
        self.clos = clos
        self.adj = clos.adjacency()
        n = self.n = clos.switches
        self.level = [clos.level(v) for v in range(n)]
        self.pod = [clos.pod_of(v) for v in range(n)]
        self._out: dict[int, list[int]] = {}
        self._in: dict[int, list[int]] = {}
        self._hops: dict[tuple[int, int], tuple[int, ...]] = {}

    def gateways(self, p: int) -> set[int]:
        """Aggs of pod p that still have a link to one of its ToRs (they advertise the pod prefix)."""
        return {self.clos.agg(p, j) for j in range(self.clos.aggs)
                if any(self.level[w] == 0 for w in self.adj[self.clos.agg(p, j)])}

    def outside(self, p: int) -> list[int]:
        """Hops to the pod-p prefix from every switch outside pod p (and 0 at its gateways)."""
        if p not in self._out:
            gates = self.gateways(p)
            self._out[p] = bfs(self.adj, sorted(gates), lambda w: self.pod[w] != p or w in gates)
        return self._out[p]

    def inside(self, d: int) -> list[int]:
        """Hops to ToR d from the switches of its pod, over links inside the pod."""
        if d not in self._in:
            p = self.pod[d]
            self._in[d] = bfs(self.adj, [d], lambda w: self.pod[w] == p)
        return self._in[d]

    def next_hops(self, v: int, d: int) -> tuple[int, ...]:
        """ECMP next hops of switch v for destination ToR d (inside d's pod: per-ToR routes; outside:
        the pod prefix, whose table also holds the gateways, so a route enters the pod at one)."""
        inside = self.pod[v] == self.pod[d]
        key = (v, d if inside else -1 - self.pod[d])
        hops = self._hops.get(key)
        if hops is None:
            dist = self.inside(d) if inside else self.outside(self.pod[d])
            step = dist[v] - 1
            hops = tuple(w for w in self.adj[v] if dist[w] == step) if step >= 0 else ()
            self._hops[key] = hops
        return hops

    def sources(self, d: int) -> list[int]:
        return [self.clos.tor(p, i) for p in range(self.clos.pods) for i in range(self.clos.tors)
                if self.clos.tor(p, i) != d and self.adj[self.clos.tor(p, i)]]

    def is_bounce(self, u: int, v: int, w: int) -> bool:
        return self.level[u] > self.level[v] < self.level[w]

    def link(self, u: int, v: int) -> int:
        """The directed link u→v as one int (u·n + v): sets of ints hash and compare fast."""
        return u * self.n + v

    def ends(self, link: int) -> tuple[int, int]:
        return divmod(link, self.n)


@dataclass
class Turns:
    """Turn sets: edges between links encoded by :meth:`Router.link`; hop-indexed nodes are
    link · HOPS + h."""

    all: set = field(default_factory=set)
    lossless: set = field(default_factory=set)  # made by packets that have not bounced (Tagger's lossless routes)
    hop_indexed: set = field(default_factory=set)
    bounces: set = field(default_factory=set)
    max_hops: int = 0
    _expanded: set = field(default_factory=set, repr=False)  # (state, next hops) already recorded


def _turns_from(router: Router, turns: Turns, state, hops: tuple[int, ...]) -> list:
    """Record the turns a packet in ``state`` = ((u, v), h, bounced) makes onto each of ``hops``; return
    the next states. A (state, hops) pair seen before (the same walk towards another pod) is not
    recorded again."""
    (u, v), h, bounced = state
    record = (state, hops) not in turns._expanded
    if record:
        turns._expanded.add((state, hops))
        turns.max_hops = max(turns.max_hops, h + 2)
    out = []
    first = router.link(u, v)
    for w in hops:
        bounce = router.level[u] > router.level[v] < router.level[w]
        after = bounced or bounce
        if record:
            second = router.link(v, w)
            edge = (first, second)
            turns.all.add(edge)
            turns.hop_indexed.add((first * HOPS + h, second * HOPS + h + 1))
            if not after:
                turns.lossless.add(edge)
            if bounce:
                turns.bounces.add(edge)
        out.append(((v, w), h + 1, after))
    return out


def _walk(router: Router, turns: Turns, starts, stop, dest: int) -> set:
    """Expand route states from ``starts`` along the next hops towards ``dest``; a state whose link ends
    at a switch where ``stop`` holds is returned instead of expanded."""
    seen, arrivals = set(starts), set()
    queue = deque(starts)
    while queue:
        state = queue.popleft()
        v = state[0][1]
        if stop(v):
            arrivals.add(state)
            continue
        for nxt in _turns_from(router, turns, state, router.next_hops(v, dest)):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return arrivals


def _first_hops(router: Router, turns: Turns, sources, dest: int) -> list:
    """States after the first turn of routes from ``sources`` (ToRs) towards ``dest``, grouped by the
    agg they climb to: every ToR below an agg shares its next hops, so the turns are made in one go and,
    when the same agg forwards the same way towards another pod, not made again."""
    by_agg: dict[int, list[int]] = {}
    for s in sources:
        for a in router.next_hops(s, dest):
            by_agg.setdefault(a, []).append(s)
    out = []
    for a, below in by_agg.items():
        hops = router.next_hops(a, dest)
        key = (a, hops, tuple(below))
        if key not in turns._expanded:
            turns._expanded.add(key)
            n = router.n
            for w in hops:
                edges = [(s * n + a, a * n + w) for s in below]
                turns.all.update(edges)
                turns.lossless.update(edges)
                turns.hop_indexed.update((x * HOPS, y * HOPS + 1) for x, y in edges)
        out += [((a, w), 1, False) for w in hops]
    turns.max_hops = max(turns.max_hops, 2)
    return out


def enumerate_turns(router: Router) -> Turns:
    """Every turn of every route between alive ToRs. The walk from outside a pod to its gateways is
    shared by the pod's ToRs; from a gateway on, each destination has its own routes."""
    clos, turns = router.clos, Turns()
    for p in range(clos.pods):
        pod_tors = [clos.tor(p, i) for i in range(clos.tors) if router.adj[clos.tor(p, i)]]
        gates = router.gateways(p)
        if not pod_tors or not gates:
            continue
        outside, anyone = router.outside(p), pod_tors[0]
        sources = [s for s in router.sources(anyone) if router.pod[s] != p and outside[s] > 0]
        entries = _walk(router, turns, _first_hops(router, turns, sources, anyone),
                        lambda v, gates=gates: v in gates, anyone)
        for d in pod_tors:
            inside = router.inside(d)
            begin = _first_hops(router, turns, [s for s in pod_tors if s != d and inside[s] > 0], d)
            for state in entries:
                if inside[state[0][1]] > 0:
                    begin += _turns_from(router, turns, state, router.next_hops(state[0][1], d))
            _walk(router, turns, list(dict.fromkeys(begin)), lambda v, d=d: v == d, d)
    turns._expanded.clear()
    return turns

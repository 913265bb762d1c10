"""Buffer dependency graphs (networkx) and their cycles, with and without the mitigations.

* ``pfc``        every turn is a lossless dependency: one PFC class for all traffic.
* ``lossy-bounce`` Tagger's insight (Hu et al., CoNEXT 2017): only the expected lossless routes — here
                 the up-down ones — stay lossless; a packet that bounces is moved to a lossy class, so
                 the bounce turn and everything after it depend on nothing.
* ``hop-index``  the buffer class is the hop index (Merlin & Schweitzer, IEEE Trans. Comm. 28(3), 1980:
                 hop-indexed buffer graphs): a packet on hop h waits only for class h+1, so every edge
                 climbs a class and no cycle can close. PFC has 8 classes (IEEE 802.1Qbb); hops beyond the
                 last lossless class are lossy.
* ``watchdog``   leaves the graph as it is (the cycle stays) and breaks a formed deadlock at run time
                 (see :mod:`.pause`).
"""

from __future__ import annotations

__all__ = ["MITIGATIONS", "dependency_edges", "find_cycle"]

MITIGATIONS = ("pfc", "lossy-bounce", "hop-index", "watchdog")


def dependency_edges(turns, mitigation: str, classes: int = 8):
    """The edges of the lossless buffer dependency graph under ``mitigation``."""
    if mitigation in ("pfc", "watchdog"):
        return turns.all
    if mitigation == "lossy-bounce":
        return turns.lossless
    from infraprep.sim.pfc.routing import HOPS

    return {(a, b) for a, b in turns.hop_indexed if b % HOPS < classes}


def _cyclic_core(edges) -> list:
    """The edges left after repeatedly deleting nodes with no incoming or no outgoing edge (linear
    time): exactly the cycles and the paths between them. On an acyclic graph nothing is left."""
    index: dict = {}
    src, dst = [], []
    for a, b in edges:
        src.append(index.setdefault(a, len(index)))
        dst.append(index.setdefault(b, len(index)))
    n, m = len(index), len(src)
    outs: list[list[int]] = [[] for _ in range(n)]
    ins: list[list[int]] = [[] for _ in range(n)]
    for k in range(m):
        outs[src[k]].append(k)
        ins[dst[k]].append(k)
    out_deg, in_deg = [len(x) for x in outs], [len(x) for x in ins]
    alive, removed = [True] * m, [False] * n
    queue = [v for v in range(n) if not out_deg[v] or not in_deg[v]]
    while queue:
        v = queue.pop()
        if removed[v]:
            continue
        removed[v] = True
        for k in outs[v]:
            if alive[k]:
                alive[k] = False
                in_deg[dst[k]] -= 1
                if not in_deg[dst[k]]:
                    queue.append(dst[k])
        for k in ins[v]:
            if alive[k]:
                alive[k] = False
                out_deg[src[k]] -= 1
                if not out_deg[src[k]]:
                    queue.append(src[k])
    nodes = list(index)
    return [(nodes[src[k]], nodes[dst[k]]) for k in range(m) if alive[k]]


def find_cycle(edges) -> list | None:
    """One cycle of the directed graph on ``edges`` as a list of nodes (None if acyclic).

    The graph is first peeled to its cyclic core in plain Python (the full graph has ~10⁵ edges on a
    1,000-switch Clos, which networkx would take seconds just to store); networkx then finds a cycle in
    what is left.
    """
    import networkx as nx

    core = _cyclic_core(edges)
    if not core:
        return None
    return [u for u, _ in nx.find_cycle(nx.DiGraph(core))]

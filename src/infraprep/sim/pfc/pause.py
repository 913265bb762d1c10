"""Time-stepped PFC: flows along the routes that make a dependency cycle, until they freeze (or not).

Model (one unit packet per link per step; every switch ingress buffer per (link, class) is a FIFO):

* a packet that crossed link L_k of its route waits at the head of queue (L_k, class) for L_{k+1};
* a lossless queue holds ``buffer`` packets; when it is full it pauses its upstream (PFC, IEEE
  802.1Qbb: XOFF) until it has drained to half (XON), so the head of the upstream queue waits — and
  everything behind it;
* a lossy queue never pauses anyone: a packet arriving at a full one is dropped;
* each link forwards one packet per step, chosen at random (``seed``) among the heads that want it and
  the source that injects onto it — switches arbitrate among inputs, and an unlucky alignment of
  heads is how a deadlock closes; a packet crossing its last link is delivered.

Classes per mitigation: one lossless class (``pfc``, ``watchdog``); lossless until the route bounces,
lossy after (``lossy-bounce``); the hop index, lossy beyond ``classes`` (``hop-index``). The watchdog
(as deployed for RoCE: Guo et al., "RDMA over Commodity Ethernet at Scale", SIGCOMM 2016) drops a
lossless queue whose head has been paused for ``watchdog_steps`` consecutive steps.

Sources inject for ``inject_steps`` steps and stop; a network that still holds packets and has
delivered nothing for the last quarter of the run is *frozen*: the deadlock does not clear by itself.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["PauseRun", "route_through", "run_pause"]


def _back_to_a_tor(router, start: int, d: int, taken: set) -> list[int] | None:
    """Switches from the nearest ToR (≠ d, not in ``taken``) whose route towards d passes ``start``,
    ending at ``start``. The ToR and its first uplink's agg join ``taken``, so that the flows of a
    simulation come from different racks instead of queueing behind one source link."""
    parent, queue = {start: None}, deque([start])
    while queue:
        x = queue.popleft()
        if router.level[x] == 0 and x != d and x not in taken:
            path = [x]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])
            taken.update(path[:2])
            return path
        for y in router.adj[x]:
            if y not in parent and y not in taken and x in router.next_hops(y, d):
                parent[y] = x
                queue.append(y)
    return None


def route_through(router, turn, variants: int = 1, taken: set | None = None) -> list[list[int]]:
    """Up to ``variants`` routes (switch lists, source ToR to destination ToR) that make ``turn`` =
    ((u, v), (v, w)), each arriving at u from a different neighbour — traffic to a failed-over ToR
    reaches its gateway from several cores at once.

    Candidate destinations are tried nearest first; one qualifies when w is a next hop of v towards
    it; each route is traced back to a ToR that sends along it and forward to the destination.
    """
    (u, v), (_, w) = turn
    clos, taken = router.clos, (set() if taken is None else taken)
    ends = [x for x in (w, v, u) if router.level[x] == 0]
    pods = [p for p in dict.fromkeys(router.pod[x] for x in (w, v, u)) if p is not None]
    pods += [p for p in range(clos.pods) if p not in pods]
    candidates = dict.fromkeys(ends + [clos.tor(p, i) for p in pods for i in range(clos.tors)])
    for d in candidates:
        if d in (u, v) or w not in router.next_hops(v, d):
            continue
        if router.level[u] == 0:  # the turn starts at its source ToR
            heads = [[u]]
        else:
            feeders = [y for y in router.adj[u] if u in router.next_hops(y, d)]
            heads = [h + [u] for h in (_back_to_a_tor(router, y, d, taken) for y in feeders[:variants]) if h]
        routes = []
        for head in heads:
            path = head + [v, w]
            while path[-1] != d:
                path.append(router.next_hops(path[-1], d)[0])
            routes.append(path)
        if routes:
            return routes
    return []


@dataclass(frozen=True)
class PauseRun:
    """What happened: deliveries per step, drops, packets left, and whether the flows froze."""

    mitigation: str
    delivered_per_step: tuple[int, ...]
    dropped: int
    stuck: int
    frozen: bool

    def to_dict(self) -> dict:
        return {"mitigation": self.mitigation, "delivered": sum(self.delivered_per_step), "dropped": self.dropped,
                "stuck_packets": self.stuck, "frozen": self.frozen,
                "delivered_per_step": list(self.delivered_per_step)}


def _classes(route, level, mitigation: str, classes: int) -> list:
    """Queue class of a packet that has crossed link k of ``route`` (None: lossy)."""
    out, bounced = [], False
    for k in range(len(route) - 1):
        if k >= 1 and level[route[k - 1]] > level[route[k]] < level[route[k + 1]]:
            bounced = True
        if mitigation == "lossy-bounce":
            out.append(None if bounced else 0)
        elif mitigation == "hop-index":
            out.append(k if k < classes else None)
        else:
            out.append(0)
    return out


def run_pause(routes: list[list[int]], level: list[int], mitigation: str, *, buffer: int = 8, classes: int = 8,
              inject_steps: int = 200, steps: int = 400, watchdog_steps: int = 30, seed: int = 0) -> PauseRun:
    """Simulate ``steps`` steps of the flows on ``routes`` (one flow per route); same seed, same run."""
    import random

    rng = random.Random(seed)
    links = [[(r[k], r[k + 1]) for k in range(len(r) - 1)] for r in routes]
    cls = [_classes(r, level, mitigation, classes) for r in routes]
    queues: dict[tuple, deque] = {}
    feeders: dict[tuple, list] = {}  # link → queues and sources that may send on it, in a fixed order
    for f, path in enumerate(links):
        feeders.setdefault(path[0], []).append(("src", f))
        for k in range(len(path)):
            key = (path[k], cls[f][k])
            queues.setdefault(key, deque())
            if k + 1 < len(path) and ("q", key) not in feeders.setdefault(path[k + 1], []):
                feeders[path[k + 1]].append(("q", key))
    order = sorted(feeders)
    stalled = dict.fromkeys(queues, 0)
    paused = dict.fromkeys(queues, False)  # XOFF sent, XON not yet
    delivered, dropped = [], 0

    def target(f, k):  # the ingress queue a packet of flow f reaches over link k, and whether it is home
        return (links[f][k], cls[f][k]), k == len(links[f]) - 1

    for step in range(steps):
        moves, blocked = [], set()
        for link in order:
            cands = feeders[link]
            for kind, ref in rng.sample(cands, len(cands)):
                if kind == "src":
                    if step >= inject_steps:
                        continue
                    f, k = ref, 0
                else:
                    if not queues[ref]:
                        continue
                    f, k = queues[ref][0]
                    k += 1
                    if links[f][k] != link:  # the head wants another link out of this switch
                        continue
                dest, home = target(f, k)
                if dest[1] is not None and paused[dest]:  # the port is paused, for every packet on it
                    if kind == "q":
                        blocked.add(ref)
                    continue
                moves.append((kind, ref, f, k, dest, home))
                break
        count = 0
        for kind, ref, f, k, dest, home in moves:
            if kind == "q":
                queues[ref].popleft()
            if home:
                count += 1
            elif dest[1] is None and len(queues[dest]) >= buffer:
                dropped += 1  # lossy class: no pause, drop on overflow
            else:
                queues[dest].append((f, k))
        for key, queue in queues.items():
            if key[1] is not None:
                paused[key] = len(queue) >= buffer or (paused[key] and len(queue) > buffer // 2)
            stalled[key] = stalled[key] + 1 if key in blocked else 0
            if mitigation == "watchdog" and stalled[key] >= watchdog_steps:
                dropped += len(queues[key])
                queues[key].clear()
                stalled[key], paused[key] = 0, False
        delivered.append(count)
    stuck = sum(len(q) for q in queues.values())
    tail = delivered[-max(1, (steps - inject_steps) // 4):]
    return PauseRun(mitigation, tuple(delivered), dropped, stuck, stuck > 0 and sum(tail) == 0)

"""Three ways to survive node failures, run against the same node failure/repair timeline.

Work is normalised to the failure-free throughput of the best pipelines on all N nodes (rate 1.0).
Every strategy checkpoints every ``interval`` of compute at a stall of ``write_time``; a rollback
loses the work since the last completed checkpoint (as in Daly's model, a failure during the write
loses that segment too).

* **checkpoint-restart** — fixed pipelines on N nodes; any failure rolls back and restarts after
  ``restart`` (a spare replaces the node); interval = Daly's optimum for the job MTBF.
* **oobleck** (SOSP '23) — on a failure the surviving nodes are re-instantiated from the pipeline
  templates after ``reconfigure`` seconds, with no rollback: the other pipelines hold every layer.
  Throughput follows the nodes alive; a repaired node rejoins (another reconfiguration). With a
  single pipeline left there is no replica: a failure then rolls back to the fallback checkpoint.
  Fewer than n_min nodes: it waits for repairs.
* **bamboo** (NSDI '23) — fixed pipelines; each node also computes its predecessor's stage
  (redundant computation, costing ``bamboo_overhead`` of throughput always); when a node fails its
  successor takes over after ``failover`` seconds and the job runs at half speed (one stage does
  double work, and synchronous steps wait for it) until the repair. Two consecutive nodes of a
  pipeline down at once lose a stage's only copies: roll back to the fallback checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAIL", "REPAIR", "Progress", "StrategyResult", "bamboo", "checkpoint_restart", "node_events", "oobleck"]

FAIL, REPAIR = 1, 0  # at the same instant a repair is processed first


def node_events(nodes: int, mtbf: float, repair: float, horizon: float, rng) -> list[tuple[float, int, int]]:
    """Each node alternates an exponential up time (mean ``mtbf``) and a fixed ``repair``; returns
    sorted (time, kind, node) events before ``horizon``."""
    events = []
    for node in range(nodes):
        clock = 0.0
        while True:
            clock += float(rng.exponential(mtbf))
            if clock >= horizon:
                break
            events.append((clock, FAIL, node))
            clock += repair
            if clock >= horizon:
                break
            events.append((clock, REPAIR, node))
    events.sort()
    return events


class Progress:
    """Work done under periodic checkpoints: τ of compute, then a δ stall that commits it."""

    def __init__(self, interval: float, write_time: float) -> None:
        self.interval, self.write_time = interval, write_time
        self.committed = self.pending = self.since = self.writing = 0.0

    def run(self, seconds: float, rate: float) -> None:
        while seconds > 1e-12:
            if self.writing > 0:
                step = min(seconds, self.writing)
                self.writing -= step
                seconds -= step
                if self.writing <= 1e-12:
                    self.writing = 0.0
                    self.committed += self.pending
                    self.pending = 0.0
                continue
            step = min(seconds, self.interval - self.since)
            self.pending += rate * step
            self.since += step
            seconds -= step
            if self.since >= self.interval - 1e-12:
                self.since, self.writing = 0.0, self.write_time

    def rollback(self) -> float:
        lost, self.pending, self.since, self.writing = self.pending, 0.0, 0.0, 0.0
        return lost

    @property
    def done(self) -> float:
        return self.committed + self.pending


@dataclass(frozen=True)
class StrategyResult:
    strategy: str
    goodput: float  # useful work ÷ (horizon × failure-free throughput on all nodes)
    rollbacks: int
    reconfigurations: int
    lost_work: float  # in seconds of full-cluster throughput
    down_fraction: float  # wall time spent restarting / reconfiguring / failing over / waiting

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _drive(events, horizon: float, progress: Progress, handle, rate_of) -> float:
    """Advance ``progress`` between events at ``rate_of()`` except while down; ``handle(t, kind, node)``
    returns the new "down until" time (or None to leave it). Returns the downtime."""
    clock = down_until = downtime = 0.0
    for t, kind, node in [*events, (horizon, -1, -1)]:
        if t > clock:
            busy_from = min(max(clock, down_until), t)
            downtime += busy_from - clock
            progress.run(t - busy_from, rate_of())
            clock = t
        if kind < 0:
            break
        until = handle(t, kind, node)
        if until is not None:
            down_until = max(down_until, until) if until > t else down_until
    return downtime


def checkpoint_restart(events, nodes: int, horizon: float, interval: float, write_time: float,
                       restart: float) -> StrategyResult:
    progress, count = Progress(interval, write_time), {"rollbacks": 0, "lost": 0.0}

    def handle(t, kind, node):
        if kind != FAIL:
            return None
        count["rollbacks"] += 1
        count["lost"] += progress.rollback()
        return t + restart

    down = _drive(events, horizon, progress, handle, lambda: 1.0)
    return StrategyResult("checkpoint-restart", progress.done / horizon, count["rollbacks"], 0, count["lost"],
                          down / horizon)


def oobleck(events, nodes: int, horizon: float, rates: dict[int, float], pipelines: dict[int, int],
            reconfigure: float, fallback: float, write_time: float, restart: float) -> StrategyResult:
    """``rates[a]``: normalised throughput of the best instantiation on a nodes (0 below n_min);
    ``pipelines[a]``: how many pipelines it has."""
    progress = Progress(fallback, write_time)
    state = {"alive": nodes, "rollbacks": 0, "reconf": 0, "lost": 0.0}

    def handle(t, kind, node):
        before = state["alive"]
        state["alive"] += -1 if kind == FAIL else 1
        if kind == FAIL and pipelines.get(before, 0) <= 1:  # no replica of the failed node's stages
            state["rollbacks"] += 1
            state["lost"] += progress.rollback()
            return t + restart
        if rates.get(state["alive"], 0.0) == rates.get(before, 0.0) and kind == REPAIR:
            return None  # the node joins as a spare: nothing to gain from reconfiguring
        if rates.get(state["alive"], 0.0) == 0.0:
            return None  # below n_min: wait (rate 0) for repairs
        state["reconf"] += 1
        return t + reconfigure

    down = _drive(events, horizon, progress, handle, lambda: rates.get(state["alive"], 0.0))
    return StrategyResult("oobleck", progress.done / horizon, state["rollbacks"], state["reconf"], state["lost"],
                          down / horizon)


def bamboo(events, sizes: tuple[int, ...], horizon: float, overhead: float, failover: float, fallback: float,
           write_time: float, restart: float) -> StrategyResult:
    """``sizes``: nodes per pipeline of the fixed N-node instantiation (nodes beyond them are idle)."""
    owner = {}
    first = 0
    for p, size in enumerate(sizes):
        for stage in range(size):
            owner[first + stage] = (p, stage, size, first)
        first += size
    progress = Progress(fallback, write_time)
    down_nodes: set[int] = set()
    state = {"rollbacks": 0, "reconf": 0, "lost": 0.0}

    def predecessor(node: int) -> int:
        p, stage, size, start = owner[node]
        return start + (stage - 1) % size

    def successor(node: int) -> int:
        p, stage, size, start = owner[node]
        return start + (stage + 1) % size

    def handle(t, kind, node):
        if node not in owner:
            return None  # an idle node
        if kind == REPAIR:
            if node not in down_nodes:
                return None  # it was replaced at a restart already
            down_nodes.discard(node)
            state["reconf"] += 1
            return t + failover
        if predecessor(node) in down_nodes or successor(node) in down_nodes or owner[node][2] == 1:
            # the stage's only other copy is gone (or there never was one): roll back
            state["rollbacks"] += 1
            state["lost"] += progress.rollback()
            down_nodes.clear()  # restart on replacement nodes
            return t + restart
        down_nodes.add(node)
        state["reconf"] += 1
        return t + failover

    down = _drive(events, horizon, progress, handle, lambda: (1.0 - overhead) * (0.5 if down_nodes else 1.0))
    return StrategyResult("bamboo", progress.done / horizon, state["rollbacks"], state["reconf"], state["lost"],
                          down / horizon)

"""PFC deadlock on a Clos: build the buffer dependency graph, find its cycle, watch the flows freeze.

``analyze`` = fail links → route every ToR pair (:mod:`.routing`) → buffer dependency graph per
mitigation (:mod:`.bdg`) → if plain PFC has a cycle, run the flows that make it (:mod:`.pause`) under
every mitigation. Up-down routing on an intact Clos never has a cycle: every turn climbs or keeps
descending, so ordering links by (direction, level) makes the graph acyclic.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from infraprep.errors import InvalidValue
from infraprep.sim._checks import integers_in_range
from infraprep.sim.pfc.bdg import MITIGATIONS, dependency_edges, find_cycle
from infraprep.sim.pfc.clos import Clos
from infraprep.sim.pfc.pause import PauseRun, route_through, run_pause
from infraprep.sim.pfc.routing import HOPS, Router, enumerate_turns

__all__ = ["PfcConfig", "PfcResult", "analyze"]


@dataclass(frozen=True)
class PfcConfig:
    """The fabric, its failures, and the pause simulation's knobs (defaults: a 1,040-switch Clos)."""

    pods: int = 32
    tors: int = 28
    aggs: int = 4
    cores: int = 16
    fail_links: int = 2
    failures: str = "crossed"
    seed: int = 0
    classes: int = 8
    buffer: int = 2  # packets per ingress queue: shallow buffers make the cycle close quickly
    steps: int = 600
    inject_steps: int = 300
    watchdog_steps: int = 30
    feeders: int = 4  # routes per dependency that reach its first switch from different neighbours

    def __post_init__(self) -> None:
        integers_in_range(self, (("classes", 1, 8), ("buffer", 1, 10_000), ("steps", 10, 100_000),
                                 ("watchdog_steps", 1, 100_000), ("feeders", 1, 64)))
        if isinstance(self.inject_steps, bool) or not 0 < self.inject_steps < self.steps:
            raise InvalidValue("--inject-steps", self.inject_steps, f"between 1 and steps={self.steps}")


@dataclass(frozen=True)
class PfcResult:
    config: PfcConfig
    switches: int
    links: int
    failed: tuple[str, ...]
    turns: int
    bounces: int
    cycles: dict  # mitigation → list of "a->b" links in one cycle, or None
    runs: dict  # mitigation → PauseRun (empty when plain PFC has no cycle)
    flows: int  # routes simulated
    seconds: float  # routing + all graphs + their cycle searches (wall)
    detect: tuple[float, float]  # routing + plain-PFC graph + its cycle search: (wall, CPU) seconds

    def to_dict(self) -> dict:
        return {"config": asdict(self.config), "switches": self.switches, "links": self.links,
                "failed_links": list(self.failed), "dependencies": self.turns, "bounce_turns": self.bounces,
                "cycle": self.cycles, "deadlock_possible": {m: c is not None for m, c in self.cycles.items()},
                "analysis_s": self.seconds, "detection_s": self.detect[0], "detection_cpu_s": self.detect[1],
                "simulated_flows": self.flows,
                "simulation": {m: r.to_dict() for m, r in self.runs.items()},
                "conventions": {"routing": "per-ToR routes inside a pod, pod prefix outside (RFC 7938)",
                                "graph": "edge (u→v)→(v→w) per turn of some route (Dally & Seitz 1987)",
                                "hop-index classes": self.config.classes}}


def analyze(config: PfcConfig, on_stage: Callable[[str], None] | None = None) -> PfcResult:
    """Fail links, find the dependency cycles per mitigation, and simulate the flows on the cycle.
    ``on_stage(name)`` is called as each of routing, graphs and simulation begins (progress bars)."""
    stage = on_stage or (lambda name: None)
    stage("routing")
    start, cpu = time.perf_counter(), time.process_time()
    clos = Clos(config.pods, config.tors, config.aggs, config.cores).with_failures(
        config.fail_links, config.failures, config.seed)
    router = Router(clos)
    turns = enumerate_turns(router)
    stage("graphs")
    cycles = {}
    for mitigation in MITIGATIONS:
        if mitigation == "watchdog":  # same graph as plain PFC: the watchdog acts at run time
            cycles[mitigation] = cycles["pfc"]
            continue
        cycle = find_cycle(dependency_edges(turns, mitigation, config.classes))
        if cycle is not None:
            cycle = [router.ends(node // HOPS if mitigation == "hop-index" else node) for node in cycle]
        cycles[mitigation] = cycle
        if mitigation == "pfc":
            detect = (time.perf_counter() - start, time.process_time() - cpu)
    seconds = time.perf_counter() - start
    runs: dict[str, PauseRun] = {}
    stage("simulation")
    if cycles["pfc"]:
        loop, routes, taken = cycles["pfc"], [], set()
        for k, link in enumerate(loop):
            for route in route_through(router, (link, loop[(k + 1) % len(loop)]), config.feeders, taken):
                if route not in routes:
                    routes.append(route)
        for mitigation in MITIGATIONS:
            runs[mitigation] = run_pause(routes, router.level, mitigation, buffer=config.buffer,
                                         classes=config.classes, inject_steps=config.inject_steps,
                                         steps=config.steps, watchdog_steps=config.watchdog_steps,
                                         seed=config.seed)
    names = {m: [f"{clos.name(a)}->{clos.name(b)}" for a, b in c] if c else None for m, c in cycles.items()}
    return PfcResult(config, clos.switches, len(clos.all_links()),
                     tuple(f"{clos.name(a)}-{clos.name(b)}" for a, b in sorted(clos.failed)),
                     len(turns.all), len(turns.bounces), names, runs, len(routes) if runs else 0, seconds, detect)

"""Goodput of checkpoint-restart, Oobleck-style pipeline templates and Bamboo-style redundancy across
node failure rates, on one seeded failure timeline per rate (common random numbers)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from infraprep.calc.checkpoint import daly_interval
from infraprep.errors import InvalidValue
from infraprep.sim.pipelines.strategies import bamboo, checkpoint_restart, node_events, oobleck
from infraprep.sim.pipelines.templates import build_templates, instantiations

__all__ = ["PipelineStudy", "run_study"]

HOUR = 3600.0


@dataclass(frozen=True)
class PipelineStudy:
    """Inputs; defaults are illustrative (32 nodes, 32 equal layers, ≤ 4 layers per node).

    ``bamboo_overhead`` (throughput spent on redundant computation) and the reconfiguration, failover
    and restart times are assumptions to vary, not published constants.
    """

    nodes: int = 32
    layers: int = 32
    max_layers: int = 4
    batch: int = 64  # microbatches per iteration
    failures_per_day: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # whole cluster
    repair_s: float = 4 * HOUR
    write_time_s: float = 120.0
    restart_s: float = 600.0
    reconfigure_s: float = 60.0
    failover_s: float = 10.0
    bamboo_overhead: float = 0.2
    fallback_interval_s: float = 6 * HOUR
    horizon_days: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        checks = (("--nodes", self.nodes, 1, 1024), ("--layers", self.layers, 1, 512),
                  ("--max-layers", self.max_layers, 1, 512), ("--batch", self.batch, 1, 100_000))
        for name, value, lo, hi in checks:
            if not (isinstance(value, int) and lo <= value <= hi):
                raise InvalidValue(name, value, f"an integer between {lo} and {hi}")
        if self.nodes * self.max_layers < self.layers:
            raise InvalidValue("--nodes", self.nodes, f"enough nodes to hold {self.layers} layers at "
                               f"{self.max_layers} per node (≥ {-(-self.layers // self.max_layers)})")
        if not self.failures_per_day or any(not (0 < f <= 10_000) for f in self.failures_per_day):
            raise InvalidValue("--failures-per-day", self.failures_per_day, "cluster failure rates in (0, 10000] per day")
        for name, value in (("--repair", self.repair_s), ("--write-time", self.write_time_s),
                            ("--restart", self.restart_s), ("--reconfigure", self.reconfigure_s),
                            ("--failover", self.failover_s), ("--fallback-interval", self.fallback_interval_s)):
            if not (math.isfinite(value) and value >= 0):
                raise InvalidValue(name, value, "a finite duration ≥ 0")
        if self.write_time_s <= 0 or self.fallback_interval_s <= 0:
            raise InvalidValue("--write-time", self.write_time_s, "a write time and fallback interval > 0")
        if not 0 <= self.bamboo_overhead < 1:
            raise InvalidValue("--bamboo-overhead", self.bamboo_overhead, "a fraction in [0, 1)")
        if not 0.01 <= self.horizon_days <= 3650:
            raise InvalidValue("--days", self.horizon_days, "between 0.01 and 3650 days")


def run_study(study: PipelineStudy, progress: Callable[[int], None] | None = None) -> dict:
    """The goodput table (one row per failure rate) plus the templates and instantiations used."""
    import numpy as np

    tick = progress or (lambda n=1: None)
    templates = build_templates(tuple([1.0] * study.layers), study.max_layers)
    insts = dict(enumerate(instantiations(templates, study.nodes, study.batch)))
    full = insts[study.nodes]
    rates = {a: (i.throughput / full.throughput if i else 0.0) for a, i in insts.items()}
    pipes = {a: (i.pipelines if i else 0) for a, i in insts.items()}
    horizon = study.horizon_days * 86400.0
    rows = []
    for k, per_day in enumerate(study.failures_per_day):
        node_mtbf = study.nodes * 86400.0 / per_day
        rng = np.random.default_rng([study.seed, k])
        events = node_events(study.nodes, node_mtbf, study.repair_s, horizon, rng)
        tau = daly_interval(study.write_time_s, node_mtbf / study.nodes)
        results = [
            checkpoint_restart(events, study.nodes, horizon, tau, study.write_time_s, study.restart_s),
            oobleck(events, study.nodes, horizon, rates, pipes, study.reconfigure_s, study.fallback_interval_s,
                    study.write_time_s, study.restart_s),
            bamboo(events, full.sizes, horizon, study.bamboo_overhead, study.failover_s, study.fallback_interval_s,
                   study.write_time_s, study.restart_s),
        ]
        rows.append({"failures_per_day": per_day, "node_mtbf_h": node_mtbf / HOUR, "failures": sum(
            1 for e in events if e[1] == 1), "checkpoint_interval_s": tau,
            "strategies": {r.strategy: r.to_dict() for r in results}})
        tick(1)
    return {
        "nodes": study.nodes, "layers": study.layers, "max_layers": study.max_layers, "batch": study.batch,
        "templates": {n: {"stage_time": t.stage_time, "layers_per_stage": list(t.layers)} for n, t in templates.items()},
        "instantiation": {"sizes": list(full.sizes), "microbatches": list(full.microbatches),
                          "throughput": full.throughput},
        "throughput_vs_nodes": {a: rates[a] for a in range(study.nodes + 1)},
        "rows": rows,
        "assumptions": {"repair_s": study.repair_s, "write_time_s": study.write_time_s, "restart_s": study.restart_s,
                        "reconfigure_s": study.reconfigure_s, "failover_s": study.failover_s,
                        "bamboo_overhead": study.bamboo_overhead, "fallback_interval_s": study.fallback_interval_s,
                        "horizon_days": study.horizon_days, "seed": study.seed},
    }

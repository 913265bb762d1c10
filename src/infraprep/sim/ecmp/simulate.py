"""ECMP collisions by Monte Carlo: idle uplinks, max-min throughput and the collective's tail.

With n flows hashed uniformly onto m uplinks, a given uplink is missed by all n with probability
(1 − 1/m)^n, so the expected idle fraction is (1 − 1/m)^n and the expected number of idle links is
m(1 − 1/m)^n (balls into bins; Mitzenmacher & Upfal, "Probability and Computing", §5.2). With
n = m that is ≈ 1/e ≈ 37% of the fabric idle while other links carry two or three flows — and since a
collective finishes when its slowest flow does, the completion time is set by the most loaded link.

Two engines, one answer: the plain ECMP case on one leaf (q = 1, no flowlets) is exact in closed form
per trial — a flow on a link shared by k flows gets C/k under max-min fairness and the last one ends at
k_max·B/C — and runs as a few numpy operations (1M trials in about a second). Everything else (QPs,
spraying, flowlets, adaptive routing, two stages) runs on the fluid simulator in :mod:`.fluid`; the
tests check that both engines agree where both apply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

from infraprep.calc.ecmp import (
    idle_fraction as idle_fraction_closed_form,  # the closed form the sampling checks
)
from infraprep.calc.units import format_bandwidth, format_bytes, format_seconds
from infraprep.errors import InvalidValue
from infraprep.sim._checks import integers_in_range
from infraprep.sim.ecmp.topology import POLICIES, Fabric

__all__ = ["EcmpConfig", "EcmpResult", "idle_fraction_closed_form", "simulate"]


@dataclass(frozen=True)
class EcmpConfig:
    """One experiment. ``flowlets`` applies to the flowlet and adaptive policies (1 = per-flow)."""

    flows: int = 16
    uplinks: int = 16
    leaves: int = 1
    qps: int = 1
    flowlets: int = 8
    policy: str = "ecmp"
    trials: int = 10_000
    flow_bytes: float = float(1 << 30)
    link_bandwidth: float = 50e9
    seed: int = 0

    def __post_init__(self) -> None:
        integers_in_range(self, (("flows", 1, 100_000), ("uplinks", 1, 4096), ("leaves", 1, 1024), ("qps", 1, 256),
                                 ("flowlets", 1, 1024), ("trials", 1, 10**8)))
        if self.policy not in POLICIES:
            raise InvalidValue("--policy", self.policy, f"one of {', '.join(POLICIES)} (or all)")
        if not (self.flow_bytes > 0 and math.isfinite(self.flow_bytes)):
            raise InvalidValue("--bytes", self.flow_bytes, "a positive size")
        if not (self.link_bandwidth > 0 and math.isfinite(self.link_bandwidth)):
            raise InvalidValue("--link-bandwidth", self.link_bandwidth, "a positive bandwidth")
        subflows = self.leaves * self.flows * (self.uplinks if self.policy == "spray" else self.qps)
        if subflows > 200_000:
            raise InvalidValue("--flows", self.flows, f"fewer subflows per trial (this setup has {subflows}; ≤ 200000)")

    @property
    def fast_path(self) -> bool:
        """Plain per-flow ECMP on one leaf: exact in closed form per trial."""
        return self.leaves == 1 and self.qps == 1 and self.policy == "ecmp"

    @property
    def ideal_s(self) -> float:
        """Completion with perfect balance: n·B spread over m uplinks, and no faster than one NIC."""
        return max(1.0, self.flows / self.uplinks) * self.flow_bytes / self.link_bandwidth


def _percentile(values, q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if len(values) else math.nan


@dataclass(frozen=True)
class EcmpResult:
    """Statistics over trials. Implements ``CalcResult``-style to_dict/rows/explain."""

    config: EcmpConfig
    idle_fraction: float
    mean_throughput: float  # mean over connections of (initial max-min rate / C)
    worst_throughput_p50: float  # median over trials of the slowest connection's rate / C
    completion_s: tuple[float, float, float, float]  # mean, p50, p99, max of the collective's time
    max_link_load: float  # mean over trials of the most subflows on one uplink at t = 0
    sample: tuple[float, ...]  # completion / ideal for up to 20,000 trials (plots)

    @property
    def closed_form(self) -> float | None:
        """(1 − 1/m)^(n·q) for hashed policies; the simulation's idle fraction should match it."""
        if self.config.policy in ("ecmp", "flowlet"):
            return idle_fraction_closed_form(self.config.flows * self.config.qps, self.config.uplinks)
        return None

    def to_dict(self) -> dict:
        mean, p50, p99, worst = self.completion_s
        ideal = self.config.ideal_s
        return {
            "config": asdict(self.config),
            "idle_uplink_fraction": self.idle_fraction,
            "idle_uplink_fraction_closed_form": self.closed_form,
            "mean_flow_throughput_fraction": self.mean_throughput,
            "slowest_flow_throughput_fraction_p50": self.worst_throughput_p50,
            "mean_max_subflows_per_uplink": self.max_link_load,
            "completion_s": {"mean": mean, "p50": p50, "p99": p99, "max": worst},
            "ideal_completion_s": ideal,
            "slowdown": {"mean": mean / ideal, "p50": p50 / ideal, "p99": p99 / ideal},
            "engine": "closed form per trial" if self.config.fast_path else "fluid max-min",
            "conventions": {"hash": "uniform random spine per subflow", "fairness": "max-min",
                            "completion": "collective ends when its slowest flow ends",
                            "spray": "fluid limit (bytes split evenly; reordering ignored)",
                            "traffic": "leaf i → leaf i+1, one flow per host pair" if self.config.leaves > 1
                            else "n flows from one leaf onto its m uplinks"},
        }

    def rows(self) -> list[tuple[str, str]]:
        mean, p50, p99, _ = self.completion_s
        cf = self.closed_form
        return [
            ("idle uplinks", f"{self.idle_fraction:.2%}" + (f" (closed form {cf:.2%})" if cf is not None else "")),
            ("mean flow throughput", f"{self.mean_throughput:.1%} of line rate"),
            ("slowest flow (median trial)", f"{self.worst_throughput_p50:.1%} of line rate"),
            ("completion p50 / p99", f"{format_seconds(p50)} / {format_seconds(p99)}"),
            ("slowdown vs ideal p50 / p99", f"{p50 / self.config.ideal_s:.2f}× / {p99 / self.config.ideal_s:.2f}×"),
        ]

    def explain(self) -> str:
        c = self.config
        lines = [f"{c.flows} flows × {c.leaves} leaf/leaves onto {c.uplinks} uplinks, {c.policy}, qps={c.qps}, "
                 f"{c.trials} trials"]
        if self.closed_form is not None:
            lines.append(f"idle fraction (1 − 1/m)^(n·q) = (1 − 1/{c.uplinks})^{c.flows * c.qps} = {self.closed_form:.4f};"
                         f" simulated {self.idle_fraction:.4f}")
        lines.append(f"ideal = max(1, n/m)·B/C = {format_bytes(c.flow_bytes)} / {format_bandwidth(c.link_bandwidth)}"
                     f" × {max(1.0, c.flows / c.uplinks):g} = {format_seconds(c.ideal_s)}")
        return "\n".join(lines)


def _batches(config: EcmpConfig, subflows: int):
    budget = max(1, (1 << 22) // max(1, subflows * (4 if config.leaves > 1 else 2)))
    done = 0
    while done < config.trials:
        size = min(budget, config.trials - done)
        yield size
        done += size


def _fast(config: EcmpConfig, rng, size: int):
    """Closed form per trial: loads by bincount, rates C/k, completion k_max·B/C."""
    import numpy as np

    n, m = config.flows, config.uplinks
    spine = rng.integers(0, m, size=(size, n))
    load = np.bincount((spine + (np.arange(size) * m)[:, None]).ravel(), minlength=size * m).reshape(size, m)
    k = np.take_along_axis(load, spine, axis=1)
    throughput = 1.0 / k
    completion = load.max(axis=1) * config.flow_bytes / config.link_bandwidth
    return (load == 0).mean(axis=1), throughput, completion, load.max(axis=1)


def _fluid(config: EcmpConfig, rng, size: int, fabric: Fabric):
    """The general case on the fluid simulator."""
    import numpy as np

    from infraprep.sim.ecmp.fluid import run_fluid

    leaf, host = fabric.connections()
    per_conn = config.uplinks if config.policy == "spray" else config.qps
    leaf_f, host_f = np.repeat(leaf, per_conn), np.repeat(host, per_conn)  # (F,)
    n_sub = leaf_f.size
    leaf_t = np.broadcast_to(leaf_f, (size, n_sub))
    bursts = config.flowlets if config.policy in ("flowlet", "adaptive") else 1
    chunk = config.flow_bytes / per_conn / bursts
    cap = np.full(fabric.n_links, config.link_bandwidth)

    def place(active_counts, which):
        """Spines for subflows ``which`` (T, F) mask given per-link active counts (adaptive only)."""
        spines = np.zeros((size, n_sub), dtype=np.int64)
        for f in range(n_sub):
            rows = which[:, f]
            if rows.any():
                chosen = fabric.least_loaded(active_counts[rows], leaf_t[rows, f], rng)
                spines[rows, f] = chosen
                idx = np.nonzero(rows)[0]
                for link in fabric.paths(leaf_t[rows, f], host_f[f], chosen).T:
                    active_counts[idx, link] += 1
        return spines

    if config.policy == "spray":
        spine = np.broadcast_to(np.tile(np.arange(config.uplinks), leaf.size), (size, n_sub)).copy()
    elif config.policy == "adaptive":
        spine = place(np.zeros((size, fabric.n_links), dtype=np.int64), np.ones((size, n_sub), dtype=bool))
    else:
        spine = rng.integers(0, config.uplinks, size=(size, n_sub))
    paths = fabric.paths(leaf_t, np.broadcast_to(host_f, (size, n_sub)), spine)
    uplink_load = np.zeros((size, fabric.n_uplinks), dtype=np.int64)
    np.add.at(uplink_load, (np.arange(size)[:, None], paths[..., 1]), 1)
    left = np.full((size, n_sub), bursts - 1)

    def renew(done, clock, paths_now, remaining):
        again = done & (left > 0)
        if again.any():
            left[again] -= 1
            remaining[again] = chunk
            if config.policy == "adaptive":
                counts = np.zeros((size, fabric.n_links), dtype=np.int64)
                busy = remaining > 0
                busy_paths = paths_now + (np.arange(size) * fabric.n_links)[:, None, None]
                counts += np.bincount(busy_paths[busy & ~again].ravel(),
                                      minlength=size * fabric.n_links).reshape(size, fabric.n_links)
                new = place(counts, again)
            else:
                new = rng.integers(0, config.uplinks, size=(size, n_sub))
            fresh = fabric.paths(leaf_t, np.broadcast_to(host_f, (size, n_sub)), new)
            paths_now[again] = fresh[again]
        return done & ~again

    finish, rate0 = run_fluid(paths, np.full((size, n_sub), chunk), cap, renew)
    conns = leaf.size
    throughput = rate0.reshape(size, conns, per_conn).sum(axis=2) / config.link_bandwidth
    completion = finish.max(axis=1)
    idle = (uplink_load.reshape(size, config.leaves, config.uplinks) == 0).mean(axis=(1, 2))
    return idle, throughput, completion, uplink_load.max(axis=1)


def simulate(config: EcmpConfig, on_batch: Callable[[int], None] | None = None) -> EcmpResult:
    """Run ``config.trials`` trials (in batches; same seed → same numbers); ``on_batch(trials_done)``."""
    import numpy as np

    rng = np.random.default_rng(config.seed)
    fabric = Fabric(config.leaves, config.uplinks, config.flows)
    per_conn = config.uplinks if config.policy == "spray" else config.qps
    idle_sum = thr_sum = thr_count = load_sum = 0.0
    worst, completions = [], []
    for size in _batches(config, config.leaves * config.flows * per_conn):
        idle, thr, comp, max_load = _fast(config, rng, size) if config.fast_path else _fluid(config, rng, size, fabric)
        idle_sum += float(idle.sum())
        thr_sum += float(thr.sum())
        thr_count += thr.size
        load_sum += float(max_load.sum())
        worst.append(thr.min(axis=1))
        completions.append(comp)
        if on_batch is not None:
            on_batch(size)
    comp = np.concatenate(completions)
    worst_all = np.concatenate(worst)
    sample = tuple(float(x) for x in comp[:20_000] / config.ideal_s)
    return EcmpResult(config, idle_sum / config.trials, thr_sum / thr_count, _percentile(worst_all, 50),
                      (float(comp.mean()), _percentile(comp, 50), _percentile(comp, 99), float(comp.max())),
                      load_sum / config.trials, sample)

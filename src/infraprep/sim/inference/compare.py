"""Side-by-side experiments: the same workload (same seed) on two or three serving designs.

Each comparison starts from a base :class:`SimConfig` (model, GPU, lengths, seed), changes only what
it studies, and reports every run's metrics plus one headline ratio:

* ``paged`` — contiguous max-length reservation vs paged blocks (Kwon et al. 2023 §3.1 vs §4.2):
  mean sequences running under a saturating burst. Memory, not the batch cap, must bind, so both
  runs get a high ``max_num_seqs``.
* ``static`` — request-level (static) vs iteration-level (continuous) batching (Orca, Yu et al. OSDI
  2022 §2.2, §3.1) at one batch cap: output tokens/s on a burst. Static runs twice, computing its
  padding and not; the headline ratio is against the unpadded (best) case.
* ``chunked`` — prefill-first without chunking (vLLM v0) vs decode-first with chunked prefill
  (Sarathi-Serve, Agrawal et al. OSDI 2024 §4) at one request rate: p99 inter-token latency.
* ``prefix`` — multi-turn sessions without a prefix cache, with the hash-chained cache and with the
  radix tree: hit rates and TTFT (SGLang, Zheng et al. 2024 §3; vLLM automatic prefix caching).
* ``disagg`` — two colocated replicas vs one prefill + one decode replica (DistServe, Zhong et al.
  OSDI 2024 §3): TTFT, ITL and goodput under the SLA.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from infraprep.errors import InvalidValue
from infraprep.sim.inference.simulator import SimConfig, SimResult, simulate

__all__ = ["COMPARISONS", "Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """Runs by label, and the headline: ``metric`` of ``better`` over ``worse`` (> 1 = better wins)."""

    name: str
    runs: dict[str, SimResult]
    metric: str
    better: str
    worse: str
    ratio: float

    def to_dict(self) -> dict:
        return {"comparison": self.name, "metric": self.metric, "better": self.better, "worse": self.worse,
                "ratio": self.ratio, "runs": {label: r.to_dict() for label, r in self.runs.items()}}


def _run(configs: dict[str, SimConfig], progress) -> dict[str, SimResult]:
    return {label: simulate(c, progress) for label, c in configs.items()}


def paged_vs_contiguous(base: SimConfig, progress=None) -> Comparison:
    burst = base.with_workload(arrival="burst").with_scheduler(max_num_seqs=2048, max_batched_tokens=8192)
    runs = _run({"contiguous": burst.with_scheduler(reservation="max-length"),
                 "paged": burst.with_scheduler(reservation="paged")}, progress)
    ratio = runs["paged"].summary.mean_running / runs["contiguous"].summary.mean_running
    return Comparison("paged", runs, "mean running sequences", "paged", "contiguous", ratio)


def static_vs_continuous(base: SimConfig, progress=None) -> Comparison:
    burst = base.with_workload(arrival="burst")
    static = burst.with_scheduler(policy="static")
    runs = _run({"static, padded": static.with_replica(static_padding=True),
                 "static": static.with_replica(static_padding=False),
                 "continuous": burst.with_scheduler(policy="decode-first", chunked_prefill=True)}, progress)
    ratio = runs["continuous"].summary.throughput / runs["static"].summary.throughput  # vs static's best case
    return Comparison("static", runs, "output tokens/s", "continuous", "static", ratio)


def chunked_vs_unchunked(base: SimConfig, progress=None) -> Comparison:
    runs = _run({
        "prefill-first": base.with_scheduler(policy="prefill-first", chunked_prefill=False,
                                             max_batched_tokens=max(8192, base.replica.scheduler.max_model_len)),
        "chunked": base.with_scheduler(policy="decode-first", chunked_prefill=True, max_batched_tokens=512),
    }, progress)
    ratio = runs["prefill-first"].summary.itl["p99"] / runs["chunked"].summary.itl["p99"]
    return Comparison("chunked", runs, "p99 ITL (unchunked ÷ chunked)", "chunked", "prefill-first", ratio)


def prefix_caching(base: SimConfig, progress=None) -> Comparison:
    multi = base if base.workload.turns > 1 else base.with_workload(turns=4, system_prompt=512)
    runs = _run({kind: multi.with_replica(prefix_cache=kind) for kind in ("none", "hash", "radix")}, progress)
    ratio = runs["none"].summary.mean_ttft / runs["hash"].summary.mean_ttft
    return Comparison("prefix", runs, "mean TTFT (none ÷ hash)", "hash", "none", ratio)


def disaggregation(base: SimConfig, progress=None) -> Comparison:
    runs = _run({"colocated": replace(base, replicas=2, disaggregated=False),
                 "disaggregated": replace(base, disaggregated=True, prefill_replicas=1, decode_replicas=1)}, progress)
    ratio = runs["colocated"].summary.itl["p99"] / runs["disaggregated"].summary.itl["p99"]
    return Comparison("disagg", runs, "p99 ITL (colocated ÷ disaggregated)", "disaggregated", "colocated", ratio)


COMPARISONS: dict[str, Callable[..., Comparison]] = {
    "paged": paged_vs_contiguous,
    "static": static_vs_continuous,
    "chunked": chunked_vs_unchunked,
    "prefix": prefix_caching,
    "disagg": disaggregation,
}


def compare(name: str, base: SimConfig, progress=None) -> Comparison:
    """Run comparison ``name`` (one of :data:`COMPARISONS`) from ``base``."""
    if name not in COMPARISONS:
        raise InvalidValue("--compare", name, f"one of {', '.join(COMPARISONS)}")
    return COMPARISONS[name](base, progress)

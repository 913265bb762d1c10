"""Pipeline templates (Oobleck, Jang et al., SOSP 2023) and their instantiation on the nodes left.

A *template* is the best pipeline for exactly n nodes: the model's L layers cut into n contiguous
stages minimising the slowest stage (the linear-partition problem, solved exactly by dynamic
programming), each stage within a node's memory (``max_layers``). Templates are precomputed for
n_min … n_max nodes, n_min = ⌈L / max_layers⌉ and by default n_max = 2·n_min − 1: every count
A ≥ n_min splits into parts in [n_min, 2·n_min − 1] (take ⌊A / n_min⌋ parts and spread the rest),
so some set of templates always covers all surviving nodes — Oobleck's "no idle resources" property.

Time model (per microbatch, forward + backward of a stage = its layers' cost): a pipeline of n
stages with stage time t runs m microbatches in (m + n − 1)·t (fill and drain, GPipe/1F1B).
The global batch of B microbatches is split across pipelines to minimise the slowest
(Oobleck's batch distribution); throughput = B / iteration time.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cache

from infraprep.errors import InvalidValue

__all__ = ["Instantiation", "Template", "build_templates", "instantiate", "instantiations", "partition"]


def partition(costs: tuple[float, ...], stages: int, max_layers: int) -> tuple[float, tuple[int, ...]] | None:
    """Cut ``costs`` into ``stages`` contiguous parts of ≤ ``max_layers`` layers minimising the largest
    part's sum. Returns (that sum, layers per stage) or None when impossible. O(stages·L²)."""
    n = len(costs)
    if stages > n or stages * max_layers < n:
        return None
    prefix = [0.0]
    for c in costs:
        prefix.append(prefix[-1] + c)

    @cache
    def best(start: int, parts: int) -> tuple[float, tuple[int, ...]] | None:
        remaining = n - start
        if parts == 1:
            return (prefix[n] - prefix[start], (remaining,)) if remaining <= max_layers else None
        found = None
        for size in range(1, min(max_layers, remaining - (parts - 1)) + 1):
            rest = best(start + size, parts - 1)
            if rest is None:
                continue
            value = max(prefix[start + size] - prefix[start], rest[0])
            if found is None or value < found[0]:
                found = (value, (size, *rest[1]))
        return found

    return best(0, stages)


@dataclass(frozen=True)
class Template:
    nodes: int
    stage_time: float  # slowest stage, per microbatch
    layers: tuple[int, ...]  # layers per stage

    def iteration(self, microbatches: int) -> float:
        return (microbatches + self.nodes - 1) * self.stage_time if microbatches else 0.0


def build_templates(costs: tuple[float, ...], max_layers: int, n_max: int | None = None) -> dict[int, Template]:
    """Templates for n_min … n_max nodes (n_max defaults to 2·n_min − 1, capped at the layer count)."""
    if not costs or any(c <= 0 for c in costs):
        raise InvalidValue("--layers", len(costs), "at least one layer, each with a cost > 0")
    if max_layers < 1:
        raise InvalidValue("--max-layers", max_layers, "at least 1 layer per node")
    n_min = -(-len(costs) // max_layers)
    n_max = min(n_max or 2 * n_min - 1, len(costs))
    out = {}
    for n in range(n_min, n_max + 1):
        found = partition(tuple(costs), n, max_layers)
        if found is not None:
            out[n] = Template(n, found[0], found[1])
    return out


@dataclass(frozen=True)
class Instantiation:
    sizes: tuple[int, ...]  # nodes per pipeline
    microbatches: tuple[int, ...]
    iteration_time: float
    throughput: float  # microbatches per unit time

    @property
    def pipelines(self) -> int:
        return len(self.sizes)


def _distribute(templates: list[Template], batch: int) -> tuple[tuple[int, ...], float]:
    """Give microbatches one at a time to the pipeline whose finish time grows least (optimal for
    these affine costs: each pipeline's time is increasing in its share)."""
    counts = [0] * len(templates)
    heap = [(t.iteration(1), i) for i, t in enumerate(templates)]
    heapq.heapify(heap)
    for _ in range(batch):
        _, i = heapq.heappop(heap)
        counts[i] += 1
        heapq.heappush(heap, (templates[i].iteration(counts[i] + 1), i))
    return tuple(counts), max(t.iteration(c) for t, c in zip(templates, counts, strict=True))


def _exact(templates: dict[int, Template], nodes: int, batch: int, min_pipelines: int):
    lo, hi = min(templates), max(templates)
    best = None
    for count in range(-(-nodes // hi), nodes // lo + 1):
        base, extra = divmod(nodes, count)
        sizes = [base + 1] * extra + [base] * (count - extra)
        if any(s not in templates for s in sizes):
            continue
        counts, time = _distribute([templates[s] for s in sizes], batch)
        candidate = Instantiation(tuple(sizes), counts, time, batch / time)
        key = (count >= min_pipelines, candidate.throughput)
        if best is None or key > best[0]:
            best = (key, candidate)
    return best


def instantiations(templates: dict[int, Template], up_to: int, batch: int,
                   min_pipelines: int = 1) -> list[Instantiation | None]:
    """``[instantiate(templates, a, batch) for a in range(up_to + 1)]`` in one pass: the best set
    of pipelines on *at most* a nodes (the envelope of the exact counts), so throughput never falls
    when a node is added; None below n_min."""
    out: list[Instantiation | None] = []
    best = None
    for nodes in range(up_to + 1):
        found = _exact(templates, nodes, batch, min_pipelines) if templates and nodes >= min(templates) else None
        if found is not None and (best is None or found[0] > best[0]):
            best = found
        out.append(best[1] if best else None)
    return out


def instantiate(templates: dict[int, Template], available: int, batch: int, min_pipelines: int = 1) -> Instantiation | None:
    """The best set of pipelines from the templates on at most ``available`` nodes, or None if none fits.

    Pipeline sizes are as even as possible for each pipeline count; at least ``min_pipelines`` when
    feasible (Oobleck keeps f + 1 replicas). Nodes may be left idle when the batch splits better
    without them (a small batch over many pipelines), so throughput never falls when a node is added.
    """
    return instantiations(templates, available, batch, min_pipelines)[available]

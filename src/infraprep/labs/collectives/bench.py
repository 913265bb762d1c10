"""The all-reduce benchmark: every algorithm side by side with the backend's built-in, nccl-tests style.

Measurement (inside the ranks, :func:`bench_worker`): every algorithm is first verified against
``dist.all_reduce`` on random data at every size, then timed in ``repeats`` rounds; each round sweeps
all sizes and, per size, runs the algorithms back to back (so a noisy moment hurts them alike). One
measurement is a barrier, ``iters`` back-to-back calls on a zero buffer, and the slowest rank's mean
time per call; each (algorithm, size) keeps its best round. Reported like nccl-tests (doc/PERFORMANCE.md): algbw = S/t, busbw = algbw·2(p−1)/p, plus
the ratio to the built-in and an α–β fit per algorithm (:mod:`.fit`) with its error at every size.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field

from infraprep.calc.collectives import Link, collective
from infraprep.errors import InvalidValue
from infraprep.labs.collectives import MODEL_OF
from infraprep.labs.collectives.fit import AlphaBetaFit, fit_alpha_beta

__all__ = ["BenchResult", "BenchSpec", "bench_worker", "parse_algos", "parse_sizes", "summarize"]


@dataclass(frozen=True)
class BenchSpec:
    """What to measure. ``target_bytes`` sets iterations per round: ceil(target/size), 1..max_iters."""

    sizes: tuple[int, ...]
    algos: tuple[str, ...]
    dtype: str = "float32"
    repeats: int = 3
    ranks_per_node: int = 2
    target_bytes: int = 8 << 20
    max_iters: int = 10
    fit_from: int = 64 << 10
    chunk_bytes: int = 1 << 20


def _iters(spec: BenchSpec, size: int) -> int:
    return max(1, min(spec.max_iters, math.ceil(spec.target_bytes / max(size, 1))))


def bench_worker(ctx, spec: BenchSpec) -> dict | None:
    """Verify, then time every algorithm at every size; rank 0 returns the raw measurements.

    The ``repeats`` rounds each sweep all sizes (and, per size, all algorithms back to back), so the
    samples of one size are spread over the whole run: a burst of load from elsewhere on a shared
    machine then spoils one round of many sizes rather than every round of one size.
    """
    import time

    import torch
    import torch.distributed as dist

    from infraprep.labs.collectives import allreduce

    dtype = getattr(torch, spec.dtype)
    sync = torch.cuda.synchronize if ctx.backend == "nccl" else (lambda: None)
    options = {"ranks_per_node": spec.ranks_per_node, "chunk_bytes": spec.chunk_bytes,
               "segment_bytes": spec.chunk_bytes}
    counts = [max(1, size // dtype.itemsize) for size in spec.sizes]
    verified = {a: [] for a in spec.algos}
    for k, n in enumerate(counts):
        gen = torch.Generator().manual_seed(1000 * ctx.rank + k)
        x = (torch.randn(n, generator=gen) * 100).to(dtype).to(ctx.device)
        reference, absum = x.clone(), x.abs()
        dist.all_reduce(reference)
        dist.all_reduce(absum)
        u = torch.finfo(dtype).eps / 2 if dtype.is_floating_point else 0.0
        bound = 2 * (ctx.world - 1) * u * float(absum.max())
        ok = torch.ones(len(spec.algos), dtype=torch.int32, device=ctx.device)
        for j, algo in enumerate(spec.algos):
            out = x.clone()
            allreduce(out, algo, **options)
            ok[j] = int(float((out - reference).abs().max()) <= bound)
        dist.all_reduce(ok, op=dist.ReduceOp.MIN)
        for j, algo in enumerate(spec.algos):
            verified[algo].append(bool(ok[j]))
    best = {a: [math.inf] * len(counts) for a in spec.algos}
    for rnd in range(spec.repeats):
        for k, (size, n) in enumerate(zip(spec.sizes, counts, strict=True)):
            buf = torch.zeros(n, dtype=dtype, device=ctx.device)  # zeros stay finite however often summed
            iters = _iters(spec, size)
            for algo in spec.algos:
                dist.barrier()
                sync()
                start = time.perf_counter()
                for _ in range(iters):
                    allreduce(buf, algo, **options)
                sync()
                slowest = torch.tensor([(time.perf_counter() - start) / iters], dtype=torch.float64, device=ctx.device)
                dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
                best[algo][k] = min(best[algo][k], float(slowest))
            ctx.report(("size", rnd * len(counts) + k + 1, spec.repeats * len(counts), size))
    if ctx.rank != 0:
        return None
    return {"times": best, "verified": verified, "world": ctx.world, "backend": ctx.backend,
            "device": torch.cuda.get_device_name(ctx.device) if ctx.backend == "nccl" else platform.processor()
            or platform.machine(), "threads": torch.get_num_threads()}


@dataclass(frozen=True)
class BenchResult:
    """Measurements plus the derived columns; ``to_dict`` is the ``--json`` output (SI units)."""

    spec: BenchSpec
    ranks: int
    backend: str
    machine: dict
    times: dict[str, tuple[float, ...]]
    verified: dict[str, tuple[bool, ...]]
    fits: dict[str, AlphaBetaFit | None] = field(default_factory=dict)

    @property
    def busbw_factor(self) -> float:
        return 2 * (self.ranks - 1) / self.ranks

    def algbw(self, algo: str) -> list[float]:
        return [s / t for s, t in zip(self.spec.sizes, self.times[algo], strict=True)]

    def ratio(self, algo: str) -> list[float] | None:
        """time(algo) / time(builtin) per size; None without a builtin column."""
        if "builtin" not in self.times:
            return None
        return [t / b for t, b in zip(self.times[algo], self.times["builtin"], strict=True)]

    def to_dict(self) -> dict:
        algos = {}
        for a in self.spec.algos:
            fit = self.fits.get(a)
            algos[a] = {"time_s": list(self.times[a]), "algbw": self.algbw(a),
                        "busbw": [b * self.busbw_factor for b in self.algbw(a)],
                        "ratio_vs_builtin": self.ratio(a), "verified": list(self.verified[a]),
                        "model": MODEL_OF[a], "fit": fit.to_dict() if fit else None}
        return {"ranks": self.ranks, "backend": self.backend, "dtype": self.spec.dtype, "sizes": list(self.spec.sizes),
                "busbw_factor": self.busbw_factor, "repeats": self.spec.repeats, "machine": self.machine,
                "algorithms": algos,
                "conventions": {"time": "best of repeats of the slowest rank's mean per call",
                                "busbw": "nccl-tests all-reduce factor 2(p-1)/p",
                                "fit": f"minimax relative error (Chebyshev) on sizes ≥ {self.spec.fit_from} B; γ folded into β"}}


def _model_coefficients(algo: str, ranks: int, ranks_per_node: int) -> tuple[float, float]:
    """(a, b) of T = a·α + b·S·β for the calc model of ``algo`` (unit α and β on one link class)."""
    model = MODEL_OF[algo]
    per_node = ranks_per_node if model == "hier" else None
    return collective("allreduce", model, ranks, 0.0, Link(1.0, 1.0), ranks_per_node=per_node).affine()


def summarize(raw: dict, spec: BenchSpec, machine: dict | None = None) -> BenchResult:
    """Derive bandwidths, ratios and α–β fits from :func:`bench_worker`'s output."""
    ranks = raw["world"]
    fits: dict[str, AlphaBetaFit | None] = {}
    for a in spec.algos:
        coef_a, coef_b = _model_coefficients(a, ranks, spec.ranks_per_node)
        try:
            fits[a] = fit_alpha_beta(spec.sizes, raw["times"][a], coef_a, coef_b, spec.fit_from)
        except ValueError:  # fewer than two sizes ≥ fit_from
            fits[a] = None
    info = {"backend_device": raw["device"], "threads_per_rank": raw["threads"], **(machine or {})}
    return BenchResult(spec, ranks, raw["backend"], info, {a: tuple(v) for a, v in raw["times"].items()},
                       {a: tuple(v) for a, v in raw["verified"].items()}, fits)


def parse_algos(text: str, choices: Sequence[str]) -> tuple[str, ...]:
    """``ring,tree,builtin`` → a tuple, each checked against ``choices``."""
    algos = tuple(dict.fromkeys(a.strip() for a in text.split(",") if a.strip()))
    bad = [a for a in algos if a not in choices]
    if not algos or bad:
        raise InvalidValue("--algos", text, f"a comma-separated list of {', '.join(choices)}")
    return algos


def parse_sizes(text: str, itemsize: int = 1) -> tuple[int, ...]:
    """``1KiB:64MiB`` → every power-of-two multiple from 1 KiB to 64 MiB; ``4KiB,1MiB,3MB`` → a list.

    Each size is rounded down to whole elements of ``itemsize`` bytes (at least one element).
    """
    from infraprep.calc.units import parse_bytes

    expected = "LO:HI (doubling, e.g. 1KiB:64MiB) or a comma-separated list of sizes"
    try:
        if ":" in text:
            lo, hi = (parse_bytes(part, "--sizes") for part in text.split(":", 1))
        else:
            sizes = [parse_bytes(t, "--sizes") for t in text.split(",") if t.strip()]
    except InvalidValue as exc:
        raise InvalidValue("--sizes", text, expected) from exc
    if ":" in text:
        if hi < lo:
            raise InvalidValue("--sizes", text, expected + " with LO ≤ HI")
        sizes, s = [], lo
        while s <= hi * (1 + 1e-9) and len(sizes) < 64:
            sizes.append(s)
            s *= 2
    if not sizes or any(s > 2**40 for s in sizes):
        raise InvalidValue("--sizes", text, expected + " (each at most 1 TiB)")
    return tuple(dict.fromkeys(max(1, int(s) // itemsize) * itemsize for s in sizes))

"""Correctness of every implementation against ``dist.all_reduce`` and against an exact local sum.

Runs inside the ranks (a worker for :func:`launch`). For each communicator (an ordered list of global
ranks, its own process group created for the built-in reference), dtype, size and algorithm, every
member builds its input from a seed, runs the algorithm on one copy and ``dist.all_reduce`` on
another, and recomputes all members' inputs locally to get the float64 (or exact integer) sum.

Pass criteria (checked by :func:`verdicts`):

* integers: identical to the built-in and to the exact sum;
* floats: within the summation error bound |ŝ − s| ≤ (p−1)·u·Σ|xᵢ| (Higham 2002, "Accuracy and
  Stability of Numerical Algorithms", §4.2, recursive summation; u = eps/2) of the float64 sum, plus
  that reference's own bound at float64's u; and within twice the bound of the built-in;
* every member of a communicator ends with bit-identical results (same SHA-1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DTYPES", "CheckRecord", "check_worker", "nodes_of", "odd_sizes", "verdicts"]

DTYPES = ("float32", "float64", "int64")


def odd_sizes(world: int) -> list[int]:
    """≥ 20 element counts: empty, tiny, around the rank count, primes, powers of two and their neighbours."""
    near = {world - 1, world, world + 1, 2 * world - 1, 2 * world + 1}
    fixed = {0, 1, 2, 3, 5, 7, 13, 31, 64, 97, 255, 256, 1000, 1023, 4097, 10007, 65536, 65537, 100003}
    return sorted(s for s in fixed | near if s >= 0)


@dataclass(frozen=True)
class CheckRecord:
    """One member's outcome for one (communicator, algorithm, dtype, size)."""

    members: tuple[int, ...]
    rank: int
    algo: str
    dtype: str
    size: int
    error: float  # max |result − exact sum|
    bound: float  # allowed error (0 for integers)
    builtin_diff: float  # max |result − dist.all_reduce result|
    digest: str


def _inputs(seed: int, rank: int, size: int, dtype, device):
    import torch

    gen = torch.Generator().manual_seed(seed * 1_000_003 + rank * 7_919 + size)
    if dtype.is_floating_point:
        return torch.randn(size, generator=gen, dtype=torch.float64).to(dtype).to(device)
    return torch.randint(-1000, 1000, (size,), generator=gen, dtype=dtype).to(device)


def nodes_of(p: int) -> int:
    """Ranks per simulated node for ``hier`` on p members: p over its smallest prime factor, so that
    p = 4 → 2 nodes of 2, 6 → 2 of 3, 8 → 2 of 4, and a prime p → p nodes of 1 (inter-node step only)."""
    factor = next(f for f in range(2, p + 1) if p % f == 0)
    return p // factor


def check_worker(ctx, plan: Sequence[tuple[Sequence[int], Sequence[int], Sequence[str]]], algos: Sequence[str],
                 seed: int = 0, pipeline_bytes: int = 1 << 20) -> list[CheckRecord] | None:
    """Run every case of ``plan`` — (members, sizes, dtypes) per communicator — for every algorithm;
    rank 0 returns all members' records (others None). ``pipeline_bytes`` sets the ring's segment and
    the tree's chunk: small values make even small buffers take the multi-segment, multi-chunk paths."""
    import torch
    import torch.distributed as dist

    from infraprep.labs.collectives import allreduce

    records: list[CheckRecord] = []
    for members, sizes, dtypes in plan:
        members = list(members)
        group = dist.new_group(sorted(members)) if len(members) < ctx.world else None  # every rank calls it
        if ctx.rank not in members:
            continue
        p = len(members)
        for name in dtypes:
            dtype = getattr(torch, name)
            for size in sizes:
                mine = _inputs(seed, ctx.rank, size, dtype, ctx.device)
                everyone = [_inputs(seed, r, size, dtype, "cpu") for r in members]
                exact = torch.stack([x.to(torch.float64) for x in everyone]).sum(0) if size else torch.zeros(0)
                if dtype.is_floating_point:
                    u = torch.finfo(dtype).eps / 2 + torch.finfo(torch.float64).eps / 2  # result + reference
                    bound = (p - 1) * u * torch.stack([x.abs().to(torch.float64) for x in everyone]).sum(0)
                    bound = float(bound.max()) if size else 0.0
                else:
                    exact, bound = torch.stack(everyone).sum(0) if size else torch.zeros(0, dtype=dtype), 0.0
                reference = mine.clone()
                dist.all_reduce(reference, group=group)
                for algo in algos:
                    if algo == "builtin":
                        continue
                    out = mine.clone()
                    allreduce(out, algo, members, ranks_per_node=nodes_of(p), chunk_bytes=pipeline_bytes,
                              segment_bytes=pipeline_bytes)
                    host = out.cpu()
                    err = float((host.to(exact.dtype) - exact).abs().max()) if size else 0.0
                    diff = float((host - reference.cpu()).abs().max()) if size else 0.0
                    records.append(CheckRecord(tuple(members), ctx.rank, algo, name, size, err, bound, diff,
                                               hashlib.sha1(host.numpy().tobytes()).hexdigest()))
        ctx.report(("communicator", tuple(members)))
    gathered = [None] * ctx.world if ctx.rank == 0 else None
    dist.gather_object(records, gathered, dst=0)
    return [r for part in gathered for r in part] if ctx.rank == 0 else None


def verdicts(records: Sequence[CheckRecord]) -> list[str]:
    """Every failed criterion, one line each (empty: all passed)."""
    problems = []
    digests: dict[tuple, set[str]] = {}
    for r in records:
        case = f"{r.algo} {r.dtype} size={r.size} members={list(r.members)} rank={r.rank}"
        if r.error > r.bound:
            problems.append(f"{case}: error {r.error:.3g} > bound {r.bound:.3g}")
        if r.builtin_diff > 2 * r.bound:
            problems.append(f"{case}: differs from dist.all_reduce by {r.builtin_diff:.3g}")
        digests.setdefault((r.members, r.algo, r.dtype, r.size), set()).add(r.digest)
    problems += [f"{key}: members disagree" for key, found in digests.items() if len(found) > 1]
    return problems

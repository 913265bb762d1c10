"""Why an α–β line misses on a small shared host: the spread of single all-reduce calls, per size.

    python benchmarks/allreduce_spread.py [--ranks 4] [--algo builtin] [--samples 30]

Times ``samples`` single calls per size (after 3 warm-up calls), each between barriers and taken as
the slowest rank's time, and prints min / p25 / p50 / p90 / max. Two things show: the spread in the
latency regime (a call waits for descheduled ranks: min and median differ several-fold when ranks
outnumber cores), and the per-byte slope between neighbouring sizes, which drops where the ranks'
buffers fit in the last-level cache. Neither is in the α–β model (one α, one β per algorithm).
"""

from __future__ import annotations

import argparse
import time


def spread_worker(ctx, sizes: list[int], samples: int, algo: str) -> dict | None:
    import torch
    import torch.distributed as dist

    from infraprep.labs.collectives import allreduce

    out = {}
    for size in sizes:
        buf = torch.zeros(size // 4)
        for _ in range(3):
            allreduce(buf, algo)
        times = []
        for _ in range(samples):
            dist.barrier()
            start = time.perf_counter()
            allreduce(buf, algo)
            slowest = torch.tensor([time.perf_counter() - start], dtype=torch.float64)
            dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
            times.append(float(slowest))
        out[size] = sorted(times)
    return out if ctx.rank == 0 else None


def main() -> None:
    from infraprep.labs.collectives import ALGORITHMS
    from infraprep.labs.collectives.launcher import launch
    from infraprep.labs.machine import describe_machine

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ranks", type=int, default=4)
    ap.add_argument("--algo", default="builtin", choices=ALGORITHMS)
    ap.add_argument("--samples", type=int, default=30)
    args = ap.parse_args()
    sizes = [1 << k for k in range(16, 27, 2)]  # 64 KiB … 64 MiB, ×4
    result = launch(spread_worker, args.ranks, args=(sizes, args.samples, args.algo))
    print(f"{args.algo}, {args.ranks} ranks, {args.samples} single calls per size (ms; slowest rank)")
    print(f"{'size':>9} {'min':>8} {'p25':>8} {'p50':>8} {'p90':>8} {'max':>8}  p50÷min  p50 slope ms/MiB")
    previous = None
    for size in sizes:
        t = result[size]
        q = [t[round(p * (len(t) - 1))] * 1e3 for p in (0, 0.25, 0.5, 0.9, 1)]
        slope = "" if previous is None else f"{(q[2] - previous[1]) / ((size - previous[0]) / 2**20):.2f}"
        print(f"{size >> 10:>5} KiB " + " ".join(f"{v:8.2f}" for v in q) + f"  {q[2] / q[0]:7.1f}  {slope:>8}")
        previous = (size, q[2])
    print(describe_machine().line())


if __name__ == "__main__":
    main()

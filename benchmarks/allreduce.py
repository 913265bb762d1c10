"""All-reduce from isend/irecv vs the backend's built-in, side by side on one set of ranks.

    python benchmarks/allreduce.py [--ranks 4] [--sizes 64KiB:64MiB] [--algos ring,tree,rhd,builtin]
                                   [--repeats 5] [--runs 3]

Each run launches the ranks once and measures every algorithm at every size in interleaved rounds
(labs/collectives/bench.py); across runs each (algorithm, size) keeps its best time. Prints time per
algorithm, the ratio to the built-in, busbw, and the α–β fit error per size, then the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import time


def main() -> None:
    from infraprep.calc.units import parse_bytes
    from infraprep.labs.collectives import ALGORITHMS
    from infraprep.labs.collectives.bench import BenchSpec, bench_worker, parse_algos, parse_sizes, summarize
    from infraprep.labs.collectives.launcher import launch

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ranks", type=int, default=4)
    ap.add_argument("--sizes", default="64KiB:64MiB")
    ap.add_argument("--algos", default="ring,tree,rhd,builtin")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--fit-from", default="64KiB")
    args = ap.parse_args()
    spec = BenchSpec(parse_sizes(args.sizes, 4), parse_algos(args.algos, ALGORITHMS), "float32", args.repeats,
                     2 if args.ranks % 2 == 0 else 1, fit_from=int(parse_bytes(args.fit_from)))
    start = time.time()
    raws = [launch(bench_worker, args.ranks, args=(spec,)) for _ in range(args.runs)]
    best = {a: [min(r["times"][a][k] for r in raws) for k in range(len(spec.sizes))] for a in spec.algos}
    merged = {**raws[0], "times": best,
              "verified": {a: [all(r["verified"][a][k] for r in raws) for k in range(len(spec.sizes))]
                           for a in spec.algos}}
    result = summarize(merged, spec)
    p = args.ranks
    print(f"all-reduce, {p} ranks, gloo, float32: best of {args.runs} runs × {args.repeats} rounds "
          f"(busbw = algbw × {result.busbw_factor:.3g})")
    head = f"{'bytes':>10}"
    for a in spec.algos:
        head += f" | {a + ' ms':>11} {'busbw GB/s':>10}" + (f" {'×builtin':>8}" if a != "builtin" else "")
        head += f" {'fit':>5}"
    print(head)
    for k, size in enumerate(spec.sizes):
        line = f"{size:>10}"
        for a in spec.algos:
            t = result.times[a][k]
            line += f" | {t * 1e3:>11.3f} {size / t * result.busbw_factor / 1e9:>10.3f}"
            if a != "builtin":
                line += f" {result.ratio(a)[k]:>8.2f}" if result.ratio(a) else f" {'—':>8}"
            fit = result.fits.get(a)
            line += f" {fit.errors[k]:>+5.0%}" if fit else f" {'—':>5}"
            line += "" if all(result.verified[a]) else " WRONG"
        print(line)
    for a in spec.algos:
        fit = result.fits.get(a)
        if fit:
            print(f"fit {a:>8}: α = {fit.alpha_s * 1e6:.1f} µs, 1/β = {fit.bandwidth / 1e9:.3f} GB/s, "
                  f"max |err| ≥ {spec.fit_from} B = {fit.max_error(spec.fit_from):.0%}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} at the end" if load else "", f"; {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()

"""The 3D-parallel mini-trainer side by side: 2×2×2 variants on 8 gloo ranks, in one job.

    .venv/bin/python benchmarks/trainer.py [--steps 8] [--repeats 2]

Every variant runs ``--repeats`` times, interleaved (A B C … A B C …) so that a neighbour's burst of
load hits all of them alike; a variant's step time is the median over its steps after the first (on
its slowest rank), best of the repeats. Reported as ratios to the 2×2×2 ZeRO-0 1F1B baseline, with
the bytes each rank sends per step (ring convention, meter.py) and the measured pipeline idle next
to the bubble (p−1)/(m+p−1). Absolute times on a shared CPU box are not recorded (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from infraprep.labs.trainer.config import TrainConfig

VARIANTS = {
    "2×2×2 ZeRO-0 1F1B (baseline)": {},
    "2×2×2 ZeRO-0 GPipe": {"schedule": "gpipe"},
    "2×2×2 ZeRO-1 1F1B": {"zero": 1},
    "2×2×2 ZeRO-3 1F1B": {"zero": 3},
    "2×2×2 ZeRO-0 1F1B + SP": {"sp": True},
    "1 rank, same global batch": {"dp": 1, "tp": 1, "pp": 1, "micro_batches": 8},
}


def _step_time(result) -> float:
    steps = range(1, result.config.steps)
    per_step = [max(r["steps"][s]["end"] - r["steps"][s]["start"] + r["steps"][s]["update_s"] for r in result.ranks)
                for s in steps]
    return statistics.median(per_step)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    import torch

    from infraprep.labs.trainer import predict
    from infraprep.labs.trainer.launch import run_local
    from infraprep.labs.trainer.result import TrainResult

    base = {"dp": 2, "tp": 2, "pp": 2, "steps": args.steps}
    configs = {name: TrainConfig(**{**base, **extra}) for name, extra in VARIANTS.items()}
    order = [name for _ in range(args.repeats) for name in configs]
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, gloo; "
          f"load average {os.getloadavg()[0]:.1f} before")
    t0 = time.perf_counter()
    reports = run_local([configs[n] for n in order], world=8, keep_params=False)
    wall = time.perf_counter() - t0
    best: dict[str, float] = {}
    results: dict[str, TrainResult] = {}
    for name, rep in zip(order, reports, strict=True):
        result = TrainResult.from_reports(configs[name], rep)
        if name not in best or _step_time(result) < best[name]:
            best[name], results[name] = _step_time(result), result
    print(f"load average {os.getloadavg()[0]:.1f} after; one job of {len(order)} runs × {args.steps} steps, "
          f"start-up included: {wall:.0f} s")
    baseline = best[next(iter(configs))]
    print(f"{'variant':<30} {'step ×base':>10} {'sent B/rank/step':>17} {'idle meas.':>11} {'bubble':>7}")
    for name, result in results.items():
        sent = max(sum(x["ring_bytes_sent"] for x in r["comm_per_step"]) for r in result.ranks)
        idle = statistics.mean(result.stage_idle())
        print(f"{name:<30} {best[name] / baseline:10.2f} {sent:17,.0f} {idle:11.0%} {predict.bubble_fraction(result.config):7.0%}")


if __name__ == "__main__":
    main()

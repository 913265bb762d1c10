"""Round 5 benchmark: the serving simulator's speed and headline ratios, and the real engine side by side.

    .venv/bin/python benchmarks/serve.py [--quick]

Prints one table of ratios (each measured in this one run) and the machine. Engine throughputs are
tokens per CPU-second of this single-threaded process (best of N alternating runs), so a shared,
loaded machine does not skew the ratios; simulator ratios are deterministic (seeded).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time


def simulator_rows(quick: bool) -> list[tuple[str, str, str]]:
    from infraprep.sim.inference import ReplicaConfig, SimConfig, WorkloadConfig, simulate
    from infraprep.sim.inference.compare import compare

    rows = []
    n = 10_000 if quick else 50_000
    for cache in ("none", "hash"):
        config = SimConfig(workload=WorkloadConfig(requests=n, rate=50, seed=0), replica=ReplicaConfig(prefix_cache=cache))
        start = time.process_time()
        simulate(config)
        cpu = time.process_time() - start
        rows.append((f"simulator, {n:,} chat requests, prefix cache {cache}", f"{n / cpu:,.0f} requests/CPU-s",
                     f"{cpu:.2f} CPU-s ({'≤ 10 s' if n == 50_000 and cpu < 10 else 'see target: 50k in < 10 s'})"))
    base = SimConfig(workload=WorkloadConfig(requests=1500, rate=10, seed=0))
    cases = [
        ("paged", base, "paged ÷ contiguous, mean running sequences"),
        ("static", SimConfig(workload=WorkloadConfig(requests=2000, rate=10, seed=0)),
         "continuous ÷ static (unpadded), output tokens/s"),
        ("chunked", SimConfig(workload=WorkloadConfig(requests=1500, rate=30, seed=0)),
         "p99 ITL: prefill-first ÷ chunked prefill"),
        ("prefix", SimConfig(workload=WorkloadConfig(requests=800, rate=4, turns=4, system_prompt=512, seed=0)),
         "mean TTFT: no cache ÷ hash prefix cache"),
        ("disagg", SimConfig(workload=WorkloadConfig(requests=800, rate=40, seed=0)),
         "p99 ITL: 2 colocated ÷ 1 prefill + 1 decode"),
    ]
    for name, config, label in cases:
        c = compare(name, config)
        extra = ""
        if name == "prefix":
            extra = f"hit rate hash {c.runs['hash'].cache['hit_rate']:.1%}, radix {c.runs['radix'].cache['hit_rate']:.1%}"
        if name == "static":
            extra = f"vs padded static {c.runs['continuous'].summary.throughput / c.runs['static, padded'].summary.throughput:.1f}×"
        rows.append((f"simulator: {label}", f"{c.ratio:.2f}×", extra))
    return rows


def engine_rows(quick: bool) -> list[tuple[str, str, str]]:
    import torch

    from infraprep.labs.engine import EngineRequest, PagedEngine, TinyConfig, TinyTransformer, dense_generate
    from infraprep.labs.engine.bench import serve_bench
    from infraprep.sim.serving import SchedulerConfig

    torch.set_num_threads(1)
    rows = []
    bench = serve_bench(requests=48 if quick else 96, max_num_seqs=8, repeats=2 if quick else 3)
    rows.append(("engine: continuous ÷ static batching, tokens/CPU-s", f"{bench.speedup:.2f}×",
                 f"iterations {bench.results['static']['iterations']} → {bench.results['continuous']['iterations']}; "
                 f"same tokens: {bench.outputs_match}"))
    model = TinyTransformer(TinyConfig(), dtype=torch.float32)
    rng = random.Random(1)
    system = tuple(rng.randrange(512) for _ in range(96))
    shared = [EngineRequest(system + tuple(rng.randrange(512) for _ in range(8)), 8) for _ in range(24 if quick else 48)]
    best = {}
    for _ in range(2 if quick else 3):
        for kind in ("none", "hash"):
            engine = PagedEngine(model, 512, 16, SchedulerConfig(max_batched_tokens=256, max_num_seqs=8), kind)
            _, stats = engine.generate(shared)
            if kind not in best or stats.cpu_seconds < best[kind].cpu_seconds:
                best[kind] = stats
    rows.append(("engine: prefix cache on ÷ off, 96-token shared prompt, CPU-s", f"{best['none'].cpu_seconds / best['hash'].cpu_seconds:.2f}×",
                 f"prefill tokens {best['none'].prefill_tokens:,} → {best['hash'].prefill_tokens:,}"))
    req = [EngineRequest(tuple(rng.randrange(512) for _ in range(32)), 32) for _ in range(4)]
    start = time.process_time()
    for r in req:
        dense_generate(model, r.prompt, r.max_new_tokens)
    dense = time.process_time() - start
    engine = PagedEngine(model, 64, 16, SchedulerConfig(max_num_seqs=1))
    _, stats = engine.generate(req)
    rows.append(("engine: paged KV cache ÷ dense recompute, one sequence at a time, CPU-s", f"{dense / stats.cpu_seconds:.2f}×",
                 "64-token sequences; grows with length (recompute is quadratic)"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    rows = simulator_rows(args.quick) + engine_rows(args.quick)
    import torch

    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, torch {torch.__version__}")
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>24}  {note}")


if __name__ == "__main__":
    main()

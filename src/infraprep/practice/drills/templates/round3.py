"""Round 3 drills: model memory, ZeRO, communication volume, parallel layout and pipeline bubbles.

Every expected value comes from the calculators (``calc/model``, ``memory``, ``comm``, ``bubble``).
"""

from __future__ import annotations

import random

from infraprep.calc.bubble import PipelineConfig, StageTimes, bubble
from infraprep.calc.comm import CommInputs, comm
from infraprep.calc.hardware import get_accelerator
from infraprep.calc.memory import TrainMemoryInputs, train_memory
from infraprep.calc.model import MODELS, count_params, get_model
from infraprep.calc.parallelism import Parallelism
from infraprep.calc.units import format_count
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template

_DENSE = ("gpt3-175b", "llama2-70b", "llama3-8b", "llama3-70b", "llama3-405b", "opt-13b")


@template("r3.weight-bytes", "r3.memory-formula", "Bytes of a model's weights at a given precision")
def weight_bytes(rng: random.Random) -> Drill:
    model = MODELS[rng.choice(sorted(MODELS))]
    bytes_per_param, label = rng.choice(((2, "BF16"), (1, "FP8"), (4, "FP32")))
    n = count_params(model).total
    return Drill(
        f"{model.name} has {format_count(n)} parameters. How much memory do its weights take in "
        f"{label} ({bytes_per_param} byte(s) per parameter)? Answer in GiB.",
        "bytes", expected=n * bytes_per_param, unit="GiB", tolerance=0.02,
        explain=f"{n:,} params × {bytes_per_param} B = {n * bytes_per_param:.4g} B = "
        f"{n * bytes_per_param / 2**30:.1f} GiB (1 GiB = 2^30 B; in GB it is {n * bytes_per_param / 1e9:.1f})",
    )


@template("r3.zero-model-states", "r3.memory-formula", "Per-GPU model-state bytes under a ZeRO stage")
def zero_model_states(rng: random.Random) -> Drill:
    params = rng.choice((1.3e9, 7.5e9, 13e9, 70e9, 175e9))
    dp = rng.choice((8, 16, 64, 256, 1024))
    zero = rng.randint(0, 3)
    result = train_memory(TrainMemoryInputs(parallel=Parallelism(dp=dp), params=params, zero=zero))
    return Drill(
        f"A {format_count(params)}-parameter model trains with mixed-precision Adam (bf16 weights and gradients, "
        f"K = 12 bytes of fp32 states per parameter) in pure data parallelism over {dp} GPUs with ZeRO stage {zero}. "
        "How many bytes of model state (weights + gradients + optimizer) does each GPU hold? Answer in GB.",
        "bytes", expected=result.to_dict()["per_gpu_bytes"]["total"], unit="GB", tolerance=0.02,
        explain=result.explain(),
    )


@template("r3.dp-allreduce-bytes", "r3.comm-volume", "Bytes each GPU sends for a ring all-reduce of the gradients")
def dp_allreduce_bytes(rng: random.Random) -> Drill:
    params = rng.choice((1.3e9, 7e9, 13e9, 70e9))
    dp = rng.choice((2, 4, 8, 64, 512))
    result = comm(CommInputs(parallel=Parallelism(dp=dp), params=params))
    return Drill(
        f"Plain data parallelism over {dp} GPUs, {format_count(params)} parameters, bf16 gradients (2 bytes). "
        "How many bytes does each GPU send per step for the gradient all-reduce (ring: reduce-scatter + "
        "all-gather)? Answer in GB.",
        "bytes", expected=result.to_dict()["per_gpu_bytes"]["dp"], unit="GB", tolerance=0.02,
        explain=result.explain(),
    )


@template("r3.min-pipeline-stages", "r3.parallelism-3d", "Fewest pipeline stages that fit the model states")
def min_pipeline_stages(rng: random.Random) -> Drill:
    model = get_model(rng.choice(("gpt3-175b", "llama3-70b", "llama3-405b", "llama2-70b")))
    gpu = get_accelerator(rng.choice(("a100-80gb", "h100-sxm", "h200")))
    zero = rng.choice((0, 1))
    dp = 8
    candidates = [p for p in (1, 2, 4, 8, 16, 32, 64) if model.layers % p == 0]
    fits = []
    for pp in candidates:
        r = train_memory(TrainMemoryInputs(parallel=Parallelism(dp=dp, tp=8, pp=pp), model=model, zero=zero,
                                           capacity_bytes=gpu.hbm_bytes, capacity_label=gpu.name))
        fits.append((pp, r.to_dict()["per_gpu_bytes"]["total"], r.to_dict()["fits"]))
    answer = next((pp for pp, _, ok in fits if ok), candidates[-1])
    table = "; ".join(f"PP={pp}: {total / 1e9:.1f} GB{' fits' if ok else ''}" for pp, total, ok in fits)
    return Drill(
        f"{model.name} ({model.layers} layers) on {gpu.display} ({gpu.hbm_bytes / 1e9:.0f} GB), TP = 8, DP = {dp}, "
        f"ZeRO-{zero}, mixed-precision Adam, ignoring activations. What is the smallest pipeline-parallel degree "
        f"(a divisor of {model.layers}) whose weights + gradients + optimizer states fit per GPU?",
        "ratio", expected=answer, tolerance=0.001,
        explain=f"Model states per GPU by PP (train-memory): {table}.",
    )


@template("r3.bubble-1f1b", "r3.parallelism-3d", "Pipeline bubble fraction of 1F1B")
def bubble_1f1b(rng: random.Random) -> Drill:
    pp = rng.choice((4, 8, 16))
    m = pp * rng.choice((1, 2, 4, 8))  # m ≥ p, so the bubble is at most the ideal time (a fraction ≤ 1)
    result = bubble(PipelineConfig("1f1b", pp, m))
    return Drill(
        f"1F1B pipeline with p = {pp} stages and m = {m} microbatches, backward = 2× forward. What fraction of the "
        "ideal compute time is the bubble? (answer like 12.5%)",
        "fraction", expected=result.to_dict()["bubble_fraction"], tolerance=0.02, explain=result.explain(),
    )


@template("r3.dualpipe-bubble", "r3.dualpipe", "DualPipe's bubble in units of F, B and W")
def dualpipe_bubble(rng: random.Random) -> Drill:
    pp = rng.choice((4, 8, 16))
    f, b = 1.0, 2.0
    w = rng.choice((0.5, 1.0))
    result = bubble(PipelineConfig("dualpipe", pp, 2 * pp, times=StageTimes(f, b, w, f + b)))
    return Drill(
        f"DualPipe with PP = {pp} ranks, F = {f}, B = {b} (of which W = {w} is the weight gradient), and F&B "
        "(an overlapped forward+backward chunk) = F + B. Per DeepSeek-V3 Table 2, how long is the bubble, in the "
        "same time units?",
        "ratio", expected=result.to_dict()["bubble_time"], tolerance=0.01, explain=result.explain(),
    )


@template("r3.dualpipe-vs-1f1b", "r3.dualpipe", "How much smaller DualPipe's bubble is than 1F1B's")
def dualpipe_vs_1f1b(rng: random.Random) -> Drill:
    pp = rng.choice((8, 16))
    times = StageTimes(1.0, 2.0, 1.0, 3.0)
    ours = bubble(PipelineConfig("dualpipe", pp, 2 * pp, times=times)).to_dict()["bubble_time"]
    base = bubble(PipelineConfig("1f1b", pp, 2 * pp, times=times)).to_dict()["bubble_time"]
    return Drill(
        f"PP = {pp}, F = 1, B = 2, W = 1, F&B = 3 (DeepSeek-V3 Table 2's notation). By what factor is 1F1B's bubble "
        "larger than DualPipe's? (answer like 2.5x)",
        "ratio", expected=base / ours, tolerance=0.02,
        explain=f"1F1B: (PP−1)(F+B) = {base:g}; DualPipe: (PP/2−1)(F&B+B−3W) = {ours:g}; ratio {base / ours:.3g}",
    )

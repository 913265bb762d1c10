"""Round 5 drills: KV-cache bytes and capacity (calc/kvcache), and decode/prefill latency from the
serving simulator's roofline cost model (sim/inference/cost)."""

from __future__ import annotations

import random

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.kvcache import capacity, inputs_from_model, kv_cache, model_params
from infraprep.calc.model import get_model
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template

_MODELS = ("llama3-8b", "llama3-70b", "llama2-70b", "opt-13b", "mixtral-8x7b", "deepseek-v3")


@template("r5.kv-bytes-per-token", "r5.kv-growth", "KV-cache bytes per token of a model")
def kv_bytes_per_token(rng: random.Random) -> Drill:
    model = get_model(rng.choice(_MODELS))
    dtype_bytes, label = rng.choice(((2, "BF16"), (1, "FP8")))
    result = kv_cache(inputs_from_model(model, dtype_bytes=dtype_bytes, tokens=1))
    shape = (f"MLA with latent {model.kv_lora_rank} + RoPE {model.qk_rope_dim}" if model.is_mla
             else f"{model.n_kv_heads} KV heads × head dim {model.d_head}")
    return Drill(
        f"{model.name}: {model.layers} layers, {shape}, KV cache in {label}. How many bytes of KV cache does one "
        "token take across all layers (one GPU, no TP)? Answer in KiB.",
        "bytes", expected=result.to_dict()["bytes_per_token"], unit="KiB", tolerance=0.02, explain=result.explain(),
    )


@template("r5.kv-max-sequences", "r5.kv-growth", "Concurrent sequences that fit beside the weights")
def kv_max_sequences(rng: random.Random) -> Drill:
    model = get_model(rng.choice(("llama3-8b", "opt-13b", "llama3-70b")))
    gpu = get_accelerator(rng.choice(("a100-80gb", "h100-sxm", "h200")))
    tp = 1 if model.name != "llama3-70b" else rng.choice((4, 8))
    tokens = rng.choice((2048, 4096, 8192))
    result = capacity(kv_cache(inputs_from_model(model, dtype_bytes=2, tp=tp, tokens=tokens)), gpu,
                      model_params(model), memory_utilization=0.9)
    data = result.to_dict()
    return Drill(
        f"Serve {model.name} in BF16 on {gpu.display} with TP = {tp}, using 90% of HBM for weights + KV cache. "
        f"How many {tokens}-token sequences fit in the KV cache at once, per TP group?",
        "count", expected=max(data["max_sequences"], 1), tolerance=0.02, explain=result.explain(),
    )


def _cost(rng: random.Random):
    from infraprep.sim.inference.cost import CostModel

    model = get_model(rng.choice(("llama3-8b", "llama3-70b")))
    gpu = get_accelerator(rng.choice(("a100-80gb", "h100-sxm", "h200")))
    tp = 1 if model.name == "llama3-8b" else 8
    return CostModel(model, gpu, tp=tp), model, gpu, tp


@template("r5.decode-step-time", "r5.ttft-itl", "Inter-token latency of a decode step on the roofline")
def decode_step_time(rng: random.Random) -> Drill:
    cost, model, gpu, tp = _cost(rng)
    batch, context = rng.choice((1, 16, 64)), rng.choice((1024, 4096))
    seconds = cost.iteration_time(batch, batch * context, batch * context, batch)
    return Drill(
        f"{model.name} on {tp}× {gpu.display} (TP = {tp}), BF16 weights and KV. One decode iteration for a batch of "
        f"{batch} sequences with {context} tokens of context each. Using the roofline with 60% of peak FLOP/s, 80% "
        "of HBM bandwidth and 0.5 ms of per-iteration overhead (plus the TP all-reduces), how long is the step "
        "(the inter-token latency)? Answer in ms.",
        "seconds", expected=seconds, unit="ms", tolerance=0.03,
        explain=f"time = max(FLOPs / (0.6·peak), bytes / (0.8·BW)) + 0.5 ms (+ all-reduces): weights "
        f"{cost.weight_bytes_read(batch) / 1e9:.2f} GB per GPU + KV {cost.kv_bytes_per_token * batch * (context + 1) / 1e9:.3f} GB "
        f"read → {seconds * 1e3:.2f} ms (sim/inference/cost.py; Pope et al. 2022 §2)",
    )


@template("r5.prefill-time", "r5.ttft-itl", "Prefill time of a prompt (the compute part of TTFT)")
def prefill_time(rng: random.Random) -> Drill:
    cost, model, gpu, tp = _cost(rng)
    prompt = rng.choice((512, 2048, 8192))
    pairs = prompt * (prompt + 1) // 2
    seconds = cost.iteration_time(prompt, pairs, pairs, 1)
    return Drill(
        f"{model.name} on {tp}× {gpu.display} (TP = {tp}), BF16. A {prompt}-token prompt is prefilled in one "
        "iteration. With the roofline at 60% of peak FLOP/s, 80% of HBM bandwidth and 0.5 ms of overhead (plus the "
        "TP all-reduces), how long does the prefill take — the time to first token without queueing? Answer in ms.",
        "seconds", expected=seconds, unit="ms", tolerance=0.03,
        explain=f"FLOPs ≈ 2·N·T + 4·L·h·d_h·(causal pairs) = compute-bound at T = {prompt}: {seconds * 1e3:.2f} ms "
        "(sim/inference/cost.py)",
    )

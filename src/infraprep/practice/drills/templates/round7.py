"""Round 7 drills: MFU, training time, fat-tree sizing and checkpoint storage, from the calculators."""

from __future__ import annotations

import random

from infraprep.calc.flops import FlopsInputs, flops
from infraprep.calc.hardware import get_accelerator
from infraprep.calc.storage import StorageInputs, storage_plan
from infraprep.calc.topology import fat_tree
from infraprep.calc.units import format_bandwidth, format_count
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template


@template("r7.mfu-from-throughput", "r7.mfu", "MFU from tokens per second (6N per token)")
def mfu_from_throughput(rng: random.Random) -> Drill:
    params = rng.choice((8e9, 70e9, 175e9, 405e9))
    gpu = get_accelerator(rng.choice(("a100-80gb", "h100-sxm", "b200")))
    gpus = rng.choice((256, 1024, 4096, 16384))
    mfu_true = rng.uniform(0.3, 0.55)
    tokens_per_sec = round(mfu_true * gpus * gpu.peak("bf16") / (6 * params), -3)
    result = flops(FlopsInputs(convention="6n", params=params, tokens_per_sec=tokens_per_sec, gpus=gpus,
                               peak=gpu.peak("bf16")))
    return Drill(
        f"A {format_count(params)}-parameter dense model trains at {tokens_per_sec:,.0f} tokens/s on {gpus} "
        f"{gpu.display} (dense BF16 peak {gpu.peak('bf16') / 1e12:g} TFLOP/s). Counting 6N FLOPs per token, "
        "what is the MFU? (answer like 41%)",
        "fraction", expected=result.to_dict()["mfu"], tolerance=0.02, explain=result.explain(),
    )


@template("r7.training-days", "r7.mfu", "Training time from C = 6ND at a given MFU")
def training_days(rng: random.Random) -> Drill:
    params = rng.choice((8e9, 70e9, 405e9))
    tokens = rng.choice((2e12, 15e12))
    gpu = get_accelerator(rng.choice(("h100-sxm", "b200")))
    gpus = rng.choice((4096, 16384))
    mfu = rng.choice((0.35, 0.4, 0.45))
    achieved = mfu * gpu.peak("bf16")
    result = flops(FlopsInputs(convention="6n", params=params, train_tokens=tokens, gpus=gpus, peak=gpu.peak("bf16"),
                               achieved=achieved))
    seconds = result.to_dict()["training_time_s"]
    return Drill(
        f"Train a {format_count(params)}-parameter dense model on {format_count(tokens)} tokens with {gpus} "
        f"{gpu.display} at {mfu:.0%} MFU (dense BF16 peak {gpu.peak('bf16') / 1e12:g} TFLOP/s), 6ND FLOPs. "
        "How long does it take? Answer in days.",
        "seconds", expected=seconds, unit="d", tolerance=0.03, explain=result.explain(),
    )


@template("r7.fat-tree-hosts", "r7.topology", "Hosts of a three-tier k-ary fat-tree")
def fat_tree_hosts(rng: random.Random) -> Drill:
    k = rng.choice((16, 32, 48, 64, 128))
    tree = fat_tree(k, tiers=3)
    return Drill(
        f"A non-blocking three-tier fat-tree is built from {k}-port switches (Al-Fares et al. 2008). How many hosts "
        "can it connect?",
        "count", expected=tree.to_dict()["hosts"], tolerance=0.001, explain=tree.explain(),
    )


@template("r7.fat-tree-switches", "r7.topology", "Switches of a three-tier k-ary fat-tree")
def fat_tree_switches(rng: random.Random) -> Drill:
    k = rng.choice((16, 32, 48, 64))
    tree = fat_tree(k, tiers=3)
    return Drill(
        f"A non-blocking three-tier fat-tree of {k}-port switches: how many switches in total (edge + aggregation + "
        "core)?",
        "count", expected=tree.to_dict()["switches"], tolerance=0.001, explain=tree.explain(),
    )


@template("r7.checkpoint-write-time", "r7.storage-io", "Time to write a full training checkpoint")
def checkpoint_write_time(rng: random.Random) -> Drill:
    params = rng.choice((70e9, 175e9, 405e9, 671e9))
    bandwidth = rng.choice((100e9, 500e9, 1e12, 2e12))
    plan = storage_plan(StorageInputs(params=params, write_bandwidth=bandwidth))
    return Drill(
        f"A {format_count(params)}-parameter model is checkpointed with bf16 weights and fp32 Adam states "
        f"(2 + 12 bytes per parameter, no gradients) to storage that sustains {format_bandwidth(bandwidth)} "
        "in aggregate. How long does one checkpoint write take? Answer in seconds.",
        "seconds", expected=plan.to_dict()["write_time"], unit="s", tolerance=0.02, explain=plan.explain(),
    )


@template("r7.checkpoint-size", "r7.storage-io", "Size of a full training checkpoint")
def checkpoint_size(rng: random.Random) -> Drill:
    params = rng.choice((8e9, 70e9, 405e9))
    plan = storage_plan(StorageInputs(params=params, write_bandwidth=1e12))
    return Drill(
        f"How big is a full checkpoint of a {format_count(params)}-parameter model with bf16 weights and fp32 Adam "
        "states (master weights, momentum, variance)? Answer in TB.",
        "bytes", expected=plan.to_dict()["checkpoint_bytes"], unit="TB", tolerance=0.02, explain=plan.explain(),
    )

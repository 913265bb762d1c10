"""Round 6 drills: job MTBF at scale and the optimum checkpoint interval (calc/mtbf, calc/checkpoint)."""

from __future__ import annotations

import random

from infraprep.calc.checkpoint import CheckpointInputs, optimal_checkpoint
from infraprep.calc.mtbf import MtbfInputs, job_mtbf
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template


@template("r6.job-mtbf", "r6.mtbf", "Job MTBF from an observed failure count")
def job_mtbf_drill(rng: random.Random) -> Drill:
    gpus = rng.choice((1024, 4096, 16384, 32768))
    days = rng.choice((30, 54, 90))
    failures = rng.randint(40, 600)
    result = job_mtbf(MtbfInputs(gpus=gpus, failures=failures, window_hours=24 * days))
    return Drill(
        f"A {gpus:,}-GPU training job saw {failures} unexpected interruptions in {days} days. What is its mean time "
        "between interruptions? Answer in hours.",
        "seconds", expected=result.to_dict()["mtbf_hours"] * 3600, unit="h", tolerance=0.02, explain=result.explain(),
    )


@template("r6.mtbf-scaling", "r6.mtbf", "Job MTBF at a larger scale from a per-GPU rate")
def mtbf_scaling(rng: random.Random) -> Drill:
    base = job_mtbf(MtbfInputs(gpus=16384, failures=419, window_hours=54 * 24))  # Llama 3 (Table 5)
    gpus = rng.choice((32768, 65536, 100_000))
    rate = base.to_dict()["per_gpu_rate_per_hour"]
    scaled = job_mtbf(MtbfInputs(gpus=gpus, per_gpu_rate_per_hour=rate))
    return Drill(
        "Llama 3 saw 419 unexpected interruptions in 54 days on 16,384 GPUs. Assuming failures scale with the GPU "
        f"count, what would the job MTBF be on {gpus:,} GPUs? Answer in hours.",
        "seconds", expected=scaled.to_dict()["mtbf_hours"] * 3600, unit="h", tolerance=0.03,
        explain=base.explain() + "\n" + scaled.explain(),
    )


@template("r6.young-interval", "r6.multilevel-checkpoint", "Young's optimum checkpoint interval")
def young(rng: random.Random) -> Drill:
    write = rng.choice((30, 60, 120, 300, 600))
    mtbf_h = rng.choice((1, 3, 6, 24))
    result = optimal_checkpoint(CheckpointInputs(write_time=write, mtbf=mtbf_h * 3600, model="young"))
    return Drill(
        f"A checkpoint takes {write} s to write and the job's MTBF is {mtbf_h} h. What checkpoint interval minimises "
        "the expected waste, to first order (Young 1974)? Answer in minutes.",
        "seconds", expected=result.to_dict()["interval_s"], unit="min", tolerance=0.02, explain=result.explain(),
    )


@template("r6.daly-goodput", "r6.multilevel-checkpoint", "Goodput at Daly's optimum interval")
def daly_goodput(rng: random.Random) -> Drill:
    write = rng.choice((60, 120, 300))
    mtbf_h = rng.choice((2, 3, 6))
    restart = rng.choice((300, 600, 900))
    result = optimal_checkpoint(CheckpointInputs(write_time=write, mtbf=mtbf_h * 3600, restart=restart, model="daly"))
    return Drill(
        f"Checkpoint write {write} s, restart {restart} s, MTBF {mtbf_h} h, checkpointing at Daly's (2006) optimum "
        "interval. What fraction of wall-clock time is useful training (goodput, Daly's complete model)? "
        "(answer like 91%)",
        "fraction", expected=result.to_dict()["goodput"], tolerance=0.01, explain=result.explain(),
    )

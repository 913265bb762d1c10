"""Round 3 drills: model memory from the model catalogue."""

from __future__ import annotations

import random

from infraprep.calc.model import MODELS, count_params
from infraprep.calc.units import format_count
from infraprep.practice.drills.model import Drill
from infraprep.practice.drills.registry import template


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

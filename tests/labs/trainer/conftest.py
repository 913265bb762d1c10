"""One start of 8 gloo ranks runs every distributed configuration the trainer tests look at.

Each rank costs seconds to start, so the configurations run in turn inside one job (each on ranks
0 … dp·tp·pp − 1) and the tests read the results. Sizes are toys: 4 layers, width 64, sequence 16.
"""

from __future__ import annotations

import pytest

from infraprep.labs.trainer.config import TrainConfig

CONFIGS: dict[str, TrainConfig] = {
    "dp": TrainConfig(dp=2, steps=3),
    "zero1": TrainConfig(dp=2, zero=1, steps=3),
    "zero1-pad": TrainConfig(dp=3, zero=1, steps=2),  # Ψ not a multiple of 3: padded shards
    "zero3": TrainConfig(dp=2, zero=3, micro_batches=2, steps=3),
    "zero3-pad": TrainConfig(dp=3, zero=3, micro_batches=1, steps=2),
    "tp": TrainConfig(tp=2, steps=3),
    "tp-sp": TrainConfig(tp=2, sp=True, steps=3),
    "pp-gpipe": TrainConfig(pp=2, schedule="gpipe", steps=3),
    "pp-1f1b": TrainConfig(pp=2, schedule="1f1b", steps=3),
    "pp4-1f1b": TrainConfig(pp=4, schedule="1f1b", micro_batches=6, steps=2),
    "pp4-1f1b-m2": TrainConfig(pp=4, schedule="1f1b", micro_batches=2, steps=2),  # fewer micro-batches than stages
    "3d": TrainConfig(dp=2, tp=2, pp=2, steps=3),
    "3d-sp-zero1": TrainConfig(dp=2, tp=2, pp=2, sp=True, zero=1, steps=3),
    "3d-zero3-gpipe": TrainConfig(dp=2, tp=2, pp=2, zero=3, schedule="gpipe", steps=2),
    "3d-again": TrainConfig(dp=2, tp=2, pp=2, steps=3),  # same seed as "3d": same run
}


@pytest.fixture(scope="session")
def runs():
    """name → TrainResult (per-rank reports, loss curve, final weights) of every configuration."""
    from infraprep.labs.trainer.launch import run_local
    from infraprep.labs.trainer.result import TrainResult

    names = list(CONFIGS)
    reports = run_local([CONFIGS[n] for n in names], world=8, timeout_s=1200)
    return {n: TrainResult.from_reports(CONFIGS[n], r) for n, r in zip(names, reports, strict=True)}



@pytest.fixture(autouse=True)
def one_torch_thread():
    """Toy tensors on a shared, oversubscribed machine: one intra-op thread is faster and steadier."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

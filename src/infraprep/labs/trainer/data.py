"""Deterministic synthetic data: the same (seed, step) gives the same global batch on every rank.

Each sequence is an arithmetic progression modulo the vocabulary — a random start and a random
stride in 1…4 — so a small model learns it within a few steps and the loss curve visibly falls.
The generator is seeded with ``seed · 1_000_003 + step`` (independent of the layout), so any
dp × tp × pp split sees exactly the single-process run's data.

Split of a step's ``dp · m · b`` sequences: DP rank ``r`` takes rows ``[r·m·b, (r+1)·m·b)``, and its
micro-batch ``i`` the ``b`` rows from ``i·b`` within those.
"""

from __future__ import annotations

from typing import Any

from infraprep.labs.trainer.config import TrainConfig

__all__ = ["global_batch", "micro_batch"]


def global_batch(config: TrainConfig, step: int) -> Any:
    """Token ids ``(dp·m·b, seq + 1)``: inputs are ``[:, :-1]``, targets ``[:, 1:]``."""
    import torch

    gen = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
    n, m = config.global_batch, config.model
    start = torch.randint(0, m.vocab, (n, 1), generator=gen)
    stride = torch.randint(1, 5, (n, 1), generator=gen)
    return (start + stride * torch.arange(m.seq + 1)) % m.vocab


def micro_batch(tokens: Any, config: TrainConfig, dp_rank: int, index: int) -> tuple[Any, Any]:
    """(inputs, targets) of micro-batch ``index`` of DP rank ``dp_rank``, each ``(b, seq)``."""
    b = config.micro_batch_size
    lo = (dp_rank * config.micro_batches + index) * b
    rows = tokens[lo:lo + b]
    return rows[:, :-1], rows[:, 1:]

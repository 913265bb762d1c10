"""Reading the spawned runs, and parameter counts written from the model's definition.

The counts are spelled out here from the architecture (docs/round-3.md), not taken from the
trainer's code, so that the tests compare the trainer with an independent derivation.
"""

from __future__ import annotations

from infraprep.labs.trainer.config import TrainConfig


def stage_ranks(result, stage: int) -> list[dict]:
    return [r for r in result.ranks if r["coords"][2] == stage]


def measured(result, stage: int, kind: str, group: str) -> int:
    """Elements of (kind, group) per step on ``stage``, after checking every rank of it agrees."""
    values = {next((x["elements"] for x in r["comm_per_step"] if (x["kind"], x["group"]) == (kind, group)), 0)
              for r in stage_ranks(result, stage)}
    assert len(values) == 1, f"ranks of stage {stage} disagree on {kind}/{group}: {values}"
    return values.pop()


def kinds(result, stage: int) -> set[tuple[str, str]]:
    return {(x["kind"], x["group"]) for r in stage_ranks(result, stage) for x in r["comm_per_step"]}


def layer_params(c: TrainConfig) -> int:
    """One transformer layer on one TP rank: W_qkv 3h², W_proj h², fc1 4h², fc2 4h² split over t
    (Megatron-LM §3), and two LayerNorms of scale + bias (2·2h) replicated."""
    h = c.model.hidden
    return (3 * h * h + h * h + 4 * h * h + 4 * h * h) // c.tp + 2 * 2 * h


def unit_params(c: TrainConfig, stage: int) -> list[int]:
    """Units of a stage: embeddings (v·h + s·h) on the first, the layers, final LN + head (2h + v·h) on the last."""
    m = c.model
    units = [m.vocab * m.hidden + m.seq * m.hidden] if stage == 0 else []
    units += [layer_params(c)] * (m.layers // c.pp)
    return units + ([2 * m.hidden + m.vocab * m.hidden] if stage == c.pp - 1 else [])


def psi(c: TrainConfig, stage: int) -> int:
    """Ψ of one rank of ``stage``: the parameter elements it holds without ZeRO."""
    return sum(unit_params(c, stage))


def padded(n: int, d: int) -> int:
    """n rounded up to a multiple of d (flat buffers are padded to split evenly over d ranks)."""
    return -(-n // d) * d

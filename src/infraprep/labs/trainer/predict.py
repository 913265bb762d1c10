"""The "predicted" column: closed forms for one rank's traffic, memory and bubble, from shape and layout.

Stand-in for the calculators (``calc comm``, ``calc train-memory``, ``calc bubble``) until they are
wired in; kept small on purpose. Symbols: ``h`` hidden, ``s`` sequence, ``b`` micro-batch size,
``m`` micro-batches per step, ``ℓ = L/p`` layers on the stage, ``t`` TP, ``d`` DP, ``p`` PP; an
activation is ``a = s·b·h`` elements, a pipeline boundary tensor ``s·b·h/t`` under SP.

Parameters of a stage on one TP rank (``calc.model.count_params``; attention and MLP split over TP,
LayerNorms, embeddings and head replicated)::

    Ψ_stage = ℓ·((4h² + 8h²)/t + 2·2h)  [+ v·h + s·h on stage 0]  [+ 2h + v·h on the last stage]

Per step, elements (the meter's convention: the whole logical tensor)::

    DP,    ZeRO-0   all-reduce dp      Ψ_stage                                (ZeRO §7.1)
           ZeRO-1   reduce-scatter dp  Ψ⁺,  all-gather dp  Ψ⁺                  (ZeRO §7.2.1)
           ZeRO-3   all-gather dp      2m·Σ_u P_u⁺,  reduce-scatter dp m·Σ_u P_u⁺   (ZeRO §7.2.2)
    TP           all-reduce tp      4ℓ·m·a                                  (Megatron-LM §3)
    TP + SP      all-gather tp      (4ℓ + [first] + [last])·m·a,  reduce-scatter tp 4ℓ·m·a
                 all-reduce tp      (2ℓ + [last])·m·2h   (LayerNorm gradients)  (Korthikanti §4.2.2)
    PP           send pp = recv pp  ([not first] + [not last])·m·(a or a/t)  (Narayanan §3.2)

(X⁺: rounded up to a multiple of d — the flat buffers are padded so they split evenly.)
Memory (fp32, see memory.py): params 4·Ψ (ZeRO-1: 4·Ψ⁺, ZeRO-3: 4·Σ P_u⁺/d); gradients 4·Ψ
(ZeRO-3: 4·Σ P_u⁺/d); Adam states 8·Ψ (ZeRO-1: 8·Ψ⁺/d; ZeRO-3: 8·Σ P_u⁺/d).
Bubble (Narayanan et al. 2021 §2.2): idle fraction of a step ``(p−1)/(m+p−1)``; micro-batches in
flight on stage ``s``: GPipe ``m``, 1F1B ``min(p − s, m)``.
"""

from __future__ import annotations

from infraprep.calc.model import ModelConfig, count_params
from infraprep.labs.trainer.config import TrainConfig

__all__ = ["bubble_fraction", "comm_per_step", "in_flight", "memory", "stage_params", "unit_params"]


def _up(n: int, d: int) -> int:
    return -(-n // d) * d


def unit_params(config: TrainConfig, stage: int) -> list[int]:
    """Parameter elements of each unit (pre, layers…, post) of ``stage`` on one TP rank."""
    m, t = config.model, config.tp
    counts = count_params(ModelConfig(m.layers, m.hidden, m.heads, m.vocab, position_embeddings=m.seq,
                                      norm="layernorm", name="trainer"))
    ln = 2 * m.hidden  # one LayerNorm: scale and bias
    layer = (counts.attention_per_layer + counts.dense_mlp_per_layer) // t + 2 * ln
    units = [counts.embedding] if stage == 0 else []
    units += [layer] * config.layers_per_stage
    return units + ([ln + counts.output] if stage == config.pp - 1 else [])


def stage_params(config: TrainConfig, stage: int) -> int:
    return sum(unit_params(config, stage))


def comm_per_step(config: TrainConfig, stage: int) -> dict[tuple[str, str], int]:
    """Predicted elements per (kind, group) for one rank of ``stage``; absent = none."""
    c, mb, ell = config, config.micro_batches, config.layers_per_stage
    first, last = stage == 0, stage == c.pp - 1
    act = c.model.seq * c.micro_batch_size * c.model.hidden
    out: dict[tuple[str, str], int] = {}
    if c.dp > 1:
        if c.zero == 0:
            out["all-reduce", "dp"] = stage_params(c, stage)
        elif c.zero == 1:
            out["reduce-scatter", "dp"] = out["all-gather", "dp"] = _up(stage_params(c, stage), c.dp)
        else:
            padded = sum(_up(u, c.dp) for u in unit_params(c, stage))
            out["all-gather", "dp"], out["reduce-scatter", "dp"] = 2 * mb * padded, mb * padded
    if c.tp > 1 and not c.sp:
        out["all-reduce", "tp"] = 4 * ell * mb * act
    elif c.tp > 1:
        out["all-gather", "tp"] = (4 * ell + first + last) * mb * act
        out["reduce-scatter", "tp"] = 4 * ell * mb * act
        out["all-reduce", "tp"] = (2 * ell + last) * mb * 2 * c.model.hidden
    if c.pp > 1:
        boundary = (act // c.tp if c.sp else act) * mb * ((not first) + (not last))
        out["send", "pp"] = out["recv", "pp"] = boundary
    return out


def memory(config: TrainConfig, stage: int) -> dict[str, int]:
    """Predicted bytes of parameters, gradients and Adam states on one rank of ``stage`` (fp32)."""
    c, psi = config, stage_params(config, stage)
    if c.zero == 3:
        shard = sum(_up(u, c.dp) for u in unit_params(c, stage)) // c.dp
        return {"param_bytes": 4 * shard, "grad_bytes": 4 * shard, "optimizer_bytes": 8 * shard}
    if c.zero == 1:
        return {"param_bytes": 4 * _up(psi, c.dp), "grad_bytes": 4 * psi, "optimizer_bytes": 8 * _up(psi, c.dp) // c.dp}
    return {"param_bytes": 4 * psi, "grad_bytes": 4 * psi, "optimizer_bytes": 8 * psi}


def bubble_fraction(config: TrainConfig) -> float:
    """Narayanan et al. 2021 §2.2: (p − 1)/(m + p − 1) of a step is idle on every stage."""
    return (config.pp - 1) / (config.micro_batches + config.pp - 1)


def in_flight(config: TrainConfig, stage: int) -> int:
    """Micro-batches whose activations a stage holds at once (Narayanan et al. 2021 §2.2.1)."""
    if config.schedule == "gpipe":
        return config.micro_batches
    return min(config.pp - stage, config.micro_batches)

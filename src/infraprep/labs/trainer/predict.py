"""The "predicted" column: ``calc comm``, ``calc train-memory`` and ``calc bubble`` run on the trainer's
exact configuration, one pipeline stage at a time.

An adapter, not a second set of formulas: each function builds a calculator's inputs and reads the
answer back in the meter's terms ((collective kind, group) → elements of the whole tensor per step).
How the trainer maps onto the calculators' conventions (docs/round-3.md, "Wiring to the calculators"):

* Ψ is the stage's own parameter count on one TP rank, passed as ``params = Ψ_stage·t·p`` so that
  the calculators' Ψ_g = params/(t·p) is exactly it. (Their model-shape path assumes
  vocabulary-parallel embeddings; the trainer replicates embeddings and head over TP.) The units —
  embeddings, each layer, final norm + head — come from :func:`infraprep.calc.model.count_params`.
* fp32 throughout: 4-byte weights, gradients and activations; Adam's m and v, 8 bytes per
  parameter, and no master copy.
* ZeRO shards flat buffers padded to a multiple of d (``pad_shards``): ZeRO-1 one buffer per stage,
  ZeRO-3 one per unit (``flat_buffers``), gathered again for every micro-batch
  (``zero3_gather="microbatch"``, as FSDP does).
* PP: the stage's own sends and receives (``pp_stage``). SP: embeddings and head replicated
  (``sp_edges``), LayerNorm gradients all-reduced over TP once per micro-batch
  (``sp_norm_grads="microbatch"``).
* The bubble is ``calc bubble``'s, as an idle fraction of the step (``denominator="total"``);
  micro-batches in flight per stage come from the schedule simulator ``calc bubble`` checks itself
  against (:mod:`infraprep.sim.schedule`).
"""

from __future__ import annotations

from infraprep.calc.bubble import PipelineConfig, bubble
from infraprep.calc.comm import CommInputs, comm
from infraprep.calc.memory import TrainMemoryInputs, train_memory
from infraprep.calc.model import ModelConfig, count_params
from infraprep.calc.parallelism import Parallelism
from infraprep.labs.trainer.config import TrainConfig

__all__ = ["bubble_fraction", "comm_inputs", "comm_per_step", "in_flight", "memory", "memory_inputs",
           "stage_params", "traffic", "unit_params"]

FP32 = 4


def unit_params(config: TrainConfig, stage: int) -> list[int]:
    """Parameter elements of each unit (embeddings, layers…, final norm + head) of ``stage`` on one TP rank."""
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


def _job(config: TrainConfig) -> tuple[Parallelism, dict]:
    """The split, and the options ``calc comm`` and ``calc train-memory`` share for ``config``."""
    c = config
    return Parallelism(dp=c.dp, tp=c.tp, pp=c.pp, sp=c.sp), {"zero": c.zero, "param_bytes": FP32, "grad_bytes": FP32,
                                                              "pad_shards": c.zero > 0}


def comm_inputs(config: TrainConfig, stage: int) -> CommInputs:
    c = config
    parallel, shared = _job(c)
    return CommInputs(parallel, params=stage_params(c, stage) * c.tp * c.pp, layers=c.model.layers,
                      hidden=c.model.hidden, seq=c.model.seq, micro_batch=c.micro_batch_size,
                      global_batch=c.global_batch, act_bytes=FP32, pp_stage=stage, sp_edges=c.sp,
                      sp_norm_grads="microbatch" if c.sp else "none", norm="layernorm",
                      zero3_gather="microbatch" if c.zero == 3 else "step",
                      flat_buffers=tuple(unit_params(c, stage)) if c.zero == 3 else None, **shared)


def memory_inputs(config: TrainConfig, stage: int) -> TrainMemoryInputs:
    c = config
    parallel, shared = _job(c)
    return TrainMemoryInputs(parallel, params=stage_params(c, stage) * c.tp * c.pp, optimizer_bytes=2 * FP32,
                             flat_buffers=tuple(unit_params(c, stage)) if c.zero == 3 else None, **shared)


def _exact(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def traffic(config: TrainConfig, stage: int) -> dict[tuple[str, str], tuple[int | float, float]]:
    """``calc comm`` for one rank of ``stage``: (kind, group) → (elements, bytes a ring sends) per step."""
    out: dict[tuple[str, str], tuple[int | float, float]] = {}
    for component in comm(comm_inputs(config, stage)).components:
        for c in component.collectives:
            elements, sent = out.get((c.kind, component.name), (0, 0.0))
            out[c.kind, component.name] = (_exact(elements + c.elements), sent + c.bytes_sent)
    return out


def comm_per_step(config: TrainConfig, stage: int) -> dict[tuple[str, str], int | float]:
    """Predicted elements per (kind, group) for one rank of ``stage``; absent = none."""
    return {key: elements for key, (elements, _) in traffic(config, stage).items()}


def memory(config: TrainConfig, stage: int) -> dict[str, int | float]:
    """``calc train-memory``: bytes of parameters, gradients and Adam states on one rank of ``stage``."""
    held = train_memory(memory_inputs(config, stage)).gpu_bytes
    return {"param_bytes": _exact(held["params"]), "grad_bytes": _exact(held["grads"]),
            "optimizer_bytes": _exact(held["optimizer"])}


def _pipeline(config: TrainConfig) -> PipelineConfig:
    return PipelineConfig(config.schedule, config.pp, config.micro_batches, denominator="total")


def bubble_fraction(config: TrainConfig) -> float:
    """``calc bubble``: the share of a step every stage idles, (p − 1)/(m + p − 1) for GPipe and 1F1B."""
    return bubble(_pipeline(config)).bubble_fraction


def in_flight(config: TrainConfig, stage: int) -> int:
    """Micro-batches whose activations ``stage`` holds at once, from the schedule's simulated timeline."""
    from infraprep.sim.schedule import simulate

    return int(simulate(_pipeline(config)).peak_activations[stage])

"""The layouts ``calc plan`` considers: every (dp, tp, pp, cp, ep) whose dp·tp·pp·cp is the GPU count,
and the structural reasons a layout cannot run, checked before any memory or time is estimated.

Rules, in the order they are checked (a layout is counted under the first it breaks):

``tp-domain``  TP stays inside one scale-up domain: tp ≤ domain, and no TP group straddles two
               domains (tp divides the domain, or the whole job fits in one). Narayanan et al. 2021
               §5.4.1: tensor parallelism is best within a node.
``pp-layers``  PP divides the layers (an even split), or the layers plus two: Llama 3's balanced split
               (Llama Team 2024 §3.3.2) gives the embedding and the output head one layer slot each,
               so the first and last stages hold one transformer layer fewer.
``split``      the model's own divisibility (:func:`calc.memory.check_split`): tp divides the heads
               (and the kv heads), ep divides the routed experts and dp·cp·tp.
``cp-seq``     CP divides the sequence, and with sequence parallelism tp divides its share.
``batch-dp``   the global batch (sequences) is a multiple of dp.

Placement is Megatron-Core's rank order tp-cp-ep-dp-pp (:mod:`calc.parallelism`): TP innermost, inside
a node; PP outermost, so its stages sit on different nodes whenever a stage spans a node or more.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from infraprep.calc.memory import check_split
from infraprep.calc.model import ModelConfig
from infraprep.calc.parallelism import Parallelism
from infraprep.errors import InvalidValue

__all__ = ["LAYOUT_REASONS", "Layout", "divisors", "enumerate_layouts"]

LAYOUT_REASONS = {
    "tp-domain": "TP exceeds or straddles the scale-up domain of {domain} GPUs",
    "pp-layers": "PP divides neither layers={layers} nor layers+2={slots} (balanced split)",
    "split": "TP does not divide the heads, or EP the experts",
    "cp-seq": "CP does not divide seq={seq} (÷ TP with sequence parallelism)",
    "batch-dp": "global batch {batch} is not a multiple of DP",
    "memory": "no micro-batch, ZeRO stage, recompute or schedule fits in memory",
}


def divisors(n: int) -> list[int]:
    """The divisors of ``n`` in increasing order (trial division up to √n)."""
    small, large = [], []
    d = 1
    while d * d <= n:
        if n % d == 0:
            small.append(d)
            if d * d != n:
                large.append(n // d)
        d += 1
    return small + large[::-1]


@dataclass(frozen=True)
class Layout:
    """One way to split the job: degrees, how the layers fall into stages, and the models that stand
    for a stage in the memory and communication estimates."""

    dp: int
    tp: int
    pp: int
    cp: int
    ep: int
    sp: bool
    split: str  # "none" (pp = 1), "even" (pp | L) or "balanced" (pp | L + 2)
    slots: int  # layer slots per stage: L/pp, or (L + 2)/pp with the balanced split
    memory_model: ModelConfig  # first stage: slots − 1 layers and the embedding when balanced
    comm_model: ModelConfig  # a full stage: slots layers

    @cached_property
    def parallel(self) -> Parallelism:
        return Parallelism(dp=self.dp, tp=self.tp, pp=self.pp, cp=self.cp, ep=self.ep, sp=self.sp)

    def degrees(self) -> dict[str, int]:
        return {"dp": self.dp, "tp": self.tp, "pp": self.pp, "cp": self.cp, "ep": self.ep}

    def describe(self) -> str:
        text = f"DP{self.dp} TP{self.tp} PP{self.pp} CP{self.cp}" + (f" EP{self.ep}" if self.ep > 1 else "")
        return text + (" (balanced split)" if self.split == "balanced" else "")


def _split(model: ModelConfig, pp: int) -> tuple[str, int] | None:
    if pp == 1:
        return "none", model.layers
    if model.layers % pp == 0:
        return "even", model.layers // pp
    if (model.layers + 2) % pp == 0 and (model.layers + 2) // pp >= 2:
        return "balanced", (model.layers + 2) // pp
    return None


def _stage_models(model: ModelConfig, pp: int, split: str, slots: int) -> tuple[ModelConfig, ModelConfig]:
    if split != "balanced":
        return model, model

    def with_layers(n: int) -> ModelConfig:
        return replace(model, layers=n, dense_layers=min(model.dense_layers, n))

    return with_layers((slots - 1) * pp), with_layers(slots * pp)


def enumerate_layouts(model: ModelConfig, gpus: int, seq: int, global_batch: int, domain: int,
                      sequence_parallel: bool = True,
                      fixed: dict[str, int | None] | None = None) -> Iterator[tuple[str | None, Layout | None, dict]]:
    """Yield ``(reason, layout, degrees)`` for every (dp, tp, pp, cp, ep) with dp·tp·pp·cp = ``gpus``:
    ``reason`` is None and ``layout`` set when the layout is structurally valid, else the first rule it
    breaks (see the module docstring). ``fixed`` pins degrees (a value of None searches that degree)."""
    fixed = {k: v for k, v in (fixed or {}).items() if v is not None}
    ep_options = [e for e in (divisors(model.experts) if model.experts else [1]) if fixed.get("ep", e) == e]
    stage_models: dict[int, tuple[str, int, ModelConfig, ModelConfig] | None] = {}
    for tp in divisors(gpus):
        if fixed.get("tp", tp) != tp:
            continue
        for pp in divisors(gpus // tp):
            if fixed.get("pp", pp) != pp:
                continue
            for cp in divisors(gpus // (tp * pp)):
                dp = gpus // (tp * pp * cp)
                if fixed.get("cp", cp) != cp or fixed.get("dp", dp) != dp:
                    continue
                for ep in ep_options:
                    degrees = {"dp": dp, "tp": tp, "pp": pp, "cp": cp, "ep": ep}
                    if tp > domain or (domain % tp and gpus > domain):
                        yield "tp-domain", None, degrees
                        continue
                    if pp not in stage_models:
                        split = _split(model, pp)
                        stage_models[pp] = None if split is None else (*split, *_stage_models(model, pp, *split))
                    stage = stage_models[pp]
                    if stage is None:
                        yield "pp-layers", None, degrees
                        continue
                    split, slots, memory_model, comm_model = stage
                    sp = sequence_parallel and tp > 1
                    try:
                        parallel = Parallelism(dp=dp, tp=tp, pp=pp, cp=cp, ep=ep, sp=sp)
                        check_split(parallel, comm_model)
                    except InvalidValue:
                        yield "split", None, degrees
                        continue
                    if seq % cp or ((sp or ep > 1) and (seq // cp) % tp):
                        yield "cp-seq", None, degrees
                        continue
                    if global_batch % dp:
                        yield "batch-dp", None, degrees
                        continue
                    yield None, Layout(dp, tp, pp, cp, ep, sp, split, slots, memory_model, comm_model), degrees

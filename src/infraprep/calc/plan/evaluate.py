"""One layout's options (schedule, recompute, micro-batch, ZeRO stage): does each fit, and how long is
its step. Every number comes from the calculators it names — nothing is re-derived here:

* memory: :func:`calc.memory.train_memory` (parameters, gradients, optimizer states over the ZeRO group)
  plus :func:`calc.activations.activations` (the first stage's in-flight microbatches of 1F1B or the
  interleaved schedule). With Llama 3's balanced split the first stage holds ``slots − 1`` layers and
  the embedding, so one layer's activations in flight come off the stage total.
* compute: :func:`calc.flops.flops` with PaLM's convention (Appendix B: 6N + 12·L·H·Q·T per token,
  N the active parameters; recomputation adds its hardware FLOPs) ÷ (GPUs × peak × efficiency).
* bubble: :func:`calc.bubble.bubble` with per-stage microbatch times f + b = compute ÷ m
  (f : b = 1 : 2; the 1F1B and interleaved forms depend on f + b only).
* communication: :func:`calc.comm.comm` for a full stage (``slots`` layers) with the compute time as
  the overlap window: what does not hide under compute is exposed and adds to the step.

step = compute + bubble + exposed communication; MFU = model FLOPs ÷ (step × GPUs × peak).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from infraprep.calc.activations import ActivationInputs, ActivationResult, activations
from infraprep.calc.bubble import BubbleResult, PipelineConfig, StageTimes, bubble
from infraprep.calc.comm import CommInputs, CommResult, Component, comm
from infraprep.calc.flops import FlopsInputs, FlopsResult, flops
from infraprep.calc.memory import TrainMemoryInputs, train_memory
from infraprep.calc.model import count_params
from infraprep.calc.plan.inputs import PlanInputs
from infraprep.calc.plan.space import Layout, divisors

__all__ = ["Estimator", "Option", "Plan", "tie_break"]


@dataclass(frozen=True)
class Option:
    """What a layout leaves to choose."""

    schedule: str  # "none" (pp = 1), "1f1b" or "interleaved"
    chunks: int
    recompute: str
    micro_batch: int
    zero: int


def tie_break(layout: Layout, option: Option) -> tuple:
    """Plans of equal step time and memory rank by these, so the order never depends on search order."""
    return (layout.tp, layout.pp, layout.cp, layout.ep, option.micro_batch, option.schedule, option.chunks,
            option.zero, option.recompute)


@dataclass(frozen=True)
class Plan:
    """A layout and its options, with the memory that must fit and the step time they give."""

    layout: Layout
    option: Option
    microbatches: int  # per step per pipeline, m
    memory: dict[str, float]  # params, grads, optimizer, activations (bytes per GPU)
    capacity: float
    compute_time: float
    attention_time: float  # the attention core's share of compute_time (s×s matmuls)
    bubble: BubbleResult | None  # None without a pipeline
    comm: CommResult
    model_flops: float  # per GPU per step
    hardware_flops: float
    peak: float

    @property
    def memory_total(self) -> float:
        return sum(self.memory.values())

    @property
    def margin(self) -> float:
        return self.capacity - self.memory_total

    @property
    def bubble_time(self) -> float:
        return 0.0 if self.bubble is None else self.bubble.bubble_time

    def window(self, c: Component) -> float:
        """The compute ``c`` may overlap: calc.comm's window, except for CP — Ring Attention overlaps each
        K,V hop with one block of attention (Liu et al. 2023 §3), so CP hides only under the attention
        core's share of the compute, not the whole step."""
        return self.attention_time if c.name == "cp" else c.window

    def exposed(self, c: Component) -> float:
        return max(0.0, c.time - self.window(c))

    def link_load(self) -> dict[str, tuple[float, float]]:
        """Per link (intra, inter): (seconds of traffic, seconds exposed component by component). An EP
        all-to-all split over both links counts on the inter-node one, its slower part."""
        load: dict[str, tuple[float, float]] = {}
        for c in self.comm.components:
            if c.bytes:
                link = "inter" if c.link == "mixed" else c.link
                time, exposed = load.get(link, (0.0, 0.0))
                load[link] = (time + c.time, exposed + self.exposed(c))
        return load

    @cached_property
    def exposed_comm(self) -> float:
        """Communication the step waits for: per link, what is exposed component by component
        (:meth:`exposed`), but at least the link's total traffic time minus the compute it can overlap —
        calc.comm compares each component with its window alone, and components sharing a link cannot
        all hide under the same compute."""
        return sum(max(exposed, time - self.compute_time) for time, exposed in self.link_load().values())

    @property
    def link_contention(self) -> float:
        """The part of :attr:`exposed_comm` due to components sharing a link."""
        return self.exposed_comm - sum(exposed for _, exposed in self.link_load().values())

    @cached_property
    def step_time(self) -> float:
        return self.compute_time + self.bubble_time + self.exposed_comm

    @property
    def mfu(self) -> float:
        return self.model_flops / (self.step_time * self.peak)

    @property
    def hfu(self) -> float:
        return self.hardware_flops / (self.step_time * self.peak)

    def sort_key(self) -> tuple:
        """The ranking: step time, then memory, then a fixed order of the choices (:func:`tie_break`)."""
        return (self.step_time, self.memory_total, *tie_break(self.layout, self.option))

    def describe(self) -> str:
        o = self.option
        sched = {"none": "no pipeline", "1f1b": "1F1B"}.get(o.schedule, f"interleaved v={o.chunks}")
        return (f"{self.layout.describe()}, micro-batch {o.micro_batch} × {self.microbatches}, {sched}, "
                f"ZeRO-{o.zero}, recompute {o.recompute}")

    def to_dict(self) -> dict:
        lay, o = self.layout, self.option
        exposed = {c.name: self.exposed(c) for c in self.comm.components if c.bytes}
        return {
            **lay.degrees(),
            "sp": lay.sp,
            "split": lay.split,
            "layer_slots_per_stage": lay.slots,
            "micro_batch": o.micro_batch,
            "microbatches": self.microbatches,
            "schedule": o.schedule,
            "chunks": o.chunks,
            "zero": o.zero,
            "recompute": o.recompute,
            "step_time_s": self.step_time,
            "breakdown_s": {"compute": self.compute_time, "bubble": self.bubble_time,
                            "exposed_comm": self.exposed_comm},
            "exposed_comm_s": {**exposed, "link_contention": self.link_contention},
            "comm_time_s": {c.name: c.time for c in self.comm.components if c.bytes},
            "comm_bytes": {c.name: c.bytes for c in self.comm.components if c.bytes},
            "mfu": self.mfu,
            "hfu": self.hfu,
            "memory_bytes": {**self.memory, "total": self.memory_total},
            "margin_bytes": self.margin,
        }


@dataclass
class Estimator:
    """Evaluates layouts for one :class:`PlanInputs`, caching what layouts share (FLOPs per recompute
    policy, activations per stage shape, bubbles per pipeline shape)."""

    inputs: PlanInputs
    _flops: dict[str, FlopsResult] = field(default_factory=dict)
    _compute: dict[str, float] = field(default_factory=dict)
    _acts: dict[tuple, ActivationResult] = field(default_factory=dict)
    _bubbles: dict[tuple, BubbleResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.active_params = float(count_params(self.inputs.model).active)
        model = self.flops("none").model_per_token
        self.attention_fraction = (model - 6 * self.active_params) / model  # 12·L·H·Q·T of 6N + 12·L·H·Q·T

    # --- pieces -------------------------------------------------------------------------------------

    def flops(self, recompute: str) -> FlopsResult:
        """Per-token model and hardware FLOPs (PaLM Appendix B convention, active parameters)."""
        if recompute not in self._flops:
            i, m = self.inputs, self.inputs.model
            self._flops[recompute] = flops(FlopsInputs(
                "palm", params=self.active_params, layers=m.layers, heads=m.heads, head_dim=m.d_head, seq=i.seq,
                recompute=recompute, attention=i.attention))
        return self._flops[recompute]

    def compute_time(self, recompute: str) -> float:
        """Hardware FLOPs per GPU per step ÷ (peak × efficiency)."""
        if recompute not in self._compute:
            i = self.inputs
            per_gpu = self.flops(recompute).hardware_per_token * i.tokens / i.gpus
            self._compute[recompute] = per_gpu / (i.peak * i.efficiency)
        return self._compute[recompute]

    def activation_bytes(self, layout: Layout, option: Option, m: int) -> float:
        i, model = self.inputs, self.inputs.model
        schedule = "1f1b" if option.schedule == "none" else option.schedule
        key = (layout.tp, layout.sp, layout.cp, layout.pp, layout.split, layout.slots, schedule, option.chunks,
               option.recompute, option.micro_batch, m if m < layout.pp else 0)
        if key not in self._acts:
            self._acts[key] = activations(ActivationInputs(
                i.seq, option.micro_batch, model.hidden, model.heads, tp=layout.tp, sp=layout.sp, cp=layout.cp,
                recompute=option.recompute, flash=i.flash, dropout=i.dropout, ffn=model.d_ffn,
                layers=layout.comm_model.layers, pp=layout.pp, schedule=schedule, chunks=option.chunks,
                microbatches=m, vocab=model.vocab))
        act = self._acts[key]
        stage = act.stage_bytes
        if layout.split == "balanced":  # the first stage's embedding slot holds no transformer layer
            stage -= act.bytes_per_layer * act.in_flight
        return stage

    def state_bytes(self, layout: Layout, zero: int) -> dict[str, float]:
        """Parameters, gradients and optimizer states on the first stage at a ZeRO stage."""
        i = self.inputs
        r = train_memory(TrainMemoryInputs(layout.parallel, model=layout.memory_model, zero=zero,
                                           param_bytes=i.param_bytes, grad_bytes=i.grad_bytes, optimizer=i.optimizer))
        return {k: v for k, v in r.gpu_bytes.items() if k != "activations"}

    def bubble(self, layout: Layout, option: Option, m: int, compute: float) -> BubbleResult | None:
        if layout.pp == 1:
            return None
        key = (layout.pp, m, option.schedule, option.chunks, compute)
        if key not in self._bubbles:
            per_microbatch = compute / m
            config = PipelineConfig(option.schedule, layout.pp, m, option.chunks,
                                    StageTimes(per_microbatch / 3, 2 * per_microbatch / 3))
            self._bubbles[key] = bubble(config)
        return self._bubbles[key]

    def communication(self, layout: Layout, option: Option, compute: float) -> CommResult:
        i = self.inputs
        intra, inter = i.links
        return comm(CommInputs(
            layout.parallel, model=layout.comm_model, zero=option.zero, seq=i.seq, micro_batch=option.micro_batch,
            global_batch=i.global_batch, grad_bytes=i.grad_bytes, param_bytes=i.param_bytes,
            recompute=option.recompute, scatter_gather=i.scatter_gather, chunks=option.chunks,
            gpus_per_node=i.domain, intra_bw=intra, inter_bw=inter, compute_time=compute))

    # --- a layout's options ---------------------------------------------------------------------------

    def schedules(self, layout: Layout) -> list[tuple[str, int]]:
        """(schedule, chunks): no pipeline for pp = 1; else 1F1B and interleaved with v | slots, v ≥ 2."""
        if layout.pp == 1:
            return [("none", 1)]
        options = []
        if "1f1b" in self.inputs.schedules:
            options.append(("1f1b", 1))
        if "interleaved" in self.inputs.schedules:
            options += [("interleaved", v) for v in divisors(layout.slots) if v >= 2]
        return options

    def micro_batches(self, layout: Layout) -> list[int]:
        per_replica = self.inputs.global_batch // layout.dp
        return [b for b in divisors(per_replica) if b <= self.inputs.max_micro_batch]

    def plan(self, layout: Layout, option: Option, states: dict[str, float], act: float, m: int) -> Plan:
        compute = self.compute_time(option.recompute)
        i = self.inputs
        f = self.flops(option.recompute)
        return Plan(layout, option, m, {**states, "activations": act}, i.capacity, compute,
                    self.attention_fraction * compute, self.bubble(layout, option, m, compute), self.communication(layout, option, compute),
                    f.model_per_token * i.tokens / i.gpus, f.hardware_per_token * i.tokens / i.gpus, i.peak)

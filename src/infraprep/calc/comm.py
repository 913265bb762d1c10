"""Per-step, per-GPU communication volume and time of a training job, and whether it hides.

Volumes are bytes *sent* by one GPU per optimizer step (a ring collective over n ranks of payload S
sends 2S(n−1)/n for all-reduce, S(n−1)/n for reduce-scatter or all-gather; Patarasuk & Yuan 2009).
Per component (Ψ_g parameters on the GPU, b micro-batch, s/cp local sequence, h hidden, t tp,
L/p layers per stage, m microbatches per step, k routed experts per token)::

    dp    ZeRO-0: all-reduce of gradients              2Ψ_g·g(d−1)/d            (ZeRO §7.1)
          ZeRO-1/2: reduce-scatter grads + all-gather params  Ψ_g(g + w)(d−1)/d   (ZeRO §7.2.1)
          ZeRO-3: + a second all-gather (forward and backward)  Ψ_g(g + 2w)(d−1)/d  (1.5× at g = w, §7.2.2)
    tp    4 all-reduces of b·(s/cp)·h per layer per microbatch (2 forward, 2 backward): 8bsh(t−1)/t
          elements (Narayanan et al. 2021 §3.2); sequence parallelism swaps each for an all-gather +
          reduce-scatter of the same total (Korthikanti et al. 2022 §4.2.2); full recomputation
          repeats the forward's 2
    pp    a middle stage sends one activation forward and one gradient back per microbatch, b·(s/cp)·h
          each (Narayanan et al. 2021 §3.2), ×v chunks when interleaved (§2.2.2), ÷t with the
          scatter/gather optimisation (§4.1) or sequence parallelism (the boundary tensor is split)
    cp    ring attention: each rank passes its K,V block (b·(s/cp)·w_kv/t) around the ring, cp−1
          hops forward and K,V plus dK,dV backward (Liu et al. 2023 Ring Attention §3; Megatron-Core
          context parallelism)
    ep    per MoE layer per microbatch: all-to-all dispatch and combine forward, their gradients
          backward; b·s/(cp·t) tokens per GPU (Megatron-Core needs sequence parallelism for MoE
          with tp > 1) × k × h, the (ep−1)/ep share that leaves the GPU (DeepSeek-V3 §3.2.2;
          its §3.3 dispatches in FP8 and combines in BF16: ``dispatch_bytes=1``)

Each component is a list of collectives with element counts (:mod:`infraprep.calc.comm_volume`,
which also states the optional conventions: ``zero3_gather`` step or microbatch, ``pp_stage``,
``sp_edges``, ``sp_norm_grads``, ``pad_shards`` with ``flat_buffers``); its bytes are their sum.

Conventions:

* time = bytes ÷ bandwidth per direction (the α latency terms are :mod:`calc.collectives`'s);
  a group within one node uses ``intra_bw`` (scale-up, per direction), otherwise ``inter_bw`` (the
  NIC per GPU, rail-optimised); an EP all-to-all across nodes splits its bytes between the two by
  the share of peers inside the node and takes the slower part;
* rank order tp-cp-ep-dp-pp (:mod:`calc.parallelism`); MoE layers count as dense for TP traffic;
* hiding: a component may overlap a window of the step's compute — dp: the backward pass (2/3 of
  compute, 3/4 with full recomputation; the whole step for ZeRO-3's prefetched gathers), pp and cp:
  the whole step (other microbatches' / blocks' compute), tp and ep: none (on the critical path as in
  Megatron-LM's default schedule). Each component is compared with its window on its own: two
  components sharing a link make the estimate optimistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infraprep.calc._checks import choice, positive, positive_int
from infraprep.calc.comm_volume import Collective, activation_collectives, dp_collectives, stage_ends
from infraprep.calc.memory import check_flat_buffers, check_split, shard_params
from infraprep.calc.model import ModelConfig
from infraprep.calc.parallelism import Parallelism
from infraprep.calc.units import format_bandwidth, format_bytes, format_seconds
from infraprep.errors import InvalidValue

__all__ = ["COMPONENTS", "CommInputs", "CommResult", "Component", "comm"]

COMPONENTS = ("dp", "tp", "pp", "cp", "ep")
RECOMPUTE = ("none", "selective", "full")
ZERO3_GATHER = ("step", "microbatch")
SP_NORM_GRADS = ("none", "step", "microbatch")


@dataclass(frozen=True)
class CommInputs:
    """A training step's shape and split. Give ``params`` or ``model``; activation traffic (tp, pp,
    cp, ep) needs ``layers``, ``hidden``, ``seq``, ``micro_batch`` and ``global_batch``."""

    parallel: Parallelism = field(default_factory=Parallelism)
    params: float | None = None
    model: ModelConfig | None = None
    expert_params: float = 0.0
    zero: int = 0
    layers: int | None = None
    hidden: int | None = None
    seq: int | None = None
    micro_batch: int = 1
    global_batch: int | None = None  # sequences per step
    kv_width: int | None = None  # K plus V width per token (2·kv_heads·head_dim); default 2·hidden
    top_k: int = 0
    moe_layers: int = 0
    grad_bytes: float = 2.0
    param_bytes: float = 2.0
    act_bytes: float = 2.0
    dispatch_bytes: float = 2.0
    recompute: str = "none"
    scatter_gather: bool = False
    chunks: int = 1
    gpus_per_node: int = 8
    intra_bw: float | None = None
    inter_bw: float | None = None
    compute_time: float | None = None
    links_source: str = ""  # where the bandwidths came from
    zero3_gather: str = "step"  # ZeRO-3 gathers once per step (ZeRO §7.2.2) or per microbatch (FSDP)
    pp_stage: int | None = None  # the stage whose p2p / SP-edge traffic is counted; None: a middle stage
    sp_edges: bool = False  # SP: all-gathers where replicated embeddings/head meet the SP region
    sp_norm_grads: str = "none"  # SP: all-reduce of replicated parameters' gradients: none, step, microbatch
    norm: str = "layernorm"  # with sp_norm_grads: 2h (LayerNorm) or h (RMSNorm) per norm; a model's own wins
    pad_shards: bool = False  # ZeRO-1/2/3: flat buffers padded to a multiple of d (calc.memory)
    flat_buffers: tuple[float, ...] | None = None  # the dense flat buffers' sizes on this GPU; default one

    def __post_init__(self) -> None:
        if (self.params is None) == (self.model is None):
            raise InvalidValue("--params", self.params, "either a parameter count or --model, not both")
        if self.params is not None:
            positive("--params", self.params)
        check_split(self.parallel, self.model, self.expert_params)
        if self.model is not None:
            m = self.model
            kv = m.heads * (m.qk_nope_dim + m.qk_rope_dim + m.v_head_dim) if m.is_mla else 2 * m.n_kv_heads * m.d_head
            for name, value in (("layers", m.layers), ("hidden", m.hidden), ("kv_width", kv),
                                ("top_k", m.top_k), ("moe_layers", m.moe_layers), ("norm", m.norm)):
                object.__setattr__(self, name, value)
        if self.zero not in (0, 1, 2, 3) or isinstance(self.zero, bool):
            raise InvalidValue("--zero", self.zero, "0, 1, 2 or 3")
        choice("--recompute", self.recompute, RECOMPUTE)
        for name in ("micro_batch", "chunks", "gpus_per_node"):
            positive_int("--" + name.replace("_", "-"), getattr(self, name))
        for name in ("layers", "hidden", "seq", "global_batch", "kv_width"):
            if getattr(self, name) is not None:
                positive_int("--" + name.replace("_", "-"), getattr(self, name))
        positive_int("--top-k", self.top_k, minimum=0)
        positive_int("--moe-layers", self.moe_layers, minimum=0)
        for name in ("grad_bytes", "param_bytes", "act_bytes", "dispatch_bytes"):
            choice("--" + name.replace("_", "-"), getattr(self, name), (1, 2, 4))
        for name in ("intra_bw", "inter_bw", "compute_time"):
            if getattr(self, name) is not None:
                positive("--" + name.replace("_", "-"), getattr(self, name))
        self._check_activation_shape()
        self._check_conventions()

    def _check_conventions(self) -> None:
        p = self.parallel
        choice("--zero3-gather", self.zero3_gather, ZERO3_GATHER)
        choice("--sp-norm-grads", self.sp_norm_grads, SP_NORM_GRADS)
        choice("--norm", self.norm, ("layernorm", "rmsnorm"))
        if self.zero3_gather == "microbatch":
            if self.zero != 3:
                raise InvalidValue("--zero3-gather", self.zero3_gather, "step unless --zero 3")
            if self.global_batch is None:
                raise InvalidValue("--global-batch", None, "given: --zero3-gather microbatch needs the microbatches per step")
            if self.global_batch % (p.dp * self.micro_batch):
                raise InvalidValue("--global-batch", self.global_batch,
                                   f"a multiple of dp × micro-batch = {p.dp * self.micro_batch}")
        if self.pp_stage is not None:
            positive_int("--pp-stage", self.pp_stage, minimum=0)
            if self.pp_stage >= p.pp:
                raise InvalidValue("--pp-stage", self.pp_stage, f"a stage from 0 to pp−1 = {p.pp - 1}")
        if (self.sp_edges or self.sp_norm_grads != "none") and not p.sp:
            name, value = ("--sp-edges", True) if self.sp_edges else ("--sp-norm-grads", self.sp_norm_grads)
            raise InvalidValue(name, value, "off without --sp (it counts sequence-parallel traffic)")
        check_flat_buffers(self.pad_shards, self.flat_buffers, shard_params(p, self.params, self.model, self.expert_params)[1])

    def _check_activation_shape(self) -> None:
        p = self.parallel
        if max(p.tp, p.pp, p.cp, p.ep) == 1:
            return
        missing = [f"--{n.replace('_', '-')}" for n in ("layers", "hidden", "seq", "global_batch") if getattr(self, n) is None]
        if missing:
            raise InvalidValue(missing[0], None, "given: tp/pp/cp/ep traffic needs " + ", ".join(missing))
        if self.layers % p.pp:
            raise InvalidValue("--pp", p.pp, f"a divisor of layers={self.layers}")
        if self.seq % (p.cp * (p.tp if p.sp or p.ep > 1 else 1)):
            raise InvalidValue("--seq", self.seq, "divisible by cp (and by tp with sequence parallelism or MoE)")
        if self.global_batch % (p.dp * self.micro_batch):
            raise InvalidValue("--global-batch", self.global_batch, f"a multiple of dp × micro-batch = {p.dp * self.micro_batch}")
        if p.ep > 1 and not (self.top_k and self.moe_layers):
            raise InvalidValue("--top-k", self.top_k, "≥ 1 with --moe-layers ≥ 1 for expert-parallel traffic")
        if self.chunks > 1 and (self.layers // p.pp) % self.chunks:
            raise InvalidValue("--chunks", self.chunks, f"a divisor of layers per stage={self.layers // p.pp}")

    @property
    def microbatches(self) -> int:
        return self.global_batch // (self.parallel.dp * self.micro_batch)


@dataclass(frozen=True)
class Component:
    name: str
    collective: str
    group: int
    bytes: float
    link: str  # "intra", "inter", "mixed" or "none" (no traffic)
    time: float | None
    window: float | None  # seconds of compute it may overlap
    formula: str
    collectives: tuple[Collective, ...] = ()  # what the bytes are made of (calc.comm_volume)

    @property
    def exposed(self) -> float | None:
        if self.time is None or self.window is None:
            return None
        return max(0.0, self.time - self.window)

    @property
    def hides(self) -> bool | None:
        exposed = self.exposed
        return None if exposed is None else exposed == 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "collective": self.collective, "group_size": self.group, "bytes": self.bytes,
                "link": self.link, "time_s": self.time, "overlap_window_s": self.window,
                "exposed_s": self.exposed, "hides": self.hides, "formula": self.formula,
                "collectives": [c.to_dict() for c in self.collectives]}


@dataclass(frozen=True)
class CommResult:
    inputs: CommInputs
    components: tuple[Component, ...]

    def _sum(self, attr: str) -> float | None:
        values = [getattr(c, attr) for c in self.components]
        return None if any(v is None for v in values) else sum(values)

    @property
    def total_bytes(self) -> float:
        return sum(c.bytes for c in self.components)

    @property
    def total_time(self) -> float | None:
        return self._sum("time")

    @property
    def exposed(self) -> float | None:
        return self._sum("exposed")

    def conventions(self) -> dict:
        i = self.inputs
        return {
            "volume": "bytes sent per GPU per optimizer step (ring collectives)",
            "time": "bytes / bandwidth per direction; no latency (α) term",
            "bandwidth": {"intra": i.intra_bw, "inter": i.inter_bw, "source": i.links_source or None},
            "placement": f"rank order tp-cp-ep-dp-pp, {i.gpus_per_node} GPUs per node",
            "overlap": "dp: backward (2/3 of compute, 3/4 with full recompute; all for ZeRO-3); "
                       "pp, cp: whole step; tp, ep: none",
            "bytes": {"grad": i.grad_bytes, "param": i.param_bytes, "activation": i.act_bytes,
                      "dispatch": i.dispatch_bytes},
            "zero_stage": i.zero,
            "elements": "whole logical tensor per call (all-gather: output; reduce-scatter: input), summed over "
                        "the step's calls; collectives over one rank are not listed",
            "zero3_gather": (i.zero3_gather + (": FSDP re-gathers per microbatch (Zhao et al. 2023 §3.3.4)"
                             if i.zero3_gather == "microbatch" else ": once per step (ZeRO §7.2.2)")) if i.zero == 3 else None,
            "pp_stage": i.pp_stage if i.pp_stage is not None else ("a middle stage" if i.parallel.pp > 1 else 0),
            "sp_edges": i.sp_edges,
            "sp_norm_grads": i.sp_norm_grads,
            "norm": i.norm,
            "shard_padding": {"padded": i.pad_shards, "flat_buffers": list(i.flat_buffers) if i.flat_buffers else None},
        }

    def to_dict(self) -> dict:
        by = {c.name: c for c in self.components}
        return {
            "per_gpu_bytes": {**{n: by[n].bytes for n in COMPONENTS}, "total": self.total_bytes},
            "time_s": {**{n: by[n].time for n in COMPONENTS}, "total": self.total_time},
            "exposed_s": {**{n: by[n].exposed for n in COMPONENTS}, "total": self.exposed},
            "hides": {n: by[n].hides for n in COMPONENTS},
            "hides_under_compute": None if self.exposed is None else self.exposed == 0.0,
            "compute_time_s": self.inputs.compute_time,
            "components": [c.to_dict() for c in self.components],
            "conventions": self.conventions(),
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = []
        for c in self.components:
            if not c.bytes:
                continue
            time = "" if c.time is None else f", {format_seconds(c.time)} ({c.link})"
            hide = "" if c.hides is None else ("; hides" if c.hides else f"; exposed {format_seconds(c.exposed)}")
            rows.append((f"{c.name}: {c.collective}", f"{format_bytes(c.bytes, binary=False)}{time}{hide}"))
        rows.append(("total per GPU per step", format_bytes(self.total_bytes, binary=False)))
        if self.exposed is not None:
            rows.append(("exposed communication", format_seconds(self.exposed)))
        return rows or [("communication", "none (single GPU)")]

    def explain(self) -> str:
        i = self.inputs
        first, last = stage_ends(i)
        view = "" if i.parallel.pp == 1 else (f"; stage {i.pp_stage}" + (" (first)" if first else "") + (" (last)" if last else "")
                                              if i.pp_stage is not None else "; a middle stage")
        lines = [f"{i.parallel.describe()}, ZeRO-{i.zero}; {i.gpus_per_node} GPUs/node{view}"
                 + ("; flat buffers padded to a multiple of d" if i.pad_shards and i.zero else "")]
        for c in self.components:
            if c.bytes:
                line = f"{c.name}: {c.formula} = {c.bytes:,.0f} B"
                if c.time is not None:
                    bw = i.intra_bw if c.link == "intra" else i.inter_bw
                    line += f"; ÷ {format_bandwidth(bw)} ({c.link})" if c.link != "mixed" else "; intra/inter split"
                    line += f" = {format_seconds(c.time)}"
                if c.window is not None:
                    window = f"window {format_seconds(c.window)}" if c.window else "no overlap"
                    line += f"; {window} → " + ("hides" if c.hides else f"exposed {format_seconds(c.exposed)}")
                lines.append(line)
            for coll in c.collectives:
                lines.append(f"  {coll.kind} — {coll.what}: {coll.elements:,.0f} elements × {coll.element_bytes:g} B"
                             f" over {coll.group} → {coll.bytes_sent:,.0f} B sent")
        if i.intra_bw is None or i.inter_bw is None:
            lines.append("times need --intra-bw and --inter-bw (or --gpu)")
        return "\n".join(lines)


def _time(i: CommInputs, group: str, volume: float) -> tuple[str, float | None]:
    p, gpn = i.parallel, i.gpus_per_node
    if p.intra_node(group, gpn):
        return "intra", (None if i.intra_bw is None else volume / i.intra_bw)
    if group == "ep" and p.ep > gpn and p.ep % gpn == 0:  # peers inside the node over scale-up
        inside = (gpn - 1) / (p.ep - 1)
        if i.intra_bw is None or i.inter_bw is None:
            return "mixed", None
        return "mixed", max(volume * inside / i.intra_bw, volume * (1 - inside) / i.inter_bw)
    return "inter", (None if i.inter_bw is None else volume / i.inter_bw)


def _window(i: CommInputs, name: str) -> float | None:
    if i.compute_time is None:
        return None
    if name == "dp":
        share = 1.0 if i.zero == 3 else (3 / 4 if i.recompute == "full" else 2 / 3)
    else:
        share = {"tp": 0.0, "ep": 0.0, "pp": 1.0, "cp": 1.0}[name]
    return share * i.compute_time


def comm(i: CommInputs) -> CommResult:
    """Per-GPU per-step communication per the module docstring."""
    p = i.parallel
    volumes = {"dp": dp_collectives(i), **activation_collectives(i)}
    gathers = " ×2" if i.zero == 3 else ""
    dp_what = "all-reduce (grads)" if i.zero == 0 else f"reduce-scatter (grads) + all-gather (params){gathers}"
    collectives = {"dp": dp_what, "tp": "all-gather + reduce-scatter (SP)" if p.sp else "all-reduce",
                   "pp": "send/recv", "cp": "ring send/recv of K,V", "ep": "all-to-all"}
    groups = {"dp": p.grad_dp, "tp": p.tp, "pp": p.pp, "cp": p.cp, "ep": p.ep}
    components = []
    for name in COMPONENTS:
        parts, formula = volumes[name]
        volume = sum(c.bytes_sent for c in parts)
        link, time = _time(i, name, volume) if volume else ("none", 0.0)
        components.append(Component(name, collectives[name], groups[name], volume, link, time, _window(i, name), formula,
                                    tuple(parts)))
    return CommResult(i, tuple(components))

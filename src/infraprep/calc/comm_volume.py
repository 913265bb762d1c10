"""What each parallelism sends in one optimizer step: its collectives, their element counts, and the
bytes one GPU sends for them under a ring. :mod:`infraprep.calc.comm` adds time, links and hiding.

**Elements** follow one convention for every kind — the whole logical tensor of each call, summed over
the step's calls: all-reduce the tensor, reduce-scatter the full input, all-gather the full output,
send/recv/all-to-all the buffer. **Bytes sent** by one GPU in a group of n ranks, for N elements of e
bytes: all-reduce 2N·e(n−1)/n, reduce-scatter and all-gather N·e(n−1)/n (Patarasuk & Yuan 2009;
Thakur et al. 2005), all-to-all N·e(n−1)/n (the share that leaves the GPU), send N·e, recv 0. A
collective over a group of one rank moves nothing and is not listed.

Per step on one GPU (Ψ_g its parameters, m microbatches, ℓ = L/p layers on the stage, a = b·(s/cp)·h
one activation; X⁺ = X with its flat buffers padded to a multiple of d, see ``calc.memory``)::

    dp  ZeRO-0     all-reduce Ψ_g (gradients)                                 ZeRO §7.1
        ZeRO-1/2   reduce-scatter Ψ⁺ (gradients) + all-gather Ψ⁺ (parameters)  ZeRO §7.2.1
        ZeRO-3     reduce-scatter r·Ψ⁺ + all-gather 2r·Ψ⁺ (forward and backward) ZeRO §7.2.2
                   r = 1 (``zero3_gather="step"``: the paper's accounting, one gather–gather–scatter per
                   step) or r = m (``"microbatch"``: FSDP under gradient accumulation *with*
                   communication re-gathers each unit and reduce-scatters its gradient for every
                   microbatch, Zhao et al. 2023 §3.3.4)
    tp  all-reduce 4ℓ·m·a (2 forward, 2 backward; 6 with full recomputation)   Megatron-LM §3
        with SP each becomes an all-gather and a reduce-scatter of a (g and ḡ and their conjugates,
        Korthikanti et al. 2022 §4.2.2), plus, as options:
          ``sp_edges``: replicated embeddings and head meet the SP region with a split (backward: an
            all-gather of a, on the first stage) and a gather (forward: an all-gather of a, on the last
            stage) — Megatron-LM's ``scatter_to_sequence_parallel_region`` and
            ``gather_from_sequence_parallel_region(tensor_parallel_output_grad=False)``
            (megatron/core/tensor_parallel/mappings.py);
          ``sp_norm_grads``: the parameters SP leaves replicated (2 norms per layer, the final norm on
            the last stage, row-parallel biases) see s/t of the sequence, so their gradients are
            all-reduced over TP — once per step in Megatron-LM (``_allreduce_layernorm_grads`` in
            megatron/core/distributed/finalize_model_grads.py), or once per microbatch
    pp  send = recv per microbatch: a middle stage 2v boundary tensors (an activation forward, a
        gradient back, per chunk; Narayanan et al. 2021 §3.2, §2.2.2); ``pp_stage`` s counts that
        stage's own: (2v − [s = 0] − [s = p−1])·m (the first stage receives no activation, the last
        no gradient). A boundary tensor is a, or a/t with SP or scatter/gather (§4.1)
    cp  send = recv (3 or 4)(cp−1)·ℓ·m K,V blocks of b·(s/cp)·w_kv/t (Liu et al. 2023 §3)
    ep  all-to-all tokens·k·h per MoE layer per microbatch: dispatch and combine forward (×2 with full
        recomputation), their gradients backward (DeepSeek-V3 §3.2.2)

Stage view: without ``pp_stage`` a pipeline of p > 1 is seen from a middle stage (no first-stage or
last-stage extras; with p = 2 no stage is a middle one: give ``pp_stage``); with p = 1 the one stage is
both first and last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from infraprep.calc.memory import shard_params, zero_elements

if TYPE_CHECKING:
    from infraprep.calc.comm import CommInputs

__all__ = ["Collective", "activation_collectives", "dp_collectives", "stage_ends"]


@dataclass(frozen=True)
class Collective:
    """One kind of call of one component in a step: ``elements`` summed over its calls (see above)."""

    kind: str
    what: str
    elements: float
    element_bytes: float
    group: int

    @property
    def bytes_sent(self) -> float:
        n = self.group
        factor = {"all-reduce": 2 * (n - 1) / n, "send": 1.0, "recv": 0.0}.get(self.kind, (n - 1) / n)
        return self.elements * self.element_bytes * factor

    def to_dict(self) -> dict:
        return {"kind": self.kind, "what": self.what, "elements": self.elements, "element_bytes": self.element_bytes,
                "group_size": self.group, "bytes_sent": self.bytes_sent}


def _keep(*collectives: Collective) -> list[Collective]:
    return [c for c in collectives if c.group > 1 and c.elements]


def stage_ends(i: CommInputs) -> tuple[bool, bool]:
    """(first, last): whether the viewed stage is the pipeline's first / last (see the stage view)."""
    p = i.parallel.pp
    if i.pp_stage is None:
        return p == 1, p == 1
    return i.pp_stage == 0, i.pp_stage == p - 1


def dp_collectives(i: CommInputs) -> tuple[list[Collective], str]:
    """Gradient and parameter traffic over the ZeRO group(s): dense over dp·cp, experts over expert_dp."""
    p = i.parallel
    _, dense, expert = shard_params(p, i.params, i.model, i.expert_params)
    rounds = i.microbatches if i.zero == 3 and i.zero3_gather == "microbatch" else 1
    out: list[Collective] = []
    for count, buffers, d in ((dense, i.flat_buffers, p.grad_dp), (expert, None, p.expert_dp)):
        if i.zero == 0:
            out += _keep(Collective("all-reduce", "gradients", count, i.grad_bytes, d))
            continue
        whole = zero_elements(count, buffers, d, i.pad_shards)[0]
        out += _keep(Collective("reduce-scatter", "gradients", rounds * whole, i.grad_bytes, d),
                     Collective("all-gather", "parameters", (2 if i.zero == 3 else 1) * rounds * whole, i.param_bytes, d))
    psi = "Ψ⁺_g" if i.pad_shards and i.zero else "Ψ_g"
    if i.zero == 0:
        formula = "2Ψ_g·g(d−1)/d"
    else:
        formula = f"{psi}(g + {2 if i.zero == 3 else 1}w)(d−1)/d" + (f" × m={rounds} (per microbatch)" if rounds > 1 else "")
    return out, formula + f", d={p.grad_dp}" + (f" (experts d={p.expert_dp})" if expert else "")


def _norm_grad_elements(i: CommInputs, layers: int, last: bool) -> float:
    """Parameters SP leaves replicated on the stage: 2 norms per layer (+ the final norm on the last
    stage), 2h per LayerNorm (scale, bias) or h per RMSNorm, + 2h of row-parallel biases per layer."""
    width = (2 if i.norm == "layernorm" else 1) * i.hidden
    biases = 2 * i.hidden if i.model is not None and i.model.biases else 0
    return (2 * layers + last) * width + layers * biases


def activation_collectives(i: CommInputs) -> dict[str, tuple[list[Collective], str]]:
    """tp, pp, cp and ep collectives per the module docstring."""
    p = i.parallel
    if max(p.tp, p.pp, p.cp, p.ep) == 1:
        return {n: ([], "") for n in ("tp", "pp", "cp", "ep")}
    m, layers = i.microbatches, i.layers // p.pp
    a = i.micro_batch * (i.seq / p.cp) * i.hidden
    act, full = i.act_bytes, i.recompute == "full"
    first, last = stage_ends(i)
    colls = (6 if full else 4) * layers * m * a
    if not p.sp:
        tp = _keep(Collective("all-reduce", "activations", colls, act, p.tp))
        tp_formula = f"{6 if full else 4} all-reduces × 2(t−1)/t × b·s·h·{act:g} B × {layers} layers × {m} microbatches"
    else:
        edges = (first + last) * m * a if i.sp_edges else 0
        norms = _norm_grad_elements(i, layers, last) * (m if i.sp_norm_grads == "microbatch" else 1)
        tp = _keep(Collective("all-gather", "activations: g, ḡ's backward" + (", stage edges" if edges else ""),
                              colls + edges, act, p.tp),
                   Collective("reduce-scatter", "activations: ḡ, g's backward", colls, act, p.tp),
                   Collective("all-reduce", "sequence-parallel parameter gradients",
                              norms if i.sp_norm_grads != "none" else 0, i.grad_bytes, p.tp))
        tp_formula = (f"{6 if full else 4} × (all-gather + reduce-scatter) × (t−1)/t × b·s·h·{act:g} B × {layers} layers × "
                      f"{m} microbatches" + (f" + {first + last} edge all-gather(s) × {m}" if edges else "")
                      + (f" + norm grads all-reduced per {i.sp_norm_grads}" if i.sp_norm_grads != "none" else ""))
    boundary = a / (p.tp if i.scatter_gather or p.sp else 1)
    hops = 2 * i.chunks - (0 if i.pp_stage is None else first + last)
    pp = _keep(Collective("send", "activations forward, gradients back", hops * m * boundary, act, p.pp),
               Collective("recv", "activations forward, gradients back", hops * m * boundary, act, p.pp))
    where = "a middle stage" if i.pp_stage is None else f"stage {i.pp_stage} of {p.pp}"
    kv = i.micro_batch * (i.seq / p.cp) * (i.kv_width or 2 * i.hidden) / p.tp
    blocks = (4 if full else 3) * (p.cp - 1) * layers * m
    cp = _keep(Collective("send", "K,V blocks (ring)", blocks * kv, act, p.cp),
               Collective("recv", "K,V blocks (ring)", blocks * kv, act, p.cp))
    per = i.micro_batch * (i.seq / p.cp) / p.tp * i.top_k * i.hidden * (i.moe_layers / p.pp) * m
    forward = 2 if full else 1
    ep = _keep(Collective("all-to-all", "dispatch (forward)", forward * per, i.dispatch_bytes, p.ep),
               Collective("all-to-all", "combine (forward) and both gradients (backward)", (forward + 2) * per, act, p.ep))
    return {
        "tp": (tp, tp_formula),
        "pp": (pp, f"{hops} × b·s·h·{act:g} B{'/t' if i.scatter_gather or p.sp else ''} × {m} microbatches ({where}"
                   + (f", v={i.chunks} chunks)" if i.chunks > 1 else ")")),
        "cp": (cp, f"{4 if full else 3}(cp−1) × K,V block × {layers} layers × {m} microbatches"),
        "ep": (ep, f"(dispatch {i.dispatch_bytes:g} B + combine, ×2 for grads) × tokens·k·h·(ep−1)/ep × "
                   f"{i.moe_layers / p.pp:g} MoE layers × {m} microbatches"),
    }

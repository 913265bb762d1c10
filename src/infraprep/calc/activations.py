"""Activation memory of a transformer layer, and of the most loaded pipeline stage.

Source: Korthikanti et al. 2022, *Reducing Activation Recomputation in Large Transformer Models*
(MLSys 2023), §4.1 (per-layer breakdown), Table 2 (with tensor/sequence parallelism and
recomputation) and §4.2.3 (pipeline parallelism). Symbols: s sequence, b micro-batch, h hidden,
a heads, t tensor-parallel size, p pipeline stages, L layers, v vocabulary.

Convention (the paper's GPT layer): 16-bit activations, 1-byte dropout masks, LayerNorm, a 4h GeLU
MLP (``ffn`` generalises the width f as Megatron-LM's ``theoretical_memory_usage.py`` does:
18 + 4f/h with sequence parallelism). GQA and gated MLPs are not modelled (nor are they by
Megatron-LM's estimate). Per layer, in bytes::

    attention  2sbh (QKV input) + 4sbh (Q, K) + 2sbh (V) + 2sbh (out-proj input) + sbh (mask)
               + 2as²b (softmax) + as²b (dropout mask) + 2as²b (dropout output)  = 11sbh + 5as²b
    MLP        2sbh (input) + 2sbf (GeLU input) + 2sbf (fc2 input) + sbh (mask)   = 19sbh at f=4h
    norms      2 × 2sbh                                                            =  4sbh
    total      sbh(34 + 5as/h)                                       (Table 2, no parallelism)

Tensor parallelism divides the 24sbh inside the parallel regions and the a·s² scores by t; the
10sbh of norms, block inputs and dropout masks stay whole unless sequence parallelism splits them
too. Selective recomputation drops the scores; full recomputation keeps only the layer input::

    TP                 sbh(10 + 24/t + 5as/(ht))        TP + SP              sbh(34/t + 5as/(ht))
    TP + selective     sbh(10 + 24/t)                   TP + SP + selective  sbh(34/t)
    full               2sbh   (2sbh/t with SP: the stored layer input is the sequence-sharded one)

FlashAttention (Dao et al. 2022 §3.1; FlashAttention-2 §3.1 keeps one fp32 logsumexp per row and
head) never materialises the s×s scores: 5as²b becomes 4asb. Without dropout (``dropout=False``,
as in Llama) the two sbh masks and the as²b mask go and the dropout output *is* the softmax output:
sbh(32 + 2as/h). Context parallelism (cp) splits the sequence: sbh terms use s/cp, and each rank
holds scores of its s/cp queries against all s keys (as²b/cp).

Pipeline (first stage, the most loaded): L/p layers × the microbatches in flight — 1F1B holds
min(p, m), so the first stage holds L layers' worth (§4.2.3); the interleaved schedule with v
chunks holds p(1 + (p−1)/(pv)); GPipe holds all m. The first stage also stores the embedding
dropout mask (sbh per microbatch in flight, ÷t with SP); with p = 1 the output layer and fp32
cross-entropy add 4sbh(1 + v/h)/t (§4.3, total activations memory; Megatron-LM's estimate adds the
same terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infraprep.calc._checks import choice, divides, positive_int
from infraprep.calc.units import format_bytes
from infraprep.errors import InvalidValue

__all__ = ["RECOMPUTE", "SCHEDULES", "ActivationInputs", "ActivationResult", "activations"]

RECOMPUTE = ("none", "selective", "full")
SCHEDULES = ("1f1b", "interleaved", "gpipe")


@dataclass(frozen=True)
class ActivationInputs:
    """One transformer layer's activation inputs, plus the optional pipeline context."""

    seq: int
    micro_batch: int
    hidden: int
    heads: int
    tp: int = 1
    sp: bool = False
    cp: int = 1
    recompute: str = "none"
    flash: bool = False
    dropout: bool = True
    ffn: int | None = None  # MLP width f; default 4·hidden
    layers: int | None = None  # give it to get the stage total
    pp: int = 1
    schedule: str = "1f1b"
    chunks: int = 1  # model chunks per stage for the interleaved schedule (v)
    microbatches: int | None = None  # per step per pipeline (m)
    vocab: int | None = None  # for the output layer when pp = 1
    shape_note: str = ""  # what the GPT-layer formula only approximates for this model (reported)

    def __post_init__(self) -> None:
        for name in ("seq", "micro_batch", "hidden", "heads", "tp", "cp", "pp", "chunks"):
            object.__setattr__(self, name, positive_int("--" + name.replace("_", "-"), getattr(self, name)))
        for name in ("ffn", "layers", "microbatches", "vocab"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, positive_int("--" + name, getattr(self, name)))
        choice("--recompute", self.recompute, RECOMPUTE)
        choice("--schedule", self.schedule, SCHEDULES)
        divides("--tp", self.tp, self.heads, "heads")
        divides("--cp", self.cp, self.seq, "seq")
        if self.sp and self.tp == 1:
            raise InvalidValue("--sp", True, "sequence parallelism only with --tp > 1")
        if self.sp:
            divides("--tp", self.tp, self.seq // self.cp, "seq/cp (sequence parallelism splits the sequence)")
        if self.layers is not None:
            divides("--pp", self.pp, self.layers, "layers")
        if self.chunks > 1:
            if self.schedule != "interleaved":
                raise InvalidValue("--chunks", self.chunks, "1 unless --schedule interleaved")
            if self.layers is not None:
                divides("--chunks", self.chunks, self.layers // self.pp, "layers per stage")
        if self.schedule == "gpipe" and self.pp > 1 and self.microbatches is None:
            raise InvalidValue("--microbatches", None, "a count: GPipe keeps all m microbatches in flight")

    @property
    def ffn_width(self) -> int:
        return self.ffn or 4 * self.hidden


@dataclass(frozen=True)
class ActivationResult:
    """Per-layer bytes with their terms; stage totals when ``layers`` was given."""

    inputs: ActivationInputs
    terms: dict[str, float]  # bytes per layer per microbatch, by term
    in_flight: float | None  # microbatches' worth of the stage's layers held at the peak
    extra_bytes: float | None  # embedding dropout mask and (p = 1) output layer
    notes: tuple[str, ...] = field(default=())

    @property
    def bytes_per_layer(self) -> float:
        return sum(self.terms.values())

    @property
    def sbh(self) -> float:
        i = self.inputs
        return i.seq / i.cp * i.micro_batch * i.hidden

    @property
    def layers_per_stage(self) -> int | None:
        i = self.inputs
        return None if i.layers is None else i.layers // i.pp

    @property
    def stage_bytes(self) -> float | None:
        """Peak activation bytes on the first (most loaded) pipeline stage, per GPU."""
        if self.layers_per_stage is None or self.in_flight is None:
            return None
        return self.bytes_per_layer * self.layers_per_stage * self.in_flight + (self.extra_bytes or 0.0)

    def conventions(self) -> dict:
        i = self.inputs
        return {
            "source": "Korthikanti et al. 2022, Table 2, §4.2.3 and §4.3",
            "layer": f"GPT layer, ffn={i.ffn_width}, {'with' if i.dropout else 'no'} dropout, "
            "16-bit activations, 1-byte masks",
            "attention": "FlashAttention (no s² term; fp32 logsumexp)" if i.flash else "materialised s×s scores",
            "recompute": i.recompute,
            "sequence_parallel": i.sp,
            "schedule": i.schedule if i.pp > 1 else "no pipeline",
            "stage": "first pipeline stage (the most loaded)",
        }

    def to_dict(self) -> dict:
        return {
            "bytes_per_layer": self.bytes_per_layer,
            "sbh_coefficient": self.bytes_per_layer / self.sbh,
            "terms_per_layer": dict(self.terms),
            "layers_per_stage": self.layers_per_stage,
            "in_flight_microbatches": self.in_flight,
            "extra_bytes": self.extra_bytes,
            "stage_bytes": self.stage_bytes,
            "notes": list(self.notes),
            "conventions": self.conventions(),
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [("bytes per layer", format_bytes(self.bytes_per_layer)),
                ("= sbh ×", f"{self.bytes_per_layer / self.sbh:.4g}")]
        rows += [(f"  {name}", format_bytes(value)) for name, value in self.terms.items() if value]
        if self.stage_bytes is not None:
            rows += [("layers per stage", str(self.layers_per_stage)),
                     ("microbatches in flight", f"{self.in_flight:.4g}"),
                     ("embedding/output extra", format_bytes(self.extra_bytes or 0.0)),
                     ("first-stage total", format_bytes(self.stage_bytes))]
        return rows

    def explain(self) -> str:
        i = self.inputs
        s = i.seq // i.cp
        lines = [f"s={s}{f' (= {i.seq}/cp {i.cp})' if i.cp > 1 else ''}, b={i.micro_batch}, h={i.hidden}, "
                 f"a={i.heads}, t={i.tp}, f={i.ffn_width}; sbh = {self.sbh:,.0f}"]
        lines.append(_formula_line(self))
        lines.append(f"bytes/layer = {self.bytes_per_layer:,.0f} ({format_bytes(self.bytes_per_layer)})")
        if self.stage_bytes is not None:
            lines.append(
                f"first stage = {self.bytes_per_layer:,.0f} × L/p ({self.layers_per_stage}) × in flight "
                f"({self.in_flight:.4g}, {i.schedule if i.pp > 1 else 'p=1'}) + extra {self.extra_bytes or 0:,.0f} "
                f"= {format_bytes(self.stage_bytes)}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _formula_line(r: ActivationResult) -> str:
    i = r.inputs
    if i.recompute == "full":
        return f"full recomputation: 2sbh{'/t' if i.sp else ''} (only each layer's input is kept)"
    rep = 10 if i.dropout else 8
    shard = f"(8 + 4f/h = {8 + 4 * i.ffn_width / i.hidden:g})/t"
    head = f"{rep}/t + {shard}" if i.sp else f"{rep} + {shard}"
    if i.recompute == "selective":
        return f"bytes/layer = sbh({head})  [selective: attention scores recomputed]"
    if i.flash:
        return f"bytes/layer = sbh({head}) + 4asb/t  [FlashAttention: fp32 logsumexp, no s² term]"
    score = 5 if i.dropout else 2
    return f"bytes/layer = sbh({head} + {score}as/(ht{'·cp' if i.cp > 1 else ''}))"


def _terms(i: ActivationInputs) -> dict[str, float]:
    s, b, h, a, t = i.seq / i.cp, i.micro_batch, i.hidden, i.heads, i.tp
    sbh = s * b * h
    if i.recompute == "full":
        return {"layer_input": 2 * sbh / (t if i.sp else 1)}
    replicated = (10 if i.dropout else 8) * sbh  # 2 norm inputs, QKV and fc1 inputs, 2 dropout masks
    sharded = (8 * h + 4 * i.ffn_width) * s * b  # Q, K, V, out-proj input; GeLU and fc2 inputs
    terms = {"replicated": replicated / (t if i.sp else 1), "tensor_parallel": sharded / t}
    if i.recompute == "none":
        if i.flash:
            terms["softmax_stats"] = 4 * a * s * b / t  # fp32 logsumexp per (head, query)
        else:
            # queries s/cp against all keys s = i.seq: a·(s/cp)·s·b scores per rank
            terms["attention_scores"] = (5 if i.dropout else 2) * a * s * i.seq * b / t
    return terms


def _in_flight(i: ActivationInputs) -> tuple[float, list[str]]:
    p, m, notes = i.pp, i.microbatches, []
    if p == 1:
        return 1.0, notes
    if i.schedule == "gpipe":
        return float(m), notes
    if i.schedule == "interleaved":
        if m is not None and m % p:
            notes.append(f"Megatron's interleaved schedule needs microbatches ({m}) to be a multiple of pp ({p})")
        return p * (1 + (p - 1) / (p * i.chunks)), notes
    if m is not None and m < p:
        notes.append(f"only {m} microbatches < pp={p}: the bubble dominates")
        return float(m), notes
    return float(p), notes


def activations(i: ActivationInputs) -> ActivationResult:
    """Activation bytes per layer (Korthikanti et al. 2022, Table 2) and, given ``layers``, on the
    first pipeline stage (§4.2.3); see the module docstring for every convention."""
    terms = _terms(i)
    in_flight, notes = (None, []) if i.layers is None else _in_flight(i)
    extra = None
    if in_flight is not None:
        sbh = i.seq / i.cp * i.micro_batch * i.hidden
        extra = (sbh / (i.tp if i.sp else 1)) * in_flight if i.dropout else 0.0  # embedding dropout mask
        if i.pp == 1:
            if i.vocab is None:
                notes.append("output layer not counted: give --vocab")
            else:
                extra += 4 * sbh * (1 + i.vocab / i.hidden) / i.tp
    if i.layers is None:
        notes.append("per layer only: give --layers for the stage total")
    if i.shape_note:
        notes.append(i.shape_note)
    return ActivationResult(i, terms, in_flight, extra, tuple(notes))

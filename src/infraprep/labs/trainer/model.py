"""One pipeline stage of the GPT, tensor-parallel: the forward pass as a sequence of *units*.

A unit is the parameters used together: ``pre`` (token and position embeddings, stage 0), one unit
per transformer layer, ``post`` (final LayerNorm and head, last stage). The forward pass asks a
parameter store for each unit's tensors (``with store.use(unit) as p``): plain DP and ZeRO-1 hand
out the resident parameters; ZeRO-3 gathers the unit, and frees it when the block is left.

A block (pre-LayerNorm GPT; Megatron-LM Fig. 3 for where TP talks)::

    a = LN1(x);      a = f(a)  | SP: a = g(a) all-gather      (s, b, h) replicated
    y = Attn(a @ W_qkv_local)  @ W_proj_local                 (s, b, h) partial sum over TP
    x = x + g(y)     | SP: x = x + ḡ(y) reduce-scatter
    m = LN2(x) …     the same with fc1 (column-parallel), GeLU, fc2 (row-parallel)

Shapes are ``(seq, batch, hidden)``; under SP the residual stream holds ``seq/tp`` rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.params import ParamSpec, stage_specs
from infraprep.labs.trainer.tp import (
    TPComm,
    copy_to_tp,
    gather_seq,
    gather_seq_replicated,
    reduce_from_tp,
    reduce_scatter_seq,
    scatter_seq,
)

__all__ = ["ResidentParams", "StageModel", "stage_units"]


def stage_units(config: TrainConfig, stage: int) -> dict[str, list[ParamSpec]]:
    """The units of ``stage`` in forward order, each with its parameter specs."""
    units: dict[str, list[ParamSpec]] = {}
    layers = config.model.layers
    for spec in stage_specs(config.model, config.pp, stage):
        key = "pre" if spec.stage_layer < 0 else "post" if spec.stage_layer >= layers else f"layers.{spec.stage_layer}"
        units.setdefault(key, []).append(spec)
    return units


class ResidentParams:
    """Plain DP and ZeRO-1: every local parameter is resident; ``use`` just hands them out."""

    def __init__(self, params: dict[str, torch.nn.Parameter]) -> None:
        self.params = params

    @contextlib.contextmanager
    def use(self, unit: str, specs: list[ParamSpec]) -> Iterator[dict[str, torch.Tensor]]:
        yield {s.name: self.params[s.name] for s in specs}

    def after(self, unit: str, output: torch.Tensor) -> None:
        """Nothing to prepare for backward: the parameters stay resident."""


class StageModel:
    """The forward pass of pipeline stage ``stage`` on one TP rank."""

    def __init__(self, config: TrainConfig, stage: int, comm: TPComm, store: Any) -> None:
        self.config, self.stage, self.comm, self.store = config, stage, comm, store
        self.units = stage_units(config, stage)
        self.first, self.last = stage == 0, stage == config.pp - 1
        self.local_heads = config.model.heads // config.tp

    def forward(self, x: torch.Tensor, targets: torch.Tensor | None = None) -> torch.Tensor:
        """Stage 0 takes tokens ``(b, s)``; later stages the previous stage's activation. The last
        stage returns the micro-batch's loss: summed cross-entropy over the global batch's token
        count (so that summing gradients over micro-batches and DP ranks gives the global mean)."""
        for unit, specs in self.units.items():
            with self.store.use(unit, specs) as p:
                if unit == "pre":
                    x = self._embed(p, x)
                elif unit == "post":
                    x = self._head(p, x, targets)
                else:
                    x = self._block(unit, p, x)
            self.store.after(unit, x)
        return x

    # -- pieces ---------------------------------------------------------------------------------
    def _ln(self, x: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        if self.config.sp:  # LN sees a sequence shard: its gradient is partial, f sums it over TP
            p = copy_to_tp(p, self.comm)
        return F.layer_norm(x, (x.shape[-1],), p[0], p[1])

    def _enter(self, a: torch.Tensor) -> torch.Tensor:
        return gather_seq(a, self.comm) if self.config.sp else copy_to_tp(a, self.comm)

    def _leave(self, y: torch.Tensor) -> torch.Tensor:
        return reduce_scatter_seq(y, self.comm) if self.config.sp else reduce_from_tp(y, self.comm)

    def _embed(self, p: dict, tokens: torch.Tensor) -> torch.Tensor:
        s = tokens.shape[1]
        x = p["embed"][tokens.t()] + p["pos"][:s].unsqueeze(1)  # (s, b, h)
        return scatter_seq(x, self.comm) if self.config.sp else x

    def _block(self, unit: str, p: dict, x: torch.Tensor) -> torch.Tensor:
        name = unit + "."
        a = self._enter(self._ln(x, p[name + "ln1"]))
        s, b, _ = a.shape
        qkv = a @ p[name + "attn.qkv"].t()  # (s, b, 3·h/tp): local Q | K | V
        q, k, v = (t.reshape(s, b, self.local_heads, -1).permute(1, 2, 0, 3) for t in qkv.chunk(3, dim=-1))
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (b, heads/tp, s, d)
        att = att.permute(2, 0, 1, 3).reshape(s, b, -1)
        x = x + self._leave(att @ p[name + "attn.proj"].t())
        m = self._enter(self._ln(x, p[name + "ln2"]))
        m = F.gelu(m @ p[name + "mlp.fc1"].t()) @ p[name + "mlp.fc2"].t()
        return x + self._leave(m)

    def _head(self, p: dict, x: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        x = self._ln(x, p["ln_f"])
        if self.config.sp:
            x = gather_seq_replicated(x, self.comm)
        logits = x @ p["head"].t()  # (s, b, v), replicated over TP
        tokens = self.config.global_batch * self.config.model.seq
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.t().reshape(-1), reduction="sum") / tokens

"""The model's parameters: names, full shapes, which pipeline stage owns each, how TP splits it.

Every rank builds the *full* initial weights from the seed (the toy is small) and keeps its slice,
so the initial model is the same for every layout — the premise of the parity check. Megatron's
split (Shoeybi et al. 2019 §3, Fig. 3):

    attn.qkv  (3h, h)  column-parallel: Q, K and V are each split by heads (rows), ``fused=3``
    attn.proj (h, h)   row-parallel: split along its input (columns)
    mlp.fc1   (4h, h)  column-parallel
    mlp.fc2   (h, 4h)  row-parallel
    ln*       (2, h)   LayerNorm scale (row 0) and bias (row 1): replicated across TP
    embed (v, h), pos (s, h), head (v, h): replicated across TP (see docs/round-3.md: Megatron
              splits the vocabulary; here they are replicated so that TP traffic is exactly the
              blocks' all-reduces)

Initialisation follows GPT-2 (Radford et al. 2019 §2.3): N(0, 0.02) for matrices, the residual
projections (``proj``, ``fc2``) scaled by 1/√(2·layers); LayerNorm scale 1, bias 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from infraprep.labs.trainer.config import ModelShape

__all__ = ["ParamSpec", "init_full_params", "param_specs", "shard", "stage_specs", "unshard"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    shape: tuple[int, ...]
    stage_layer: int  # the layer index that places it: -1 = with the embedding, layers = with the head
    split_dim: int | None = None  # None: replicated across TP
    fused: int = 1  # independent blocks along split_dim, each split separately (Q, K, V)
    std: float = 0.02  # 0 marks a LayerNorm (scale 1, bias 0)
    sequence_partial: bool = False  # its gradient is a partial sum over TP ranks under SP

    def stage(self, layers: int, pp: int) -> int:
        per = layers // pp
        if self.stage_layer < 0:
            return 0
        if self.stage_layer >= layers:
            return pp - 1
        return self.stage_layer // per

    def local_shape(self, tp: int) -> tuple[int, ...]:
        if self.split_dim is None:
            return self.shape
        shape = list(self.shape)
        shape[self.split_dim] //= tp
        return tuple(shape)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def param_specs(m: ModelShape) -> list[ParamSpec]:
    """All parameters in forward order (the order of initialisation and of flat buffers)."""
    h, resid_std = m.hidden, 0.02 / math.sqrt(2 * m.layers)
    specs = [ParamSpec("embed", (m.vocab, h), -1), ParamSpec("pos", (m.seq, h), -1)]
    for i in range(m.layers):
        p = f"layers.{i}."
        specs += [
            ParamSpec(p + "ln1", (2, h), i, std=0.0, sequence_partial=True),
            ParamSpec(p + "attn.qkv", (3 * h, h), i, split_dim=0, fused=3),
            ParamSpec(p + "attn.proj", (h, h), i, split_dim=1, std=resid_std),
            ParamSpec(p + "ln2", (2, h), i, std=0.0, sequence_partial=True),
            ParamSpec(p + "mlp.fc1", (m.ffn, h), i, split_dim=0),
            ParamSpec(p + "mlp.fc2", (h, m.ffn), i, split_dim=1, std=resid_std),
        ]
    specs += [ParamSpec("ln_f", (2, h), m.layers, std=0.0, sequence_partial=True),
              ParamSpec("head", (m.vocab, h), m.layers)]
    return specs


def stage_specs(m: ModelShape, pp: int, stage: int) -> list[ParamSpec]:
    return [s for s in param_specs(m) if s.stage(m.layers, pp) == stage]


def init_full_params(m: ModelShape, seed: int) -> dict[str, Any]:
    """The full fp32 weights, drawn in :func:`param_specs` order from a generator seeded with ``seed``."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    out = {}
    for s in param_specs(m):
        if s.std == 0.0:
            out[s.name] = torch.stack([torch.ones(s.shape[1]), torch.zeros(s.shape[1])])
        else:
            out[s.name] = torch.randn(s.shape, generator=gen) * s.std
    return out


def shard(full: Any, spec: ParamSpec, tp_rank: int, tp: int) -> Any:
    """This TP rank's slice of ``full`` (a copy, contiguous)."""
    import torch

    if spec.split_dim is None or tp == 1:
        return full.clone()
    blocks = full.chunk(spec.fused, dim=spec.split_dim)
    return torch.cat([b.chunk(tp, dim=spec.split_dim)[tp_rank] for b in blocks], dim=spec.split_dim).contiguous()


def unshard(pieces: list[Any], spec: ParamSpec) -> Any:
    """Inverse of :func:`shard`: the full tensor from the TP ranks' slices, in TP-rank order."""
    import torch

    if spec.split_dim is None or len(pieces) == 1:
        return pieces[0].clone()
    per_rank = [p.chunk(spec.fused, dim=spec.split_dim) for p in pieces]
    blocks = [torch.cat([r[f] for r in per_rank], dim=spec.split_dim) for f in range(spec.fused)]
    return torch.cat(blocks, dim=spec.split_dim)

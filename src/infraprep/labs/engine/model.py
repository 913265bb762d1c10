"""A tiny decoder-only transformer with two attention paths: dense (the reference) and paged.

Llama-style blocks (RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP) with fixed-seed
random weights. The dense path recomputes attention over the whole sequence with a causal mask and
no cache; the paged path writes each new token's K/V into a block pool through a slot mapping and
gathers every sequence's keys and values back through its block table (PagedAttention, Kwon et al.
2023 §4.1), for a flattened batch that mixes prefill chunks and decodes. Both paths share the weights
and every non-attention layer, so any difference in their logits is the paging's fault.

Shapes: ``T`` flattened tokens, ``B`` sequences in an attention group, ``h``/``g`` query/KV heads,
``d_h`` head dimension, ``Lq``/``Lk`` longest query chunk/context in the group. Decodes form their own
group (one query row each), so a long prefill chunk never pads every decode to its length.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["AttentionGroup", "PagedInputs", "TinyConfig", "TinyTransformer", "paged_group"]


@dataclass(frozen=True)
class TinyConfig:
    """The issue's size: 4 layers, width 256, GQA (8 query heads share 2 KV heads)."""

    layers: int = 4
    hidden: int = 256
    heads: int = 8
    kv_heads: int = 2
    ffn: int = 512
    vocab: int = 512
    rope_theta: float = 10000.0
    seed: int = 0

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


@dataclass
class AttentionGroup:
    """Sequences whose query rows are padded together: the prefill chunks, or the decodes (one row each).

    ``first``/``last`` bound the group's rows in the flattened batch; ``seq_index``/``row`` (rows of the
    group) give each row's sequence and place in it; ``tables`` (B, max_blocks) are block tables padded
    with block 0; ``mask`` (B, 1, Lq, Lk) lets a query see keys at positions ≤ its own and < its
    sequence's context (a padded query row sees key 0 only; its output is dropped).
    """

    first: int
    last: int
    seq_index: torch.Tensor
    row: torch.Tensor
    tables: torch.Tensor
    mask: torch.Tensor
    max_query: int


@dataclass
class PagedInputs:
    """One iteration's flattened batch: ``tokens``/``positions``/``slots`` (T,) — a token's KV slot is
    block · bs + offset — the attention ``groups``, and the rows whose next-token logits are wanted."""

    tokens: torch.Tensor
    positions: torch.Tensor
    slots: torch.Tensor
    groups: list[AttentionGroup]
    logit_rows: torch.Tensor


def paged_group(first: int, rows: list[tuple[int, int]], positions: list[int], tables: list[list[int]],
                context: list[int], block_size: int) -> AttentionGroup:
    """Build an :class:`AttentionGroup` from per-row (sequence, row) pairs and per-sequence tables."""
    n_seq, width = len(tables), max(len(t) for t in tables)
    padded = torch.zeros((n_seq, width), dtype=torch.long)
    for i, t in enumerate(tables):
        padded[i, : len(t)] = torch.tensor(t)
    seq_index = torch.tensor([s for s, _ in rows])
    row = torch.tensor([r for _, r in rows])
    max_query = int(row.max()) + 1
    qpos = torch.full((n_seq, max_query), -1, dtype=torch.long)
    qpos[seq_index, row] = torch.tensor(positions)
    kpos = torch.arange(width * block_size)
    mask = (kpos[None, None, :] <= qpos[:, :, None]) & (kpos[None, None, :] < torch.tensor(context)[:, None, None])
    mask |= (qpos < 0)[:, :, None] & (kpos == 0)[None, None, :]
    return AttentionGroup(first, first + len(rows), seq_index, row, padded, mask[:, None], max_query)


def _rope_tables(positions: torch.Tensor, half: int, theta: float, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """cos, sin of the rotary angles (Su et al. 2021, RoFormer §3.4): (T, 1, d_h/2) each."""
    freqs = theta ** (-torch.arange(half, dtype=dtype) / half)
    angles = positions.to(dtype)[:, None] * freqs[None, :]
    return angles.cos()[:, None, :], angles.sin()[:, None, :]


def _rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate-half rotary embedding of x: (T, heads, d_h)."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)


class _RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class _Block(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.c = c
        self.attn_norm, self.mlp_norm = _RMSNorm(c.hidden), _RMSNorm(c.hidden)
        self.qkv = nn.Linear(c.hidden, (c.heads + 2 * c.kv_heads) * c.head_dim, bias=False)
        self.out = nn.Linear(c.heads * c.head_dim, c.hidden, bias=False)
        self.gate_up = nn.Linear(c.hidden, 2 * c.ffn, bias=False)
        self.down = nn.Linear(c.ffn, c.hidden, bias=False)

    def _qkv(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]):
        c = self.c
        q, k, v = self.qkv(self.attn_norm(x)).split(
            [c.heads * c.head_dim, c.kv_heads * c.head_dim, c.kv_heads * c.head_dim], dim=-1)
        q = _rope(q.view(-1, c.heads, c.head_dim), *rope)  # (T, h, d_h)
        k = _rope(k.view(-1, c.kv_heads, c.head_dim), *rope)  # (T, g, d_h)
        return q, k, v.view(-1, c.kv_heads, c.head_dim)

    def _mlp(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up(self.mlp_norm(x)).chunk(2, dim=-1)
        return x + self.down(F.silu(gate) * up)

    def dense(self, x: torch.Tensor, rope) -> torch.Tensor:
        """x: (T, d) one whole sequence; causal attention over itself, no cache."""
        q, k, v = self._qkv(x, rope)
        o = F.scaled_dot_product_attention(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), is_causal=True,
                                           enable_gqa=True)  # (h, T, d_h)
        return self._mlp(x + self.out(o.transpose(0, 1).reshape(x.shape[0], -1)))

    def paged(self, x: torch.Tensor, inp: PagedInputs, rope, k_cache: torch.Tensor, v_cache: torch.Tensor) -> torch.Tensor:
        """x: (T, d) flattened batch; k_cache/v_cache: (blocks, bs, g, d_h), written then gathered."""
        c = self.c
        q, k, v = self._qkv(x, rope)
        k_cache.view(-1, c.kv_heads, c.head_dim)[inp.slots] = k  # write this iteration's K/V first
        v_cache.view(-1, c.kv_heads, c.head_dim)[inp.slots] = v
        out = torch.empty_like(q)
        for g in inp.groups:
            n_seq = g.tables.shape[0]
            keys = k_cache[g.tables].flatten(1, 2)  # gather through the tables: (B, Lk, g, d_h)
            values = v_cache[g.tables].flatten(1, 2)
            queries = q.new_zeros(n_seq, g.max_query, c.heads, c.head_dim)
            queries[g.seq_index, g.row] = q[g.first : g.last]  # (B, Lq, h, d_h)
            o = F.scaled_dot_product_attention(queries.transpose(1, 2), keys.transpose(1, 2), values.transpose(1, 2),
                                               attn_mask=g.mask, enable_gqa=True)  # (B, h, Lq, d_h)
            out[g.first : g.last] = o.transpose(1, 2)[g.seq_index, g.row]
        return self._mlp(x + self.out(out.reshape(x.shape[0], -1)))


class TinyTransformer(nn.Module):
    """Fixed-seed random weights (std 1/√fan-in, embeddings std 1): same seed, same model."""

    def __init__(self, config: TinyConfig = TinyConfig(), dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.config = config
        generator = torch.Generator().manual_seed(config.seed)
        self.embed = nn.Embedding(config.vocab, config.hidden)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.layers))
        self.norm = _RMSNorm(config.hidden)
        self.head = nn.Linear(config.hidden, config.vocab, bias=False)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("norm.weight"):
                    continue
                std = 1.0 if name == "embed.weight" else p.shape[1] ** -0.5
                p.copy_(torch.randn(p.shape, generator=generator) * std)
        self.to(dtype)
        self.eval()

    @torch.no_grad()
    def forward_dense(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (T, V) for one whole sequence (T,), recomputed from scratch."""
        c = self.config
        rope = _rope_tables(torch.arange(tokens.shape[0]), c.head_dim // 2, c.rope_theta, self.head.weight.dtype)
        x = self.embed(tokens)
        for block in self.blocks:
            x = block.dense(x, rope)
        return self.head(self.norm(x))

    @torch.no_grad()
    def forward_paged(self, inp: PagedInputs, k_caches: list[torch.Tensor], v_caches: list[torch.Tensor]) -> torch.Tensor:
        """Logits (len(logit_rows), V) for a flattened batch through the block pool."""
        c = self.config
        rope = _rope_tables(inp.positions, c.head_dim // 2, c.rope_theta, self.head.weight.dtype)
        x = self.embed(inp.tokens)
        for block, k_cache, v_cache in zip(self.blocks, k_caches, v_caches, strict=True):
            x = block.paged(x, inp, rope, k_cache, v_cache)
        return self.head(self.norm(x[inp.logit_rows]))

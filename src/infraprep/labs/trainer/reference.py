"""The single-process baseline every parallel run must reproduce: one process, the whole model, no splits.

Written independently of the parallel code path (no TP functions, no parameter store, no pipeline):
batch-first ``(b, s, h)`` tensors, attention spelled out (scores, causal mask, softmax), the whole
global batch in one forward pass, the mean cross-entropy over all its tokens, and
``torch.optim.Adam`` over the full weights. Same initial weights (``params.init_full_params``) and
same data (``data.global_batch``) as the parallel run.
"""

from __future__ import annotations

import math
from typing import Any

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.data import global_batch
from infraprep.labs.trainer.params import init_full_params

__all__ = ["reference_loss", "train_reference"]


def reference_loss(w: dict[str, Any], tokens: Any, config: TrainConfig) -> Any:
    import torch
    import torch.nn.functional as F

    m = config.model
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    b, s = inputs.shape
    x = w["embed"][inputs] + w["pos"][:s]  # (b, s, h)
    mask = torch.ones(s, s, dtype=torch.bool).tril()

    def ln(x: Any, p: Any) -> Any:
        return F.layer_norm(x, (m.hidden,), p[0], p[1])

    for i in range(m.layers):
        p = f"layers.{i}."
        q, k, v = (ln(x, w[p + "ln1"]) @ w[p + "attn.qkv"].t()).split(m.hidden, dim=-1)
        q, k, v = (t.view(b, s, m.heads, m.head_dim).transpose(1, 2) for t in (q, k, v))  # (b, nh, s, d)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(m.head_dim)
        att = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1) @ v
        x = x + att.transpose(1, 2).reshape(b, s, m.hidden) @ w[p + "attn.proj"].t()
        x = x + F.gelu(ln(x, w[p + "ln2"]) @ w[p + "mlp.fc1"].t()) @ w[p + "mlp.fc2"].t()
    logits = ln(x, w["ln_f"]) @ w["head"].t()
    return F.cross_entropy(logits.reshape(-1, m.vocab), targets.reshape(-1))


def train_reference(config: TrainConfig) -> tuple[list[float], dict[str, Any]]:
    """Losses per step (before each update) and the final weights of the single-process run."""
    import torch

    weights = {n: torch.nn.Parameter(t) for n, t in init_full_params(config.model, config.seed).items()}
    optimizer = torch.optim.Adam(weights.values(), lr=config.lr)
    losses = []
    for step in range(config.steps):
        loss = reference_loss(weights, global_batch(config, step), config)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    return losses, {n: p.detach() for n, p in weights.items()}

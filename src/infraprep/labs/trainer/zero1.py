"""ZeRO stage 1: each DP rank keeps Adam's states for one shard of the parameters (Rajbhandari et al. 2020 §5.1).

The local parameters live as views of one flat fp32 buffer, padded to a multiple of the DP degree
``d`` (Megatron-LM's contiguous buffer). DP rank ``r`` owns the slice ``[r·P/d, (r+1)·P/d)``::

    flat params  |  r=0  |  r=1  | … |  r=d−1 |pad|
    step:  reduce-scatter(flat grads)  → the summed gradient of my slice       P elements in
           Adam on my slice (its m and v are the only optimizer states I keep)
           all-gather(my updated slice) → everyone's flat params               P elements out

Volume per step: a reduce-scatter and an all-gather of P each — the same as DP's all-reduce
(ZeRO §7.2.1: "P_os … incur no additional communication"). Adam is element-wise, so updating
slices gives exactly the unsharded update.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["FlatParams", "Zero1Optimizer"]


class FlatParams:
    """Named parameters as views of one flat buffer of ``padded`` elements (a multiple of ``multiple``)."""

    def __init__(self, tensors: dict[str, torch.Tensor], multiple: int) -> None:
        n = sum(t.numel() for t in tensors.values())
        self.padded = -(-n // multiple) * multiple
        first = next(iter(tensors.values()))
        self.flat = torch.zeros(self.padded, dtype=first.dtype, device=first.device)
        self.offsets: dict[str, int] = {}
        self.params: dict[str, torch.nn.Parameter] = {}
        offset = 0
        for name, t in tensors.items():
            view = self.flat[offset:offset + t.numel()]
            view.copy_(t.reshape(-1))
            self.params[name] = torch.nn.Parameter(view.view(t.shape))  # shares the flat storage
            self.offsets[name] = offset
            offset += t.numel()

    def flat_grads(self) -> torch.Tensor:
        out = torch.zeros_like(self.flat)
        for name, p in self.params.items():
            out[self.offsets[name]:self.offsets[name] + p.numel()].copy_(p.grad.reshape(-1))
        return out


class Zero1Optimizer:
    def __init__(self, flat: FlatParams, meter: Any, group: Any, lr: float) -> None:
        self.flat, self.meter, self.group = flat, meter, group
        self.shard_size = flat.padded // group.size
        lo = group.index * self.shard_size
        self.shard = torch.nn.Parameter(flat.flat[lo:lo + self.shard_size])  # a view: Adam updates in place
        self.optimizer = torch.optim.Adam([self.shard], lr=lr)

    def step(self) -> None:
        grad = self.flat.flat.new_empty(self.shard_size)
        self.meter.reduce_scatter(grad, self.flat.flat_grads(), self.group)
        self.shard.grad = grad
        self.optimizer.step()
        self.shard.grad = None
        with torch.no_grad():
            self.meter.all_gather(self.flat.flat, self.shard.detach().clone(), self.group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.flat.params.values():
            p.grad = None

"""Tensor- and sequence-parallel communication as autograd functions (Megatron-LM's f, g, g, ḡ).

Megatron-LM (Shoeybi et al. 2019 §3, Fig. 3) brackets each column-parallel → row-parallel pair:

    f  = copy_to_tp      forward: identity        backward: all-reduce      (before the column layer)
    g  = reduce_from_tp  forward: all-reduce      backward: identity        (after the row layer)

so a transformer layer costs two all-reduces in the forward pass and two in the backward pass.
Sequence parallelism (Korthikanti et al. 2022 §4.2.2, Fig. 5) shards the replicated regions
(LayerNorm, dropout, residual) along the sequence and replaces them:

    g  = gather_seq         forward: all-gather      backward: reduce-scatter
    ḡ  = reduce_scatter_seq forward: reduce-scatter  backward: all-gather

— the same bytes as one all-reduce (ring all-reduce = reduce-scatter + all-gather). Here the
gathered activation is kept for backward instead of being gathered again (Korthikanti's §4.2.2
re-gathers it to save memory); so the backward pass has no extra all-gather.

At the edges of the SP region (the embedding output and the input of the replicated head) the
activation is *replicated*, not a partial sum, so entering it is a slice (backward: all-gather) and
leaving it is an all-gather (backward: a slice).

Activations are laid out ``(seq, batch, hidden)`` as in Megatron so that a sequence shard is a
contiguous block (what all-gather and reduce-scatter concatenate and split).
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["TPComm", "copy_to_tp", "gather_seq", "gather_seq_replicated", "reduce_from_tp",
           "reduce_scatter_seq", "scatter_seq"]


class TPComm:
    """The meter and the TP group: what the functions below need to talk."""

    def __init__(self, meter: Any, group: Any) -> None:
        self.meter, self.group = meter, group

    @property
    def size(self) -> int:
        return self.group.size

    @property
    def index(self) -> int:
        return self.group.index

    def all_reduce(self, x: torch.Tensor) -> torch.Tensor:
        out = x.contiguous().clone()
        self.meter.all_reduce(out, self.group)
        return out

    def all_gather(self, shard: torch.Tensor) -> torch.Tensor:
        shard = shard.contiguous()
        full = shard.new_empty((shard.shape[0] * self.size, *shard.shape[1:]))
        self.meter.all_gather(full, shard, self.group)
        return full

    def reduce_scatter(self, full: torch.Tensor) -> torch.Tensor:
        full = full.contiguous()
        out = full.new_empty((full.shape[0] // self.size, *full.shape[1:]))
        self.meter.reduce_scatter(out, full, self.group)
        return out

    def slice(self, full: torch.Tensor) -> torch.Tensor:
        return full.chunk(self.size, dim=0)[self.index].contiguous()


def _identity(comm: TPComm, x: torch.Tensor) -> torch.Tensor:
    return x.view_as(x)


def _op(name: str, forward: Any, backward: Any, doc: str) -> Any:
    """``name(x, comm)``: an autograd function running ``forward(comm, x)`` and, in the backward
    pass, ``backward(comm, grad)``; the identity when the TP group has one rank."""

    def fwd(ctx: Any, x: torch.Tensor, comm: TPComm) -> torch.Tensor:
        ctx.comm = comm
        return forward(comm, x)

    def bwd(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return backward(ctx.comm, grad), None

    fn = type(name, (torch.autograd.Function,), {"forward": staticmethod(fwd), "backward": staticmethod(bwd)})

    def apply(x: torch.Tensor, comm: TPComm) -> torch.Tensor:
        return x if comm.size == 1 else fn.apply(x, comm)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = doc
    return apply


# Megatron-LM Fig. 3 and Korthikanti et al. Fig. 5, as (forward, backward) pairs:
copy_to_tp = _op("copy_to_tp", _identity, TPComm.all_reduce, "f: identity forward, all-reduce backward.")
reduce_from_tp = _op("reduce_from_tp", TPComm.all_reduce, _identity, "g: all-reduce forward, identity backward.")
gather_seq = _op("gather_seq", TPComm.all_gather, TPComm.reduce_scatter,
                 "SP's g: all-gather the sequence forward, reduce-scatter backward.")
reduce_scatter_seq = _op("reduce_scatter_seq", TPComm.reduce_scatter, TPComm.all_gather,
                         "SP's ḡ: reduce-scatter the partial sums along the sequence forward, all-gather backward.")
scatter_seq = _op("scatter_seq", TPComm.slice, TPComm.all_gather,
                  "Enter the SP region from a replicated activation: slice forward, all-gather backward.")
gather_seq_replicated = _op("gather_seq_replicated", TPComm.all_gather, TPComm.slice,
                            "Leave the SP region into a replicated computation: all-gather forward, slice backward.")

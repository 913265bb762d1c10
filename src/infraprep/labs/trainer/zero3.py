"""ZeRO stage 3: parameters, gradients and optimizer states sharded over DP; gathered before use, freed after.

Hand-written (not torch FSDP, which this lab would have to wrap to meter), following ZeRO
(Rajbhandari et al. 2020 §5.3) and FSDP's unit-by-unit scheme (Zhao et al. 2023 §3):

* each *unit* (embeddings, one transformer layer, final norm + head) is one flat buffer of ``P_u``
  elements padded to a multiple of ``d``; a DP rank keeps only its ``P_u/d`` slice, a leaf tensor
  that Adam updates directly;
* forward: all-gather the unit (``P_u`` elements), run it, drop the gathered buffer. The tensors
  autograd saves for backward that alias the buffer are replaced by tokens
  (``torch.autograd.graph.saved_tensors_hooks``), so nothing keeps it alive;
* backward: a hook on the unit's output fires as backward enters the unit and all-gathers it again
  (FSDP's pre-backward unshard; done for every unit, as the ZeRO volume assumes, even the
  embeddings whose backward would not read them); the tokens resolve to this copy;
* the unit's full gradient is reduce-scattered (``P_u`` elements) to the owners' slices, and the
  second copy is dropped.

Volume per micro-batch: 2 all-gathers + 1 reduce-scatter of ``Σ P_u`` = 3Ψ, 1.5× DP's 2Ψ
(ZeRO §7.2.2). With ``m`` micro-batches (pipeline or accumulation) it is ``m`` times that.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

import torch

from infraprep.labs.trainer.params import ParamSpec

__all__ = ["ShardedParams"]


class _Token:
    """What autograd saves instead of a view of a gathered unit: where the view sits in it."""

    __slots__ = ("offset", "shape", "stride", "unit")

    def __init__(self, unit: str, t: torch.Tensor) -> None:
        self.unit, self.offset, self.shape, self.stride = unit, t.storage_offset(), t.shape, t.stride()


class _Gather(torch.autograd.Function):
    """shard → full unit buffer (all-gather); backward: full gradient → my slice (reduce-scatter)."""

    @staticmethod
    def forward(ctx, shard, store, unit):
        ctx.store, ctx.unit = store, unit
        return store.gather(unit)

    @staticmethod
    def backward(ctx, grad):
        return ctx.store.scatter_grad(ctx.unit, grad), None, None


class ShardedParams:
    """The ZeRO-3 parameter store for one stage on one rank (``use`` as in ``ResidentParams``)."""

    def __init__(self, units: dict[str, list[ParamSpec]], local: dict[str, torch.Tensor], meter: Any, group: Any) -> None:
        self.meter, self.group = meter, group
        self.layout: dict[str, list[tuple[str, int, torch.Size]]] = {}
        self.padded: dict[str, int] = {}
        self.shards: dict[str, torch.nn.Parameter] = {}
        d = group.size
        for unit, specs in units.items():
            offset, entries = 0, []
            for s in specs:
                entries.append((s.name, offset, local[s.name].shape))
                offset += local[s.name].numel()
            self.padded[unit] = -(-offset // d) * d
            flat = torch.zeros(self.padded[unit], device=local[specs[0].name].device)
            for name, off, shape in entries:
                flat[off:off + shape.numel()].copy_(local[name].reshape(-1))
            size = self.padded[unit] // d
            self.shards[unit] = torch.nn.Parameter(flat[group.index * size:(group.index + 1) * size].clone())
            self.layout[unit] = entries
        self._backward_copy: dict[str, torch.Tensor] = {}
        self._live: list[weakref.ref] = []  # gathered buffers, to prove they are freed

    # -- communication --------------------------------------------------------------------------
    def gather(self, unit: str) -> torch.Tensor:
        full = self.shards[unit].new_empty(self.padded[unit])
        self.meter.all_gather(full, self.shards[unit].detach(), self.group)
        self._live.append(weakref.ref(full))
        return full

    def scatter_grad(self, unit: str, grad: torch.Tensor) -> torch.Tensor:
        out = grad.new_empty(self.padded[unit] // self.group.size)
        self.meter.reduce_scatter(out, grad.contiguous(), self.group)
        self._backward_copy.pop(unit, None)
        return out

    def _pre_backward(self, unit: str) -> None:
        if unit not in self._backward_copy:
            self._backward_copy[unit] = self.gather(unit)

    def live_buffers(self) -> int:
        """Gathered unit buffers still alive (0 between passes: nothing is kept gathered)."""
        self._live = [r for r in self._live if r() is not None]
        return len(self._live)

    # -- the store interface --------------------------------------------------------------------
    @contextlib.contextmanager
    def use(self, unit: str, specs: list[ParamSpec]) -> Iterator[dict[str, torch.Tensor]]:
        full = _Gather.apply(self.shards[unit], self, unit)
        ptr = full.untyped_storage().data_ptr()
        views = {name: full[off:off + shape.numel()].view(shape) for name, off, shape in self.layout[unit]}

        def pack(t: torch.Tensor) -> Any:
            return _Token(unit, t) if t.untyped_storage().data_ptr() == ptr else t

        def unpack(obj: Any) -> torch.Tensor:
            if not isinstance(obj, _Token):
                return obj
            self._pre_backward(obj.unit)  # normally already gathered by the output hook
            return self._backward_copy[obj.unit].as_strided(obj.shape, obj.stride, obj.offset)

        del full
        with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
            yield views
        views.clear()

    def after(self, unit: str, output: torch.Tensor) -> None:
        """Register the pre-backward gather on ``unit``'s output."""
        if output.requires_grad:
            output.register_hook(lambda grad: self._pre_backward(unit))

    def parameters(self) -> list[torch.nn.Parameter]:
        return list(self.shards.values())

    def full_local(self) -> dict[str, torch.Tensor]:
        """This rank's unsharded local parameters (gathered outside the meter by the caller)."""
        out = {}
        for unit, entries in self.layout.items():
            full = self.gather(unit)
            out.update({name: full[off:off + shape.numel()].view(shape).clone() for name, off, shape in entries})
        return out

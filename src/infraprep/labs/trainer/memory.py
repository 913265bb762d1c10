"""Per-rank memory of the model state, measured from the tensors the rank actually holds.

Counted after the first optimizer step, before gradients are cleared (all three exist then):

* parameters — the tensors the rank keeps between steps: its TP/PP slice (DP, ZeRO-1; under ZeRO-1
  they are views of one flat buffer, counted once with its padding) or its ZeRO-3 shards;
* gradients — the ``.grad`` of those tensors (ZeRO-3: of the shards);
* optimizer states — Adam's ``exp_avg`` and ``exp_avg_sq`` (8 B per element in fp32); the per-tensor
  ``step`` counters (one scalar each) are not counted.

Everything is fp32 and there is no separate master copy (training is fp32), so the conventions are
4 B per parameter, 4 B per gradient and 8 B of optimizer state per element it covers — ZeRO's
K = 12 (Rajbhandari et al. 2020 §3.1) describes mixed precision, where a 4 B master copy joins them.
Transient communication buffers (buckets, gathered ZeRO-3 units) are not model state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["account"]


def _bytes(tensors: Iterable[Any]) -> tuple[int, int]:
    seen, elements, size = set(), 0, 0
    for t in tensors:
        if t is None:
            continue
        key = (t.untyped_storage().data_ptr(), t.storage_offset(), t.numel())
        if key in seen:
            continue
        seen.add(key)
        elements += t.numel()
        size += t.numel() * t.element_size()
    return elements, size


def account(params: list[Any], optimizer: Any, flat: Any | None = None) -> dict:
    """Elements and bytes of parameters, gradients and optimizer states on this rank.

    ``flat``: the ZeRO-1 flat buffer the parameters are views of (its padding is held too).
    """
    p_el, p_bytes = _bytes([flat] if flat is not None else params)
    g_el, g_bytes = _bytes(p.grad for p in params)
    states = [v for s in optimizer.state.values() for k, v in s.items() if k in ("exp_avg", "exp_avg_sq")]
    o_el, o_bytes = _bytes(states)
    return {
        "param_elements": p_el, "param_bytes": p_bytes,
        "grad_elements": g_el, "grad_bytes": g_bytes,
        "optimizer_elements": o_el, "optimizer_bytes": o_bytes,
    }

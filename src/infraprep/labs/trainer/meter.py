"""The communication meter: every torch.distributed call the trainer makes goes through it and is counted.

Per rank, per (collective kind, group label) it counts calls, **elements** and **bytes** of the
payload, with one convention for every kind — the size of the *whole* logical tensor:

    kind             elements counted                 ring bytes sent by this rank (n = group size)
    all-reduce       the tensor reduced (N)           2·N·e·(n−1)/n
    reduce-scatter   the full input (N = n × shard)   N·e·(n−1)/n
    all-gather       the full output (N = n × shard)  N·e·(n−1)/n
    broadcast        the tensor (N)                   N·e (source), 0 (others) — a flat tree
    send / recv      the tensor (N)                   N·e (send), 0 (recv)

(e = bytes per element.) The ring column is what a bandwidth-optimal ring sends (Patarasuk & Yuan
2009; Thakur et al. 2005 for reduce-scatter/all-gather): the convention of ``calc comm``. The
element counts are what the tests compare exactly with the closed forms.

A collective over a group of one rank is skipped and not counted (it moves nothing). Bookkeeping
traffic (gathering final weights for the parity check) runs inside :meth:`CommMeter.paused`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "CommMeter", "Tally"]

KINDS = ("all-reduce", "reduce-scatter", "all-gather", "broadcast", "send", "recv")


@dataclass
class Tally:
    calls: int = 0
    elements: int = 0
    bytes: int = 0
    ring_bytes_sent: float = 0.0


def _ring_factor(kind: str, n: int, sender: bool) -> float:
    if kind == "all-reduce":
        return 2 * (n - 1) / n
    if kind in ("reduce-scatter", "all-gather"):
        return (n - 1) / n
    return 1.0 if sender else 0.0


class _Done:
    """Stands in for a torch Work handle when nothing was sent (a group of one rank)."""

    def wait(self) -> bool:
        return True


class CommMeter:
    """Wraps the torch.distributed calls the trainer uses; ``group`` arguments are
    :class:`~infraprep.labs.trainer.layout.Group` objects (label, handle, ranks)."""

    def __init__(self) -> None:
        self._tallies: dict[tuple[str, str], Tally] = {}
        self._paused = 0

    # -- counting -------------------------------------------------------------------------------
    def _count(self, kind: str, label: str, tensor: Any, n: int, sender: bool = True) -> None:
        if self._paused:
            return
        tally = self._tallies.setdefault((kind, label), Tally())
        numel, size = tensor.numel(), tensor.element_size()
        tally.calls += 1
        tally.elements += numel
        tally.bytes += numel * size
        tally.ring_bytes_sent += numel * size * _ring_factor(kind, n, sender)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Traffic inside this block is not counted (bookkeeping, not training)."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    def report(self) -> list[dict]:
        """One row per (kind, group) that carried traffic, in :data:`KINDS` order."""
        order = {k: i for i, k in enumerate(KINDS)}
        rows = sorted(self._tallies.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
        return [{"kind": kind, "group": label, **vars(t)} for (kind, label), t in rows]

    def elements(self, kind: str, group: str) -> int:
        tally = self._tallies.get((kind, group))
        return tally.elements if tally else 0

    # -- the wrapped calls ----------------------------------------------------------------------
    def all_reduce(self, tensor: Any, group: Any, async_op: bool = False) -> Any:
        """Sum ``tensor`` in place over ``group``."""
        if group.size == 1:
            return _Done() if async_op else None
        import torch.distributed as dist

        self._count("all-reduce", group.label, tensor, group.size)
        return dist.all_reduce(tensor, group=group.handle, async_op=async_op)

    def _sharded(self, kind: str, names: tuple[str, str], out: Any, inp: Any, whole: Any, group: Any,
                 async_op: bool) -> Any:
        if group.size == 1:
            out.copy_(inp)
            return _Done() if async_op else None
        import torch.distributed as dist

        self._count(kind, group.label, whole, group.size)
        fn = getattr(dist, names[0], None) or getattr(dist, names[1])  # newer torch names them *_single
        return fn(out, inp, group=group.handle, async_op=async_op)

    def reduce_scatter(self, output: Any, full: Any, group: Any, async_op: bool = False) -> Any:
        """``output`` (N/n elements) = this rank's slice of the sum of ``full`` (N) over ``group``."""
        names = ("reduce_scatter_single", "reduce_scatter_tensor")
        return self._sharded("reduce-scatter", names, output, full, full, group, async_op)

    def all_gather(self, full: Any, shard: Any, group: Any, async_op: bool = False) -> Any:
        """``full`` (N elements) = the members' ``shard`` (N/n each) concatenated in group order."""
        names = ("all_gather_single", "all_gather_into_tensor")
        return self._sharded("all-gather", names, full, shard, full, group, async_op)

    def broadcast(self, tensor: Any, src_index: int, group: Any) -> None:
        """Copy the tensor of the member at ``src_index`` to every member of ``group``."""
        if group.size == 1:
            return
        import torch.distributed as dist

        self._count("broadcast", group.label, tensor, group.size, sender=group.index == src_index)
        dist.broadcast(tensor, src=group.ranks[src_index], group=group.handle)

    def isend(self, tensor: Any, dst: int, label: str) -> Any:
        """Non-blocking send to global rank ``dst``; the caller keeps ``tensor`` alive until ``wait()``."""
        import torch.distributed as dist

        self._count("send", label, tensor, 2)
        return dist.isend(tensor, dst=dst)

    def recv(self, tensor: Any, src: int, label: str) -> None:
        """Blocking receive into ``tensor`` from global rank ``src``."""
        import torch.distributed as dist

        self._count("recv", label, tensor, 2, sender=False)
        dist.recv(tensor, src=src)

"""Hierarchical (two-level) all-reduce: reduce-scatter inside a node, all-reduce across nodes, all-gather.

Members are grouped into nodes of g consecutive ranks (``ranks_per_node``; under torchrun, its
LOCAL_WORLD_SIZE). With N = p/g nodes::

    1. ring reduce-scatter among the g members of each node     (fast intra-node links, S bytes)
    2. all-reduce of the owned S/g shard among the N members     (slow inter-node links, S/g bytes)
       that hold the same local index, one per node
    3. ring all-gather among the g members of each node

Only S/g crosses the slow links per member, which is why NCCL and every large-scale trainer keep the
inter-node step on a shard (see calc/collectives.py ``hier`` for the time model).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from infraprep.labs.collectives._p2p import chunk_bounds, member_index
from infraprep.labs.collectives.ring import (
    DEFAULT_SEGMENT_BYTES,
    ring_all_gather,
    ring_allreduce,
    ring_reduce_scatter,
)

__all__ = ["hier_allreduce"]


def hier_allreduce(buf, ranks: Sequence[int], ranks_per_node: int = 2,
                   inter: Callable[..., None] = ring_allreduce, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> None:
    """Sum-all-reduce ``buf`` in place over ``ranks`` grouped into nodes of ``ranks_per_node``.

    Raises:
        ValueError: ``ranks_per_node`` does not divide the number of members.
    """
    p, g = len(ranks), ranks_per_node
    if g < 1 or p % g:
        raise ValueError(f"ranks_per_node={g} must divide the {p} members")
    if p < 2 or buf.numel() == 0:
        return
    node, local = divmod(member_index(ranks), g)
    local_ranks = list(ranks[node * g:(node + 1) * g])
    cross = [ranks[k * g + local] for k in range(p // g)]
    if g == 1:
        inter(buf, cross)
        return
    bounds = chunk_bounds(buf.numel(), g)
    start, end = bounds[ring_reduce_scatter(buf, local_ranks, bounds, segment_bytes)]
    inter(buf[start:end], cross)
    ring_all_gather(buf, local_ranks, bounds, segment_bytes)

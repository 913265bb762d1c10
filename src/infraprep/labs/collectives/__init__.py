"""Collectives built from torch.distributed point-to-point (isend/irecv), checked against the backend.

Each algorithm sum-all-reduces a tensor in place over a *communicator*, an ordered list of global
ranks (default: the whole job), so it runs unchanged on gloo (CPU tensors) and nccl (CUDA tensors),
in ranks this package spawns or inside an existing ``torchrun`` job, on one node or several.

==========  ======================================================  =====================
name        algorithm                                               module
==========  ======================================================  =====================
ring        reduce-scatter + all-gather around a ring               :mod:`.ring`
tree        double binary tree, pipelined                           :mod:`.tree`
btree       one binary tree (reduce to the root, broadcast)         :mod:`.tree`
rd          recursive doubling                                      :mod:`.doubling`
rhd         recursive halving + doubling (Rabenseifner)             :mod:`.doubling`
hier        node-local ring + inter-node ring on a shard            :mod:`.hier`
builtin     the backend's own ``dist.all_reduce``                   —
==========  ======================================================  =====================

torch is imported inside the functions only (the CLI imports this package lazily anyway).
"""

from __future__ import annotations

from collections.abc import Sequence

from infraprep.errors import InvalidValue
from infraprep.labs.collectives.doubling import rd_allreduce, rhd_allreduce
from infraprep.labs.collectives.hier import hier_allreduce
from infraprep.labs.collectives.ring import ring_allreduce
from infraprep.labs.collectives.tree import btree_allreduce, dtree_allreduce

__all__ = ["ALGORITHMS", "MODEL_OF", "allreduce"]

ALGORITHMS = ("ring", "tree", "btree", "rd", "rhd", "hier", "builtin")

# The calc/collectives.py model whose coefficients describe each implementation (builtin: ring's).
MODEL_OF = {"ring": "ring", "tree": "tree", "btree": "btree", "rd": "rd", "rhd": "rhd", "hier": "hier",
            "builtin": "ring"}


def _builtin(buf, ranks: Sequence[int]) -> None:
    import torch.distributed as dist

    if list(ranks) != list(range(dist.get_world_size())):
        raise ValueError("builtin all_reduce runs on the whole job only; give ranks=None")
    dist.all_reduce(buf)


def allreduce(tensor, algo: str = "ring", ranks: Sequence[int] | None = None, *, ranks_per_node: int = 2,
              chunk_bytes: int = 1 << 20, segment_bytes: int = 1 << 20) -> None:
    """Sum-all-reduce a contiguous ``tensor`` in place with ``algo`` over ``ranks`` (default all).

    ``chunk_bytes`` is the tree pipeline's chunk, ``segment_bytes`` the ring pipeline's segment
    (ring and hier); ``ranks_per_node`` groups members into nodes for hier.

    Raises:
        InvalidValue: unknown ``algo``.
        ValueError: non-contiguous tensor, or a caller outside ``ranks``.
    """
    import torch.distributed as dist

    if algo not in ALGORITHMS:
        raise InvalidValue("--algos", algo, f"one of {', '.join(ALGORITHMS)}")
    if not tensor.is_contiguous():
        raise ValueError("allreduce needs a contiguous tensor (call .contiguous() first)")
    ranks = list(range(dist.get_world_size())) if ranks is None else list(ranks)
    flat = tensor.view(-1)
    if algo == "ring":
        ring_allreduce(flat, ranks, segment_bytes)
    elif algo == "tree":
        dtree_allreduce(flat, ranks, chunk_bytes)
    elif algo == "btree":
        btree_allreduce(flat, ranks, chunk_bytes)
    elif algo == "rd":
        rd_allreduce(flat, ranks)
    elif algo == "rhd":
        rhd_allreduce(flat, ranks)
    elif algo == "hier":
        hier_allreduce(flat, ranks, ranks_per_node, segment_bytes=segment_bytes)
    else:
        _builtin(flat, ranks)

"""Process groups of a multi-dimensional parallel job from its rank order (Llama 3 §3.3.2).

``sizes`` maps each parallel dimension to its degree and ``order`` lists the dimensions from the
innermost (consecutive ranks) to the outermost, e.g. ``["tp", "cp", "pp", "dp"]``. Rank r has, in
dimension d, the coordinate (r // stride_d) % size_d, with stride_d the product of the sizes inside
d. The ranks that differ only in d form one group along d.
"""

from math import prod


def process_groups(sizes, order):
    """{dimension: [group, ...]}, each group a list of ranks in increasing coordinate order.

    Groups of one dimension are listed by their smallest rank. Raises ValueError on an unknown,
    missing or repeated dimension, or a degree below 1.
    """
    # KATA-BEGIN: validate, compute strides, then enumerate the groups of every dimension
    if len(set(order)) != len(order):
        raise ValueError(f"order {order!r} repeats a dimension")
    if set(order) != set(sizes):
        raise ValueError(f"order {order!r} must list exactly the dimensions of sizes {sorted(sizes)!r}")
    for dim, size in sizes.items():
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"{dim}={size!r}: a degree must be a whole number >= 1")
    world = prod(sizes.values())
    strides, stride = {}, 1
    for dim in order:
        strides[dim] = stride
        stride *= sizes[dim]
    groups = {}
    for dim in order:
        step, size = strides[dim], sizes[dim]
        starts = [r for r in range(world) if (r // step) % size == 0]
        groups[dim] = [[start + k * step for k in range(size)] for start in starts]
    return groups
    # KATA-END


def nodes_spanned(group, gpus_per_node):
    """How many servers the ranks of ``group`` occupy (ranks fill servers in order)."""
    # KATA-BEGIN: servers are consecutive blocks of gpus_per_node ranks
    if gpus_per_node < 1:
        raise ValueError(f"gpus_per_node={gpus_per_node!r}: must be >= 1")
    return len({rank // gpus_per_node for rank in group})
    # KATA-END


def is_rail_aligned(group, gpus_per_node):
    """True when every member has the same local index, so it sits on one rail (NIC i)."""
    # KATA-BEGIN: same rank % gpus_per_node for every member
    if gpus_per_node < 1:
        raise ValueError(f"gpus_per_node={gpus_per_node!r}: must be >= 1")
    return len({rank % gpus_per_node for rank in group}) == 1
    # KATA-END

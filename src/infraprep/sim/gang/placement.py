"""Where a gang's pods go: first-fit by node index, or topology-aware packing (fewest racks, then
fewest nodes). Both work on a copy of the free-GPU list and return one node per pod, or None when
not every pod fits (all-or-nothing)."""

from __future__ import annotations

from infraprep.sim.gang.cluster import Shape

__all__ = ["PLACERS", "first_fit", "pack"]


def first_fit(free: list[int], shape: Shape, pods: int, gpus: int) -> list[int] | None:
    """Each pod on the lowest-numbered node with room (what a topology-blind scheduler does)."""
    left, nodes = list(free), []
    for _ in range(pods):
        node = next((n for n, f in enumerate(left) if f >= gpus), None)
        if node is None:
            return None
        left[node] -= gpus
        nodes.append(node)
    return nodes


def pack(free: list[int], shape: Shape, pods: int, gpus: int) -> list[int] | None:
    """Topology-aware: one rack if any can hold the whole gang (the tightest such rack, best fit),
    else the fewest racks (largest first); inside a rack, nodes with the most room first, so the gang
    spans the fewest nodes (and their NVLink domains)."""
    per_node = shape.nodes_per_rack
    capacity = [f // gpus for f in free]  # pods each node can take
    racks = [(sum(capacity[r * per_node:(r + 1) * per_node]), r) for r in range(shape.racks)]
    if sum(c for c, _ in racks) < pods:
        return None
    fitting = [(c, r) for c, r in racks if c >= pods]
    chosen = [min(fitting)[1]] if fitting else [r for _, r in sorted(racks, key=lambda x: (-x[0], x[1]))]
    nodes: list[int] = []
    for rack in chosen:
        members = range(rack * per_node, (rack + 1) * per_node)
        for node in sorted(members, key=lambda n: (-capacity[n], n)):
            take = min(capacity[node], pods - len(nodes))
            nodes += [node] * take
            if len(nodes) == pods:
                return nodes
    return None  # unreachable: total capacity was checked above


PLACERS = {"first-fit": first_fit, "pack": pack}

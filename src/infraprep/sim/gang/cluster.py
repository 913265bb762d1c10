"""The cluster: racks of nodes of GPUs, and who holds which GPUs.

A node is the scale-up domain (its GPUs share NVLink); a rack groups nodes under one leaf switch.
Allocation is per pod: a pod takes ``gpus`` GPUs on one node. Invariant: 0 ≤ free[n] ≤ gpus_per_node,
and the GPUs held on a node equal the sum of its pods' GPUs (checked by :meth:`Cluster.check`).
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import InvalidValue

__all__ = ["Cluster", "Shape"]


@dataclass(frozen=True)
class Shape:
    racks: int = 4
    nodes_per_rack: int = 8
    gpus_per_node: int = 8

    def __post_init__(self) -> None:
        for name, value, high in (("--racks", self.racks, 1000), ("--nodes-per-rack", self.nodes_per_rack, 1000),
                                  ("--gpus-per-node", self.gpus_per_node, 64)):
            if not (isinstance(value, int) and 1 <= value <= high):
                raise InvalidValue(name, value, f"an integer between 1 and {high}")

    @property
    def nodes(self) -> int:
        return self.racks * self.nodes_per_rack

    @property
    def gpus(self) -> int:
        return self.nodes * self.gpus_per_node


class Cluster:
    """Free GPUs per node and the pods placed on them."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.free = [shape.gpus_per_node] * shape.nodes
        self.pods: dict[int, list[tuple[int, int]]] = {}  # job id → [(node, gpus)] per placed pod

    def rack_of(self, node: int) -> int:
        return node // self.shape.nodes_per_rack

    def place(self, job_id: int, node: int, gpus: int) -> None:
        if self.free[node] < gpus:
            raise RuntimeError(f"node {node} has {self.free[node]} free GPUs, pod needs {gpus}")
        self.free[node] -= gpus
        self.pods.setdefault(job_id, []).append((node, gpus))

    def release(self, job_id: int) -> None:
        for node, gpus in self.pods.pop(job_id, []):
            self.free[node] += gpus

    def placed(self, job_id: int) -> int:
        return len(self.pods.get(job_id, ()))

    @property
    def free_gpus(self) -> int:
        return sum(self.free)

    def fragmentation(self) -> float:
        """Share of the free GPUs stranded on partly used nodes (0 when nothing is free)."""
        free = self.free_gpus
        if not free:
            return 0.0
        full = self.shape.gpus_per_node
        return sum(f for f in self.free if 0 < f < full) / free

    def check(self) -> None:
        held = [0] * self.shape.nodes
        for placements in self.pods.values():
            for node, gpus in placements:
                held[node] += gpus
        for node, (f, h) in enumerate(zip(self.free, held, strict=True)):
            if f < 0 or f + h != self.shape.gpus_per_node:
                raise AssertionError(f"node {node}: free {f} + held {h} ≠ {self.shape.gpus_per_node}")

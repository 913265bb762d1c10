"""Storage for training: checkpoint size and I/O time, data-loader bandwidth, parallel file-system sizing.

Conventions (parameters with defaults):

* checkpoint bytes per parameter = ``weight_bytes`` (2: bf16 weights) + ``optimizer_bytes`` (12: Adam's
  fp32 master weights, momentum and variance — the K = 12 of Rajbhandari et al. 2020, ZeRO, §3.1) +
  ``grad_bytes`` (0: gradients are recomputed, not saved). 14 B/param by default;
* bandwidths are aggregate bytes/s across the whole job (decimal: 100 GB/s = 100e9 B/s);
* data-loader bandwidth = tokens/s × ``bytes_per_token`` (4: uint32 token ids; 2 suffices for a
  vocabulary of at most 65,536);
* a parallel file system is sized by bandwidth — enough servers of ``server_bandwidth`` to write one
  checkpoint within ``target_write_time`` while feeding the data loader — and, when
  ``server_capacity`` is given, by capacity for ``checkpoints_kept`` checkpoints; the larger count wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.calc.units import format_bandwidth, format_bytes, format_count, format_seconds
from infraprep.errors import InvalidValue

__all__ = ["StorageInputs", "StoragePlan", "storage_plan"]


def _positive(name: str, value: float | None, valid: str, allow_zero: bool = False) -> None:
    if value is None:
        return
    if (not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0
            or (value == 0 and not allow_zero)):
        raise InvalidValue(name, value, valid)


@dataclass(frozen=True)
class StorageInputs:
    """What to size; ``None`` leaves a part of the plan out."""

    params: float
    weight_bytes: float = 2.0
    optimizer_bytes: float = 12.0
    grad_bytes: float = 0.0
    write_bandwidth: float | None = None
    read_bandwidth: float | None = None
    tokens_per_second: float | None = None
    bytes_per_token: float = 4.0
    target_write_time: float | None = None
    server_bandwidth: float | None = None
    server_capacity: float | None = None
    checkpoints_kept: int = 1
    model: str = "custom"

    def __post_init__(self) -> None:
        _positive("--params", self.params, "a parameter count > 0 like 70B")
        for name, value in (("--weight-bytes", self.weight_bytes), ("--optimizer-bytes", self.optimizer_bytes),
                            ("--grad-bytes", self.grad_bytes)):
            _positive(name, value, "bytes per parameter ≥ 0", allow_zero=True)
        if self.weight_bytes + self.optimizer_bytes + self.grad_bytes <= 0:
            raise InvalidValue("--weight-bytes", self.weight_bytes, "a checkpoint of more than 0 bytes per parameter")
        _positive("--write-bw", self.write_bandwidth, "an aggregate bandwidth > 0")
        _positive("--read-bw", self.read_bandwidth, "an aggregate bandwidth > 0")
        _positive("--tokens-per-sec", self.tokens_per_second, "a token rate > 0")
        _positive("--bytes-per-token", self.bytes_per_token, "bytes per token > 0")
        _positive("--target-write-time", self.target_write_time, "a duration > 0")
        _positive("--server-bw", self.server_bandwidth, "a per-server bandwidth > 0")
        _positive("--server-capacity", self.server_capacity, "a per-server capacity > 0")
        if not isinstance(self.checkpoints_kept, int) or self.checkpoints_kept < 1:
            raise InvalidValue("--keep", self.checkpoints_kept, "a whole number of checkpoints ≥ 1")
        if self.server_bandwidth is None and self.server_capacity is not None:
            raise InvalidValue("--server-capacity", self.server_capacity, "given together with --server-bw")
        if self.server_bandwidth is not None and self.target_write_time is None and self.tokens_per_second is None:
            raise InvalidValue("--server-bw", self.server_bandwidth,
                               "given with --target-write-time and/or --tokens-per-sec (what the servers must sustain)")

    @property
    def bytes_per_param(self) -> float:
        return self.weight_bytes + self.optimizer_bytes + self.grad_bytes


@dataclass(frozen=True)
class StoragePlan:
    """The storage numbers of one :class:`StorageInputs`, in SI base units."""

    inputs: StorageInputs

    @property
    def checkpoint_bytes(self) -> float:
        return self.inputs.params * self.inputs.bytes_per_param

    def _time(self, bandwidth: float | None) -> float | None:
        return None if bandwidth is None else self.checkpoint_bytes / bandwidth

    @property
    def write_time(self) -> float | None:
        """At ``write_bandwidth``, or at the sized file system's bandwidth when only that is known."""
        if self.inputs.write_bandwidth is None and self.servers:
            return self.checkpoint_bytes / (self.servers * self.inputs.server_bandwidth)
        return self._time(self.inputs.write_bandwidth)

    @property
    def read_time(self) -> float | None:
        return self._time(self.inputs.read_bandwidth)

    @property
    def loader_bandwidth(self) -> float | None:
        i = self.inputs
        return None if i.tokens_per_second is None else i.tokens_per_second * i.bytes_per_token

    @property
    def required_write_bandwidth(self) -> float | None:
        t = self.inputs.target_write_time
        return None if t is None else self.checkpoint_bytes / t

    @property
    def required_bandwidth(self) -> float | None:
        """What the file system must sustain: the checkpoint burst and the loader, whichever is larger."""
        needs = [x for x in (self.required_write_bandwidth, self.loader_bandwidth) if x is not None]
        return max(needs) if needs else None

    @property
    def servers_for_bandwidth(self) -> int | None:
        i, need = self.inputs, self.required_bandwidth
        if i.server_bandwidth is None or need is None:
            return None
        return math.ceil(need / i.server_bandwidth - 1e-12)

    @property
    def servers_for_capacity(self) -> int | None:
        i = self.inputs
        if i.server_capacity is None:
            return None
        return math.ceil(i.checkpoints_kept * self.checkpoint_bytes / i.server_capacity - 1e-12)

    @property
    def servers(self) -> int | None:
        counts = [n for n in (self.servers_for_bandwidth, self.servers_for_capacity) if n is not None]
        return max(counts) if counts else None

    def to_dict(self) -> dict:
        i = self.inputs
        return {
            "model": i.model,
            "params": i.params,
            "bytes_per_param": i.bytes_per_param,
            "checkpoint_bytes": self.checkpoint_bytes,
            "write_time": self.write_time,
            "read_time": self.read_time,
            "loader_bandwidth": self.loader_bandwidth,
            "required_write_bandwidth": self.required_write_bandwidth,
            "required_bandwidth": self.required_bandwidth,
            "servers_for_bandwidth": self.servers_for_bandwidth,
            "servers_for_capacity": self.servers_for_capacity,
            "servers": self.servers,
            "conventions": {
                "bytes_per_param": {"weights": i.weight_bytes, "optimizer": i.optimizer_bytes, "grads": i.grad_bytes},
                "bytes_per_token": i.bytes_per_token,
                "bandwidth": "aggregate across the job, bytes/s (decimal)",
                "checkpoints_kept": i.checkpoints_kept,
            },
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [("parameters", format_count(self.inputs.params)),
                ("checkpoint", f"{format_bytes(self.checkpoint_bytes, binary=False)} "
                               f"({format_bytes(self.checkpoint_bytes)})")]
        for label, value, fmt in (
            ("write time", self.write_time, format_seconds),
            ("read time", self.read_time, format_seconds),
            ("data-loader bandwidth", self.loader_bandwidth, format_bandwidth),
            ("bandwidth to write within target", self.required_write_bandwidth, format_bandwidth),
            ("file-system servers", self.servers, lambda n: f"{n:,}"),
        ):
            if value is not None:
                rows.append((label, fmt(value)))
        return rows

    def explain(self) -> str:
        i = self.inputs
        size = self.checkpoint_bytes
        lines = [f"checkpoint = params·(weights + optimizer + grads) = {format_count(i.params)}·({i.weight_bytes:g} + "
                 f"{i.optimizer_bytes:g} + {i.grad_bytes:g}) B = {format_bytes(size, binary=False)}"]
        for verb, bandwidth in (("write", i.write_bandwidth), ("read", i.read_bandwidth)):
            if bandwidth is not None:
                lines.append(f"{verb} = {format_bytes(size, binary=False)} / {format_bandwidth(bandwidth)} = "
                             f"{format_seconds(size / bandwidth)}")
        if self.loader_bandwidth is not None:
            lines.append(f"loader = {format_count(i.tokens_per_second)} tokens/s · {i.bytes_per_token:g} B = "
                         f"{format_bandwidth(self.loader_bandwidth)}")
        if self.required_write_bandwidth is not None:
            lines.append(f"to write in {format_seconds(i.target_write_time)}: {format_bytes(size, binary=False)} / "
                         f"{format_seconds(i.target_write_time)} = {format_bandwidth(self.required_write_bandwidth)}")
        if self.servers_for_bandwidth is not None:
            lines.append(f"servers (bandwidth) = ⌈{format_bandwidth(self.required_bandwidth)} / "
                         f"{format_bandwidth(i.server_bandwidth)}⌉ = {self.servers_for_bandwidth}")
        if self.servers_for_capacity is not None:
            lines.append(f"servers (capacity) = ⌈{i.checkpoints_kept}·{format_bytes(size, binary=False)} / "
                         f"{format_bytes(i.server_capacity, binary=False)}⌉ = {self.servers_for_capacity}")
        if self.inputs.write_bandwidth is None and self.servers:
            lines.append(f"write at {self.servers} servers = {format_seconds(self.write_time)}")
        lines.append("source: bytes per parameter per Rajbhandari et al. 2020 (ZeRO) §3.1, K = 12 for Adam")
        return "\n".join(lines)


def storage_plan(inputs: StorageInputs) -> StoragePlan:
    """Checkpoint size, I/O times, loader bandwidth and file-system servers (module docstring)."""
    return StoragePlan(inputs)

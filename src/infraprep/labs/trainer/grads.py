"""Data parallelism: gradients summed over DP ranks in buckets, each launched while backward still runs.

As PyTorch DDP does (Li et al. 2020, "PyTorch Distributed", §3.2.3): parameters are grouped into
buckets in *reverse* forward order (roughly the order backward produces their gradients); a
post-accumulate-grad hook counts each parameter in, and the moment a bucket is complete its
gradients are flattened and an asynchronous all-reduce is started, overlapping with the rest of
backward. Buckets launch strictly in bucket order, so every DP rank issues the same collectives in
the same order. ``finish`` waits and copies the sums back into ``.grad``.

Only the last micro-batch's backward is *armed* (earlier ones only accumulate: DDP's ``no_sync``).
Volume: every local gradient once per step — an all-reduce of Ψ_local elements (ZeRO §7.1: 2Ψ
bytes-equivalents sent by a ring).
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["BucketedAllReduce"]


class BucketedAllReduce:
    def __init__(self, params: list[torch.nn.Parameter], meter: Any, group: Any, bucket_elements: int) -> None:
        self.meter, self.group = meter, group
        self.buckets: list[list[torch.nn.Parameter]] = [[]]
        size = 0
        for p in reversed(params):
            if size >= bucket_elements:
                self.buckets.append([])
                size = 0
            self.buckets[-1].append(p)
            size += p.numel()
        self._bucket_of = {id(p): i for i, bucket in enumerate(self.buckets) for p in bucket}
        self._hooks = [p.register_post_accumulate_grad_hook(self._ready) for p in params]
        self.armed = False
        self._ready_count = [0] * len(self.buckets)
        self._next = 0
        self._inflight: list[tuple[int, torch.Tensor, Any]] = []
        self.launched_during_backward = 0

    def arm(self) -> None:
        """The next backward pass is the step's last: launch buckets as they fill."""
        self.armed = True
        self._ready_count = [0] * len(self.buckets)
        self._next = 0
        self.launched_during_backward = 0

    def _ready(self, p: torch.Tensor) -> None:
        if not self.armed:
            return
        self._ready_count[self._bucket_of[id(p)]] += 1
        while self._next < len(self.buckets) and self._ready_count[self._next] == len(self.buckets[self._next]):
            self._launch(self._next)
            self.launched_during_backward += 1

    def _launch(self, i: int) -> None:
        for p in self.buckets[i]:
            if p.grad is None:  # not used this step: contributes zeros, as DDP's find_unused_parameters
                p.grad = torch.zeros_like(p)
        flat = torch.cat([p.grad.reshape(-1) for p in self.buckets[i]])
        self._inflight.append((i, flat, self.meter.all_reduce(flat, self.group, async_op=True)))
        self._next = i + 1

    def finish(self) -> None:
        """Wait for every bucket and write the summed gradients back."""
        while self._next < len(self.buckets):  # a bucket whose hooks did not all fire (unused parameters)
            self._launch(self._next)
        for i, flat, work in self._inflight:
            work.wait()
            offset = 0
            for p in self.buckets[i]:
                p.grad.copy_(flat[offset:offset + p.numel()].view_as(p.grad))
                offset += p.numel()
        self._inflight.clear()
        self.armed = False

    @property
    def bucket_sizes(self) -> list[int]:
        return [sum(p.numel() for p in b) for b in self.buckets]

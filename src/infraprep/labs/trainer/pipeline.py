"""Run one step's pipeline schedule on one stage: micro-batches in, activations and gradients over send/recv.

Stage ``s`` receives its input activation from ``s − 1`` (a blocking recv) and sends its output to
``s + 1`` with a non-blocking send; backward mirrors it with gradients. All sends are non-blocking
and every receive's matching send is issued before the sender can block, so neither schedule can
deadlock (``schedule.timeline`` checks the op orders). A boundary tensor is ``(s/t if SP else s) ·
b · h`` fp32 elements (Narayanan et al. 2021 §3.2).

Measured per step: wall time blocked in ``recv`` (waiting for a neighbour), wall time computing,
the step's start and end and each op's start and end (``time.time()``, so ranks can be lined up:
every stage enters the step after a barrier of its pipeline), and the most micro-batches stashed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.data import micro_batch
from infraprep.labs.trainer.schedule import schedule

__all__ = ["PipelineRunner"]


class PipelineRunner:
    def __init__(self, config: TrainConfig, model: Any, groups: Any, meter: Any, device: Any) -> None:
        self.config, self.model, self.groups, self.meter, self.device = config, model, groups, meter, device
        self.stage = groups.coords.pp
        self.first, self.last = self.stage == 0, self.stage == config.pp - 1
        self.ops = schedule(config.schedule, config.pp, self.stage, config.micro_batches)
        self.shape = (config.local_seq, config.micro_batch_size, config.model.hidden)
        # CUDA runs asynchronously: wait for the device before reading the clock, or the times
        # would be those of launching kernels, not of running them
        self._sync = torch.cuda.synchronize if torch.device(device).type == "cuda" else (lambda: None)

    def _recv(self, src_stage: int, stats: dict) -> torch.Tensor:
        x = torch.empty(self.shape, device=self.device)
        t0 = time.perf_counter()
        self.meter.recv(x, self.groups.peer(src_stage), "pp")
        self._sync()
        stats["recv_wait_s"] += time.perf_counter() - t0
        return x

    def _computed(self, stats: dict, kind: str, i: int, t0: float) -> None:
        self._sync()
        t1 = time.time()
        stats["compute_s"] += t1 - t0
        stats["ops"].append((kind, i, t0, t1))

    def run_step(self, tokens: torch.Tensor, before_last_backward: Callable[[], None] | None = None) -> dict:
        """Forward and backward of all micro-batches; gradients accumulate in ``.grad``.

        Returns the stage's summed loss (last stage; 0 elsewhere) and the step's measurements.
        """
        stats = {"recv_wait_s": 0.0, "compute_s": 0.0, "loss": 0.0, "peak_in_flight": 0, "start": time.time(), "ops": []}
        stash: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        sends: list[tuple[Any, torch.Tensor]] = []
        dp_rank = self.groups.coords.dp
        for n, (kind, i) in enumerate(self.ops):
            if kind == "F":
                inputs, targets = micro_batch(tokens, self.config, dp_rank, i)
                x = inputs.to(self.device) if self.first else self._recv(self.stage - 1, stats).requires_grad_()
                t0 = time.time()
                out = self.model.forward(x, targets.to(self.device) if self.last else None)
                self._computed(stats, kind, i, t0)
                stash[i] = (x, out)
                stats["peak_in_flight"] = max(stats["peak_in_flight"], len(stash))
                if self.last:
                    stats["loss"] += out.item()
                else:
                    payload = out.detach().contiguous()
                    sends.append((self.meter.isend(payload, self.groups.peer(self.stage + 1), "pp"), payload))
            else:
                x, out = stash.pop(i)
                grad = None if self.last else self._recv(self.stage + 1, stats)
                if n == len(self.ops) - 1 and before_last_backward is not None:
                    before_last_backward()
                t0 = time.time()
                out.backward(grad)
                self._computed(stats, kind, i, t0)
                if not self.first:
                    payload = x.grad.contiguous()
                    sends.append((self.meter.isend(payload, self.groups.peer(self.stage - 1), "pp"), payload))
        for work, _payload in sends:
            work.wait()
        stats["end"] = time.time()
        return stats

"""One rank's training run: build its slice of the model, train, measure, report.

Every rank starts from the same full initial weights (drawn from the seed) and keeps its TP slice of
its pipeline stage; what it returns is plain data (lists, dicts, CPU tensors) for the launcher to
assemble. Gradient synchronisation per ZeRO stage:

    zero 0   bucketed all-reduce over DP, overlapped with the last micro-batch's backward (grads.py)
    zero 1   reduce-scatter of the flat gradients, Adam on my slice, all-gather (zero1.py)
    zero 3   per unit and micro-batch: all-gather (forward), all-gather + reduce-scatter (backward) (zero3.py)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.data import global_batch
from infraprep.labs.trainer.grads import BucketedAllReduce
from infraprep.labs.trainer.layout import Groups
from infraprep.labs.trainer.memory import account
from infraprep.labs.trainer.meter import CommMeter
from infraprep.labs.trainer.model import ResidentParams, StageModel, stage_units
from infraprep.labs.trainer.params import init_full_params, shard
from infraprep.labs.trainer.pipeline import PipelineRunner
from infraprep.labs.trainer.tp import TPComm
from infraprep.labs.trainer.zero1 import FlatParams, Zero1Optimizer
from infraprep.labs.trainer.zero3 import ShardedParams

__all__ = ["train_rank"]


def _barrier(group: Any) -> None:
    """Line the stages up before a step (timing only: not training traffic, not metered)."""
    if group.size > 1:
        import torch.distributed as dist

        dist.barrier(group=group.handle)


def train_rank(config: TrainConfig, groups: Groups, device: Any = "cpu",
               on_step: Callable[[int, float], None] | None = None, keep_params: bool = True) -> dict:
    c = groups.coords
    meter = CommMeter()
    units = stage_units(config, c.pp)
    full = init_full_params(config.model, config.seed)
    local = {s.name: shard(full[s.name], s, c.tp, config.tp).to(device) for specs in units.values() for s in specs}
    del full
    bucketer, flat, optimizer = None, None, None
    if config.zero == 3:
        store = ShardedParams(units, local, meter, groups.dp)
        params = store.parameters()
        optimizer = torch.optim.Adam(params, lr=config.lr)
    elif config.zero == 1:
        flat = FlatParams(local, groups.dp.size)
        store = ResidentParams(flat.params)
        params = list(flat.params.values())
        optimizer = Zero1Optimizer(flat, meter, groups.dp, config.lr)
    else:
        resident = {name: torch.nn.Parameter(t) for name, t in local.items()}
        store = ResidentParams(resident)
        params = list(resident.values())
        optimizer = torch.optim.Adam(params, lr=config.lr)
        if groups.dp.size > 1:
            bucketer = BucketedAllReduce(params, meter, groups.dp, config.bucket_elements)
    model = StageModel(config, c.pp, TPComm(meter, groups.tp), store)
    runner = PipelineRunner(config, model, groups, meter, device)

    losses, steps, per_step_comm, memory, buckets = [], [], None, None, None
    for step in range(config.steps):
        tokens = global_batch(config, step)
        _barrier(groups.pp)
        stats = runner.run_step(tokens, bucketer.arm if bucketer else None)
        t0 = time.perf_counter()
        if bucketer:
            bucketer.finish()
            buckets = {"sizes": bucketer.bucket_sizes, "launched_during_backward": bucketer.launched_during_backward}
        optimizer.step()
        stats["update_s"] = time.perf_counter() - t0
        if step == 0:
            adam = optimizer.optimizer if config.zero == 1 else optimizer
            memory = account(params, adam, flat.flat if flat is not None else None)
            per_step_comm = meter.report()
        optimizer.zero_grad(set_to_none=True)
        losses.append(stats.pop("loss"))
        steps.append(stats)
        if on_step is not None:
            on_step(step, losses[-1])

    result = {
        "rank": groups.rank, "coords": list(c), "losses": losses, "steps": steps,
        "comm_per_step": per_step_comm, "comm_total": meter.report(), "memory": memory, "buckets": buckets,
        "peak_in_flight": max(s["peak_in_flight"] for s in steps),
    }
    if keep_params:
        with meter.paused():
            final = store.full_local() if config.zero == 3 else {n: p.detach() for n, p in store.params.items()}
        result["params"] = {n: t.detach().cpu().clone() for n, t in final.items()} if c.dp == 0 else {}
    return result

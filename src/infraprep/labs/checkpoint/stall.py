"""Training-step stall of synchronous vs asynchronous checkpoint saves, measured side by side.

Each repeat trains the same job twice — sync saves, then async saves — at one local-disk checkpoint
every ``every`` steps, and records the time the training loop was blocked per save (sync: serialize +
write + fsync + rename; async: the snapshot copy into CPU memory, plus any wait for the previous write).
Repeats alternate the two modes so machine noise hits both; the result keeps the best (lowest) mean
stall per mode over the repeats and reports async ÷ sync.
"""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from infraprep.labs.checkpoint.levels import CheckpointConfig, LevelConfig, MultiLevelCheckpointer, serialize
from infraprep.labs.checkpoint.model import Job, ModelConfig

__all__ = ["measure_stalls"]


def _one(root: Path, model: ModelConfig, mode: str, steps: int, every: int) -> dict:
    config = CheckpointConfig(memory=LevelConfig(0), local=LevelConfig(every, keep=2), remote=LevelConfig(0),
                              mode=mode)
    shutil.rmtree(root, ignore_errors=True)
    job = Job(model)
    ckpt = MultiLevelCheckpointer(root, config)
    compute, stalls = [], []
    try:
        for _ in range(steps):
            start = time.perf_counter()
            job.train_step()
            compute.append(time.perf_counter() - start)
            if job.step % every == 0:
                stalls.append(ckpt.after_step(job.step, job.state()))
        ckpt.flush()
    finally:
        ckpt.close()
    return {"mean_stall_s": statistics.fmean(stalls), "saves": len(stalls), "median_step_s": statistics.median(compute)}


def measure_stalls(root: str | Path, model: ModelConfig, steps: int = 60, every: int = 20, repeats: int = 3,
                   progress: Callable[[int], None] | None = None) -> dict:
    """Best-of-``repeats`` mean stall per save for sync and async, their ratio, and the state size."""
    tick = progress or (lambda n=1: None)
    root = Path(root)
    runs: dict[str, list[dict]] = {"sync": [], "async": []}
    for i in range(repeats):
        for mode in ("sync", "async") if i % 2 == 0 else ("async", "sync"):
            runs[mode].append(_one(root / f"{mode}-{i}", model, mode, steps, every))
            tick(1)
    best = {mode: min(r, key=lambda x: x["mean_stall_s"]) for mode, r in runs.items()}
    size = len(serialize(Job(model).state()))
    shutil.rmtree(root, ignore_errors=True)
    return {
        "state_bytes": size,
        "parameters": model.parameters,
        "sync_stall_s": best["sync"]["mean_stall_s"],
        "async_stall_s": best["async"]["mean_stall_s"],
        "async_to_sync_ratio": best["async"]["mean_stall_s"] / best["sync"]["mean_stall_s"],
        "median_step_s": {"sync": best["sync"]["median_step_s"], "async": best["async"]["median_step_s"]},
        "saves_per_run": best["sync"]["saves"],
        "repeats": repeats,
        "every": every,
    }

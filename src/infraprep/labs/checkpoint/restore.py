"""Restore: the newest complete, verified checkpoint across all levels.

Candidates are level-0 snapshots still in memory (same process only) and every committed checkpoint
of levels 1 and 2; they are tried newest step first, the faster level first on a tie. A disk
checkpoint must pass its manifest's size and SHA-256 check and must load, and the state inside must
carry the manifest's step; a candidate that fails is recorded and skipped, never fatal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from infraprep.labs.checkpoint.levels import MultiLevelCheckpointer

__all__ = ["Restored", "restore_latest"]


@dataclass
class Restored:
    """What restore chose (``level`` None: nothing to restore, training starts from step 0)."""

    step: int = 0
    level: int | None = None
    state: dict | None = None
    skipped: list[dict] = field(default_factory=list)


def _load(data: bytes) -> dict:
    import torch

    return torch.load(io.BytesIO(data), weights_only=True)


def restore_latest(checkpointer: MultiLevelCheckpointer, use_memory: bool = True) -> Restored:
    """The newest checkpoint that verifies (see the module docstring)."""
    candidates = []
    if use_memory:
        candidates += [(step, 0, snap) for step, snap in checkpointer.memory]
    for level, store in checkpointer.stores.items():
        candidates += [(c.step, level, c) for c in store.committed()]
    candidates.sort(key=lambda c: (-c[0], c[1]))
    skipped = []
    for step, level, item in candidates:
        if level == 0:
            return Restored(step, 0, item, skipped)
        data = checkpointer.stores[level].verify(item)
        if data is None:
            skipped.append({"level": level, "step": step, "reason": "checksum or size mismatch"})
            continue
        try:
            state = _load(data)
        except Exception as exc:  # a checksummed file that still does not load: skip, say why
            skipped.append({"level": level, "step": step, "reason": f"does not load: {type(exc).__name__}"})
            continue
        if int(state.get("step", -1)) != step:
            skipped.append({"level": level, "step": step, "reason": "state step differs from manifest"})
            continue
        return Restored(step, level, state, skipped)
    return Restored(skipped=skipped)

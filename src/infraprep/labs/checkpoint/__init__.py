"""Crash-safe multi-level checkpointing on a real torch training loop (round 6 lab).

Levels: 0 = snapshot in CPU memory, 1 = local disk (async), 2 = "remote" directory with a bandwidth
limit; atomic commits with checksummed manifests; restore picks the newest verified checkpoint across
levels. Drills: SIGKILL at random moments (:mod:`.faults`), corruption and soft faults (:mod:`.drills`),
sync vs async stall (:mod:`.stall`). torch is imported inside functions only.
"""

from infraprep.labs.checkpoint.levels import CheckpointConfig, LevelConfig, MultiLevelCheckpointer
from infraprep.labs.checkpoint.model import Job, ModelConfig, params_digest
from infraprep.labs.checkpoint.restore import Restored, restore_latest
from infraprep.labs.checkpoint.store import CRASH_POINTS, Checkpoint, LevelStore
from infraprep.labs.checkpoint.trainer import RunConfig, read_events, run

__all__ = [
    "CRASH_POINTS",
    "Checkpoint",
    "CheckpointConfig",
    "Job",
    "LevelConfig",
    "LevelStore",
    "ModelConfig",
    "MultiLevelCheckpointer",
    "Restored",
    "RunConfig",
    "params_digest",
    "read_events",
    "restore_latest",
    "run",
]

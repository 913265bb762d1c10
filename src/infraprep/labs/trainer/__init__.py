"""A 3D-parallel mini-trainer on torch.distributed (round 3): DP with bucketed all-reduce, ZeRO-1 and
ZeRO-3, Megatron TP with sequence parallelism, GPipe and 1F1B pipelines — every collective metered.

Light to import: only the configuration is loaded here; the engine modules import torch and are
imported by path (``from infraprep.labs.trainer.launch import run_local``).
"""

from infraprep.labs.trainer.config import ModelShape, TrainConfig

__all__ = ["ModelShape", "TrainConfig"]

"""Import every diagram module (each registers itself) and return the registry."""

from __future__ import annotations

from infraprep.diagrams import DIAGRAMS, Diagram

_MODULES = ("roofline", "flash_attention", "pipeline_schedules", "gang_deadlock", "checkpoint_hierarchy", "kv_block_tables",
            "serving_curves", "fat_tree_rail", "ring_allreduce", "double_binary_tree", "pfc_cycle")


def load() -> dict[str, Diagram]:
    import importlib

    for module in _MODULES:
        importlib.import_module(f"infraprep.diagrams.{module}")
    return DIAGRAMS

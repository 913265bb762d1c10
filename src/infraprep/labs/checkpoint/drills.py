"""In-process drills: a corrupted checkpoint is skipped by checksum; a soft fault rolls back to the
level-0 memory snapshot. Both check the restored state against an uninterrupted run's digests."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from infraprep.labs.checkpoint.levels import MultiLevelCheckpointer
from infraprep.labs.checkpoint.model import params_digest
from infraprep.labs.checkpoint.restore import restore_latest
from infraprep.labs.checkpoint.trainer import RunConfig, read_events, run

__all__ = ["corruption_drill", "reference_digests", "soft_fault_drill"]


def reference_digests(root: str | Path, base: RunConfig) -> dict[int, str]:
    """Run ``base`` uninterrupted in ``root`` and return step → parameter digest."""
    shutil.rmtree(root, ignore_errors=True)
    run(replace(base, root=str(root), log_digests=True, crash=None, soft_faults=()))
    return {e["step"]: e["digest"] for e in read_events(root) if e["event"] == "step"}


def corruption_drill(root: str | Path, base: RunConfig, digests: dict[int, str]) -> dict:
    """Train, flip one byte in the newest local checkpoint, restore: the bad file must be skipped."""
    root = Path(root)
    shutil.rmtree(root, ignore_errors=True)
    run(replace(base, root=str(root), crash=None, soft_faults=()))
    ckpt = MultiLevelCheckpointer(root, base.checkpoint)
    newest = ckpt.stores[1].committed()[0]
    data = bytearray(newest.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    newest.path.write_bytes(bytes(data))
    found = restore_latest(ckpt, use_memory=False)
    digest = params_digest(found.state["model"]) if found.state is not None else None
    return {
        "corrupted_step": newest.step,
        "skipped": found.skipped,
        "restored_step": found.step,
        "restored_level": found.level,
        "consistent": digest is not None and digest == digests.get(found.step),
    }


def soft_fault_drill(root: str | Path, base: RunConfig, faults: tuple[int, ...], final_digest: str) -> dict:
    """Inject in-process faults at ``faults`` steps: each rolls back to the newest snapshot (level 0)."""
    shutil.rmtree(root, ignore_errors=True)
    done = run(replace(base, root=str(root), crash=None, soft_faults=faults))
    rollbacks = [e for e in read_events(root) if e["event"] == "restore" and e["reason"] == "soft fault"]
    return {
        "faults": len(faults),
        "rollbacks": len(rollbacks),
        "levels": sorted({e["level"] for e in rollbacks}),
        "identical": done["digest"] == final_digest,
    }

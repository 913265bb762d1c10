"""The trainer process: restore the newest verified checkpoint, train to ``steps``, checkpointing at
every level as configured, and log what happened to ``events.jsonl`` (one ``os.write`` per line, so
a SIGKILL never leaves half a line).

Events: ``{"event": "clean", "tmp", "orphans"}`` first, when a crash left interrupted writes behind
(logged at once, so a kill during the restore that follows cannot lose the count);
``{"event": "restore", "step", "level", "digest", "skipped"}`` at start and after each soft fault;
``{"event": "step", "step", "digest"}`` per step when ``log_digests`` (the reference run);
``{"event": "done", "step", "digest", "stalls", "saves", "skipped_saves", "seconds"}`` at the end,
after the final state is committed to level 1.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from infraprep.labs.checkpoint.levels import CheckpointConfig, MultiLevelCheckpointer, serialize, snapshot
from infraprep.labs.checkpoint.model import Job, ModelConfig
from infraprep.labs.checkpoint.restore import restore_latest

__all__ = ["RunConfig", "SoftFault", "read_events", "run"]


class SoftFault(RuntimeError):
    """An in-process fault (think NaN loss or a recoverable ECC error): roll back, don't die."""


@dataclass(frozen=True)
class RunConfig:
    root: str
    steps: int
    model: ModelConfig = field(default_factory=ModelConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)
    log_digests: bool = False
    crash: tuple[str, int] | None = None  # (crash point, n-th level-1 commit of this process)
    soft_faults: tuple[int, ...] = ()  # steps whose update raises SoftFault once in this process


def _append(path: Path, record: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
    finally:
        os.close(fd)


def read_events(root: str | Path) -> list[dict]:
    path = Path(root) / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _self_kill_at(n: int):
    calls = itertools.count(1)

    def hit() -> None:
        if next(calls) == n:
            os.kill(os.getpid(), signal.SIGKILL)

    return hit


def run(config: RunConfig) -> dict:
    """Train to ``config.steps`` from wherever the checkpoints say; returns the ``done`` event."""
    started = time.perf_counter()
    root = Path(config.root)
    root.mkdir(parents=True, exist_ok=True)
    events = root / "events.jsonl"
    crash = (config.crash[0], _self_kill_at(config.crash[1])) if config.crash else None
    ckpt = MultiLevelCheckpointer(root, config.checkpoint, crash)
    cleaned = ckpt.clean()
    if cleaned["tmp"] or cleaned["orphans"]:
        _append(events, {"event": "clean", **cleaned})
    job = Job(config.model)

    def restore(reason: str) -> None:
        found = restore_latest(ckpt)
        if found.state is not None:
            job.load(found.state)
        else:  # nothing usable: start over from the seed's initial state
            job.__init__(config.model)
        _append(events, {"event": "restore", "reason": reason, "step": job.step, "level": found.level,
                         "digest": job.digest(), "skipped": found.skipped})

    restore("start")
    if config.log_digests and job.step == 0:
        _append(events, {"event": "step", "step": 0, "digest": job.digest()})
    pending_faults = set(config.soft_faults)
    try:
        while job.step < config.steps:
            if job.step + 1 in pending_faults:
                pending_faults.discard(job.step + 1)
                try:
                    raise SoftFault(f"injected at step {job.step + 1}")
                except SoftFault:
                    restore("soft fault")
                    continue
            job.train_step()
            if config.log_digests:
                _append(events, {"event": "step", "step": job.step, "digest": job.digest()})
            ckpt.after_step(job.step, job.state())
        ckpt.flush()
        final = {c.step for c in ckpt.stores[1].committed()}
        if job.step not in final:  # make the final state durable, whatever the frequency
            ckpt.stores[1].commit(job.step, serialize(snapshot(job.state())))
    finally:
        ckpt.close()
    done = {"event": "done", "step": job.step, "digest": job.digest(), "stalls": ckpt.stalls,
            "saves": ckpt.saves, "skipped_saves": ckpt.skipped, "seconds": time.perf_counter() - started}
    _append(events, done)
    return done

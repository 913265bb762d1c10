"""Multi-level checkpointing: level 0 in CPU memory, level 1 local disk, level 2 "remote" storage.

Each level has its own frequency (every k steps) and retention (keep n); levels 1 and 2 are written
synchronously (the training loop waits for serialize + write + fsync) or asynchronously (the loop
waits only for the snapshot — a copy of the state into CPU memory — and a background thread per
level serializes and commits it: CheckFreq's snapshot()/persist() split, FAST '21 §4.3.1)::

    step k ──► snapshot (clone to CPU) ──► level 0 ring buffer (keep n₀)
                    │
                    ├──► level-1 writer thread ─► LevelStore(local/)   commit: tmp, fsync, rename, manifest
                    └──► level-2 writer thread ─► LevelStore(remote/)  same, throttled to the bandwidth

When a level's writer is still busy with the previous checkpoint, the level's ``when_busy`` policy
decides: ``"wait"`` (back-pressure: the stall is counted) or ``"skip"`` (the save is dropped and
counted). Level 0 lives in the trainer's memory: it serves in-process recovery (a soft fault such as a
NaN) and is lost with the process; after a crash, restore uses levels 1 and 2.
"""

from __future__ import annotations

import io
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from infraprep.errors import InvalidValue
from infraprep.labs.checkpoint.store import LevelStore

__all__ = ["CheckpointConfig", "LevelConfig", "MultiLevelCheckpointer", "serialize", "snapshot"]

MODES = ("sync", "async")


@dataclass(frozen=True)
class LevelConfig:
    every: int  # steps between saves; 0 disables the level
    keep: int = 2
    bandwidth: float | None = None  # bytes/s; None = as fast as the disk goes
    when_busy: str = "wait"

    def validate(self, level: int) -> None:
        if self.every < 0 or self.keep < 1:
            raise InvalidValue(f"level {level}", f"every={self.every}, keep={self.keep}", "every ≥ 0 and keep ≥ 1")
        if self.bandwidth is not None and not self.bandwidth > 0:
            raise InvalidValue(f"level {level} bandwidth", self.bandwidth, "bytes/s > 0")
        if self.when_busy not in ("wait", "skip"):
            raise InvalidValue(f"level {level} when_busy", self.when_busy, "wait or skip")


@dataclass(frozen=True)
class CheckpointConfig:
    """Per-level frequency, retention and bandwidth, and the sync/async mode of the disk levels."""

    memory: LevelConfig = field(default_factory=lambda: LevelConfig(every=1, keep=2))
    local: LevelConfig = field(default_factory=lambda: LevelConfig(every=10, keep=3))
    remote: LevelConfig = field(default_factory=lambda: LevelConfig(every=50, keep=2, bandwidth=2e6,
                                                                    when_busy="skip"))
    mode: str = "async"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidValue("--mode", self.mode, " or ".join(MODES))
        for level, cfg in enumerate((self.memory, self.local, self.remote)):
            cfg.validate(level)


def snapshot(obj):
    """A deep copy of a state dict with every tensor copied into CPU memory (the level-0 snapshot)."""
    import torch

    if isinstance(obj, torch.Tensor):
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, dict):
        return {k: snapshot(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(snapshot(v) for v in obj)
    return obj


def serialize(state) -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


class _Writer:
    """One background thread committing the latest submitted snapshot of one level."""

    def __init__(self, store: LevelStore) -> None:
        self.store = store
        self._cv = threading.Condition()
        self._job: tuple[int, object] | None = None
        self._busy = False
        self._stop = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name=f"ckpt-level{store.level}", daemon=True)
        self._thread.start()

    def busy(self) -> bool:
        with self._cv:
            return self._busy or self._job is not None

    def submit(self, step: int, state) -> None:
        """Hand over a snapshot; waits while the previous one is still being written."""
        with self._cv:
            while self._busy or self._job is not None:
                self._cv.wait()
            self._job = (step, state)
            self._cv.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cv:
                while self._job is None and not self._stop:
                    self._cv.wait()
                if self._job is None:
                    return
                (step, state), self._job, self._busy = self._job, None, True
            try:
                self.store.commit(step, serialize(state))
            except BaseException as exc:  # surfaced by flush(); the trainer fails loudly
                self.error = exc
            with self._cv:
                self._busy = False
                self._cv.notify_all()

    def flush(self) -> None:
        with self._cv:
            while self._busy or self._job is not None:
                self._cv.wait()
        if self.error:
            raise self.error

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._thread.join()


class MultiLevelCheckpointer:
    """Saves after each step as the levels' frequencies say; records the stall of every save call."""

    def __init__(self, root: str | Path, config: CheckpointConfig, crash=None) -> None:
        root = Path(root)
        self.config = config
        self.memory: deque[tuple[int, dict]] = deque(maxlen=config.memory.keep)
        self.stores = {1: LevelStore(root / "local", 1, config.local.keep, config.local.bandwidth, crash),
                       2: LevelStore(root / "remote", 2, config.remote.keep, config.remote.bandwidth)}
        self.levels = {1: config.local, 2: config.remote}
        self._writers: dict[int, _Writer] = {}
        self.stalls: list[float] = []
        self.saves = {0: 0, 1: 0, 2: 0}
        self.skipped = {1: 0, 2: 0}

    def clean(self) -> dict:
        """Remove crash leftovers in every disk level (call before any writer starts)."""
        counts = [store.clean() for store in self.stores.values()]
        return {"tmp": sum(c["tmp"] for c in counts), "orphans": sum(c["orphans"] for c in counts)}

    def _writer(self, level: int) -> _Writer:
        if level not in self._writers:
            self._writers[level] = _Writer(self.stores[level])
        return self._writers[level]

    def after_step(self, step: int, state: dict) -> float:
        """Checkpoint ``state`` (the live state after ``step`` updates) at the levels that are due;
        returns the seconds the caller was blocked (0.0 when nothing was due)."""
        memory_due = self.config.memory.every and step % self.config.memory.every == 0
        due = [lvl for lvl, cfg in self.levels.items() if cfg.every and step % cfg.every == 0]
        if not (memory_due or due):
            return 0.0
        start = time.perf_counter()
        snap = snapshot(state)
        if memory_due:
            self.memory.append((step, snap))
            self.saves[0] += 1
        for level in due:
            if self.config.mode == "sync":
                self.stores[level].commit(step, serialize(snap))
            else:
                writer = self._writer(level)
                if self.levels[level].when_busy == "skip" and writer.busy():
                    self.skipped[level] += 1
                    continue
                writer.submit(step, snap)
            self.saves[level] += 1
        stall = time.perf_counter() - start
        self.stalls.append(stall)
        return stall

    def flush(self) -> None:
        """Wait until every submitted checkpoint is committed (re-raises a writer's error)."""
        for writer in self._writers.values():
            writer.flush()

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

"""One checkpoint level on disk: atomic commits with a checksummed manifest, verification, retention.

Commit protocol (a checkpoint exists only once step 4 is durable)::

    1. write  ckpt-00000120.pt.tmp     (chunked; throttled to the level's bandwidth)   + fsync
    2. rename ckpt-00000120.pt.tmp  →  ckpt-00000120.pt
    3. write  ckpt-00000120.json.tmp   {"step", "file", "bytes", "sha256"}             + fsync
    4. rename ckpt-00000120.json.tmp → ckpt-00000120.json,  fsync the directory

rename() is atomic on POSIX, so a crash at any point leaves either no manifest (the data file is an
orphan, ignored and later removed) or a manifest that names a complete, fsynced data file. A manifest
whose checksum does not match its data (bit rot, a torn copy, a bad disk) is rejected by
:meth:`LevelStore.verify` and restore moves on to the next candidate. Retention deletes the manifest
first (un-commit), then the data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CRASH_POINTS", "Checkpoint", "LevelStore"]

_NAME = re.compile(r"ckpt-(\d{8})\.json$")
CRASH_POINTS = ("data-partial", "data-before-rename", "manifest-before-rename")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Checkpoint:
    """A committed checkpoint as its manifest describes it."""

    level: int
    step: int
    path: Path
    sha256: str
    size: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LevelStore:
    """The checkpoints of one level in ``root``. ``bandwidth`` (bytes/s) throttles writes (the
    "remote" level); ``keep`` is the retention; ``crash`` is a test hook: ``(point, callback)`` called
    at that point of the commit protocol (the fault-injection harness passes a self-SIGKILL)."""

    def __init__(self, root: str | Path, level: int, keep: int = 2, bandwidth: float | None = None,
                 crash: tuple[str, Callable[[], None]] | None = None) -> None:
        self.root, self.level, self.keep, self.bandwidth, self.crash = Path(root), level, keep, bandwidth, crash
        self.root.mkdir(parents=True, exist_ok=True)

    def _at(self, point: str) -> None:
        if self.crash and self.crash[0] == point:
            self.crash[1]()

    def _write(self, path: Path, data: bytes, partial_point: str | None = None) -> None:
        """Write ``data`` in chunks (sleeping to honour ``bandwidth``), then fsync. ``partial_point``
        fires with exactly the first half of the bytes written and flushed."""
        start = time.perf_counter()
        half = len(data) // 2
        with open(path, "wb") as f:
            for offset in range(0, max(len(data), 1), _CHUNK):
                piece = data[offset:offset + _CHUNK]
                if partial_point and offset <= half < offset + _CHUNK:
                    f.write(piece[:half - offset])
                    f.flush()
                    self._at(partial_point)
                    piece = piece[half - offset:]
                f.write(piece)
                if self.bandwidth:  # sleep until the bytes so far fit the bandwidth
                    ahead = min(offset + _CHUNK, len(data)) / self.bandwidth - (time.perf_counter() - start)
                    if ahead > 0:
                        time.sleep(ahead)
            f.flush()
            os.fsync(f.fileno())

    def commit(self, step: int, data: bytes) -> Checkpoint:
        """Durably store ``data`` as the checkpoint of ``step`` (protocol in the module docstring)."""
        stem = self.root / f"ckpt-{step:08d}"
        data_path, manifest_path = stem.with_suffix(".pt"), stem.with_suffix(".json")
        tmp = data_path.with_name(data_path.name + ".tmp")
        self._write(tmp, data, partial_point="data-partial")
        self._at("data-before-rename")
        os.replace(tmp, data_path)
        digest = hashlib.sha256(data).hexdigest()
        manifest = {"step": step, "level": self.level, "file": data_path.name, "bytes": len(data), "sha256": digest}
        mtmp = manifest_path.with_name(manifest_path.name + ".tmp")
        with open(mtmp, "w", encoding="utf-8") as f:
            json.dump(manifest, f)
            f.flush()
            os.fsync(f.fileno())
        self._at("manifest-before-rename")
        os.replace(mtmp, manifest_path)
        _fsync_dir(self.root)
        self._retain()
        return Checkpoint(self.level, step, data_path, digest, len(data))

    def committed(self) -> list[Checkpoint]:
        """Checkpoints with a readable manifest, newest first (not yet verified)."""
        found = []
        for path in self.root.glob("ckpt-*.json"):
            if not _NAME.fullmatch(path.name):
                continue
            try:
                m = json.loads(path.read_text(encoding="utf-8"))
                found.append(Checkpoint(self.level, int(m["step"]), self.root / m["file"], str(m["sha256"]),
                                        int(m["bytes"])))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # an unreadable manifest commits nothing
        return sorted(found, key=lambda c: c.step, reverse=True)

    def verify(self, checkpoint: Checkpoint) -> bytes | None:
        """The data if its size and SHA-256 match the manifest, else None."""
        try:
            data = checkpoint.path.read_bytes()
        except OSError:
            return None
        if len(data) != checkpoint.size or hashlib.sha256(data).hexdigest() != checkpoint.sha256:
            return None
        return data

    def clean(self) -> dict:
        """Remove what crashes left behind: ``*.tmp`` files and data files without a manifest."""
        tmp = list(self.root.glob("*.tmp"))
        named = {c.path.name for c in self.committed()}
        orphans = [p for p in self.root.glob("ckpt-*.pt") if p.name not in named]
        for path in tmp + orphans:
            path.unlink(missing_ok=True)
        return {"tmp": len(tmp), "orphans": len(orphans)}

    def _retain(self) -> None:
        for old in self.committed()[self.keep:]:
            (self.root / f"ckpt-{old.step:08d}.json").unlink(missing_ok=True)  # un-commit first
            old.path.unlink(missing_ok=True)

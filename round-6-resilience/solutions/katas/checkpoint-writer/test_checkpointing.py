import math
import os

import pytest

import checkpointing
from checkpointing import atomic_write, daly_interval, young_interval


def test_young():
    assert young_interval(300, 86400) == pytest.approx(7200.0)  # sqrt(2 · 300 · 86400)
    assert young_interval(50, 3600) == pytest.approx(math.sqrt(2 * 50 * 3600))


def test_daly():
    r = 300 / (2 * 86400)
    assert daly_interval(300, 86400) == pytest.approx(7200 * (1 + math.sqrt(r) / 3 + r / 9) - 300)
    assert daly_interval(300, 86400) < young_interval(300, 86400)
    assert daly_interval(5000, 2000) == 2000  # δ ≥ 2M: checkpoint every M


@pytest.mark.parametrize("f", [young_interval, daly_interval])
def test_bad_input(f):
    with pytest.raises(ValueError):
        f(0, 100)


def test_atomic_write_replaces_and_leaves_nothing_behind(tmp_path):
    target = tmp_path / "ckpt.bin"
    atomic_write(str(target), b"old")
    atomic_write(str(target), b"new" * 1000)
    assert target.read_bytes() == b"new" * 1000
    assert sorted(os.listdir(tmp_path)) == ["ckpt.bin"]


def test_a_crash_before_rename_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "ckpt.bin"
    atomic_write(str(target), b"old")

    def crash(*args):
        raise OSError("power cut")

    monkeypatch.setattr(checkpointing.os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(str(target), b"new")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["ckpt.bin"]


def test_fsync_is_called(tmp_path, monkeypatch):
    calls = []
    real = os.fsync
    monkeypatch.setattr(checkpointing.os, "fsync", lambda fd: (calls.append(fd), real(fd)))
    atomic_write(str(tmp_path / "x"), b"data")
    assert len(calls) >= 2  # the file, then its directory

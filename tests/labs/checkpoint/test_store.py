"""labs/checkpoint/store.py: atomic commit, manifest checksums, retention, crash leftovers, bandwidth."""

import json
import time

import pytest

from infraprep.labs.checkpoint.store import CRASH_POINTS, LevelStore


class Crashed(Exception):
    pass


def crash_hook(point):
    def hit():
        raise Crashed(point)

    return (point, hit)


def test_commit_writes_data_then_manifest_with_checksum(tmp_path):
    store = LevelStore(tmp_path, level=1, keep=5)
    c = store.commit(7, b"hello world")
    assert c.path.read_bytes() == b"hello world"
    manifest = json.loads((tmp_path / "ckpt-00000007.json").read_text())
    # sha256("hello world"), a known vector
    assert manifest["sha256"] == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    assert manifest == {"step": 7, "level": 1, "file": "ckpt-00000007.pt", "bytes": 11, "sha256": manifest["sha256"]}
    assert store.verify(c) == b"hello world"
    assert not list(tmp_path.glob("*.tmp"))


def test_retention_keeps_the_newest_and_uncommits_first(tmp_path):
    store = LevelStore(tmp_path, level=1, keep=2)
    for step in (10, 20, 30, 40):
        store.commit(step, bytes([step]) * 100)
    assert [c.step for c in store.committed()] == [40, 30]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt-00000030.json", "ckpt-00000030.pt", "ckpt-00000040.json", "ckpt-00000040.pt"]


def test_corruption_and_truncation_fail_verification(tmp_path):
    store = LevelStore(tmp_path, level=1)
    c = store.commit(1, b"x" * 1000)
    data = bytearray(c.path.read_bytes())
    data[500] ^= 1
    c.path.write_bytes(bytes(data))
    assert store.verify(c) is None
    c.path.write_bytes(b"x" * 999)
    assert store.verify(c) is None
    c.path.unlink()
    assert store.verify(c) is None


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_crash_anywhere_in_the_protocol_commits_nothing(tmp_path, point):
    store = LevelStore(tmp_path, level=1, crash=crash_hook(point))
    store_ok = LevelStore(tmp_path, level=1)
    store_ok.commit(5, b"old" * 1000)
    with pytest.raises(Crashed):
        store.commit(6, b"new" * 100_000)
    assert [c.step for c in store_ok.committed()] == [5]  # the half-done step 6 is invisible
    left = store_ok.clean()
    # the interrupted file: a temp file, or (crash before the manifest rename) the renamed data
    # without a manifest plus the manifest's temp file
    assert left == ({"tmp": 1, "orphans": 1} if point == "manifest-before-rename" else {"tmp": 1, "orphans": 0})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-00000005.json", "ckpt-00000005.pt"]


def test_partial_crash_point_leaves_exactly_half(tmp_path):
    store = LevelStore(tmp_path, level=1, crash=crash_hook("data-partial"))
    with pytest.raises(Crashed):
        store.commit(1, b"a" * 300_001)
    assert (tmp_path / "ckpt-00000001.pt.tmp").stat().st_size == 150_000


def test_unreadable_manifest_commits_nothing(tmp_path):
    store = LevelStore(tmp_path, level=1)
    store.commit(3, b"data")
    (tmp_path / "ckpt-00000009.json").write_text("{not json")
    assert [c.step for c in store.committed()] == [3]


def test_bandwidth_limit_is_a_lower_bound_on_write_time(tmp_path):
    # 200 kB at 1 MB/s cannot take less than 0.2 s (a loaded machine only makes it slower).
    store = LevelStore(tmp_path, level=2, bandwidth=1e6)
    start = time.perf_counter()
    store.commit(1, b"z" * 200_000)
    assert time.perf_counter() - start >= 0.19

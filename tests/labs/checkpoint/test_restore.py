"""labs/checkpoint/restore.py: newest complete, verified checkpoint across levels."""

import pytest

torch = pytest.importorskip("torch")

from infraprep.labs.checkpoint.levels import CheckpointConfig, MultiLevelCheckpointer, serialize  # noqa: E402
from infraprep.labs.checkpoint.restore import restore_latest  # noqa: E402


def state(step):
    return {"step": step, "model": {"w": torch.full((4,), float(step))}, "optim": {"state": {}, "param_groups": []}}


def setup(tmp_path, local=(10, 20), remote=(25,)):
    ckpt = MultiLevelCheckpointer(tmp_path, CheckpointConfig())
    for step in local:
        ckpt.stores[1].commit(step, serialize(state(step)))
    for step in remote:
        ckpt.stores[2].commit(step, serialize(state(step)))
    return ckpt


def test_newest_across_levels_then_fallbacks(tmp_path):
    ckpt = setup(tmp_path)
    found = restore_latest(ckpt)
    assert (found.step, found.level) == (25, 2)
    assert torch.equal(found.state["model"]["w"], torch.full((4,), 25.0))
    # corrupt the remote one: skipped by checksum, the local 20 wins
    path = ckpt.stores[2].committed()[0].path
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    found = restore_latest(ckpt)
    assert (found.step, found.level) == (20, 1)
    assert found.skipped == [{"level": 2, "step": 25, "reason": "checksum or size mismatch"}]
    # an uncommitted checkpoint (no manifest) is never a candidate
    (tmp_path / "local" / "ckpt-00000020.json").unlink()
    assert (restore_latest(ckpt).step, restore_latest(ckpt).level) == (10, 1)


def test_ties_prefer_the_faster_level_and_memory_wins(tmp_path):
    ckpt = setup(tmp_path, local=(30,), remote=(30,))
    assert restore_latest(ckpt).level == 1
    ckpt.memory.append((30, state(30)))
    assert restore_latest(ckpt).level == 0
    assert restore_latest(ckpt, use_memory=False).level == 1


def test_state_must_carry_the_manifest_step(tmp_path):
    ckpt = setup(tmp_path, local=(10,), remote=())
    ckpt.stores[1].commit(40, serialize(state(39)))  # a mislabelled checkpoint
    found = restore_latest(ckpt)
    assert found.step == 10 and found.skipped[0]["reason"] == "state step differs from manifest"


def test_checksummed_garbage_is_skipped_and_nothing_means_fresh(tmp_path):
    ckpt = setup(tmp_path, local=(), remote=())
    ckpt.stores[1].commit(5, b"not a torch file")
    found = restore_latest(ckpt)
    assert found.level is None and found.state is None and found.step == 0
    assert found.skipped[0]["reason"].startswith("does not load")

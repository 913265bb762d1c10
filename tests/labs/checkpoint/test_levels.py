"""labs/checkpoint/levels.py: per-level frequency and retention, sync and async write the same bytes."""

import pytest

torch = pytest.importorskip("torch")

from infraprep.errors import InvalidValue  # noqa: E402
from infraprep.labs.checkpoint.levels import CheckpointConfig, LevelConfig, MultiLevelCheckpointer, snapshot  # noqa: E402
from infraprep.labs.checkpoint.model import Job, ModelConfig  # noqa: E402

CONFIG = dict(memory=LevelConfig(every=2, keep=3), local=LevelConfig(every=5, keep=2),
              remote=LevelConfig(every=10, keep=1))


def train(root, mode, steps=20):
    job = Job(ModelConfig(seed=4))
    ckpt = MultiLevelCheckpointer(root, CheckpointConfig(**CONFIG, mode=mode))
    for _ in range(steps):
        job.train_step()
        ckpt.after_step(job.step, job.state())
    ckpt.flush()
    ckpt.close()
    return ckpt


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_frequencies_and_retention(tmp_path, mode):
    ckpt = train(tmp_path, mode)
    assert [step for step, _ in ckpt.memory] == [16, 18, 20]
    assert [c.step for c in ckpt.stores[1].committed()] == [20, 15]
    assert [c.step for c in ckpt.stores[2].committed()] == [20]
    assert ckpt.saves == {0: 10, 1: 4, 2: 2}
    assert len(ckpt.stalls) == 12  # one save call per step with something due: 2, 4, 5, 6, … 15, … 20


def test_sync_and_async_commit_identical_bytes(tmp_path):
    a, b = train(tmp_path / "a", "sync"), train(tmp_path / "b", "async")
    for level in (1, 2):
        for x, y in zip(a.stores[level].committed(), b.stores[level].committed(), strict=True):
            assert x.step == y.step and x.sha256 == y.sha256


def test_snapshot_is_a_copy_not_a_view():
    job = Job(ModelConfig())
    snap = snapshot(job.state())
    key = next(iter(snap["model"]))
    before = snap["model"][key].clone()
    job.train_step()
    assert torch.equal(snap["model"][key], before)
    assert not torch.equal(job.model.state_dict()[key], before)


def test_skip_policy_drops_saves_while_the_writer_is_busy(tmp_path):
    # 30 saves in a row to a level throttled to 50 kB/s: most find the writer busy and are skipped.
    config = CheckpointConfig(memory=LevelConfig(0), local=LevelConfig(0),
                              remote=LevelConfig(every=1, keep=1, bandwidth=5e4, when_busy="skip"))
    job = Job(ModelConfig())
    ckpt = MultiLevelCheckpointer(tmp_path, config)
    for _ in range(30):
        job.train_step()
        ckpt.after_step(job.step, job.state())
    ckpt.flush()
    ckpt.close()
    assert ckpt.skipped[2] > 0 and ckpt.saves[2] + ckpt.skipped[2] == 30


def test_invalid_configs():
    with pytest.raises(InvalidValue, match="--mode"):
        CheckpointConfig(mode="lazy")
    with pytest.raises(InvalidValue, match="level 1"):
        CheckpointConfig(local=LevelConfig(every=-1))
    with pytest.raises(InvalidValue, match="level 2"):
        CheckpointConfig(remote=LevelConfig(every=1, when_busy="drop"))


@pytest.mark.gpu
def test_snapshot_copies_cuda_state_to_cpu():
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    job = Job(ModelConfig(), device="cuda")
    job.train_step()
    snap = snapshot(job.state())
    for key, value in job.model.state_dict().items():
        assert snap["model"][key].device.type == "cpu"
        assert torch.equal(snap["model"][key], value.cpu())

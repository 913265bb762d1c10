"""labs/checkpoint/drills.py: a corrupted file is detected by checksum and skipped; soft faults roll
back to the level-0 snapshot; both end consistent with the uninterrupted run."""

import pytest

pytest.importorskip("torch")

from infraprep.labs.checkpoint import CheckpointConfig, LevelConfig, RunConfig  # noqa: E402
from infraprep.labs.checkpoint.drills import corruption_drill, reference_digests, soft_fault_drill  # noqa: E402

BASE = RunConfig(root="", steps=60, checkpoint=CheckpointConfig(
    local=LevelConfig(every=10, keep=3), remote=LevelConfig(every=25, keep=2, when_busy="wait")))


@pytest.fixture(scope="module")
def digests(tmp_path_factory):
    return reference_digests(tmp_path_factory.mktemp("ref"), BASE)


def test_corrupted_newest_checkpoint_is_skipped(tmp_path, digests):
    r = corruption_drill(tmp_path, BASE, digests)
    assert r["corrupted_step"] == 60
    assert r["skipped"] == [{"level": 1, "step": 60, "reason": "checksum or size mismatch"}]
    assert (r["restored_step"], r["restored_level"]) == (50, 1)  # remote has 50 too; the faster level wins
    assert r["consistent"]


def test_soft_faults_roll_back_to_memory(tmp_path, digests):
    r = soft_fault_drill(tmp_path, BASE, (7, 33, 58), digests[60])
    assert r == {"faults": 3, "rollbacks": 3, "levels": [0], "identical": True}

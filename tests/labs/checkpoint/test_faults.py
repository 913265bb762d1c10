"""labs/checkpoint/faults.py — the acceptance: SIGKILL the trainer at random moments, mid-write
included, ≥ 30 times (100 in the slow tier): every restore succeeds and loads a consistent step, and
the resumed job ends bit-identical to an uninterrupted run."""

import pytest

pytest.importorskip("torch")

from infraprep.labs.checkpoint.faults import fault_drill  # noqa: E402
from infraprep.labs.checkpoint.store import CRASH_POINTS  # noqa: E402
from infraprep.labs.checkpoint.trainer import RunConfig  # noqa: E402


def check(report, kills):
    assert report.kills >= kills
    assert report.failures == []  # no trainer died of anything but SIGKILL, every final run finished
    assert report.inconsistent_restores == []  # each restored state equals the reference at its step
    assert report.all_identical and report.identical_campaigns == report.campaigns
    # every kind of kill happened: timed, and each commit-protocol crash point (mid-write)
    assert report.timed_kills > 0 and set(report.crash_point_kills) == set(CRASH_POINTS)
    assert report.cleaned_tmp > 0  # interrupted writes were found and cleaned on restart
    # restores came from the disk levels, including the remote one after a lost node
    assert report.restore_levels[1] > 0
    assert report.node_losses > 0


def test_thirty_kills(tmp_path):
    report = fault_drill(tmp_path, RunConfig(root="", steps=300), kills=30, seed=1)
    check(report, 30)


@pytest.mark.slow
def test_hundred_kills(tmp_path):
    report = fault_drill(tmp_path, RunConfig(root="", steps=300), kills=100, seed=2)
    check(report, 100)
    assert report.restore_levels[2] > 0

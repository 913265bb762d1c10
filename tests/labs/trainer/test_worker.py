"""One rank, no process group: the parallel code path at dp = tp = pp = 1 reproduces the baseline."""

import pytest
import torch

from infraprep.labs.trainer.config import ModelShape, TrainConfig
from infraprep.labs.trainer.layout import Layout, build_groups
from infraprep.labs.trainer.reference import train_reference
from infraprep.labs.trainer.worker import train_rank

SMALL = ModelShape(layers=2, hidden=32, heads=4, vocab=40, seq=8)


@pytest.mark.parametrize("micro_batches", [1, 3])
def test_single_rank_equals_the_reference(micro_batches):
    c = TrainConfig(model=SMALL, steps=3, micro_batches=micro_batches)
    report = train_rank(c, build_groups(Layout(1, 1, 1), 0))
    losses, params = train_reference(c)
    assert report["losses"] == pytest.approx(losses, abs=1e-6)
    assert losses[-1] < losses[0]  # it learns
    for name, p in params.items():
        torch.testing.assert_close(report["params"][name], p, rtol=0, atol=1e-5)
    assert report["comm_per_step"] == []  # one rank talks to nobody
    assert report["peak_in_flight"] == 1 and report["buckets"] is None


def test_same_seed_same_run_and_another_seed_another():
    c = TrainConfig(model=SMALL, steps=2)
    groups = build_groups(Layout(1, 1, 1), 0)
    a, b = train_rank(c, groups)["losses"], train_rank(c, groups)["losses"]
    other = train_rank(TrainConfig(model=SMALL, steps=2, seed=7), groups)["losses"]
    assert a == b and a != other

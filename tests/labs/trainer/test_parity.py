"""Every parallel layout trains the same model as one process: loss curve and final weights."""

import pytest
import torch

from infraprep.labs.trainer.config import ModelShape, TrainConfig
from infraprep.labs.trainer.params import init_full_params
from infraprep.labs.trainer.parity import compare
from infraprep.labs.trainer.reference import train_reference
from tests.labs.trainer.conftest import CONFIGS


def test_compare_measures_distance_relative_to_training_progress():
    c = TrainConfig(model=ModelShape(layers=1, hidden=16, heads=2, vocab=20, seq=4), steps=2)
    losses, params = train_reference(c)
    same = compare(c, losses, params)
    assert (same.loss, same.param_max, same.drift) == (0.0, 0.0, 0.0)
    initial = init_full_params(c.model, c.seed)
    halfway = {n: (params[n] + initial[n]) / 2 for n in params}  # half of the way training went
    assert compare(c, [x + 0.5 for x in losses], halfway).drift == pytest.approx(0.5, rel=1e-5)
    assert compare(c, [x + 0.5 for x in losses], halfway).loss == pytest.approx(0.5)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in CONFIGS if n != "3d-again"])
def test_parallel_run_equals_single_process(runs, name):
    """fp32: losses agree to rounding (~1e-7); the weights' distance is < 1e-4 of the distance training
    moved them (drift; see parity.py for why the largest single-element difference can reach a
    fraction of lr where Adam divides rounding noise by a tiny √v)."""
    result = runs[name]
    c = result.config
    p = compare(c, result.losses, result.params)
    assert p.loss < 1e-5, p
    assert p.drift < 1e-4, p
    assert p.param_max < c.lr, p
    assert result.losses[-1] < result.losses[0]


@pytest.mark.slow
def test_same_seed_same_distributed_run(runs):
    a, b = runs["3d"], runs["3d-again"]
    assert a.losses == b.losses
    assert all(torch.equal(a.params[n], b.params[n]) for n in a.params)

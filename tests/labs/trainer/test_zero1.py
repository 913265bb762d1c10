"""ZeRO-1: the same traffic as DP, split into reduce-scatter and all-gather; Adam's states sharded."""

import pytest
import torch

from infraprep.labs.trainer.zero1 import FlatParams
from tests.labs.trainer.helpers import measured, padded, psi, stage_ranks


def test_flat_params_are_views_of_one_padded_buffer():
    flat = FlatParams({"a": torch.ones(2, 3), "b": torch.full((5,), 2.0)}, multiple=4)
    assert flat.padded == 12 and flat.flat.tolist() == [1.0] * 6 + [2.0] * 5 + [0.0]
    flat.flat[6] = 9.0
    assert flat.params["b"][0].item() == 9.0  # shared storage: the optimizer's writes reach the model
    flat.params["a"].grad, flat.params["b"].grad = torch.full((2, 3), 0.5), torch.ones(5)
    assert flat.flat_grads().tolist() == [0.5] * 6 + [1.0] * 5 + [0.0]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["zero1", "zero1-pad", "3d-sp-zero1"])
def test_zero1_traffic_and_sharded_optimizer_states(runs, name):
    """ZeRO §7.2.1: P_os communicates like DP — a reduce-scatter of the gradients and an all-gather of
    the updated parameters, Ψ each (padded to a multiple of d) — and keeps 1/d of Adam's states (§5.1)."""
    result = runs[name]
    c = result.config
    for stage in range(c.pp):
        n = padded(psi(c, stage), c.dp)
        assert measured(result, stage, "reduce-scatter", "dp") == n
        assert measured(result, stage, "all-gather", "dp") == n
        assert measured(result, stage, "all-reduce", "dp") == 0
        for r in stage_ranks(result, stage):
            assert r["memory"]["optimizer_elements"] == 2 * n // c.dp  # exp_avg and exp_avg_sq of my slice
            assert r["memory"]["param_elements"] == n and r["memory"]["grad_elements"] == psi(c, stage)

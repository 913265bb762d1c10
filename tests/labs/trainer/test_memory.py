"""Model-state memory per rank, measured from the tensors held."""

import pytest
import torch

from infraprep.labs.trainer.memory import account
from tests.labs.trainer.helpers import psi, stage_ranks


def test_account_counts_views_once_and_only_adam_moments():
    flat = torch.zeros(10)
    a, b = torch.nn.Parameter(flat[:4]), torch.nn.Parameter(flat[4:10])
    opt = torch.optim.Adam([a, b])
    (a.sum() + b.sum()).backward()
    opt.step()
    got = account([a, b], opt, flat)
    assert (got["param_elements"], got["grad_elements"], got["optimizer_elements"]) == (10, 10, 20)
    assert (got["param_bytes"], got["grad_bytes"], got["optimizer_bytes"]) == (40, 40, 80)
    assert account([a, b], opt, flat)["param_elements"] == account([a, b, a], opt, None)["param_elements"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dp", "tp", "pp-1f1b", "3d"])
def test_without_zero_each_rank_holds_4_4_8_bytes_per_local_parameter(runs, name):
    """fp32 training with Adam: 4 B weights, 4 B gradients, 8 B for m and v (ZeRO §3.1's accounting
    without the mixed-precision master copy) per parameter of the rank's TP/PP slice."""
    c = runs[name].config
    for stage in range(c.pp):
        for r in stage_ranks(runs[name], stage):
            mem = r["memory"]
            assert (mem["param_bytes"], mem["grad_bytes"], mem["optimizer_bytes"]) == (
                4 * psi(c, stage), 4 * psi(c, stage), 8 * psi(c, stage))

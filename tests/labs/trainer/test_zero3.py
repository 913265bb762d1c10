"""ZeRO-3's store: gathered before use, freed after, regathered for backward, gradients unchanged.

With a DP group of one rank the collectives are copies, so these run in-process; the traffic
across real ranks is checked on the spawned runs (ZeRO §7.2.2: 3Ψ per micro-batch).
"""

import pytest
import torch

from infraprep.labs.trainer.config import ModelShape, TrainConfig
from infraprep.labs.trainer.data import global_batch, micro_batch
from infraprep.labs.trainer.layout import Group
from infraprep.labs.trainer.meter import CommMeter
from infraprep.labs.trainer.model import ResidentParams, StageModel, stage_units
from infraprep.labs.trainer.params import init_full_params
from infraprep.labs.trainer.tp import TPComm
from infraprep.labs.trainer.zero3 import ShardedParams
from tests.labs.trainer.helpers import measured, padded, unit_params

C = TrainConfig(model=ModelShape(layers=2, hidden=32, heads=4, vocab=40, seq=8), micro_batches=1)


def _loss_and_grads(store, params):
    one = Group("tp", None, [0], 0)
    model = StageModel(C, 0, TPComm(CommMeter(), one), store)
    inputs, targets = micro_batch(global_batch(C, 0), C, 0, 0)
    loss = model.forward(inputs, targets)
    live_after_forward = store.live_buffers() if isinstance(store, ShardedParams) else 0
    loss.backward()
    return loss.item(), [p.grad.clone() for p in params], live_after_forward


def test_sharded_store_matches_resident_and_frees_gathered_units():
    units = stage_units(C, 0)
    full = init_full_params(C.model, C.seed)
    resident = {n: torch.nn.Parameter(t.clone()) for n, t in full.items()}
    loss_r, grads_r, _ = _loss_and_grads(ResidentParams(resident), list(resident.values()))

    store = ShardedParams(units, {n: t.clone() for n, t in full.items()}, CommMeter(), Group("dp", None, [0], 0))
    loss_s, grads_s, live = _loss_and_grads(store, store.parameters())
    assert live == 0  # nothing kept gathered between forward and backward
    assert store.live_buffers() == 0  # nor after backward
    assert loss_s == pytest.approx(loss_r, abs=1e-7)
    flat_r = {n: g for n, g in zip(resident, grads_r, strict=True)}
    for unit, shard_grad in zip(units, grads_s, strict=True):  # a one-rank shard is the whole unit, in spec order
        expected = torch.cat([flat_r[s.name].reshape(-1) for s in units[unit]])
        torch.testing.assert_close(shard_grad, expected, rtol=0, atol=1e-7)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["zero3", "zero3-pad", "3d-zero3-gpipe"])
def test_zero3_traffic_is_three_psi_per_micro_batch(runs, name):
    """ZeRO §7.2.2: all-gather Ψ forward, all-gather Ψ backward, reduce-scatter Ψ — per micro-batch
    here, each unit padded to a multiple of d; nothing else crosses the DP group."""
    result = runs[name]
    c = result.config
    for stage in range(c.pp):
        psi_padded = sum(padded(u, c.dp) for u in unit_params(c, stage))
        assert measured(result, stage, "all-gather", "dp") == 2 * c.micro_batches * psi_padded
        assert measured(result, stage, "reduce-scatter", "dp") == c.micro_batches * psi_padded
        assert measured(result, stage, "all-reduce", "dp") == 0
        for r in result.ranks:
            if r["coords"][2] == stage:  # per rank: 1/d of every unit, for params, grads and Adam's m, v
                shard = psi_padded // c.dp
                assert (r["memory"]["param_bytes"], r["memory"]["grad_bytes"], r["memory"]["optimizer_bytes"]) == (
                    4 * shard, 4 * shard, 8 * shard)

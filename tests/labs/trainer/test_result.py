"""Putting ranks' reports together: loss, weights, and the idle-time arithmetic."""

import pytest
import torch

from infraprep.labs.trainer.config import ModelShape, TrainConfig
from infraprep.labs.trainer.params import init_full_params, param_specs, shard
from infraprep.labs.trainer.result import TrainResult

SHAPE = ModelShape(layers=2, hidden=16, heads=2, vocab=20, seq=4)


def _report(coords, steps, losses=(0.0,), params=None):
    report = {"rank": 0, "coords": list(coords), "losses": list(losses), "steps": steps, "comm_per_step": [],
              "comm_total": [], "memory": {}, "buckets": None, "peak_in_flight": 1}
    return report if params is None else {**report, "params": params}


def _step(start, end, compute):
    return {"start": start, "end": end, "compute_s": compute, "recv_wait_s": 0.0, "update_s": 0.0, "peak_in_flight": 1}


def test_loss_sums_dp_ranks_of_the_last_stage_tp0_only():
    c = TrainConfig(model=SHAPE, dp=2, tp=2, pp=2, steps=1)
    reports = [_report((d, t, p), [_step(0, 1, 0.5)], losses=[10.0 * (d + 1) + t + 100 * p])
               for p in range(2) for d in range(2) for t in range(2)]
    result = TrainResult.from_reports(c, reports)
    assert result.losses == [110.0 + 120.0] and result.params is None


def test_weights_are_joined_from_the_dp0_tp_slices():
    c = TrainConfig(model=SHAPE, tp=2, pp=2, steps=1)
    full = init_full_params(SHAPE, 0)
    reports = []
    for p in range(2):
        for t in range(2):
            mine = {s.name: shard(full[s.name], s, t, 2) for s in param_specs(SHAPE) if s.stage(2, 2) == p}
            reports.append(_report((0, t, p), [_step(0, 1, 0.5)], params=mine))
    result = TrainResult.from_reports(c, reports)
    assert all(torch.equal(result.params[n], full[n]) for n in full)


def test_idle_is_one_minus_compute_over_the_pipelines_makespan():
    c = TrainConfig(model=SHAPE, pp=2, steps=2)
    # step 0 is warm-up and ignored; in step 1 the pipeline spans 10 → 14 s (4 s)
    stage0 = _report((0, 0, 0), [_step(0, 9, 1), _step(10, 14, 3)])
    stage1 = _report((0, 0, 1), [_step(0, 9, 1), _step(10.5, 13, 1)], losses=[0.0, 0.0])
    assert TrainResult.from_reports(c, [stage0, stage1]).stage_idle() == pytest.approx([1 - 3 / 4, 1 - 1 / 4])

"""Rate sweeps: throughput follows the offered rate until saturation; TTFT climbs with it."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.inference import SimConfig, WorkloadConfig
from infraprep.sim.inference.sweep import sweep


def test_latency_throughput_curve():
    points = sweep(SimConfig(workload=WorkloadConfig(requests=600, seed=0)), [80, 5, 20])
    assert [p.rate for p in points] == [5, 20, 80]
    thr = [p.result.summary.throughput for p in points]
    assert thr[0] < thr[1] < thr[2]
    assert thr[1] / thr[0] == pytest.approx(4, rel=0.25)  # unsaturated: throughput tracks the offered rate
    ttft = [p.result.summary.ttft["p99"] for p in points]
    assert ttft[0] < ttft[2] and points[2].result.summary.mean_running > points[0].result.summary.mean_running


def test_rates_must_be_positive():
    with pytest.raises(InvalidValue, match="--sweep"):
        sweep(SimConfig(), [10, 0])

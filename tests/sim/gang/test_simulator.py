"""sim/gang/simulator.py and jobs.py: metrics by hand, percentile, trace determinism, validation."""

import math

import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.gang import Job, Shape, generate_trace, make_scheduler, percentile, simulate


def test_metrics_by_hand():
    # 1 node × 4 GPUs. Job 0: 2 GPUs for 10 s from t=0; job 1: 4 GPUs for 10 s, arrives at t=0, waits.
    # Busy GPU-time = 2·10 + 4·10 = 60 over 4 GPUs × 20 s = 80 → 0.75. Waits: 0 and 10.
    r = simulate(Shape(1, 1, 4), [Job(0, 1, 2, 10.0), Job(1, 2, 2, 10.0)], make_scheduler("gang"))
    assert r.utilization == pytest.approx(0.75)
    assert (r.wait_p50, r.wait_p99) == (5.0, pytest.approx(9.9))
    assert r.makespan == 20.0 and r.completed == 2 and not r.deadlocked
    # first 10 s: 2 free GPUs on a half-used node → fragmentation 1; next 10 s: nothing free → 0
    assert r.fragmentation == pytest.approx(0.5)
    assert r.mean_nodes == 1 and r.mean_racks == 1


def test_greedy_holds_idle_gpus_while_gang_does_not():
    # Job 0 runs on 3 of 4 GPUs; job 1 (2 pods × 1 GPU) grabs the free one under greedy and idles.
    jobs = [Job(0, 3, 1, 10.0), Job(1, 2, 1, 10.0, arrival=1.0)]
    greedy = simulate(Shape(1, 1, 4), jobs, make_scheduler("greedy"))
    gang = simulate(Shape(1, 1, 4), jobs, make_scheduler("gang"))
    assert greedy.held_idle == pytest.approx(1 * 9 / (4 * 20))  # 1 GPU held idle from t=1 to t=10
    assert gang.held_idle == 0.0 and greedy.starts == gang.starts == {0: 0.0, 1: 10.0}


def test_percentile():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert math.isnan(percentile([], 50))


def test_trace_is_seeded_and_sized():
    shape = Shape(2, 4, 8)
    a, b = generate_trace(shape, 50, seed=1), generate_trace(shape, 50, seed=1)
    assert a == b and a != generate_trace(shape, 50, seed=2)
    assert all(j.gpus <= 64 // 3 for j in a)
    burst = generate_trace(shape, 12, seed=1, burst=4)
    assert len({j.arrival for j in burst}) == 3


@pytest.mark.parametrize("jobs, fragment", [
    ([Job(0, 1, 16, 1.0)], "gpus_per_pod"),
    ([Job(0, 9, 1, 1.0)], "fits the empty cluster"),
    ([Job(0, 2, 1, 1.0, min_member=3)], "min_member"),
    ([Job(0, 1, 1, 1.0), Job(0, 1, 1, 1.0)], "unique"),
    ([Job(0, 1, 1, -1.0)], "duration"),
])
def test_invalid_jobs(jobs, fragment):
    with pytest.raises(InvalidValue, match=fragment):
        simulate(Shape(1, 2, 4), jobs, make_scheduler("gang"))


def test_invalid_shape_and_trace():
    with pytest.raises(InvalidValue, match="--racks"):
        Shape(racks=0)
    with pytest.raises(InvalidValue, match="--load"):
        generate_trace(Shape(), load=0)
    with pytest.raises(InvalidValue, match="--burst"):
        generate_trace(Shape(), jobs=5, burst=6)

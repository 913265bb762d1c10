"""sim/pipelines/strategies.py: by-hand timelines, the no-failure limits, and checkpoint-restart
against Daly's model."""

import numpy as np
import pytest

from infraprep.calc.checkpoint import daly_interval, goodput
from infraprep.sim.pipelines.strategies import (
    FAIL,
    REPAIR,
    Progress,
    bamboo,
    checkpoint_restart,
    node_events,
    oobleck,
)

RATES = {a: (1.0 if a >= 4 else (0.5 if a >= 2 else 0.0)) for a in range(5)}
PIPES = {a: (2 if a >= 4 else (1 if a >= 2 else 0)) for a in range(5)}


def test_progress_by_hand():
    p = Progress(interval=10.0, write_time=2.0)
    p.run(25.0, 1.0)  # 10 work, 2 write (commit 10), 10 work, 2 write (commit 20), 1 work
    assert (p.committed, p.pending) == (20.0, 1.0)
    assert p.rollback() == 1.0 and p.done == 20.0
    p.run(11.0, 0.5)  # 10 s at half rate, then 1 s into the write: 5 pending, not committed
    assert (p.committed, p.pending) == (20.0, 5.0)


def test_no_failures():
    horizon = 1000.0
    cr = checkpoint_restart([], 4, horizon, 98.0, 2.0, 60.0)
    assert cr.goodput == pytest.approx(0.98)  # τ / (τ + δ)
    oo = oobleck([], 4, horizon, RATES, PIPES, 30.0, 98.0, 2.0, 60.0)
    assert oo.goodput == pytest.approx(0.98)
    ba = bamboo([], (2, 2), horizon, 0.25, 5.0, 98.0, 2.0, 60.0)
    assert ba.goodput == pytest.approx(0.75 * 0.98)


def test_one_failure_by_hand():
    events = [(50.0, FAIL, 0), (500.0, REPAIR, 0)]
    # checkpoint-restart: commit at 10 (τ = 10, δ = 0.001 ≈ 0); fail at 50 → lose work since the
    # last commit, 60 s restart; the rest runs at full rate.
    cr = checkpoint_restart(events, 4, 1000.0, 10.0, 1e-9, 60.0)
    assert cr.rollbacks == 1 and cr.goodput == pytest.approx((1000 - 60 - cr.lost_work) / 1000, rel=1e-6)
    assert cr.down_fraction == pytest.approx(0.06)
    # oobleck: no rollback; 30 s reconfiguration, then 3 nodes at rate 0.5 until the repair at 500,
    # a second 30 s reconfiguration, then full rate: 50 + 0.5·(500 − 80) + (1000 − 530) = 730
    oo = oobleck(events, 4, 1000.0, RATES, PIPES, 30.0, 1e9, 1e-9, 60.0)
    assert oo.rollbacks == 0 and oo.reconfigurations == 2
    assert oo.goodput == pytest.approx(0.730, rel=1e-6)
    # bamboo, pipelines (2, 2): node 0 fails → 10 s failover, half speed until 500, 10 s to rejoin
    ba = bamboo(events, (2, 2), 1000.0, 0.0, 10.0, 1e9, 1e-9, 60.0)
    assert ba.goodput == pytest.approx((50 + 0.5 * (500 - 60) + (1000 - 510)) / 1000, rel=1e-6)


def test_bamboo_adjacent_failures_lose_state_and_single_pipeline_oobleck_rolls_back():
    events = [(100.0, FAIL, 0), (200.0, FAIL, 1)]  # nodes 0 and 1 are consecutive stages of pipeline 0
    ba = bamboo(events, (2, 2), 1000.0, 0.0, 10.0, 50.0, 1e-9, 60.0)
    assert ba.rollbacks == 1
    # oobleck: the first failure leaves 3 nodes = one pipeline (reconfigure); the second failure
    # hits that single pipeline, whose stages have no replica left: roll back
    oo = oobleck(events, 4, 1000.0, RATES, PIPES, 30.0, 50.0, 1e-9, 60.0)
    assert (oo.reconfigurations, oo.rollbacks) == (1, 1)


def test_checkpoint_restart_matches_dalys_model():
    # 32 nodes of MTBF 64 h ⇒ job MTBF 2 h; with instant repairs the job sees a Poisson process.
    nodes, node_mtbf, horizon = 32, 64 * 3600.0, 400 * 86400.0
    events = node_events(nodes, node_mtbf, 0.0, horizon, np.random.default_rng(5))
    mtbf, delta, restart = node_mtbf / nodes, 120.0, 600.0
    tau = daly_interval(delta, mtbf)
    r = checkpoint_restart(events, nodes, horizon, tau, delta, restart)
    assert r.goodput == pytest.approx(goodput(tau, delta, mtbf, restart), abs=0.01)


def test_node_events_alternate_and_are_seeded():
    a = node_events(3, 10.0, 2.0, 100.0, np.random.default_rng(1))
    assert a == node_events(3, 10.0, 2.0, 100.0, np.random.default_rng(1))
    for node in range(3):
        kinds = [k for _, k, n in a if n == node]
        assert kinds == [FAIL, REPAIR] * (len(kinds) // 2) + [FAIL] * (len(kinds) % 2)

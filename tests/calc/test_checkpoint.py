"""calc/checkpoint.py: Young and Daly intervals, Daly's complete goodput model, sync vs async."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.checkpoint import (
    CheckpointInputs,
    daly_interval,
    goodput,
    optimal_checkpoint,
    waste_first_order,
    write_time,
    young_interval,
)
from infraprep.errors import InvalidValue


def argmax(f, lo, hi, iters=200):
    """Golden-section search for the maximum of a unimodal f on [lo, hi] (independent of the formulas)."""
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    for _ in range(iters):
        c, d = b - g * (b - a), a + g * (b - a)
        if f(c) < f(d):
            a = c
        else:
            b = d
    return (a + b) / 2


def test_young_by_hand():
    # √(2·300·86400) = √51,840,000 = 7200 exactly.
    assert young_interval(300, 86400) == pytest.approx(7200.0, rel=1e-12)


def test_daly_by_hand():
    # x = δ/2M = 300/172800; 7200·(1 + √x/3 + x/9) − 300
    x = 300 / 172800
    assert daly_interval(300, 86400) == pytest.approx(7200 * (1 + math.sqrt(x) / 3 + x / 9) - 300, rel=1e-12)
    assert daly_interval(300, 86400) == pytest.approx(7001.39, abs=0.01)


def test_daly_is_m_when_the_dump_is_longer_than_2m():
    assert daly_interval(500, 200) == 200
    assert daly_interval(400, 200) == 200


@given(st.floats(1e-4, 0.5), st.floats(60, 1e6), st.floats(0, 3))
def test_daly_formula_is_near_the_exact_optimum(ratio, mtbf, restart_ratio):
    """The perturbation solution sits within 1% of the numerical argmax of the complete model for
    δ/M ≤ 0.5 (its error grows with δ/M: 0.28% at 1/3, 0.55% at 0.5 — Daly 2006 Fig. 2's trend),
    and the restart cost R does not move the optimum (it only scales the wall time)."""
    delta, restart = ratio * mtbf, restart_ratio * mtbf
    exact = argmax(lambda t: goodput(t, delta, mtbf, restart), 1e-3 * mtbf, 3 * mtbf)
    assert daly_interval(delta, mtbf) == pytest.approx(exact, rel=1e-2)
    exact_no_restart = argmax(lambda t: goodput(t, delta, mtbf, 0.0), 1e-3 * mtbf, 3 * mtbf)
    assert exact == pytest.approx(exact_no_restart, rel=1e-6)


@given(st.floats(1e-6, 1e-3))
def test_young_is_the_first_order_term(ratio):
    mtbf = 86400.0
    delta = ratio * mtbf
    assert (daly_interval(delta, mtbf) + delta) / young_interval(delta, mtbf) == pytest.approx(1.0, abs=0.02)


@given(st.floats(10, 1e4), st.floats(1, 1e3), st.floats(1e3, 1e6), st.floats(0, 1e4))
def test_goodput_is_monotone_in_the_costs(tau, delta, mtbf, restart):
    g = goodput(tau, delta, mtbf, restart)
    assert 0 <= g <= 1
    assert goodput(tau, delta * 1.5, mtbf, restart) <= g
    assert goodput(tau, delta, mtbf, restart + 10) <= g
    assert goodput(tau, delta, mtbf * 2, restart) >= g


def test_goodput_and_first_order_agree_when_failures_are_rare():
    # With τ, δ, R ≪ M the complete model's waste tends to Young's linearised waste.
    tau, delta, mtbf, restart = 6000.0, 1.0, 1e8, 600.0
    assert 1 - goodput(tau, delta, mtbf, restart) == pytest.approx(waste_first_order(tau, delta, mtbf, restart), rel=1e-3)


def test_goodput_does_not_overflow():
    assert goodput(1e9, 1.0, 1.0, 1e9) == 0.0


def test_write_time_from_size_and_bandwidth():
    assert write_time(2.4e12, 100e9) == pytest.approx(24.0)
    with pytest.raises(InvalidValue, match="--bandwidth"):
        write_time(1e9, 0)


def test_async_interval_and_waste_by_hand():
    # s = 10 s, w = 300 s, M = 86400 s: τ = max(√(2·10·86400), 300) = √1,728,000 = 1314.5 s
    r = optimal_checkpoint(CheckpointInputs(write_time=300, mtbf=86400, restart=600, snapshot_time=10))
    tau = math.sqrt(2 * 10 * 86400)
    assert r.async_interval_s == pytest.approx(tau)
    assert r.async_waste_first_order == pytest.approx(10 / tau + (tau / 2 + 300 + 600) / 86400)
    assert r.async_waste_first_order < r.waste_first_order
    d = r.to_dict()
    assert d["async_to_sync_stall_ratio"] == pytest.approx(10 / 300)
    # the interval never drops below the write time (else writes would queue up)
    r2 = optimal_checkpoint(CheckpointInputs(write_time=3000, mtbf=86400, snapshot_time=0.01))
    assert r2.async_interval_s == 3000


def test_result_json_explain_and_chosen_interval():
    r = optimal_checkpoint(CheckpointInputs(write_time=300, mtbf=86400, restart=600, model="young"))
    d = r.to_dict()
    assert d["interval_s"] == pytest.approx(7200.0)
    assert d["conventions"]["interval_model"] == "young"
    assert 0 < d["waste_fraction"] < 1 and d["goodput"] == pytest.approx(1 - d["waste_fraction"])
    assert "√(2·300·86400) = 7,200.0 s" in r.explain()
    chosen = optimal_checkpoint(CheckpointInputs(write_time=300, mtbf=86400, interval=3600))
    assert chosen.interval_s == 3600 and chosen.goodput < optimal_checkpoint(
        CheckpointInputs(write_time=300, mtbf=86400)).goodput
    first = optimal_checkpoint(CheckpointInputs(write_time=300, mtbf=86400, waste_model="first-order"))
    assert first.to_dict()["waste_fraction"] == pytest.approx(first.waste_first_order)


@pytest.mark.parametrize("kwargs, option", [
    (dict(write_time=-1, mtbf=10), "--write-time"),
    (dict(write_time=1, mtbf=0), "--mtbf"),
    (dict(write_time=1, mtbf=10, restart=-5), "--restart"),
    (dict(write_time=1, mtbf=10, model="youngish"), "--model"),
    (dict(write_time=1, mtbf=10, waste_model="exact"), "--waste-model"),
    (dict(write_time=1, mtbf=10, snapshot_time=2), "--snapshot-time"),
    (dict(write_time=float("nan"), mtbf=10), "--write-time"),
    (dict(write_time=1, mtbf=float("inf")), "--mtbf"),
])
def test_invalid_inputs_name_the_option(kwargs, option):
    with pytest.raises(InvalidValue, match=option):
        CheckpointInputs(**kwargs)

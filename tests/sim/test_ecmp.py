"""sim/ecmp: the Monte Carlo against the balls-into-bins closed form, the fluid engine against the exact
fast path, max-min fairness as a law, and what each mitigation buys."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.sim.ecmp import EcmpConfig, Fabric, idle_fraction_closed_form, simulate
from infraprep.sim.ecmp.fluid import max_min_rates, run_fluid
from infraprep.sim.ecmp.simulate import _fast, _fluid


def test_closed_form_values():
    # n = m = 16: (15/16)^16 = 0.35607...; as m grows with n = m it tends to 1/e.
    assert idle_fraction_closed_form(16, 16) == pytest.approx((15 / 16) ** 16)
    assert idle_fraction_closed_form(4096, 4096) == pytest.approx(np.exp(-1), rel=1e-3)


@pytest.mark.parametrize(("flows", "uplinks"), [(16, 16), (8, 32), (64, 16), (32, 64)])
def test_idle_fraction_within_1_percent_at_100k_trials(flows, uplinks):
    result = simulate(EcmpConfig(flows=flows, uplinks=uplinks, trials=100_000, seed=1))
    closed = idle_fraction_closed_form(flows, uplinks)
    assert result.idle_fraction == pytest.approx(closed, rel=0.01)
    assert result.closed_form == closed


def test_a_million_trials_in_under_5_s():
    # Judged on CPU time, best of two: the machine is shared by many jobs (at a load average of 16 the
    # wall time was 4 s for 0.85 s of CPU); on an idle machine the two are the same.
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        result = simulate(EcmpConfig(trials=1_000_000, seed=2))
        best = min(best, time.process_time() - start)
    assert best < 5.0, f"{best:.2f} s"
    assert result.idle_fraction == pytest.approx(idle_fraction_closed_form(16, 16), rel=0.005)


def test_same_seed_same_output_other_seed_differs():
    a, b = simulate(EcmpConfig(trials=3000, seed=7)), simulate(EcmpConfig(trials=3000, seed=7))
    assert a == b
    assert simulate(EcmpConfig(trials=3000, seed=8)).sample != a.sample
    f1 = simulate(EcmpConfig(trials=200, policy="flowlet", seed=3))
    assert f1 == simulate(EcmpConfig(trials=200, policy="flowlet", seed=3))


def test_fluid_engine_agrees_with_the_exact_fast_path():
    # Same seed → the same hash draws; the fluid max-min run must reproduce k_max·B/C and C/k exactly.
    config = EcmpConfig(flows=12, uplinks=8, trials=500, seed=11)
    idle_a, thr_a, comp_a, load_a = _fast(config, np.random.default_rng(5), 500)
    idle_b, thr_b, comp_b, load_b = _fluid(config, np.random.default_rng(5), 500, Fabric(1, 8, 12))
    np.testing.assert_allclose(comp_b, comp_a, rtol=1e-9)
    np.testing.assert_allclose(thr_b, thr_a, rtol=1e-9)
    np.testing.assert_array_equal(idle_a, idle_b)
    np.testing.assert_array_equal(load_a, load_b)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), links=st.integers(1, 6), flows=st.integers(1, 8), hops=st.integers(1, 3))
def test_max_min_rates_are_feasible_and_every_flow_has_a_bottleneck(data, links, flows, hops):
    # Bertsekas & Gallager §6.5.2: a feasible allocation is max-min fair iff every flow crosses a
    # saturated link on which no other flow gets more.
    cap = np.array(data.draw(st.lists(st.floats(0.5, 10), min_size=links, max_size=links)))
    paths = np.array(data.draw(st.lists(st.lists(st.integers(0, links - 1), min_size=hops, max_size=hops),
                                        min_size=flows, max_size=flows)))[None]
    paths = np.sort(paths, axis=2)
    if any(len(set(p)) < hops for p in paths[0]):
        return  # a path crosses each link once
    rate = max_min_rates(paths, np.ones((1, flows), dtype=bool), cap)[0]
    load = np.zeros(links)
    for f in range(flows):
        load[paths[0, f]] += rate[f]
    assert np.all(load <= cap * (1 + 1e-9))
    for f in range(flows):
        ok = False
        for link in paths[0, f]:
            on = [g for g in range(flows) if link in paths[0, g]]
            if load[link] >= cap[link] * (1 - 1e-9) and rate[f] >= max(rate[g] for g in on) * (1 - 1e-9):
                ok = True
        assert ok, (f, rate, paths, cap)


def test_fluid_completion_of_a_shared_link():
    # Two flows share link 0 (cap 1); one also crosses link 1 (cap 0.25). Max-min: 0.25 and 0.75;
    # 1 byte each: the free flow ends at 4/3 s; then the slow one stays at 0.25: 1/0.25 = 4 s.
    paths = np.array([[[0, 1], [0, 0]]])
    paths[0, 1] = [0, 2]
    cap = np.array([1.0, 0.25, 10.0])
    finish, rate0 = run_fluid(paths, np.ones((1, 2)), cap)
    np.testing.assert_allclose(rate0[0], [0.25, 0.75])
    np.testing.assert_allclose(finish[0], [4.0, 4 / 3])


def test_mitigations_close_the_gap():
    base = simulate(EcmpConfig(trials=1000, seed=4))
    spray = simulate(EcmpConfig(trials=300, policy="spray", seed=4))
    adaptive = simulate(EcmpConfig(trials=300, policy="adaptive", seed=4))
    flowlet = simulate(EcmpConfig(trials=300, policy="flowlet", seed=4))
    qps = simulate(EcmpConfig(trials=300, qps=4, seed=4))
    ideal = base.config.ideal_s
    assert base.completion_s[2] / ideal >= 3  # p99 of hashed 16 on 16: a link with ≥ 3 flows
    assert spray.completion_s[3] == pytest.approx(ideal) and adaptive.completion_s[3] == pytest.approx(ideal)
    assert spray.idle_fraction == 0 and adaptive.idle_fraction == 0
    assert flowlet.completion_s[1] < base.completion_s[1]
    assert qps.completion_s[2] < base.completion_s[2]
    assert qps.idle_fraction == pytest.approx(idle_fraction_closed_form(64, 16), abs=0.01)


def test_two_stage_collides_on_the_way_down_too():
    one = simulate(EcmpConfig(trials=1000, seed=9))
    two = simulate(EcmpConfig(trials=1000, leaves=4, seed=9))
    assert two.idle_fraction == pytest.approx(idle_fraction_closed_form(16, 16), abs=0.02)
    assert two.completion_s[1] >= one.completion_s[1]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"flows": 0}, "--flows=0"), ({"uplinks": 1.5}, "--uplinks=1.5"), ({"policy": "random"}, "--policy='random'"),
    ({"flow_bytes": -1.0}, "--bytes"), ({"qps": 0}, "--qps=0"),
])
def test_bad_config_names_the_value(kwargs, match):
    with pytest.raises(InvalidValue, match=match):
        EcmpConfig(**kwargs)

"""sim/failures/goodput.py: the simulated goodput matches Daly's complete model, its optimum
matches Daly's formula (the acceptance: within 5%), and hot spares behave at their limits."""

import numpy as np
import pytest

from infraprep.calc.checkpoint import daly_interval, goodput
from infraprep.sim.failures.goodput import goodput_curve, goodput_with_spares, optimal_interval

MIN = 60.0


def gaps(mtbf, n=200_000, seed=0):
    return np.random.default_rng(seed).exponential(mtbf, n)


@pytest.mark.parametrize("mtbf, delta, restart", [
    (24 * 60 * MIN, 5 * MIN, 10 * MIN),   # Daly 2006 Fig. 3 inputs
    (6 * 60 * MIN, 5 * MIN, 10 * MIN),    # Fig. 4
    (15 * MIN, 5 * MIN, 10 * MIN),        # Fig. 5: δ/M = 1/3, goodput only ≈ 20%
    (11135.0, 120.0, 600.0),              # Llama 3 job MTBF (1296 h / 419), δ = 2 min, R = 10 min
])
def test_monte_carlo_optimum_within_5_percent_of_daly(mtbf, delta, restart):
    g = gaps(mtbf)
    mc, fine, values = optimal_interval(g, delta, restart)
    daly = daly_interval(delta, mtbf)
    assert abs(mc / daly - 1) < 0.05, (mc, daly)
    # the simulated curve is the model's curve, point by point (200k failures: ±1% relative)
    model = np.array([goodput(t, delta, mtbf, restart) for t in fine])
    assert np.allclose(values, model, rtol=0.01, atol=0.002)


def test_optimum_does_not_use_the_formula_to_find_itself():
    # Shifted far from Daly's value by a different δ, the search still lands on the new optimum.
    g = gaps(3600.0, seed=5)
    for delta in (1.0, 30.0, 600.0):
        mc, _, _ = optimal_interval(g, delta, 0.0)
        assert abs(mc / daly_interval(delta, 3600.0) - 1) < 0.05


def test_curve_matches_the_model_across_restart_costs():
    g = gaps(10_000.0, seed=7)
    for restart in (0.0, 600.0, 3600.0):
        sim = goodput_curve(g, [1500.0], 120.0, restart)[0]
        assert sim == pytest.approx(goodput(1500.0, 120.0, 10_000.0, restart), rel=0.01)


def test_spares_limits_and_monotonicity():
    g = gaps(10_000.0, n=20_000, seed=11)
    tau, delta, restart = 1500.0, 120.0, 300.0
    free = goodput_curve(g, [tau], delta, restart)[0]
    # unlimited spares (or instant repair) cost nothing beyond the restart
    assert goodput_with_spares(g, tau, delta, restart, 10_000, 86400.0) == pytest.approx(free)
    assert goodput_with_spares(g, tau, delta, restart, 0, 1e-9) == pytest.approx(free)
    values = [goodput_with_spares(g, tau, delta, restart, s, 86400.0) for s in (0, 2, 4, 8, 16)]
    assert values == sorted(values) and values[0] < free
    # no spares and repair R_h ≫ MTBF: each failure waits the full repair → ≈ work per cycle / (MTBF + R_h)
    assert values[0] == pytest.approx(free * 10_000.0 / (10_000.0 + 86400.0), rel=0.03)

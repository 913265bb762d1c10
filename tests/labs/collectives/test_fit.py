"""labs/collectives/fit.py: the α–β fit recovers known parameters and minimises the largest relative error."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.labs.collectives.fit import fit_alpha_beta

SIZES = [2.0**k for k in range(10, 27)]


def test_exact_model_is_recovered():
    # Ring on 4 ranks: a = 2(p-1) = 6 α terms, b = 2(p-1)/p = 1.5 bytes per byte of S.
    alpha, beta = 50e-6, 1 / 2e9
    times = [6 * alpha + 1.5 * s * beta for s in SIZES]
    fit = fit_alpha_beta(SIZES, times, 6, 1.5)
    assert fit.alpha_s == pytest.approx(alpha, rel=1e-9)
    assert fit.bandwidth == pytest.approx(2e9, rel=1e-9)
    assert fit.max_error() < 1e-9


def test_noisy_model_stays_within_noise():
    rng = random.Random(0)
    times = [(6 * 50e-6 + 1.5 * s / 2e9) * rng.uniform(0.9, 1.1) for s in SIZES]
    fit = fit_alpha_beta(SIZES, times, 6, 1.5, min_size=64 * 1024)
    # the true line is off by 1/u − 1 ∈ [−0.091, +0.111] for noise u ∈ [0.9, 1.1]: the minimax fit can only do better
    assert fit.max_error(64 * 1024) <= 1 / 0.9 - 1 + 1e-12
    assert fit.bandwidth == pytest.approx(2e9, rel=0.15)


def test_negative_intercept_is_clamped():
    times = [s / 1e9 - 1e-7 for s in SIZES]  # a line crossing below the origin: intercept -0.1 µs
    fit = fit_alpha_beta(SIZES, times, 2, 1)
    assert fit.alpha_s == 0
    assert fit.beta_s_per_byte == pytest.approx(1e-9, rel=0.1)


def test_needs_two_sizes():
    with pytest.raises(ValueError, match="two distinct sizes"):
        fit_alpha_beta([1e6], [1e-3], 1, 1)


def test_two_sizes_are_interpolated():
    fit = fit_alpha_beta([1e3, 1e6], [2e-5, 1e-3], 1, 1)
    assert fit.max_error() < 1e-12


@settings(max_examples=60, deadline=None)
@given(times=st.lists(st.floats(1e-5, 1.0), min_size=3, max_size=8),
       nudges=st.lists(st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)), min_size=1, max_size=20))
def test_no_nearby_line_has_a_smaller_largest_error(times, nudges):
    sizes = [float(1 << (10 + 2 * k)) for k in range(len(times))]
    fit = fit_alpha_beta(sizes, times, 1, 1)
    best = fit.max_error()
    for da, db in nudges:
        x0, x1 = fit.alpha_s * (1 + da) + abs(da) * 1e-6, fit.beta_s_per_byte * (1 + db)
        worst = max(abs(x0 + x1 * s - t) / t for s, t in zip(sizes, times, strict=True))
        assert best <= worst + 1e-9

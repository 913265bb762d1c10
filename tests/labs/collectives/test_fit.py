"""labs/collectives/fit.py: the α–β fit recovers known parameters."""

import random

import pytest

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
    assert fit.max_error(64 * 1024) < 0.25
    assert fit.bandwidth == pytest.approx(2e9, rel=0.15)


def test_negative_intercept_is_clamped():
    times = [s / 1e9 - 1e-7 for s in SIZES]  # a line crossing below the origin: intercept -0.1 µs
    fit = fit_alpha_beta(SIZES, times, 2, 1)
    assert fit.alpha_s == 0
    assert fit.beta_s_per_byte == pytest.approx(1e-9, rel=0.1)


def test_needs_two_sizes():
    with pytest.raises(ValueError, match="two distinct sizes"):
        fit_alpha_beta([1e6], [1e-3], 1, 1)

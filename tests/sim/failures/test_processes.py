"""sim/failures/processes.py: lifetimes keep their mean across distributions; counts scale with N."""

import math

import numpy as np
import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.failures.processes import Lifetime, count_component_failures, job_gaps


@pytest.mark.parametrize("dist, shape", [("exponential", 1.0), ("weibull", 0.7), ("weibull", 1.5)])
def test_sample_mean_is_the_stated_mean(dist, shape):
    gaps = job_gaps(Lifetime(10.0, dist, shape), 200_000, np.random.default_rng(1))
    # standard error of the mean: σ/√n ≤ 2·10/√200000 ≈ 0.045 for these shapes
    assert gaps.mean() == pytest.approx(10.0, abs=0.2)


def test_weibull_shape_changes_the_spread_not_the_mean():
    rng = np.random.default_rng(2)
    low, high = (job_gaps(Lifetime(10.0, "weibull", k), 100_000, rng) for k in (0.7, 3.0))
    # coefficient of variation: k = 0.7 → √(Γ(1+2/k)/Γ(1+1/k)² − 1) ≈ 1.46; k = 3 → ≈ 0.36
    cv = lambda k: math.sqrt(math.gamma(1 + 2 / k) / math.gamma(1 + 1 / k) ** 2 - 1)  # noqa: E731
    assert low.std() / low.mean() == pytest.approx(cv(0.7), rel=0.05)
    assert high.std() / high.mean() == pytest.approx(cv(3.0), rel=0.05)


def test_component_counts_are_poisson_n_window_over_mean():
    # 5000 exponential components of mean 100 h over 200 h: expect 10,000 failures (σ = 100).
    count = count_component_failures(Lifetime(100.0), 5000, 200.0, np.random.default_rng(3))
    assert abs(count - 10_000) < 400


def test_invalid_lifetimes():
    with pytest.raises(InvalidValue, match="--dist"):
        Lifetime(1.0, "lognormal")
    with pytest.raises(InvalidValue, match="--shape"):
        Lifetime(1.0, "weibull", 0.01)
    with pytest.raises(InvalidValue):
        Lifetime(float("nan"))

"""Failure processes: exponential and Weibull lifetimes, per component class, sampled with numpy.

Conventions:

* every process is parameterised by its **mean** time between failures (hours), so switching the
  distribution keeps the rate; a Weibull of shape k and mean μ has scale μ / Γ(1 + 1/k);
* shape k < 1 is a decreasing hazard (infant mortality), the shape Schroeder & Gibson found for time
  between failures in HPC systems ("modeled well by a Weibull distribution with decreasing hazard
  rate", DSN 2006, abstract); k = 1 is the exponential;
* a *renewal* process: after each failure the component (or job) starts afresh.

Two levels are sampled:

* **job level** (:func:`job_gaps`) — the interruptions one job sees, as iid gaps; Daly's formula
  assumes these are exponential;
* **component level** (:func:`count_component_failures`) — N iid components, each its own renewal
  process; the job is interrupted by any of them (a series system), so the expected count in a
  window is N times one component's, whatever the distribution: MTBF_job ∝ 1/N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.errors import InvalidValue

__all__ = ["DISTRIBUTIONS", "Lifetime", "count_component_failures", "job_gaps"]

DISTRIBUTIONS = ("exponential", "weibull")


@dataclass(frozen=True)
class Lifetime:
    """Time-between-failures law with mean ``mean_h`` hours: exponential, or Weibull of ``shape``."""

    mean_h: float
    dist: str = "exponential"
    shape: float = 0.7

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mean_h) and self.mean_h > 0):
            raise InvalidValue("mean time between failures", self.mean_h, "a finite duration > 0 hours")
        if self.dist not in DISTRIBUTIONS:
            raise InvalidValue("--dist", self.dist, " or ".join(DISTRIBUTIONS))
        if self.dist == "weibull" and not (0.2 <= self.shape <= 10):
            raise InvalidValue("--shape", self.shape, "a Weibull shape between 0.2 and 10 (1 = exponential)")

    def sample(self, rng, size):
        """``size`` iid gaps in hours (numpy array)."""
        if self.dist == "exponential":
            return rng.exponential(self.mean_h, size)
        return rng.weibull(self.shape, size) * (self.mean_h / math.gamma(1.0 + 1.0 / self.shape))


def job_gaps(lifetime: Lifetime, n: int, rng):
    """``n`` job-level gaps between interruptions (hours)."""
    return lifetime.sample(rng, n)


def count_component_failures(lifetime: Lifetime, components: int, window_h: float, rng,
                             burn_in_h: float | None = None) -> int:
    """Failures of ``components`` iid renewal processes inside ``[burn_in, burn_in + window]``.

    The burn-in (default 3 means) lets a Weibull renewal process forget its fresh start.
    Vectorised over components; loops once per renewal generation.
    """
    burn = 3.0 * lifetime.mean_h if burn_in_h is None else burn_in_h
    end = burn + window_h
    clock = lifetime.sample(rng, components)  # time of each component's next failure
    count = 0
    alive = clock <= end
    while alive.any():
        clock = clock[alive]
        count += int((clock >= burn).sum())
        clock = clock + lifetime.sample(rng, clock.size)
        alive = clock <= end
    return count

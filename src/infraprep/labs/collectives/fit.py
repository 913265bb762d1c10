"""Fit α and β of the α–β model to measured all-reduce times (pure Python, no numpy).

An algorithm's model (calc/collectives.py) is affine in the size S: T(S) = a·α + b·S·β, with a (the
count of α terms) and b (bytes per byte of S on the busiest link) fixed by the algorithm and p. We
fit T = x₀ + x₁·S by least squares on the *relative* error (weights 1/T², so a 1 KiB and a 64 MiB
point count alike), then read α = x₀/a and β = x₁/b. On CPU ranks the local reduction γ is folded
into β (an "effective" link byte includes its share of the addition).

A negative intercept (noise at small sizes) is clamped to α = 0 and β refitted through the origin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["AlphaBetaFit", "fit_alpha_beta"]


@dataclass(frozen=True)
class AlphaBetaFit:
    """α (s), β (s/byte), the model's coefficients, and the model's error at every measured size."""

    alpha_s: float
    beta_s_per_byte: float
    alpha_coef: float
    beta_coef: float
    sizes: tuple[float, ...]
    measured_s: tuple[float, ...]
    min_size: float

    @property
    def bandwidth(self) -> float:
        return 1.0 / self.beta_s_per_byte if self.beta_s_per_byte > 0 else float("inf")

    def predict(self, size: float) -> float:
        return self.alpha_coef * self.alpha_s + self.beta_coef * size * self.beta_s_per_byte

    @property
    def errors(self) -> tuple[float, ...]:
        """(model − measured)/measured at each size."""
        return tuple((self.predict(s) - t) / t for s, t in zip(self.sizes, self.measured_s, strict=True))

    def max_error(self, at_least: float = 0.0) -> float:
        """The largest |relative error| over sizes ≥ ``at_least``."""
        return max((abs(e) for s, e in zip(self.sizes, self.errors, strict=True) if s >= at_least), default=0.0)

    def to_dict(self) -> dict:
        return {"alpha_s": self.alpha_s, "beta_s_per_byte": self.beta_s_per_byte, "bandwidth": self.bandwidth,
                "alpha_coef": self.alpha_coef, "beta_coef": self.beta_coef, "fitted_from_bytes": self.min_size,
                "model_time_s": [self.predict(s) for s in self.sizes], "relative_error": list(self.errors)}


def fit_alpha_beta(sizes: Sequence[float], times: Sequence[float], alpha_coef: float, beta_coef: float,
                   min_size: float = 0.0) -> AlphaBetaFit:
    """Fit on the points with size ≥ ``min_size`` (at least two); errors are reported at every size.

    Raises:
        ValueError: fewer than two points to fit, a non-positive time, or non-positive coefficients.
    """
    if alpha_coef <= 0 or beta_coef <= 0:
        raise ValueError("model coefficients must be positive")
    if any(t <= 0 for t in times):
        raise ValueError("measured times must be positive")
    pts = [(s, t) for s, t in zip(sizes, times, strict=True) if s >= min_size]
    if len({s for s, _ in pts}) < 2:
        raise ValueError(f"need two distinct sizes ≥ {min_size:g} B to fit α and β")
    w = [1.0 / (t * t) for _, t in pts]
    sw = sum(w)
    sx = sum(wi * s for wi, (s, _) in zip(w, pts, strict=True))
    sxx = sum(wi * s * s for wi, (s, _) in zip(w, pts, strict=True))
    sy = sum(wi * t for wi, (_, t) in zip(w, pts, strict=True))
    sxy = sum(wi * s * t for wi, (s, t) in zip(w, pts, strict=True))
    det = sw * sxx - sx * sx
    x0 = (sxx * sy - sx * sxy) / det
    x1 = (sw * sxy - sx * sy) / det
    if x0 < 0:
        x0, x1 = 0.0, sxy / sxx
    return AlphaBetaFit(x0 / alpha_coef, x1 / beta_coef, alpha_coef, beta_coef, tuple(float(s) for s in sizes),
                        tuple(float(t) for t in times), float(min_size))

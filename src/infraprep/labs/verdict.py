"""The verdict every lab checker returns: passed, normalised max error, tolerance — and it fails loudly.

Error convention (used by every checker in the labs): the *normalised max error* is
``max|out - expected| / max(max|expected|, tiny)``, i.e. the worst element error relative to the
largest expected magnitude, so it stays meaningful when some expected elements are ~0. A non-finite
output is a failure with error ``inf``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KernelMismatch", "Verdict", "compare"]


class KernelMismatch(AssertionError):
    """A kernel's output differs from its spec by more than the tolerance."""


@dataclass(frozen=True)
class Verdict:
    """The checker's answer: passed, the normalised max error and the tolerance it was held to."""

    passed: bool
    max_error: float
    tolerance: float
    what: str = "kernel"

    def __str__(self) -> str:
        word = "pass" if self.passed else "FAIL"
        return f"{self.what}: {word} (max error {self.max_error:.3g}, tolerance {self.tolerance:.1g})"

    def raise_if_failed(self) -> Verdict:
        if not self.passed:
            raise KernelMismatch(str(self))
        return self

    def to_dict(self) -> dict:
        return {"passed": self.passed, "max_error": self.max_error, "tolerance": self.tolerance}


def compare(out, expected, tolerance: float, what: str = "kernel") -> Verdict:
    """Verdict for ``out`` against ``expected`` (see the module docstring for the error convention)."""
    import numpy as np

    out, expected = np.asarray(out, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if out.shape != expected.shape:
        return Verdict(False, float("inf"), tolerance, f"{what} (shape {out.shape} != {expected.shape})")
    scale = max(float(np.max(np.abs(expected), initial=0.0)), np.finfo(np.float64).tiny)
    diff = np.abs(out - expected)
    error = float(np.max(diff, initial=0.0)) / scale
    passed = bool(np.all(np.isfinite(out))) and error <= tolerance
    return Verdict(passed, error if np.all(np.isfinite(out)) else float("inf"), tolerance, what)

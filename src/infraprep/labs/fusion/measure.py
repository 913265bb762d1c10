"""Time the NumPy chain and the unfused numba loops against the fused loop, side by side, best of N.

The contenders alternate (NumPy, unfused, fused, NumPy, …) so that load from other work on the machine
hits all alike; each keeps its best time and the results are *ratios* (this machine is shared, so
absolute times are not the point). Both numba versions are compiled and checked against the NumPy
chain before any timing. ``unfused ÷ fused`` isolates fusion (same math, same compiler);
``numpy ÷ fused`` is the issue's comparison and also includes NumPy's slower tanh and temporaries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.labs.steps import OnStep, Steps
from infraprep.labs.verdict import Verdict, compare

__all__ = ["ChainTiming", "best_of", "measure_chain"]


@dataclass(frozen=True)
class ChainTiming:
    tokens: int
    hidden: int
    repeats: int
    numpy_seconds: float
    unfused_seconds: float
    fused_seconds: float
    verdicts: tuple[Verdict, Verdict]  # fused vs NumPy, unfused vs NumPy
    fused_bytes: float  # minimum traffic: read x, residual, bias, mask (1 B); write out (float32)
    unfused_bytes: float  # the four loops: 9 float32 passes over E plus the bias and the mask

    @property
    def ratio(self) -> float:
        """NumPy chain time ÷ fused loop time (> 1: fusion wins)."""
        return self.numpy_seconds / self.fused_seconds

    @property
    def fusion_ratio(self) -> float:
        """Unfused numba loops ÷ fused loop: the same math, only the passes through memory differ."""
        return self.unfused_seconds / self.fused_seconds

    def to_dict(self) -> dict:
        return {"tokens": self.tokens, "hidden": self.hidden, "repeats": self.repeats,
                "numpy_best_seconds": self.numpy_seconds, "unfused_best_seconds": self.unfused_seconds,
                "fused_best_seconds": self.fused_seconds, "numpy_over_fused": self.ratio,
                "unfused_over_fused": self.fusion_ratio, "bytes_unfused_over_fused": self.unfused_bytes / self.fused_bytes,
                "checks": {"fused_vs_numpy": self.verdicts[0].to_dict(), "unfused_vs_numpy": self.verdicts[1].to_dict()},
                "fused_effective_bandwidth": self.fused_bytes / self.fused_seconds,
                "unfused_effective_bandwidth": self.unfused_bytes / self.unfused_seconds}


def best_of(contenders: dict[str, Callable[[], object]], repeats: int,
            progress: OnStep | None = None) -> dict[str, float]:
    """Best wall time of each contender over ``repeats`` interleaved rounds."""
    best = {name: float("inf") for name in contenders}
    step = Steps(repeats, progress)
    for round_ in range(repeats):
        step(f"timing round {round_ + 1}/{repeats}")
        for name, call in contenders.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    step.finish()
    return best


def measure_chain(tokens: int = 1024, hidden: int = 4096, repeats: int = 5, p: float = 0.1, seed: int = 0,
                  progress: OnStep | None = None) -> ChainTiming:
    """Check, then time both implementations on seeded float32 inputs of ``tokens × hidden``."""
    import numpy as np

    from infraprep.labs.fusion.chain import fused_chain, make_inputs, numpy_chain, unfused_chain

    if tokens < 1 or hidden < 1:
        raise InvalidValue("--tokens" if tokens < 1 else "--hidden", min(tokens, hidden), "a positive integer")
    if repeats < 1:
        raise InvalidValue("--repeats", repeats, "a positive integer")
    if not 0 <= p < 1:
        raise InvalidValue("--p", p, "a dropout probability in [0, 1)")
    x, bias, residual, keep = make_inputs(tokens, hidden, p, seed)
    out, out2, scratch = np.empty_like(x), np.empty_like(x), (np.empty_like(x), np.empty_like(x))
    expected = numpy_chain(x, bias, residual, keep, p)
    verdicts = (compare(fused_chain(x, bias, residual, keep, p, out), expected, 1e-5, "fused loop vs NumPy chain"),
                compare(unfused_chain(x, bias, residual, keep, p, scratch, out2), expected, 1e-5,
                        "unfused loops vs NumPy chain"))
    best = best_of({"numpy": lambda: numpy_chain(x, bias, residual, keep, p),
                    "unfused": lambda: unfused_chain(x, bias, residual, keep, p, scratch, out2),
                    "fused": lambda: fused_chain(x, bias, residual, keep, p, out)}, repeats, progress)
    e = x.size
    fused_bytes = 4.0 * (3 * e + hidden) + e
    unfused_bytes = 4.0 * (9 * e + hidden) + e
    return ChainTiming(tokens, hidden, repeats, best["numpy"], best["unfused"], best["fused"], verdicts,
                       fused_bytes, unfused_bytes)

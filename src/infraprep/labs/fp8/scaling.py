"""FP8 scaling: per-tensor, per-channel, 1×128 tile and 128×128 block; delayed vs current scaling.

A scale ``s`` maps a group of values onto the FP8 range: ``q = round_fp8(x / s)``, ``x̂ = q · s``,
with ``s = amax / fp8_max`` (the group's largest magnitude lands on the largest FP8 value; an all-zero
group gets ``s = 1``). The granularity is the group shape, for a 2-D tensor (rows × cols):

    tensor     (rows, cols)  one scale (Transformer Engine's recipes)
    channel    (1, cols)     one per row: per output channel of a weight (out × in) or per token
    tile       (1, 128)      DeepSeek-V3 §3.3.2 "Fine-Grained Quantization": activations, per token
                             per 128 channels
    block      (128, 128)    DeepSeek-V3 §3.3.2: weights, per 128 input × 128 output channels

Finer groups confine an outlier's damage to its own group: a single large value no longer forces
every other value of the tensor towards the subnormals.

*Current* scaling computes amax from the tensor being quantised (an extra read of it); *delayed*
scaling (Transformer Engine ``DelayedScaling``: ``amax_history_len``, ``amax_compute_algo="max"``,
``margin``) predicts it from the amaxes of previous steps, so a sudden jump saturates (clips) and a
past spike keeps the scale too large for a while. DeepSeek-V3 §3.3.2 computes amax online (current)
for every tile and block for this reason.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from infraprep.errors import InvalidValue, UnknownName
from infraprep.labs.fp8.formats import Fp8Format, round_to_fp8

__all__ = ["GRANULARITIES", "DelayedScaler", "Quantized", "error_metrics", "group_shape", "quantize"]

GRANULARITIES = ("tensor", "channel", "tile", "block")


def group_shape(granularity: str, shape: tuple[int, int]) -> tuple[int, int]:
    """The (rows, cols) of one scaling group for ``granularity`` on a tensor of ``shape``."""
    rows, cols = shape
    groups = {"tensor": (rows, cols), "channel": (1, cols), "tile": (1, 128), "block": (128, 128)}
    if granularity not in groups:
        raise UnknownName("granularity", granularity, GRANULARITIES)
    return groups[granularity]


@dataclass(frozen=True)
class Quantized:
    """FP8 values (float32 on the FP8 grid), one scale per group, and how they were made."""

    values: object  # ndarray (rows, cols)
    scales: object  # ndarray (ceil(rows/gr), ceil(cols/gc))
    group: tuple[int, int]
    fmt: Fp8Format

    def expanded_scales(self):
        """The scale of every element (rows, cols)."""
        return _expand(self.scales, self.group, self.values.shape)

    def dequantize(self):
        return self.values.astype("float64") * self.expanded_scales()

    def saturated_fraction(self, x) -> float:
        """Share of the original values beyond ±fp8_max · scale, i.e. clipped by saturation."""
        import numpy as np

        limit = self.expanded_scales() * self.fmt.max_normal * (1 + 1e-12)  # amax itself is not clipped
        return float(np.mean(np.abs(np.asarray(x)) > limit))


def _expand(scales, group, shape):
    import numpy as np

    gr, gc = group
    return np.repeat(np.repeat(scales, gr, axis=0), gc, axis=1)[: shape[0], : shape[1]]


def _group_amax(x, group):
    """amax of every (gr × gc) group, ragged edges allowed."""
    import numpy as np

    gr, gc = group
    rows, cols = x.shape
    pr, pc = -rows % gr, -cols % gc
    padded = np.pad(np.abs(x), ((0, pr), (0, pc)))
    return padded.reshape((rows + pr) // gr, gr, (cols + pc) // gc, gc).max(axis=(1, 3))


def quantize(x, fmt: Fp8Format, granularity: str = "tensor", amax=None, margin: int = 0) -> Quantized:
    """Quantise a 2-D tensor; ``amax`` overrides the measured one (delayed scaling passes its prediction).

    ``margin`` (Transformer Engine convention) leaves 2^margin headroom: ``s = amax · 2^margin / fp8_max``.
    Values beyond the range the scale allows saturate at ±fp8_max.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise InvalidValue("tensor", x.shape, "a 2-D tensor (rows, cols)")
    group = group_shape(granularity, x.shape)
    amax = _group_amax(x, group) if amax is None else np.broadcast_to(np.asarray(amax, dtype=np.float64),
                                                                       _group_amax(x, group).shape)
    scales = np.where(amax > 0, amax * 2.0**margin / fmt.max_normal, 1.0)
    return Quantized(round_to_fp8(x / _expand(scales, group, x.shape), fmt), scales, group, fmt)


def error_metrics(x, x_hat) -> dict[str, float]:
    """Relative error ‖x̂ − x‖/‖x‖ (Frobenius), SNR in dB = 20·log10(‖x‖/‖x̂ − x‖), and the share of
    non-zero inputs that became zero (underflow)."""
    import numpy as np

    x, x_hat = np.asarray(x, dtype=np.float64), np.asarray(x_hat, dtype=np.float64)
    noise, signal = np.linalg.norm(x_hat - x), np.linalg.norm(x)
    nonzero = x != 0
    return {"relative_error": float(noise / signal) if signal else 0.0,
            "snr_db": float(20 * np.log10(signal / noise)) if noise else float("inf"),
            "underflow_fraction": float(np.mean(x_hat[nonzero] == 0)) if nonzero.any() else 0.0}


class DelayedScaler:
    """Per-tensor delayed scaling (Transformer Engine ``DelayedScaling``): the scale for step t comes
    from ``max`` over the amaxes of the previous ``history_len`` steps; before any history it is 1
    (TE initialises the scale to 1). The current amax is recorded after quantising."""

    def __init__(self, fmt: Fp8Format, history_len: int = 16, margin: int = 0) -> None:
        if history_len < 1:
            raise InvalidValue("--history", history_len, "a positive integer")
        self.fmt, self.margin = fmt, margin
        self.history: deque[float] = deque(maxlen=history_len)

    def __call__(self, x) -> Quantized:
        """Quantise ``x`` with the scale predicted from history, then record its amax."""
        import numpy as np

        x = np.asarray(x, dtype=np.float64)
        predicted = max(self.history) if self.history else self.fmt.max_normal / 2.0**self.margin  # scale 1
        q = quantize(x, self.fmt, "tensor", amax=predicted, margin=self.margin)
        self.history.append(float(np.max(np.abs(x))))
        return q

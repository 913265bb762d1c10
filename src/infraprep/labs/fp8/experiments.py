"""FP8 error experiments: granularity on tensors with outliers, and delayed vs current scaling over steps.

* :func:`outlier_activations` — Gaussian activations (tokens × channels) in which a few channels are
  ``magnitude`` times larger: the systematic outlier features of LLM activations (Dettmers et al.,
  "LLM.int8()", 2022, §3.2), which reach thousands of times the median (Sun et al., "Massive
  Activations in Large Language Models", 2024, Fig. 1: ~2,600 vs a median ~0.2 in LLaMA2-7B);
* :func:`granularity_errors` — quantise with each format × granularity; report relative error and SNR
  over the whole tensor and over the *regular* channels alone, and the share of regular values
  flushed to zero. FP8 is floating point, so one scale copes with far more range than INT8 would;
  the regular channels suffer once the outliers push them below E4M3's min normal (2⁻⁶ of 448·s);
* :func:`scaling_sequence` — a stream of tensors whose scale drifts and jumps once; current scaling vs
  Transformer Engine-style delayed scaling, per step.
"""

from __future__ import annotations

from infraprep.errors import InvalidValue
from infraprep.labs.fp8.formats import FORMATS, Fp8Format
from infraprep.labs.fp8.scaling import GRANULARITIES, DelayedScaler, error_metrics, quantize

__all__ = ["granularity_errors", "outlier_activations", "scaling_sequence"]


def outlier_activations(tokens: int = 256, channels: int = 512, outliers: int = 4, magnitude: float = 1000.0,
                        seed: int = 0):
    """Seeded N(0, 1) activations with ``outliers`` random channels scaled by ``magnitude``; returns
    ``(x, outlier_channels)``."""
    import numpy as np

    if tokens < 1 or channels < 1 or not 0 <= outliers < channels:
        raise InvalidValue("--outliers", outliers, f"from 0 to channels-1 = {channels - 1} (and a positive shape)")
    if magnitude <= 0:
        raise InvalidValue("--magnitude", magnitude, "a positive factor")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((tokens, channels))
    chosen = np.sort(rng.choice(channels, size=outliers, replace=False))
    x[:, chosen] *= magnitude
    return x, chosen


def granularity_errors(x, outlier_channels=(), formats: tuple[str, ...] = ("e4m3", "e5m2")) -> list[dict]:
    """One row per (format, granularity): number of scales, whole-tensor relative error and SNR, and
    SNR and underflow over the regular (non-outlier) channels."""
    import numpy as np

    regular = np.ones(x.shape[1], dtype=bool)
    regular[list(outlier_channels)] = False
    rows = []
    for name in formats:
        fmt = FORMATS[name]
        for granularity in GRANULARITIES:
            q = quantize(x, fmt, granularity)
            x_hat = q.dequantize()
            whole, rest = error_metrics(x, x_hat), error_metrics(x[:, regular], x_hat[:, regular])
            rows.append({"format": name, "granularity": granularity, "scales": int(q.scales.size),
                         "relative_error": whole["relative_error"], "snr_db": whole["snr_db"],
                         "regular_snr_db": rest["snr_db"], "regular_underflow": rest["underflow_fraction"]})
    return rows


def scaling_sequence(fmt: Fp8Format, steps: int = 24, jump_at: int = 12, jump: float = 8.0, drift: float = 1.05,
                     history_len: int = 16, shape: tuple[int, int] = (64, 256), seed: int = 0) -> list[dict]:
    """Per step: amax, and for current and delayed per-tensor scaling the relative error and the share
    of values that saturated. The tensor's scale grows by ``drift`` per step and by ``jump`` at
    ``jump_at`` (then stays there): delayed scaling clips at the jump and at every drift step."""
    import numpy as np

    if not 0 <= jump_at < steps:
        raise InvalidValue("--jump-at", jump_at, f"a step from 0 to {steps - 1}")
    rng = np.random.default_rng(seed)
    delayed = DelayedScaler(fmt, history_len)
    rows = []
    for step in range(steps):
        x = rng.standard_normal(shape) * drift**step * (jump if step >= jump_at else 1.0)
        current = quantize(x, fmt, "tensor")
        late = delayed(x)
        rows.append({"step": step, "amax": float(np.max(np.abs(x))),
                     "current_relative_error": error_metrics(x, current.dequantize())["relative_error"],
                     "delayed_relative_error": error_metrics(x, late.dequantize())["relative_error"],
                     "current_saturated": current.saturated_fraction(x),
                     "delayed_saturated": late.saturated_fraction(x)})
    return rows

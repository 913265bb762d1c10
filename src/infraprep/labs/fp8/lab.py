"""The FP8 lab in one call: what ``infraprep lab fp8`` runs and prints.

Formats (E4M3/E5M2 constants) · quantisation error by granularity on activations with outlier channels
· delayed vs current scaling over a stream with a jump · ``torch._scaled_mm`` vs fp32 and the
fine-grained (1×128 / 128×128) product · the FP8 roofline on H100/H200.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infraprep.labs.fp8.formats import FORMATS
from infraprep.labs.steps import OnStep, Steps

__all__ = ["Fp8Lab", "STEPS", "run_lab"]

STEPS = ("granularity", "delayed vs current", "matmul", "roofline")


@dataclass(frozen=True)
class Fp8Lab:
    seed: int
    outliers: dict
    granularity: list[dict]
    sequence: list[dict]
    scaled_mm: list[dict]
    block_scaled: dict[str, dict]
    roofline: list[dict]
    skipped: dict[str, str] = field(default_factory=dict)

    def sequence_summary(self) -> dict[str, dict[str, float]]:
        """Worst step of each scaling mode: largest relative error and largest saturated share."""
        return {mode: {"max_relative_error": max(r[f"{mode}_relative_error"] for r in self.sequence),
                       "max_saturated": max(r[f"{mode}_saturated"] for r in self.sequence)}
                for mode in ("current", "delayed")}

    def to_dict(self) -> dict:
        return {
            "formats": {name: f.to_dict() for name, f in FORMATS.items()},
            "seed": self.seed,
            "activations": self.outliers,
            "granularity_errors": self.granularity,
            "scaling_sequence": self.sequence,
            "scaling_summary": self.sequence_summary(),
            "scaled_mm": self.scaled_mm,
            "block_scaled_matmul": self.block_scaled,
            "roofline": self.roofline,
            "skipped": self.skipped,
            "conventions": {
                "scale": "s = amax / fp8_max per group; dequantised x = q · s; saturate at ±fp8_max",
                "granularity": "tensor | channel (per row) | tile 1x128 | block 128x128 (DeepSeek-V3 §3.3.2)",
                "delayed": "Transformer Engine DelayedScaling: amax = max over the previous history_len steps",
                "snr_db": "20·log10(‖x‖/‖x̂ − x‖)",
                "roofline": "dense tensor peaks from calc/hardware.py; inputs bf16 2 B / fp8 1 B, output bf16",
            },
        }


def run_lab(seed: int = 0, tokens: int = 256, channels: int = 512, outliers: int = 4, magnitude: float = 1000.0,
            gpus: tuple[str, ...] = ("h100-sxm", "h200"), quantize: str = "fused", scaling: str = "delayed",
            progress: OnStep | None = None) -> Fp8Lab:
    import numpy as np

    from infraprep.labs.fp8.experiments import granularity_errors, outlier_activations, scaling_sequence
    from infraprep.labs.fp8.matmul import block_scaled_errors, scaled_mm_available, scaled_mm_check
    from infraprep.labs.fp8.roofline import fp8_table

    roof = [r.to_dict() for r in fp8_table(gpus, quantize=quantize, scaling=scaling)]  # cheap; validates first
    step = Steps(len(STEPS), progress)
    step("granularity")
    x, chosen = outlier_activations(tokens, channels, outliers, magnitude, seed)
    granularity = granularity_errors(x, chosen)
    step("delayed vs current")
    sequence = scaling_sequence(FORMATS["e4m3"], seed=seed)
    step("matmul")
    w = np.random.default_rng(seed + 1).standard_normal((channels, 256)) / np.sqrt(channels)
    skipped: dict[str, str] = {}
    mm: list[dict] = []
    if scaled_mm_available():
        mm = [scaled_mm_check(x, w, fmt).to_dict() for fmt in FORMATS]
    else:
        skipped["scaled_mm"] = "this torch has no CPU torch._scaled_mm"
    block = {fmt: block_scaled_errors(x, w, fmt) for fmt in FORMATS}
    step("roofline")
    info = {"tokens": tokens, "channels": channels, "outlier_channels": [int(c) for c in chosen],
            "magnitude": magnitude}
    step.finish()
    return Fp8Lab(seed, info, granularity, sequence, mm, block, roof, skipped)

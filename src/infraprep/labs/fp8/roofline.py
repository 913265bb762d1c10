"""When does FP8 speed a GEMM up? A roofline of ``Y[m×n] = X[m×k] · W[k×n]`` in BF16 vs FP8.

Pure Python. Peaks and bandwidths come from ``calc/hardware.py`` (dense tensor-core peaks). For one
GEMM (Williams, Waterman & Patterson, "Roofline", CACM 2009)::

    FLOPs = 2·m·n·k
    bytes = in_bytes·(m·k + k·n) + out_bytes·m·n          (bf16: in 2 B; fp8: in 1 B; output bf16, 2 B)
    time  = max(FLOPs / peak[dtype], bytes / HBM bandwidth)
    intensity = FLOPs / bytes,   ridge = peak / bandwidth  (H100 SXM: fp8 1978.9 T / 3.35 TB/s ≈ 591)

For n, k ≫ m (decode: m = tokens in the batch) intensity ≈ m FLOP/B in bf16 and ≈ 2m in fp8: the GEMM
is memory-bound below the ridge and FP8 helps only by halving the weight bytes; above it FP8 doubles
the peak. Either way the gain is at most ~2× (the bytes ratio, or the datasheet peak ratio 1978.9/989.4), and less when the activations must be quantised by a
separate kernel: ``quantize="separate"`` adds a pass that reads X in bf16 and writes it in fp8
(``3·m·k`` bytes), plus one more read (``2·m·k``) for current scaling's amax (Transformer Engine,
"FP8 Current Scaling": two reads per quantisation, delayed scaling one). ``quantize="fused"`` (the
default) assumes the previous kernel emits FP8 directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc.hardware import get_accelerator
from infraprep.errors import InvalidValue

__all__ = ["GemmRoofline", "fp8_gemm", "fp8_table"]

QUANTIZE = ("fused", "separate")
SCALING = ("delayed", "current")


@dataclass(frozen=True)
class GemmRoofline:
    gpu: str
    m: int
    n: int
    k: int
    bf16_seconds: float
    fp8_seconds: float
    bf16_intensity: float
    fp8_intensity: float
    bf16_bound: str
    fp8_bound: str
    ridge_bf16: float
    ridge_fp8: float
    quantize_seconds: float

    @property
    def speedup(self) -> float:
        """bf16 time ÷ (fp8 GEMM + activation quantisation) time."""
        return self.bf16_seconds / (self.fp8_seconds + self.quantize_seconds)

    def to_dict(self) -> dict:
        return {"gpu": self.gpu, "m": self.m, "n": self.n, "k": self.k, "bf16_seconds": self.bf16_seconds,
                "fp8_seconds": self.fp8_seconds, "quantize_seconds": self.quantize_seconds,
                "bf16_intensity": self.bf16_intensity, "fp8_intensity": self.fp8_intensity,
                "bf16_bound": self.bf16_bound, "fp8_bound": self.fp8_bound, "ridge_bf16": self.ridge_bf16,
                "ridge_fp8": self.ridge_fp8, "speedup": self.speedup}


def _roof(flops: float, nbytes: float, peak: float, bandwidth: float) -> tuple[float, str]:
    compute, memory = flops / peak, nbytes / bandwidth
    return max(compute, memory), ("compute" if compute > memory else "memory")


def fp8_gemm(m: int, n: int = 8192, k: int = 8192, gpu: str = "h100-sxm", out_bytes: float = 2,
             quantize: str = "fused", scaling: str = "delayed") -> GemmRoofline:
    """Roofline times of one GEMM in bf16 and in fp8 (module docstring for the model and conventions)."""
    for name, value in (("--m", m), ("--n", n), ("--k", k)):
        if value < 1:
            raise InvalidValue(name, value, "a positive integer")
    if quantize not in QUANTIZE:
        raise InvalidValue("--quantize", quantize, " or ".join(QUANTIZE))
    if scaling not in SCALING:
        raise InvalidValue("--scaling", scaling, " or ".join(SCALING))
    acc = get_accelerator(gpu)
    peak_bf16, peak_fp8 = acc.peak("bf16"), acc.peak("fp8")
    flops = 2.0 * m * n * k
    bytes_bf16 = 2.0 * (m * k + k * n) + out_bytes * m * n
    bytes_fp8 = 1.0 * (m * k + k * n) + out_bytes * m * n
    t_bf16, bound_bf16 = _roof(flops, bytes_bf16, peak_bf16, acc.hbm_bandwidth)
    t_fp8, bound_fp8 = _roof(flops, bytes_fp8, peak_fp8, acc.hbm_bandwidth)
    quant_bytes = 0.0
    if quantize == "separate":
        quant_bytes = 3.0 * m * k + (2.0 * m * k if scaling == "current" else 0.0)
    return GemmRoofline(acc.name, m, n, k, t_bf16, t_fp8, flops / bytes_bf16, flops / bytes_fp8, bound_bf16,
                        bound_fp8, acc.ridge_point("bf16"), acc.ridge_point("fp8"), quant_bytes / acc.hbm_bandwidth)


def fp8_table(gpus: tuple[str, ...] = ("h100-sxm", "h200"), ms: tuple[int, ...] = (1, 16, 64, 256, 1024, 4096, 16384),
              n: int = 8192, k: int = 8192, quantize: str = "fused", scaling: str = "delayed") -> list[GemmRoofline]:
    """:func:`fp8_gemm` over token counts ``ms`` on each GPU."""
    return [fp8_gemm(m, n, k, gpu, quantize=quantize, scaling=scaling) for gpu in gpus for m in ms]

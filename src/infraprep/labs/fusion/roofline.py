"""Roofline model of an elementwise chain — bias + GeLU + dropout + residual — unfused vs fused.

Pure Python (no NumPy): the CLI prints it instantly. A tensor of ``E = tokens × hidden`` elements of
``dtype_bytes`` each flows through four ops. *Unfused*, each op is its own kernel that reads its
inputs from HBM and writes its output back; *fused*, one kernel reads x, the bias and the residual
once and writes the output once. Per op (E elements, H = hidden)::

    op         reads            writes                 FLOPs per element
    bias       x (E), bias (H)  y1 (E)                 1
    gelu       y1 (E)           y2 (E)                 gelu_flops
    dropout    y2 (E)           y3 (E) [+ mask (E)]    dropout_flops
    residual   y3 (E), r (E)    out (E)

    unfused bytes = b·(9E + H) + m·E        fused bytes = b·(3E + H) + m·E

(b = ``dtype_bytes``, m = ``mask_bytes`` when the dropout mask is saved for the backward pass.)
Time per kernel is ``max(FLOPs / peak, bytes / HBM bandwidth) + launch_overhead`` (Williams,
Waterman & Patterson, "Roofline", CACM 2009); elementwise math runs on the CUDA cores, so the compute
roof is the accelerator's non-tensor FP32 peak (``calc/hardware.py``, ``fp32``), a convention.
Arithmetic intensity = FLOPs / bytes; below the ridge point (peak / bandwidth) the chain is
memory-bound and fusion speeds it up by the bytes ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc.hardware import Accelerator, get_accelerator
from infraprep.calc.units import format_bytes, format_seconds
from infraprep.errors import InvalidValue

__all__ = ["ChainRoofline", "KernelCost", "chain_roofline", "chain_ops"]


@dataclass(frozen=True)
class KernelCost:
    """One kernel launch: what it moves and computes, and its roofline time."""

    name: str
    bytes: float
    flops: float
    seconds: float
    bound: str  # "memory" or "compute"

    @property
    def intensity(self) -> float:
        return self.flops / self.bytes


def chain_ops(elements: float, hidden: int, dtype_bytes: float = 2, mask_bytes: float = 1,
              gelu_flops: float = 9, dropout_flops: float = 2) -> list[tuple[str, float, float]]:
    """The four ops as (name, bytes, FLOPs). Conventions (defaults):

    * ``dtype_bytes=2`` — bf16 activations;
    * ``mask_bytes=1`` — the dropout mask is saved for backward as one byte per element (0 = not saved);
    * ``gelu_flops=9`` — tanh-approximate GeLU (Hendrycks & Gimpel 2016 §2):
      ``0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`` is 8 multiplies/adds plus one tanh counted as 1;
    * ``dropout_flops=2`` — compare with the threshold and scale by 1/(1−p) (RNG cost not counted).
    """
    e, b = elements, dtype_bytes
    return [
        ("bias", b * (2 * e + hidden), e),
        ("gelu", b * 2 * e, gelu_flops * e),
        ("dropout", b * 2 * e + mask_bytes * e, dropout_flops * e),
        ("residual", b * 3 * e, e),
    ]


def _cost(name: str, nbytes: float, flops: float, gpu: Accelerator, launch: float) -> KernelCost:
    compute, memory = flops / gpu.peak("fp32"), nbytes / gpu.hbm_bandwidth
    return KernelCost(name, nbytes, flops, max(compute, memory) + launch, "memory" if memory >= compute else "compute")


@dataclass(frozen=True)
class ChainRoofline:
    """Unfused kernels, the fused kernel, and what fusion buys on one accelerator."""

    gpu: str
    elements: float
    unfused: list[KernelCost]
    fused: KernelCost
    ridge: float
    conventions: dict

    @property
    def unfused_bytes(self) -> float:
        return sum(k.bytes for k in self.unfused)

    @property
    def unfused_seconds(self) -> float:
        return sum(k.seconds for k in self.unfused)

    @property
    def speedup(self) -> float:
        return self.unfused_seconds / self.fused.seconds

    def to_dict(self) -> dict:
        def kernel(k: KernelCost) -> dict:
            return {"name": k.name, "bytes": k.bytes, "flops": k.flops, "seconds": k.seconds,
                    "intensity_flop_per_byte": k.intensity, "bound": k.bound}

        return {"gpu": self.gpu, "elements": self.elements, "ridge_flop_per_byte": self.ridge,
                "unfused": [kernel(k) for k in self.unfused], "fused": kernel(self.fused),
                "unfused_bytes": self.unfused_bytes, "unfused_seconds": self.unfused_seconds,
                "bytes_ratio": self.unfused_bytes / self.fused.bytes, "predicted_speedup": self.speedup,
                "conventions": self.conventions}

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("unfused: HBM traffic", format_bytes(self.unfused_bytes, binary=False)),
            ("fused: HBM traffic", format_bytes(self.fused.bytes, binary=False)),
            ("fused arithmetic intensity", f"{self.fused.intensity:.2f} FLOP/B"),
            (f"ridge point ({self.gpu}, fp32 CUDA cores)", f"{self.ridge:.1f} FLOP/B"),
            ("unfused time (4 kernels)", format_seconds(self.unfused_seconds)),
            ("fused time (1 kernel)", format_seconds(self.fused.seconds)),
            ("predicted speed-up", f"{self.speedup:.2f}×"),
        ]

    def explain(self) -> str:
        return (f"unfused = Σ max(FLOPs/peak, bytes/BW) over 4 kernels = {format_seconds(self.unfused_seconds)}\n"
                f"fused   = max({self.fused.flops:.3g}/peak, {self.fused.bytes:.3g} B/BW) = "
                f"{format_seconds(self.fused.seconds)}  ({self.fused.bound}-bound)\n"
                f"speed-up = {self.speedup:.2f}× ≈ bytes ratio {self.unfused_bytes / self.fused.bytes:.2f}× "
                f"when memory-bound (intensity {self.fused.intensity:.2f} < ridge {self.ridge:.1f} FLOP/B)")


def chain_roofline(tokens: int = 8192, hidden: int = 8192, gpu: str = "h100-sxm", dtype_bytes: float = 2,
                   mask_bytes: float = 1, gelu_flops: float = 9, dropout_flops: float = 2,
                   launch_overhead: float = 0.0) -> ChainRoofline:
    """Roofline of the chain on ``gpu``; ``launch_overhead`` (seconds per kernel, default 0) is a convention."""
    for name, value in (("--tokens", tokens), ("--hidden", hidden), ("--dtype-bytes", dtype_bytes)):
        if value <= 0:
            raise InvalidValue(name, value, "a positive number")
    if mask_bytes < 0 or launch_overhead < 0:
        raise InvalidValue("--mask-bytes" if mask_bytes < 0 else "--launch-overhead",
                           min(mask_bytes, launch_overhead), "a number ≥ 0")
    acc = get_accelerator(gpu)
    elements = float(tokens) * hidden
    ops = chain_ops(elements, hidden, dtype_bytes, mask_bytes, gelu_flops, dropout_flops)
    unfused = [_cost(name, nbytes, flops, acc, launch_overhead) for name, nbytes, flops in ops]
    fused_bytes = dtype_bytes * (3 * elements + hidden) + mask_bytes * elements
    fused = _cost("fused", fused_bytes, sum(f for _, _, f in ops), acc, launch_overhead)
    conventions = {"dtype_bytes": dtype_bytes, "mask_bytes": mask_bytes, "gelu_flops": gelu_flops,
                   "dropout_flops": dropout_flops, "launch_overhead_s": launch_overhead,
                   "compute_roof": "non-tensor fp32 peak (elementwise math on CUDA cores)",
                   "bandwidth": "HBM, decimal bytes/s"}
    return ChainRoofline(acc.name, elements, unfused, fused, acc.peak("fp32") / acc.hbm_bandwidth, conventions)

"""FP8 matmul through ``torch._scaled_mm`` on the CPU, against an fp32 reference.

``torch._scaled_mm(a, b, scale_a, scale_b, out_dtype)`` computes ``(a·scale_a) @ (b·scale_b)`` for
float8 ``a`` (row-major) and ``b`` (column-major) with per-tensor float32 scales. PyTorch added a CPU
implementation in 2025 (pytorch/pytorch#150410: oneDNN, with an emulated fallback); torch 2.13 has
it, so the lab runs it here. :func:`scaled_mm_check` checks two things:

* *semantics* — ``_scaled_mm`` equals the float64 product of the dequantised operands, i.e. the
  kernel adds no error beyond the quantisation (tolerance 1e-5, float32 accumulation);
* *cost of FP8* — its error against the fp32 product of the unquantised operands.

Block-scaled products (1×128 activations × 128×128 weights, DeepSeek-V3 §3.3.2) are emulated by
dequantising and multiplying in float64, which is what the FP8 GEMM with per-group scale promotion
computes up to accumulation order.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.labs.fp8.formats import FORMATS
from infraprep.labs.fp8.scaling import error_metrics, quantize
from infraprep.labs.verdict import Verdict, compare

__all__ = ["ScaledMmResult", "block_scaled_errors", "scaled_mm_available", "scaled_mm_check"]

_TORCH_DTYPES = {"e4m3": "float8_e4m3fn", "e5m2": "float8_e5m2"}


def scaled_mm_available() -> bool:
    """Whether this torch has ``_scaled_mm`` for CPU tensors (tried on a 16×16 product)."""
    import torch

    if not hasattr(torch, "_scaled_mm"):
        return False
    one = torch.tensor(1.0)
    a = torch.zeros(16, 16).to(torch.float8_e4m3fn)
    try:
        torch._scaled_mm(a, a.t(), scale_a=one, scale_b=one, out_dtype=torch.float32)
    except (RuntimeError, NotImplementedError):
        return False
    return True


@dataclass(frozen=True)
class ScaledMmResult:
    m: int
    k: int
    n: int
    fmt: str
    semantics: Verdict  # _scaled_mm vs float64 product of the dequantised operands
    vs_fp32: dict[str, float]  # error metrics against the fp32 product

    def to_dict(self) -> dict:
        return {"shape": [self.m, self.k, self.n], "format": self.fmt, "semantics": self.semantics.to_dict(),
                "vs_fp32": self.vs_fp32}


def scaled_mm_check(a, b, fmt: str = "e4m3") -> ScaledMmResult:
    """``a @ b`` with per-tensor-scaled FP8 operands through ``torch._scaled_mm`` (CPU)."""
    import numpy as np
    import torch

    dtype = getattr(torch, _TORCH_DTYPES[fmt])
    qa, qb = quantize(a, FORMATS[fmt], "tensor"), quantize(b, FORMATS[fmt], "tensor")
    fa = torch.from_numpy(qa.values).to(dtype)  # exact: the values are on the FP8 grid
    fb = torch.from_numpy(np.ascontiguousarray(qb.values.T)).to(dtype).t()  # column-major, as required
    scale_a = torch.tensor(float(qa.scales.item()), dtype=torch.float32)
    scale_b = torch.tensor(float(qb.scales.item()), dtype=torch.float32)
    out = torch._scaled_mm(fa, fb, scale_a=scale_a, scale_b=scale_b, out_dtype=torch.float32).numpy()
    emulated = qa.dequantize() @ qb.dequantize()
    reference = np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32)
    semantics = compare(out, emulated, 1e-5, f"torch._scaled_mm ({fmt}) vs dequantised product")
    return ScaledMmResult(a.shape[0], a.shape[1], b.shape[1], fmt, semantics, error_metrics(reference, out))


def block_scaled_errors(a, w, fmt: str = "e4m3") -> dict[str, dict[str, float]]:
    """Error of ``a @ w`` against fp32 when ``a`` (tokens × in) and ``w`` (in × out) are quantised
    per tensor vs DeepSeek-V3's fine-grained recipe (1×128 tiles for a, 128×128 blocks for w)."""
    import numpy as np

    f = FORMATS[fmt]
    reference = np.asarray(a, dtype=np.float64) @ np.asarray(w, dtype=np.float64)
    per_tensor = quantize(a, f, "tensor").dequantize() @ quantize(w, f, "tensor").dequantize()
    fine = quantize(a, f, "tile").dequantize() @ quantize(w, f, "block").dequantize()
    return {"per_tensor": error_metrics(reference, per_tensor), "tile_block": error_metrics(reference, fine)}

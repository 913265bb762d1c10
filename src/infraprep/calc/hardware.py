"""The accelerator catalogue: peaks, memory, links and power, each from a cited vendor source.

Conventions:

* ``dense_flops`` are **dense** tensor-core peaks in FLOP/s (no structured sparsity); vendors' headline
  figures for NVIDIA and AMD parts are often 2:4-sparse, i.e. ``sparsity_speedup`` (2×) times these.
* ``hbm_bytes`` is capacity in bytes as the vendor states it (80 GB = 80e9 B; TPU "32 GiB" = 32·2³⁰ B).
* ``hbm_bandwidth`` and link bandwidths are bytes/s, decimal (3.35 TB/s = 3.35e12 B/s).
* ``scale_up_bandwidth`` is **per direction** per GPU (NVLink 4: 900 GB/s total = 450 GB/s each way);
  ``nic_bandwidth`` is the scale-out NIC bandwidth per GPU in the vendor's reference system.
* ``None`` means the cited source does not give the figure; nothing is guessed.

An unknown name is an error listing the catalogue — never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from infraprep.errors import InvalidValue, UnknownName

__all__ = ["ACCELERATORS", "DTYPES", "Accelerator", "get_accelerator"]

DTYPES = ("fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4")


@dataclass(frozen=True)
class Accelerator:
    """One accelerator model (a GPU or TPU chip)."""

    name: str
    display: str
    dense_flops: Mapping[str, float]
    hbm_bytes: float
    hbm_bandwidth: float
    scale_up_bandwidth: float | None
    scale_up_domain: int
    nic_bandwidth: float | None
    power_w: float | None
    sparsity_speedup: float = 1.0
    sources: tuple[str, ...] = field(default=())

    def peak(self, dtype: str = "bf16", sparse: bool = False) -> float:
        """Peak FLOP/s for ``dtype``; ``sparse`` applies the 2:4 structured-sparsity factor."""
        if dtype not in self.dense_flops:
            raise InvalidValue("dtype", dtype, f"one of {', '.join(self.dense_flops)} for {self.name}")
        if sparse and self.sparsity_speedup == 1.0:
            raise InvalidValue("sparse", True, f"dense only: {self.name} has no structured-sparsity speed-up")
        return self.dense_flops[dtype] * (self.sparsity_speedup if sparse else 1.0)

    def ridge_point(self, dtype: str = "bf16") -> float:
        """Roofline ridge point in FLOP/byte: peak ÷ HBM bandwidth (Williams et al., CACM 2009).

        A kernel whose arithmetic intensity is below this is memory-bound on this part.
        """
        return self.peak(dtype) / self.hbm_bandwidth

    def attainable(self, intensity: float, dtype: str = "bf16") -> float:
        """Roofline attainable FLOP/s at ``intensity`` FLOP/byte: min(peak, intensity × HBM bandwidth)
        (Williams, Waterman and Patterson, "Roofline", CACM 52(4), 2009)."""
        if intensity <= 0:
            raise InvalidValue("intensity", intensity, "a positive FLOP/byte ratio")
        return min(self.peak(dtype), intensity * self.hbm_bandwidth)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "display": self.display,
            "dense_flops": dict(self.dense_flops),
            "sparsity_speedup": self.sparsity_speedup,
            "hbm_bytes": self.hbm_bytes,
            "hbm_bandwidth": self.hbm_bandwidth,
            "scale_up_bandwidth_per_direction": self.scale_up_bandwidth,
            "scale_up_domain": self.scale_up_domain,
            "nic_bandwidth": self.nic_bandwidth,
            "power_w": self.power_w,
            "ridge_point_bf16": self.ridge_point("bf16") if "bf16" in self.dense_flops else None,
            "sources": list(self.sources),
        }


T = 1e12
_A100_FLOPS = {"fp64": 19.5 * T, "fp32": 19.5 * T, "tf32": 156 * T, "bf16": 312 * T, "fp16": 312 * T, "int8": 624 * T}
_A100_SRC = "NVIDIA A100 Tensor Core GPU datasheet (2021): SXM4, dense Tensor Core peaks (sparse = 2x)"
_H100_SXM_FLOPS = {
    "fp64": 67 * T,
    "fp32": 67 * T,
    "tf32": 494.7 * T,
    "bf16": 989.4 * T,
    "fp16": 989.4 * T,
    "fp8": 1978.9 * T,
    "int8": 1978.9 * T,
}
_H100_SRC = "NVIDIA H100 Tensor Core GPU datasheet (2023): H100 SXM column; sparse figures are 2x dense"
_NDR = "NVIDIA DGX H100/H200 user guide: one ConnectX-7 400 Gb/s NIC per GPU"

ACCELERATORS: dict[str, Accelerator] = {
    a.name: a
    for a in (
        Accelerator(
            "a100-40gb", "NVIDIA A100 SXM4 40GB", _A100_FLOPS, 40e9, 1555e9, 300e9, 8, 25e9, 400, 2.0,
            (_A100_SRC, "NVLink 3: 600 GB/s total per GPU", "DGX A100 user guide: 8x 200 Gb/s HDR, one per GPU"),
        ),
        Accelerator(
            "a100-80gb", "NVIDIA A100 SXM4 80GB", _A100_FLOPS, 80e9, 2039e9, 300e9, 8, 25e9, 400, 2.0,
            (_A100_SRC, "NVLink 3: 600 GB/s total per GPU", "DGX A100 user guide: 8x 200 Gb/s HDR, one per GPU"),
        ),
        Accelerator(
            "h100-sxm", "NVIDIA H100 SXM5 80GB", _H100_SXM_FLOPS, 80e9, 3.35e12, 450e9, 8, 50e9, 700, 2.0,
            (_H100_SRC, "NVLink 4: 900 GB/s total per GPU", _NDR),
        ),
        Accelerator(
            "h100-pcie",
            "NVIDIA H100 PCIe 80GB",
            {"fp64": 51 * T, "fp32": 51 * T, "tf32": 378 * T, "bf16": 756 * T, "fp16": 756 * T, "fp8": 1513 * T,
             "int8": 1513 * T},
            80e9, 2.0e12, 300e9, 2, None, 350, 2.0,
            ("NVIDIA H100 Tensor Core GPU datasheet (2023): H100 PCIe column", "NVLink bridge: 600 GB/s total, pairs"),
        ),
        Accelerator(
            "h200", "NVIDIA H200 SXM 141GB", _H100_SXM_FLOPS, 141e9, 4.8e12, 450e9, 8, 50e9, 700, 2.0,
            ("NVIDIA H200 Tensor Core GPU datasheet (2024): H200 SXM; compute equal to H100 SXM",
             "NVLink 4: 900 GB/s total per GPU", _NDR),
        ),
        Accelerator(
            "b200",
            "NVIDIA B200 (HGX/DGX B200, 1000 W)",
            {"fp64": 40 * T, "fp32": 80 * T, "tf32": 1100 * T, "bf16": 2250 * T, "fp16": 2250 * T, "fp8": 4500 * T,
             "int8": 4500 * T, "fp4": 9000 * T},
            180e9, 8e12, 900e9, 8, 50e9, 1000, 2.0,
            ("NVIDIA DGX B200 datasheet (2024): 8 GPUs, 1,440 GB and 64 TB/s HBM3e in total; 72 PFLOPS FP8 sparse",
             "NVLink 5: 1.8 TB/s total per GPU", "DGX B200: ConnectX-7 400 Gb/s per GPU"),
        ),
        Accelerator(
            "mi300x",
            "AMD Instinct MI300X (OAM, 750 W)",
            {"fp64": 163.4 * T, "fp32": 163.4 * T, "tf32": 653.7 * T, "bf16": 1307.4 * T, "fp16": 1307.4 * T,
             "fp8": 2614.9 * T, "int8": 2614.9 * T},
            192e9, 5.3e12, 448e9, 8, None, 750, 2.0,
            ("AMD Instinct MI300X data sheet (2023): dense matrix peaks; sparsity doubles them",
             "Infinity Fabric: 7 links x 128 GB/s = 896 GB/s aggregate bidirectional peer bandwidth"),
        ),
        Accelerator(
            "tpu-v4", "Google Cloud TPU v4 chip", {"bf16": 275 * T, "int8": 275 * T}, 32 * 2**30, 1200e9,
            None, 4096, None, 192, 1.0,
            ("Google Cloud TPU v4 documentation, system architecture table: 275 TFLOPS bf16/int8, 32 GiB HBM2 at "
             "1200 GBps, measured max power 192 W, pod of 4096 chips",),
        ),
        Accelerator(
            "tpu-v5p", "Google Cloud TPU v5p chip", {"bf16": 459 * T, "fp8": 459 * T}, 95 * 2**30, 2765e9,
            600e9, 8960, 6.25e9, None, 1.0,
            ("Google Cloud TPU v5p documentation, specification table: 459 TFLOPS bf16, 95 GiB HBM at 2765 GBps, "
             "1200 GBps bidirectional ICI per chip, 50 Gbps DCN per chip, pod of 8960 chips",),
        ),
    )
}


def get_accelerator(name: str) -> Accelerator:
    """Look up by catalogue key (case-insensitive); :class:`UnknownName` lists the nearest keys."""
    key = name.strip().lower()
    if key in ACCELERATORS:
        return ACCELERATORS[key]
    raise UnknownName("GPU", name, ACCELERATORS)

"""FP8: formats, scaling granularities, delayed vs current scaling, scaled matmul, and the FP8 roofline.

* :mod:`.formats` — E4M3/E5M2 and round-to-nearest-even onto their grids (checked against torch's casts);
* :mod:`.scaling` — per-tensor, per-channel, 1×128 and 128×128 scaling; delayed scaling;
* :mod:`.experiments` — errors on activations with outlier channels; a stream with a jump;
* :mod:`.matmul` — ``torch._scaled_mm`` on the CPU vs fp32; fine-grained block-scaled products;
* :mod:`.roofline` — when FP8 speeds a GEMM up on H100/H200 (pure Python).
"""

from infraprep.labs.fp8.formats import E4M3, E5M2, FORMATS, Fp8Format, get_format, round_to_fp8
from infraprep.labs.fp8.lab import Fp8Lab, run_lab
from infraprep.labs.fp8.roofline import GemmRoofline, fp8_gemm, fp8_table
from infraprep.labs.fp8.scaling import GRANULARITIES, DelayedScaler, Quantized, error_metrics, quantize

__all__ = ["E4M3", "E5M2", "FORMATS", "GRANULARITIES", "DelayedScaler", "Fp8Format", "Fp8Lab", "GemmRoofline",
           "Quantized", "error_metrics", "fp8_gemm", "fp8_table", "get_format", "quantize", "round_to_fp8", "run_lab"]

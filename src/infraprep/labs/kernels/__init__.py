"""CUDA-style kernels on real engines: numba (CUDA simulator on a CPU, or a GPU), Triton, CUDA C++.

* :mod:`.matmul` — naive vs shared-memory tiled matmul with their global-load counts;
* :mod:`.banks` — shared-memory bank conflicts of a transpose, cured by padding;
* :mod:`.reduction` — block sum by shared-memory tree vs warp shuffles;
* :mod:`.triton_matmul` — the tiled matmul in Triton (interpreter on a CPU);
* :mod:`.cuda_source` — the tiled matmul in CUDA C++, built with nvcc or, as its CPU twin, g++;
* :mod:`.engine`, :mod:`.puzzle` — the injected engines and the spec/body/problem checker.

Nothing here imports numba, numpy, torch or triton at module top except :mod:`.triton_matmul`.
"""

from infraprep.labs.kernels.engine import GpuEngine, SimEngine, get_engine
from infraprep.labs.kernels.lab import MatmulLab, run_lab
from infraprep.labs.kernels.puzzle import KernelProblem, check, run
from infraprep.labs.verdict import KernelMismatch, Verdict, compare

__all__ = ["GpuEngine", "KernelMismatch", "KernelProblem", "MatmulLab", "SimEngine", "Verdict", "check", "compare",
           "get_engine", "run", "run_lab"]

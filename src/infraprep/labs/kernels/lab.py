"""The kernels lab in one call: what ``infraprep lab matmul`` runs and prints.

Steps (each announced to ``progress(label, done, total)`` before it starts): naive and tiled matmul on the chosen engine
with their global-load counts; the transpose with and without padding (bank-conflict degrees); the
block sum by shared-memory tree and by warp shuffles; the Triton matmul (interpreter on a CPU); the
CUDA C++ source built with g++ against ``cuda_emu.h`` (its CPU twin), when g++ is present.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from infraprep.labs.kernels.puzzle import run
from infraprep.labs.steps import OnStep, Steps
from infraprep.labs.verdict import Verdict, compare

__all__ = ["MatmulLab", "STEPS", "run_lab"]

STEPS = ("naive matmul", "tiled matmul", "transpose", "padded transpose", "tree sum", "shuffle sum",
         "triton matmul", "CUDA C++ (g++ twin)")


@dataclass(frozen=True)
class MatmulLab:
    n: int
    k: int
    m: int
    tile: int
    engine: str
    loads: dict[str, int | None]  # measured in the simulator (None on a GPU)
    loads_closed_form: dict[str, int]
    conflicts: dict[str, dict[str, int] | None]  # pad0/pad1 -> worst degree of store and load instructions
    reduction: dict[str, dict[str, float] | None]  # per block, measured
    reduction_closed_form: dict[str, dict[str, int]]
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def load_ratio(self) -> float | None:
        naive, tiled = self.loads.get("naive"), self.loads.get("tiled")
        return tiled / naive if naive and tiled is not None else None

    def to_dict(self) -> dict:
        return {
            "shape": {"n": self.n, "k": self.k, "m": self.m},
            "tile": self.tile,
            "engine": self.engine,
            "global_loads": self.loads,
            "global_loads_closed_form": self.loads_closed_form,
            "tiled_over_naive": self.load_ratio,
            "one_over_tile": 1 / self.tile,
            "bank_conflict_degree": self.conflicts,
            "reduction_per_block": self.reduction,
            "reduction_per_block_closed_form": self.reduction_closed_form,
            "verdicts": {name: v.to_dict() for name, v in self.verdicts.items()},
            "skipped": self.skipped,
            "conventions": {
                "max_error": "max|out - expected| / max|expected| (normalised max error)",
                "loads": "global-memory element loads counted per access in the CUDA simulator",
                "bank_conflict_degree": "most distinct 4-byte words one of 32 banks serves in a warp access",
            },
        }


def run_lab(n: int = 32, k: int = 32, m: int = 32, tile: int = 16, engine: str = "sim", seed: int = 0,
            cuda_cpp: bool = True, progress: OnStep | None = None) -> MatmulLab:
    """Run every step; ``engine`` is ``sim`` (numba CUDA simulator) or ``gpu``."""
    from infraprep.labs.kernels.banks import conflict_degrees, transpose_problem
    from infraprep.labs.kernels.engine import get_engine
    from infraprep.labs.kernels.matmul import matmul_problem, naive_loads, tiled_loads
    from infraprep.labs.kernels.reduction import reduction_costs, reduction_problem

    step = Steps(len(STEPS), progress)
    cuda = get_engine(engine)
    verdicts: dict[str, Verdict] = {}
    loads: dict[str, int | None] = {}
    for kind in ("naive", "tiled"):
        step(f"{kind} matmul")
        result = run(matmul_problem(kind, n, k, m, tile, seed), cuda)
        verdicts[f"{kind} matmul"] = result.verdict
        loads[kind] = result.trace.total_global_loads if result.trace else None
    conflicts: dict[str, dict[str, int] | None] = {}
    for pad in (0, 1):
        step("padded transpose" if pad else "transpose")
        result = run(transpose_problem(pad, seed=seed), cuda)
        verdicts[f"transpose pad {pad}"] = result.verdict
        if result.trace is None:
            conflicts[f"pad{pad}"] = None
        else:
            instructions = conflict_degrees(result.trace.shared_log)
            conflicts[f"pad{pad}"] = {kind: max(i.worst for i in instructions if i.kind == kind)
                                      for kind in ("store", "load")}
    reduction: dict[str, dict[str, float] | None] = {}
    block, blocks = 64, 2
    for kind in ("tree", "shuffle"):
        step(f"{kind} sum")
        result = run(reduction_problem(kind, block, blocks, seed), cuda)
        verdicts[f"{kind} sum"] = result.verdict
        t = result.trace
        reduction[kind] = None if t is None else {
            "barriers": t.barriers_per_thread, "shared_stores": t.shared_stores / blocks,
            "shared_loads": t.shared_loads / blocks, "shuffles": t.shuffles / blocks}
    skipped: dict[str, str] = {}
    step("triton matmul")
    _triton_step(n, k, m, seed, verdicts, skipped)
    step("CUDA C++ (g++ twin)")
    if cuda_cpp:
        _cuda_cpp_step(n, k, m, tile, seed, verdicts, skipped)
    else:
        skipped["CUDA C++ (g++ twin)"] = "not requested"
    step.finish()
    return MatmulLab(n, k, m, tile, cuda.name, loads,
                     {"naive": naive_loads(n, k, m), "tiled": tiled_loads(n, k, m, tile)}, conflicts, reduction,
                     {kind: reduction_costs(kind, block) for kind in ("tree", "shuffle")}, verdicts, skipped)


def _inputs(n: int, k: int, m: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, k)).astype(np.float32), rng.standard_normal((k, m)).astype(np.float32)


def _triton_step(n, k, m, seed, verdicts, skipped) -> None:
    from infraprep.errors import InfraprepError

    try:
        import torch

        from infraprep.labs.kernels.triton_matmul import matmul
    except (ImportError, InfraprepError) as exc:
        skipped["triton matmul"] = str(exc)
        return
    from infraprep.labs.triton_runtime import interpreting

    a, b = _inputs(n, k, m, seed)
    c = matmul(torch.from_numpy(a), torch.from_numpy(b))  # the process's Triton mode
    mode = "interpreter" if interpreting() else "gpu"
    verdicts["triton matmul"] = compare(c.cpu().numpy(), a.astype("float64") @ b, 1e-5, f"triton matmul ({mode})")


def _cuda_cpp_step(n, k, m, tile, seed, verdicts, skipped) -> None:
    from infraprep.labs.kernels.cuda_source import build, run_binary

    if shutil.which("g++") is None:
        skipped["CUDA C++ (g++ twin)"] = "g++ not found on PATH"
        return
    if tile not in (8, 16, 32):
        skipped["CUDA C++ (g++ twin)"] = f"the .cu instantiates tiles 8, 16, 32 (not {tile})"
        return
    a, b = _inputs(n, k, m, seed)
    with tempfile.TemporaryDirectory(prefix="infraprep-cu-") as tmp:
        binary = build(Path(tmp), "g++")
        verdicts["CUDA C++ tiled (g++ twin)"] = run_binary(binary, "tiled", a, b, tile).verdict

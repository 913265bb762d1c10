"""Build and run the CUDA C++ tiled matmul (``cuda/matmul_tiled.cu``): nvcc for a GPU, g++ for its CPU twin.

The same ``.cu`` source compiles two ways:

* ``nvcc`` — the real kernel, for the GPU tier (needs a GPU to run; building needs only the toolkit);
* ``g++ -std=c++20`` against ``cuda_emu.h`` — every CUDA thread a ``std::thread``, ``__syncthreads``
  a ``std::barrier``. With ``sanitize=True`` it is built under ThreadSanitizer, which turns a missing
  barrier (``omit_second_sync=True``: the tiles are overwritten while slower threads still read them)
  into a reported data race.

:func:`run_binary` feeds A and B as raw float32 files, reads C back and judges it against NumPy with
:func:`~infraprep.labs.kernels.puzzle.compare`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from infraprep.errors import InfraprepError, InvalidValue
from infraprep.labs.verdict import Verdict, compare

__all__ = ["CudaRun", "build", "run_binary", "source_path"]

COMPILERS = ("g++", "nvcc")


def source_path() -> Path:
    """The ``.cu`` file shipped in the package."""
    return Path(str(resources.files("infraprep.labs.kernels") / "cuda" / "matmul_tiled.cu"))


def build(out_dir: Path, compiler: str = "g++", sanitize: bool = False, omit_second_sync: bool = False) -> Path:
    """Compile the source into ``out_dir``; returns the executable. A missing compiler is a one-line error."""
    if compiler not in COMPILERS:
        raise InvalidValue("--compiler", compiler, " or ".join(COMPILERS))
    exe = shutil.which(compiler)
    if exe is None:
        hint = "apt-get install g++" if compiler == "g++" else "install the CUDA toolkit"
        raise InfraprepError(f"{compiler} not found on PATH ({hint})")
    src = source_path()
    name = "matmul_tiled" + ("_gpu" if compiler == "nvcc" else "_cpu") + ("_tsan" if sanitize else "")
    name += "_nosync" if omit_second_sync else ""
    binary = Path(out_dir) / name
    if compiler == "nvcc":
        cmd = [exe, "-O3", "-std=c++17", "-o", str(binary), str(src)]
    else:
        cmd = [exe, "-std=c++20", "-pthread", "-x", "c++", "-o", str(binary), str(src)]
        cmd[1:1] = ["-O1", "-g", "-fsanitize=thread"] if sanitize else ["-O2"]
    if omit_second_sync:
        cmd.insert(1, "-DOMIT_SECOND_SYNC")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InfraprepError(f"{compiler} failed on {src.name}: {last}")
    return binary


@dataclass(frozen=True)
class CudaRun:
    """One run of the built binary: what it printed, the verdict vs NumPy, ThreadSanitizer's findings."""

    kernel: str
    tile: int
    target: str
    ms: float | None
    verdict: Verdict
    data_race: bool
    stderr: str


def run_binary(binary: Path, kernel: str, a, b, tile: int = 16, work_dir: Path | None = None,
               repeats: int = 1) -> CudaRun:
    """Run ``binary`` on float32 matrices ``a`` (n×k) and ``b`` (k×m) and check C against ``a @ b``."""
    import numpy as np

    if kernel not in ("naive", "tiled"):
        raise InvalidValue("kernel", kernel, "naive or tiled")
    if tile not in (8, 16, 32):
        raise InvalidValue("--tile", tile, "8, 16 or 32 (the .cu instantiates these)")
    work = Path(work_dir or binary.parent)
    a, b = np.ascontiguousarray(a, np.float32), np.ascontiguousarray(b, np.float32)
    (n, k), (_, m) = a.shape, b.shape
    paths = [work / f"{binary.name}.{x}.bin" for x in "abc"]
    a.tofile(paths[0])
    b.tofile(paths[1])
    env = {**os.environ, "TSAN_OPTIONS": "halt_on_error=0 exitcode=66"}
    cmd = [str(binary), kernel, str(tile), str(n), str(k), str(m), *map(str, paths), str(repeats)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    race = "ThreadSanitizer: data race" in done.stderr
    if done.returncode not in (0, 66) or not done.stdout.strip():
        raise InfraprepError(f"{binary.name} failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    info = json.loads(done.stdout.strip().splitlines()[-1])
    c = np.fromfile(paths[2], dtype=np.float32).reshape(n, m)
    verdict = compare(c, a.astype(np.float64) @ b, 1e-5, f"{kernel} matmul ({info['target']})")
    return CudaRun(kernel, tile, info["target"], info["ms"] if info["target"] == "gpu" else None, verdict, race,
                   done.stderr)

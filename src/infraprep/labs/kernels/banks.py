"""Shared-memory bank conflicts, measured on a transpose through a shared tile, and cured by padding.

Shared memory is 32 banks of 4-byte words; word ``w`` lives in bank ``w mod 32`` (CUDA C++
Programming Guide, "Shared Memory" for compute capability 5.x and later). A warp's access is served
in as many passes as the largest number of *distinct* words it touches in one bank (lanes reading
the same word get a broadcast): that number is the conflict *degree*, 1 = conflict-free.

The transpose (Harris, "An Efficient Matrix Transpose in CUDA C/C++", NVIDIA blog 2013) writes a
32×32 tile row by row (``tile[ty][tx]``: 32 consecutive words, degree 1) and reads it column by
column (``tile[tx][ty]``): with a row stride of 32 words every lane hits the same bank, degree 32.
Padding the row to 33 words shifts each row by one bank and the column read becomes degree 1.

:func:`conflict_degrees` measures this from the simulator's log of the shared accesses the kernel
actually made: the k-th access of each lane of a warp is one warp-wide instruction (valid for
convergent code such as this kernel).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from infraprep.labs.kernels.puzzle import KernelProblem

__all__ = ["BANKS", "InstructionConflicts", "conflict_degree", "conflict_degrees", "transpose_problem"]

BANKS = 32
TILE = 32
ROWS = 8  # block of 32×8 threads; each thread moves TILE/ROWS = 4 elements (Harris 2013)


def conflict_degree(words, banks: int = BANKS) -> int:
    """Passes one warp-wide access needs: the most distinct words any one bank is asked for."""
    per_bank: dict[int, set[int]] = defaultdict(set)
    for word in words:
        per_bank[word % banks].add(word)
    return max((len(s) for s in per_bank.values()), default=0)


@dataclass(frozen=True)
class InstructionConflicts:
    """One shared-memory instruction of the kernel: its kind and the conflict degree of each warp issuing it."""

    index: int
    kind: str
    degrees: tuple[int, ...]

    @property
    def worst(self) -> int:
        return max(self.degrees)


def conflict_degrees(shared_log: dict, warp: int = 32) -> list[InstructionConflicts]:
    """Group a :class:`~infraprep.labs.kernels.engine.Trace` shared log into warp instructions and rate each."""
    by_warp: dict[tuple, dict[int, list]] = defaultdict(dict)
    for (block, thread), accesses in shared_log.items():
        by_warp[(block, thread // warp)][thread % warp] = accesses
    instructions: dict[int, tuple[str, list[int]]] = {}
    for lanes in by_warp.values():
        length = min(len(a) for a in lanes.values())
        for k in range(length):
            kind = next(iter(lanes.values()))[k][1]
            degree = conflict_degree(a[k][2] for a in lanes.values())
            instructions.setdefault(k, (kind, []))[1].append(degree)
    return [InstructionConflicts(k, kind, tuple(d)) for k, (kind, d) in sorted(instructions.items())]


def transpose_spec(a: float32[n, n]) -> float32[n, n]:  # noqa: F821
    return a.T.copy()


def transpose_body(pad: int):
    """Transpose through a ``32 × (32 + pad)`` shared tile; ``pad=1`` removes the column-read conflicts."""
    shape = (TILE, TILE + pad)  # a constant tuple: numba needs the shared array's shape at compile time

    def body(cuda):
        from numba import float32

        def transpose(a, out):
            tile = cuda.shared.array(shape, float32)
            tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
            x, y = cuda.blockIdx.x * TILE + tx, cuda.blockIdx.y * TILE + ty
            for j in range(0, TILE, ROWS):  # coalesced global read, row-wise shared write
                tile[ty + j, tx] = a[y + j, x]
            cuda.syncthreads()
            x, y = cuda.blockIdx.y * TILE + tx, cuda.blockIdx.x * TILE + ty
            for j in range(0, TILE, ROWS):  # column-wise shared read, coalesced global write
                out[y + j, x] = tile[tx, ty + j]

        return transpose

    return body


def transpose_problem(pad: int, n: int = 32, seed: int = 0) -> KernelProblem:
    """Transpose an ``n×n`` float32 matrix (n a multiple of 32) with the given padding."""
    import numpy as np

    from infraprep.errors import InvalidValue

    if n < TILE or n % TILE:
        raise InvalidValue("--n", n, f"a positive multiple of {TILE} for the transpose")
    a = np.random.default_rng(seed).standard_normal((n, n)).astype(np.float32)
    return KernelProblem(f"transpose {n}x{n} pad {pad}", transpose_spec, transpose_body(pad), {"a": a}, (n, n),
                         (n // TILE, n // TILE), (TILE, ROWS), tolerance=0.0)

"""Naive vs shared-memory tiled matmul, CUDA-style, with their global-memory load counts.

``C[n×m] = A[n×k] · B[k×m]``, float32, one thread per output element, square blocks of
``tile × tile`` threads (``threadIdx.x`` runs along columns).

* naive: thread (row, col) reads row ``row`` of A and column ``col`` of B from global memory:
  ``2k`` loads per output, ``2·n·m·k`` in all.
* tiled (Kirk & Hwu, *Programming Massively Parallel Processors*, 4th ed., ch. 5 §5.4): the block
  walks K in phases of ``tile``; in each phase every thread loads one element of A and one of B into
  shared memory, ``syncthreads``, and all ``tile²`` threads reuse the two tiles. Each loaded element
  serves ``tile`` outputs, so loads fall by the tile factor. With bounds checks (ragged edges):

      loads_A = n · ⌈m/tile⌉ · k,   loads_B = m · ⌈n/tile⌉ · k,   tiled/naive → 1/tile.

The counts in :func:`naive_loads` / :func:`tiled_loads` are these closed forms; the simulator counts
the loads the kernels actually make (``tests/labs/kernels/test_matmul.py`` checks they agree).
"""

from __future__ import annotations

import math

from infraprep.errors import InvalidValue
from infraprep.labs.kernels.puzzle import KernelProblem

__all__ = ["matmul_problem", "matmul_spec", "naive_body", "naive_loads", "tiled_body", "tiled_loads"]


def matmul_spec(a: float32[n, k], b: float32[k, m]) -> float64[n, m]:  # noqa: F821
    """The reference: ``a @ b`` in float64."""
    return a.astype("float64") @ b.astype("float64")


def naive_body(cuda):
    """One thread per output; every operand read straight from global memory."""
    from numba import float32

    def matmul_naive(a, b, out):
        col = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
        row = cuda.blockIdx.y * cuda.blockDim.y + cuda.threadIdx.y
        if row < out.shape[0] and col < out.shape[1]:
            acc = float32(0.0)  # float32 accumulator, as on the GPU
            for p in range(a.shape[1]):
                acc += a[row, p] * b[p, col]
            out[row, col] = acc

    return matmul_naive


def tiled_body(tile: int):
    """The tiled kernel for a ``tile × tile`` block (``tile`` is a compile-time constant on a GPU)."""

    def body(cuda):
        from numba import float32

        def matmul_tiled(a, b, out):
            a_tile = cuda.shared.array((tile, tile), float32)
            b_tile = cuda.shared.array((tile, tile), float32)
            tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
            col = cuda.blockIdx.x * tile + tx
            row = cuda.blockIdx.y * tile + ty
            n, k, m = a.shape[0], a.shape[1], b.shape[1]
            acc = float32(0.0)
            for phase in range((k + tile - 1) // tile):
                a_col, b_row = phase * tile + tx, phase * tile + ty
                a_tile[ty, tx] = a[row, a_col] if row < n and a_col < k else 0.0
                b_tile[ty, tx] = b[b_row, col] if b_row < k and col < m else 0.0
                cuda.syncthreads()  # both tiles complete before anyone reads them
                for p in range(tile):
                    acc += a_tile[ty, p] * b_tile[p, tx]
                cuda.syncthreads()  # everyone done reading before the next phase overwrites
            if row < n and col < m:
                out[row, col] = acc

        return matmul_tiled

    return body


def naive_loads(n: int, k: int, m: int) -> int:
    """Global loads of the naive kernel: ``2·n·m·k``."""
    return 2 * n * m * k


def tiled_loads(n: int, k: int, m: int, tile: int) -> int:
    """Global loads of the tiled kernel: ``k·(n·⌈m/tile⌉ + m·⌈n/tile⌉)`` (= ``2nmk/tile`` when tile divides n, m)."""
    return k * (n * math.ceil(m / tile) + m * math.ceil(n / tile))


def matmul_problem(kind: str, n: int = 32, k: int = 32, m: int = 32, tile: int = 8, seed: int = 0,
                   integer: bool = False) -> KernelProblem:
    """A matmul puzzle: ``kind`` is ``"naive"`` or ``"tiled"``; inputs are seeded.

    ``integer=True`` draws small integers (|x| ≤ 4), whose products and sums are exact in float32, so
    the kernel must equal NumPy bit for bit (tolerance 0).
    """
    import numpy as np

    for name, value in (("--n", n), ("--k", k), ("--m", m)):
        if value < 1:
            raise InvalidValue(name, value, "a positive integer")
    if tile < 1 or tile > 32:
        raise InvalidValue("--tile", tile, "an integer from 1 to 32 (tile² threads per block, at most 1024)")
    if kind not in ("naive", "tiled"):
        raise InvalidValue("kind", kind, "naive or tiled")
    rng = np.random.default_rng(seed)
    if integer:
        a, b = (rng.integers(-4, 5, size=s).astype(np.float32) for s in ((n, k), (k, m)))
    else:
        a, b = (rng.standard_normal(s).astype(np.float32) for s in ((n, k), (k, m)))
    body = naive_body if kind == "naive" else tiled_body(tile)
    grid = (math.ceil(m / tile), math.ceil(n / tile))
    return KernelProblem(f"matmul {kind} {n}x{k}x{m} tile {tile}", matmul_spec, body, {"a": a, "b": b}, (n, m),
                         grid, (tile, tile), tolerance=0.0 if integer else 1e-5)

"""Block sum two ways: shared-memory tree (Harris 2007) vs warp shuffles (Luitjens 2014).

Each block of ``B`` threads (a power of two, whole warps) sums its ``B`` inputs into ``out[block]``.

* tree — Harris, "Optimizing Parallel Reduction in CUDA" (NVIDIA, 2007), kernel 3 (sequential
  addressing): every thread stores its element to shared memory, then log₂B halving steps, each
  followed by ``syncthreads``. Per block: ``1 + log₂B`` barriers, ``2B − 1`` shared stores and
  ``2B − 1`` shared loads (``B − 1`` additions read two words each, plus thread 0's final read).
* shuffle — Luitjens, "Faster Parallel Reductions on Kepler" (NVIDIA blog, 2014): each warp sums in
  registers with five ``shfl_down_sync`` steps (offsets 16, 8, 4, 2, 1), lane 0 of each warp
  parks its partial in shared memory, **one** ``syncthreads``, and warp 0 shuffles the ``B/32``
  partials. Per block: 1 barrier, ``B/32`` shared stores and ``B/32`` shared loads.

In the simulator ``shfl_down_sync`` is emulated (see :mod:`.engine`): numba's simulator has none.
"""

from __future__ import annotations

from infraprep.errors import InvalidValue
from infraprep.labs.kernels.puzzle import KernelProblem

__all__ = ["block_sum_spec", "reduction_costs", "reduction_problem", "shuffle_body", "tree_body"]

FULL_MASK = 0xFFFFFFFF


def block_sum_spec(a: float32[blocks * B], block: int) -> float64[blocks]:  # noqa: F821
    return a.astype("float64").reshape(-1, block).sum(axis=1)


def tree_body(block: int):
    def body(cuda):
        from numba import float32

        def tree_sum(a, out):
            buf = cuda.shared.array(block, float32)
            tid = cuda.threadIdx.x
            buf[tid] = a[cuda.blockIdx.x * block + tid]
            cuda.syncthreads()
            stride = block // 2
            while stride > 0:
                if tid < stride:
                    buf[tid] += buf[tid + stride]
                cuda.syncthreads()
                stride //= 2
            if tid == 0:
                out[cuda.blockIdx.x] = buf[0]

        return tree_sum

    return body


def shuffle_body(block: int):
    warps = block // 32

    def body(cuda):
        from numba import float32

        def shuffle_sum(a, out):
            partials = cuda.shared.array(warps, float32)
            tid = cuda.threadIdx.x
            lane, warp = tid % 32, tid // 32
            value = a[cuda.blockIdx.x * block + tid]
            offset = 16
            while offset > 0:  # registers only: no shared memory, no barrier
                value += cuda.shfl_down_sync(FULL_MASK, value, offset)
                offset //= 2
            if lane == 0:
                partials[warp] = value
            cuda.syncthreads()
            if warp == 0:
                value = partials[lane] if lane < warps else float32(0.0)
                offset = 16
                while offset > 0:
                    value += cuda.shfl_down_sync(FULL_MASK, value, offset)
                    offset //= 2
                if lane == 0:
                    out[cuda.blockIdx.x] = value

        return shuffle_sum

    return body


def reduction_costs(kind: str, block: int) -> dict[str, int]:
    """Closed-form per-block costs (module docstring): barriers, shared stores and loads, shuffles."""
    levels = block.bit_length() - 1
    if kind == "tree":
        return {"barriers": 1 + levels, "shared_stores": 2 * block - 1, "shared_loads": 2 * block - 1, "shuffles": 0}
    return {"barriers": 1, "shared_stores": block // 32, "shared_loads": block // 32, "shuffles": 5 * (block + 32)}


def reduction_problem(kind: str, block: int = 64, blocks: int = 2, seed: int = 0) -> KernelProblem:
    """Sum ``blocks × block`` small integers (exact in float32, so tolerance 0) per block."""
    import numpy as np

    if block < 32 or block > 1024 or block & (block - 1):
        raise InvalidValue("--block", block, "a power of two from 32 to 1024 (whole warps)")
    if blocks < 1:
        raise InvalidValue("--blocks", blocks, "a positive integer")
    if kind not in ("tree", "shuffle"):
        raise InvalidValue("kind", kind, "tree or shuffle")
    a = np.random.default_rng(seed).integers(-8, 9, size=blocks * block).astype(np.float32)
    body = tree_body(block) if kind == "tree" else shuffle_body(block)
    return KernelProblem(f"block sum {kind} B={block}", lambda a: block_sum_spec(a, block), body, {"a": a},
                         (blocks,), (blocks,), (block,), tolerance=0.0)

"""C = A·B with shared-memory tiles (numba.cuda; runs on the CUDA simulator without a GPU)."""

import numpy as np
from numba import cuda, float32

TILE = 8


@cuda.jit
def tiled_matmul_kernel(a, b, c):
    sa = cuda.shared.array((TILE, TILE), float32)
    sb = cuda.shared.array((TILE, TILE), float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row = cuda.blockIdx.y * TILE + ty
    col = cuda.blockIdx.x * TILE + tx
    acc = float32(0.0)
    # KATA-BEGIN: for each tile of K, stage A and B tiles in shared memory, sync, accumulate, sync
    for t in range((a.shape[1] + TILE - 1) // TILE):
        k = t * TILE
        if row < a.shape[0] and k + tx < a.shape[1]:
            sa[ty, tx] = a[row, k + tx]
        else:
            sa[ty, tx] = 0.0
        if k + ty < b.shape[0] and col < b.shape[1]:
            sb[ty, tx] = b[k + ty, col]
        else:
            sb[ty, tx] = 0.0
        cuda.syncthreads()
        for i in range(TILE):
            acc += sa[ty, i] * sb[i, tx]
        cuda.syncthreads()
    # KATA-END
    if row < c.shape[0] and col < c.shape[1]:
        c[row, col] = acc


def matmul(a, b):
    c = np.zeros((a.shape[0], b.shape[1]), dtype=np.float32)
    grid = ((b.shape[1] + TILE - 1) // TILE, (a.shape[0] + TILE - 1) // TILE)
    tiled_matmul_kernel[grid, (TILE, TILE)](a, b, c)
    return c

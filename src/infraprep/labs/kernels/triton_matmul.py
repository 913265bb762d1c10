"""The tiled matmul as a Triton kernel: one program per ``BLOCK_M × BLOCK_N`` output tile.

Where the CUDA version (:mod:`.matmul`) stages ``tile × tile`` operands in shared memory thread by
thread, Triton works a block at a time: each program loads a ``BLOCK_M × BLOCK_K`` slab of A and a
``BLOCK_K × BLOCK_N`` slab of B per step and ``tl.dot`` accumulates in float32 (the compiler places
the slabs in shared memory and issues tensor-core MMAs). Programs are visited in groups of
``GROUP_M`` rows of tiles so that neighbouring programs share B slabs in L2 (the grouped ordering of
Triton's matmul tutorial, ``python/tutorials/03-matrix-multiplication.py``).

Global traffic per program: ``(BLOCK_M + BLOCK_N)·K`` elements for ``BLOCK_M·BLOCK_N`` outputs, the
same ``1/tile`` saving as the CUDA version with ``tile`` = the block edge.

Imported only inside functions (it imports triton at module top, after :func:`prepare`).
"""

from __future__ import annotations

from infraprep.labs.triton_runtime import device_for, jit, launch_options, prepare

prepare()

import triton.language as tl  # noqa: E402

__all__ = ["matmul", "matmul_kernel"]


def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
                  PRECISION: tl.constexpr):
    pid = tl.program_id(0)
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    per_group = GROUP_M * tiles_n
    first_m = (pid // per_group) * GROUP_M
    group_rows = min(tiles_m - first_m, GROUP_M)
    pid_m = first_m + (pid % per_group) % group_rows
    pid_n = (pid % per_group) // group_rows

    rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    ks = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + rows[:, None] * stride_am + ks[None, :] * stride_ak  # (BLOCK_M, BLOCK_K)
    b_ptrs = b_ptr + ks[:, None] * stride_bk + cols[None, :] * stride_bn  # (BLOCK_K, BLOCK_N)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        a = tl.load(a_ptrs, mask=(rows[:, None] < M) & (ks[None, :] + k0 < K), other=0.0)
        b = tl.load(b_ptrs, mask=(ks[:, None] + k0 < K) & (cols[None, :] < N), other=0.0)
        acc = tl.dot(a, b, acc, input_precision=PRECISION)
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk
    c_ptrs = c_ptr + rows[:, None] * stride_cm + cols[None, :] * stride_cn
    tl.store(c_ptrs, acc.to(c_ptr.dtype.element_ty), mask=(rows[:, None] < M) & (cols[None, :] < N))


def matmul(a, b, interpret: bool | None = None, block_m: int = 64, block_n: int = 64, block_k: int = 32,
           group_m: int = 8, tf32: bool = False, num_warps: int | None = None, num_stages: int | None = None):
    """``a @ b`` with the Triton kernel; ``a``, ``b`` are torch tensors (moved to the right device).

    Output dtype = input dtype, accumulation in float32. ``tf32`` lets float32 inputs use TF32 tensor
    cores on a GPU (default off: IEEE float32, comparable with NumPy). ``interpret`` defaults to the
    process's Triton mode (:func:`~infraprep.labs.triton_runtime.prepare`); ``num_warps`` and
    ``num_stages`` tune the compiled kernel (ignored by the interpreter).
    """
    import torch

    interpret = prepare() if interpret is None else interpret
    device = device_for(interpret)
    a, b = a.to(device).contiguous(), b.to(device).contiguous()
    (m, k), (k2, n) = a.shape, b.shape
    if k != k2:
        from infraprep.errors import InvalidValue

        raise InvalidValue("b", tuple(b.shape), f"a matrix with {k} rows to multiply a {tuple(a.shape)}")
    c = torch.empty((m, n), dtype=a.dtype, device=device)
    precision = "tf32" if (tf32 or a.dtype != torch.float32) else "ieee"
    grid = (((m + block_m - 1) // block_m) * ((n + block_n - 1) // block_n),)
    options = launch_options(num_warps, num_stages)
    jit(matmul_kernel, interpret)[grid](a, b, c, m, n, k, a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                                        c.stride(0), c.stride(1), BLOCK_M=block_m, BLOCK_N=block_n,
                                        BLOCK_K=block_k, GROUP_M=group_m, PRECISION=precision, **options)
    return c

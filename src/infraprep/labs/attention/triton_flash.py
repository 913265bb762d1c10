"""FlashAttention forward as a Triton kernel (FlashAttention-2 loop order), interpreted on a CPU.

One program per (``BLOCK_M`` query rows, batch·head). It keeps the running max ``m``, the running sum
``ℓ`` and the unnormalised accumulator in registers/SRAM while it streams ``BLOCK_N`` keys at a time
(Dao 2023, FlashAttention-2 §3.1 Algorithm 1, the same recurrence as :mod:`.flash`'s ``q_outer``),
then writes O and the log-sum-exp ``L = m + log ℓ``. Causal programs stop at the diagonal block.
Exponentials are base 2 with ``log₂e`` folded into the scale (FlashAttention-2's trick; one
multiply saved per score).

Imported only inside functions (it imports triton at module top, after :func:`prepare`).
"""

from __future__ import annotations

from infraprep.labs.triton_runtime import device_for, jit, launch_options, prepare

prepare()

import triton.language as tl  # noqa: E402

__all__ = ["flash_attention", "flash_forward_kernel"]

LOG2E = 1.4426950408889634


def flash_forward_kernel(q_ptr, k_ptr, v_ptr, o_ptr, lse_ptr, n_ctx, qk_scale,
                         stride_h, stride_n, lse_stride_h,
                         HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                         CAUSAL: tl.constexpr):
    start = tl.program_id(0) * BLOCK_M
    head = tl.program_id(1)
    rows = start + tl.arange(0, BLOCK_M)
    dims = tl.arange(0, HEAD_DIM)
    base = head * stride_h
    q = tl.load(q_ptr + base + rows[:, None] * stride_n + dims[None, :], mask=rows[:, None] < n_ctx, other=0.0)
    m_i = tl.full((BLOCK_M,), float("-inf"), dtype=tl.float32)
    l_i = tl.zeros((BLOCK_M,), dtype=tl.float32)
    acc = tl.zeros((BLOCK_M, HEAD_DIM), dtype=tl.float32)
    end = n_ctx
    if CAUSAL:  # keys after the block's last query are masked for every row: stop at the diagonal
        end = tl.minimum(n_ctx, start + BLOCK_M)
    for col0 in range(0, end, BLOCK_N):
        cols = col0 + tl.arange(0, BLOCK_N)
        k = tl.load(k_ptr + base + cols[:, None] * stride_n + dims[None, :], mask=cols[:, None] < n_ctx, other=0.0)
        v = tl.load(v_ptr + base + cols[:, None] * stride_n + dims[None, :], mask=cols[:, None] < n_ctx, other=0.0)
        s = tl.dot(q, tl.trans(k)) * qk_scale  # (BLOCK_M, BLOCK_N), in log2 units
        visible = cols[None, :] < n_ctx
        if CAUSAL:
            visible = visible & (cols[None, :] <= rows[:, None])
        s = tl.where(visible, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, 1))
        alpha = tl.exp2(m_i - m_new)
        p = tl.exp2(s - m_new[:, None])
        l_i = l_i * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v)
        m_i = m_new
    out = acc / l_i[:, None]
    tl.store(o_ptr + base + rows[:, None] * stride_n + dims[None, :], out.to(o_ptr.dtype.element_ty),
             mask=rows[:, None] < n_ctx)
    tl.store(lse_ptr + head * lse_stride_h + rows, (m_i + tl.log2(l_i)) / 1.4426950408889634, mask=rows < n_ctx)


def flash_attention(q, k, v, causal: bool = False, interpret: bool | None = None, block_m: int = 64, block_n: int = 64,
                    num_warps: int | None = None, num_stages: int | None = None):
    """Attention of torch tensors shaped (B, H, N, d) with the Triton kernel; returns ``(O, L)``.

    ``d`` must be a power of two (a ``tl.arange`` extent). Scale ``1/√d``; L in natural-log units.
    ``num_warps`` / ``num_stages`` tune the compiled kernel on a GPU (ignored by the interpreter);
    ``interpret`` defaults to the process's Triton mode.
    """
    import math

    import torch

    from infraprep.errors import InvalidValue

    interpret = prepare() if interpret is None else interpret
    device = device_for(interpret)
    q, k, v = (x.to(device).contiguous() for x in (q, k, v))
    if q.ndim != 4 or k.shape != q.shape or v.shape != q.shape:
        raise InvalidValue("shapes", (tuple(q.shape), tuple(k.shape), tuple(v.shape)), "Q, K, V all (B, H, N, d)")
    batch, heads, n, d = q.shape
    if d & (d - 1) or d < 16:
        raise InvalidValue("--head-dim", d, "a power of two ≥ 16 for the Triton kernel")
    o = torch.empty_like(q)
    lse = torch.empty((batch * heads, n), dtype=torch.float32, device=device)
    grid = ((n + block_m - 1) // block_m, batch * heads)
    options = launch_options(num_warps, num_stages)
    jit(flash_forward_kernel, interpret)[grid](
        q, k, v, o, lse, n, LOG2E / math.sqrt(d), q.stride(1), q.stride(2), lse.stride(0),
        HEAD_DIM=d, BLOCK_M=block_m, BLOCK_N=block_n, CAUSAL=causal, **options)
    return o, lse.reshape(batch, heads, n)

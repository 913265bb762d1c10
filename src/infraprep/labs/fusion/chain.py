"""The chain out = residual + dropout(gelu(x + bias)), computed three ways on the CPU.

* :func:`numpy_chain` — one NumPy call per op, each reading and writing whole arrays (the unfused
  execution a framework gets without a compiler; the issue's baseline);
* :func:`unfused_chain` — four numba loops, one per op, with temporaries in between: the *same* math,
  compiler and vectorisation as the fused loop, so against it the only difference is fusion;
* :func:`fused_chain` — one numba loop: each element is read once, kept in registers through all four
  ops and written once (what a fused GPU kernel does).

Both numba versions evaluate tanh with a fast approximation that vectorises, as a fused GPU kernel
would use ``tanh.approx.f32``: the clamped 13/6 rational of Eigen's ``generic_fast_tanh_float``
(``Eigen/src/Core/MathFunctionsImpl.h``; the same coefficients as ONNX Runtime's MLAS ``tanh.cpp``),
within 4e-7 of tanh on float32 (``tests/labs/fusion/test_chain.py``). NumPy uses its own ``np.tanh``.

All three take the same precomputed dropout keep-mask (one byte per element, from a seeded NumPy
generator). A fused GPU kernel would also draw the mask in registers with Philox and never store it;
that saving is left out here, so the measured ratios understate fusion.
"""

from __future__ import annotations

import functools
import math

__all__ = ["GELU_C", "fast_tanh", "fused_chain", "make_inputs", "numpy_chain", "unfused_chain"]

GELU_C = math.sqrt(2 / math.pi)  # tanh-approximate GeLU (Hendrycks & Gimpel 2016 §2)

# Eigen generic_fast_tanh_float: tanh(x) ≈ x·P(x²)/Q(x²) on x clamped to [-9, 9]
_TANH_P = (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
           1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03)
_TANH_Q = (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03)


def numpy_chain(x, bias, residual, keep, p: float = 0.1):
    """Unfused: bias add, GeLU, dropout, residual add — each a full pass over memory. x: (tokens, hidden)."""
    import numpy as np

    y = x + bias
    y = 0.5 * y * (1 + np.tanh(np.float32(GELU_C) * (y + np.float32(0.044715) * y * y * y)))
    y = np.where(keep, y * np.float32(1 / (1 - p)), np.float32(0))
    return y + residual


@functools.cache
def _kernels():
    """Compile the scalar GeLU once and the fused and unfused loops around it."""
    import numba
    import numpy as np

    p0, p1, p2, p3, p4, p5, p6 = (np.float32(c) for c in _TANH_P)
    q0, q1, q2, q3 = (np.float32(c) for c in _TANH_Q)
    c, k, half, one = np.float32(GELU_C), np.float32(0.044715), np.float32(0.5), np.float32(1)
    lo, hi, zero = np.float32(-9.0), np.float32(9.0), np.float32(0)
    # error_model="numpy": no ZeroDivisionError branch, so LLVM can vectorise the loops
    jit = numba.njit(fastmath=True, error_model="numpy", cache=False)

    @numba.njit(fastmath=True, error_model="numpy", inline="always")
    def gelu(y):
        u = c * (y + k * y * y * y)
        u = u if u < hi else hi
        u = u if u > lo else lo
        u2 = u * u
        tanh = u * ((((((p0 * u2 + p1) * u2 + p2) * u2 + p3) * u2 + p4) * u2 + p5) * u2 + p6) / (
            ((q0 * u2 + q1) * u2 + q2) * u2 + q3)
        return half * y * (one + tanh)

    @jit
    def fused(x, bias, residual, keep, out, scale):
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                y = gelu(x[i, j] + bias[j])  # bias, GeLU
                y = y * scale if keep[i, j] else zero  # dropout
                out[i, j] = y + residual[i, j]  # residual

    @jit
    def add_bias(x, bias, out):
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = x[i, j] + bias[j]

    @jit
    def gelu_pass(x, out):
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = gelu(x[i, j])

    @jit
    def dropout(x, keep, out, scale):
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = x[i, j] * scale if keep[i, j] else zero

    @jit
    def add(x, y, out):
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = x[i, j] + y[i, j]

    return fused, (add_bias, gelu_pass, dropout, add)


def fused_chain(x, bias, residual, keep, p: float = 0.1, out=None):
    """Fused: one pass, four ops per element in registers (numba). Matches :func:`numpy_chain` to ~1e-7."""
    import numpy as np

    out = np.empty_like(x) if out is None else out
    _kernels()[0](x, bias, residual, keep, out, np.float32(1 / (1 - p)))
    return out


def unfused_chain(x, bias, residual, keep, p: float = 0.1, scratch=None, out=None):
    """Unfused numba: four loops, each a full pass through memory via ``scratch`` (two x-shaped buffers)."""
    import numpy as np

    add_bias, gelu_pass, dropout, add = _kernels()[1]
    a, b = scratch if scratch is not None else (np.empty_like(x), np.empty_like(x))
    out = np.empty_like(x) if out is None else out
    add_bias(x, bias, a)
    gelu_pass(a, b)
    dropout(b, keep, a, np.float32(1 / (1 - p)))
    add(a, residual, out)
    return out


def make_inputs(tokens: int, hidden: int, p: float = 0.1, seed: int = 0):
    """Seeded float32 (x, bias, residual) and the dropout keep-mask (bool, P(keep) = 1 − p)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((tokens, hidden), dtype=np.float32)
    bias = rng.standard_normal(hidden, dtype=np.float32)
    residual = rng.standard_normal((tokens, hidden), dtype=np.float32)
    return x, bias, residual, rng.random((tokens, hidden), dtype=np.float32) >= p


def fast_tanh(u):
    """The fused loop's tanh approximation, in NumPy (float32 in, float32 out) — for checking its accuracy."""
    import numpy as np

    u = np.clip(np.asarray(u, dtype=np.float32), np.float32(-9), np.float32(9))
    u2 = u * u
    p = np.float32(0)
    for coefficient in _TANH_P:
        p = p * u2 + np.float32(coefficient)
    q = np.float32(0)
    for coefficient in _TANH_Q:
        q = q * u2 + np.float32(coefficient)
    return u * p / q

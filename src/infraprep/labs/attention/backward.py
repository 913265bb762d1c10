"""FlashAttention backward in NumPy: recompute P tile by tile from the saved log-sum-exp, never store it.

Dao et al. 2022 Appendix B.2/B.4 (Algorithm 4), in the FlashAttention-2 form (Dao 2023 §3.1.2,
Algorithm 2) that saves only ``L = m + log ℓ`` from the forward pass. With ``D_i = rowsum(dO_i ∘ O_i)``,
for every visible (K/V block j, Q block i) tile::

    S = scale · Q_i K_jᵀ   P = exp(S − L_i)          (recomputed: the N×N matrix never exists)
    dV_j += Pᵀ dO_i        dP = dO_i V_jᵀ            dS = P ∘ (dP − D_i)
    dQ_i += scale · dS K_j dK_j += scale · dSᵀ Q_i

Checked against torch autograd on the materialised attention (``tests/labs/attention/test_backward.py``).
"""

from __future__ import annotations

import math

from infraprep.labs.attention.flash import Blocks, _exp_shift, _scores, _visible

__all__ = ["flash_backward"]


def flash_backward(q, k, v, o, lse, d_o, causal: bool = False, blocks: Blocks = Blocks(16, 16),
                   scale: float | None = None):
    """Gradients ``(dQ, dK, dV)`` of attention given the forward's ``O`` and ``L`` and the upstream ``dO``."""
    import numpy as np

    q, k, v, o, lse, d_o = (np.asarray(x, dtype=np.float64) for x in (q, k, v, o, lse, d_o))
    scale = 1 / math.sqrt(q.shape[1]) if scale is None else scale
    n_q, n_k = len(q), len(k)
    dq, dk, dv = np.zeros_like(q), np.zeros_like(k), np.zeros_like(v)
    delta = (d_o * o).sum(axis=1)  # D_i = rowsum(dO ∘ O): the softmax Jacobian's diagonal term
    for col0 in range(0, n_k, blocks.cols):
        cols = slice(col0, col0 + blocks.cols)
        k_j, v_j = k[cols], v[cols]
        dk_j, dv_j = np.zeros_like(k_j), np.zeros_like(v_j)
        for row0 in range(0, n_q, blocks.rows):
            rows = slice(row0, row0 + blocks.rows)
            if not _visible(causal, row0, min(blocks.rows, n_q - row0), col0):
                continue
            s = _scores(q[rows], k_j, scale, causal, row0, col0)
            p = _exp_shift(s, lse[rows][:, None])
            dv_j += p.T @ d_o[rows]
            dp = d_o[rows] @ v_j.T
            ds = p * (dp - delta[rows][:, None])
            dq[rows] += scale * ds @ k_j
            dk_j += scale * ds.T @ q[rows]
        dk[cols], dv[cols] = dk_j, dv_j
    return dq, dk, dv

"""Standard (materialising) attention: the reference every FlashAttention result is judged against.

``O = softmax(scale · Q Kᵀ + mask) V`` with ``scale = 1/√d`` by default and, when causal, the
top-left-aligned mask (query i sees keys j ≤ i). Shapes: Q (N_q, d), K (N_k, d), V (N_k, d_v).

:func:`standard_attention` runs Dao et al. 2022 Algorithm 0 through an :class:`~.hbm.HBM`: S and P
are written to HBM and read back, so it moves ``Θ(Nd + N²)`` elements (Theorem 2).
"""

from __future__ import annotations

import math

from infraprep.labs.attention.hbm import HBM

__all__ = ["attention_reference", "causal_mask", "standard_attention"]


def causal_mask(n_q: int, n_k: int, row0: int = 0, col0: int = 0):
    """Boolean (rows, cols) mask, True where key ``col0 + c`` is visible to query ``row0 + r`` (c ≤ r)."""
    import numpy as np

    return (col0 + np.arange(n_k))[None, :] <= (row0 + np.arange(n_q))[:, None]


def attention_reference(q, k, v, causal: bool = False, scale: float | None = None):
    """Softmax attention in float64, in one piece (no tiling): the spec."""
    import numpy as np

    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = scale * q @ k.T
    if causal:
        s = np.where(causal_mask(*s.shape), s, -np.inf)
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    return (p / p.sum(axis=1, keepdims=True)) @ v


def standard_attention(q, k, v, causal: bool = False, scale: float | None = None, hbm: HBM | None = None):
    """Dao et al. 2022 Algorithm 0 with every HBM access counted; returns (O, hbm).

    1. load Q, K; S = QKᵀ; write S.  2. read S; P = softmax(S); write P.  3. load P, V; O = PV; write O.
    Count: reads N_q·d + N_k·d + 2·N_q·N_k + N_k·d_v, writes 2·N_q·N_k + N_q·d_v.
    """
    import numpy as np

    hbm = hbm or HBM()
    for name, x in (("Q", q), ("K", k), ("V", v)):
        hbm.put(name, np.asarray(x, dtype=np.float64))
    n_q, n_k = len(q), len(k)
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    all_rows = slice(None)
    s = scale * hbm.load("Q", all_rows) @ hbm.load("K", all_rows).T
    if causal:
        s = np.where(causal_mask(n_q, n_k), s, -np.inf)
    hbm.put("S", np.empty((n_q, n_k)))  # uninitialised space: only the store below moves data
    hbm.store("S", all_rows, s)
    s = hbm.load("S", all_rows)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    hbm.put("P", np.empty_like(p))
    hbm.store("P", all_rows, p / p.sum(axis=1, keepdims=True))
    o = hbm.load("P", all_rows) @ hbm.load("V", all_rows)
    hbm.put("O", np.empty_like(o))
    hbm.store("O", all_rows, o)
    return hbm.arrays["O"], hbm

"""FlashAttention forward in NumPy: tiling + online softmax (+ causal mask), every HBM access counted.

Two loop orders, a documented convention (``loop_order``):

* ``"kv_outer"`` — Dao et al. 2022, Algorithm 1 (FlashAttention): the outer loop walks K/V blocks,
  the inner loop Q blocks; O, ℓ and m live in HBM and each inner step reads and rewrites them::

      m_new = max(m_i, m̃_ij)        ℓ_new = e^{m_i − m_new} ℓ_i + e^{m̃_ij − m_new} ℓ̃_ij
      O_i  ← diag(ℓ_new)⁻¹ (diag(ℓ_i) e^{m_i − m_new} O_i + e^{m̃_ij − m_new} P̃_ij V_j)

* ``"q_outer"`` — Dao 2023, FlashAttention-2 §3.1 Algorithm 1: the outer loop walks Q blocks and keeps
  the *unnormalised* accumulator, m and ℓ in SRAM, normalises once at the end and writes O and the
  log-sum-exp L = m + log ℓ (what the backward pass needs).

Block sizes come from the SRAM size M (in elements) as in Algorithm 1 line 1 —
``B_c = ⌈M/4d⌉, B_r = min(⌈M/4d⌉, d)`` — or are given directly. Causal blocks that are entirely
masked are skipped (no HBM traffic), partially masked ones masked element-wise; a row with no
visible key in a block contributes nothing (``e^{−∞}`` is taken as 0, never ``e^{−∞+∞}``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.labs.attention.hbm import HBM
from infraprep.labs.attention.standard import causal_mask

__all__ = ["LOOP_ORDERS", "Blocks", "blocks_for_sram", "flash_forward"]

LOOP_ORDERS = ("kv_outer", "q_outer")


@dataclass(frozen=True)
class Blocks:
    """Tile sizes: ``rows`` of Q (B_r) and ``cols`` of K/V (B_c) per step."""

    rows: int
    cols: int


def blocks_for_sram(sram: int, d: int) -> Blocks:
    """Dao et al. 2022 Algorithm 1 line 1: ``B_c = ⌈M/4d⌉``, ``B_r = min(⌈M/4d⌉, d)`` for SRAM of M elements."""
    if d < 1:
        raise InvalidValue("--head-dim", d, "a positive integer")
    if sram < 4 * d:
        raise InvalidValue("--sram", sram, f"at least 4·d = {4 * d} elements (room for one row of Q, K, V, O)")
    cols = math.ceil(sram / (4 * d))
    return Blocks(min(cols, d), cols)


def _exp_shift(x, shift):
    """``exp(x − shift)`` with ``exp(−∞ − (−∞)) = 0`` (a row that has seen no visible key yet)."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        out = np.exp(x - shift)
    return np.where(np.isneginf(x), 0.0, out)


def _scores(q_blk, k_blk, scale, causal, row0, col0):
    import numpy as np

    s = scale * q_blk @ k_blk.T
    if causal:
        s = np.where(causal_mask(len(q_blk), len(k_blk), row0, col0), s, -np.inf)
    return s


def _visible(causal: bool, row0: int, rows: int, col0: int) -> bool:
    """False when the whole (Q block, K block) tile is masked: its first key is after its last query."""
    return not causal or col0 <= row0 + rows - 1


def flash_forward(q, k, v, causal: bool = False, blocks: Blocks | None = None, sram: int | None = None,
                  loop_order: str = "kv_outer", scale: float | None = None, hbm: HBM | None = None):
    """Tiled attention forward; returns ``(O, L, hbm)`` with L the row log-sum-exp of the scaled scores.

    Give ``blocks`` or ``sram`` (elements; default 16·1024 for 64 KiB of float32). Arrays are float64.
    """
    import numpy as np

    if loop_order not in LOOP_ORDERS:
        raise InvalidValue("--loop-order", loop_order, " or ".join(LOOP_ORDERS))
    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    if q.ndim != 2 or k.shape != (len(k), q.shape[1]) or len(v) != len(k):
        raise InvalidValue("shapes", (q.shape, k.shape, v.shape), "Q (N_q, d), K (N_k, d), V (N_k, d_v)")
    if causal and len(q) != len(k):
        raise InvalidValue("causal", True, f"self-attention (N_q = N_k); got N_q={len(q)}, N_k={len(k)}")
    d = q.shape[1]
    blocks = blocks or blocks_for_sram(sram or 16 * 1024, d)
    if blocks.rows < 1 or blocks.cols < 1:
        raise InvalidValue("blocks", blocks, "positive tile sizes")
    scale = 1 / math.sqrt(d) if scale is None else scale
    hbm = hbm or HBM()
    for name, x in (("Q", q), ("K", k), ("V", v)):
        hbm.put(name, x)
    run = _kv_outer if loop_order == "kv_outer" else _q_outer
    o, lse = run(hbm, len(q), len(k), v.shape[1], blocks, scale, causal)
    return o, lse, hbm


def _kv_outer(hbm, n_q, n_k, d_v, blocks, scale, causal):
    """Dao et al. 2022 Algorithm 1; line numbers in comments."""
    import numpy as np

    hbm.alloc("O", np.zeros((n_q, d_v)))  # line 2: O = 0, ℓ = 0, m = −∞ in HBM
    hbm.alloc("l", np.zeros(n_q))
    hbm.alloc("m", np.full(n_q, -np.inf))
    for col0 in range(0, n_k, blocks.cols):  # line 5
        cols = slice(col0, col0 + blocks.cols)
        tiles = [row0 for row0 in range(0, n_q, blocks.rows)
                 if _visible(causal, row0, min(blocks.rows, n_q - row0), col0)]
        if not tiles:
            continue
        k_j, v_j = hbm.load("K", cols), hbm.load("V", cols)  # line 6
        for row0 in tiles:  # line 7
            rows = slice(row0, row0 + blocks.rows)
            q_i, o_i = hbm.load("Q", rows), hbm.load("O", rows)  # line 8
            l_i, m_i = hbm.load("l", rows), hbm.load("m", rows)
            s = _scores(q_i, k_j, scale, causal, row0, col0)  # line 9
            m_tile = s.max(axis=1)  # line 10
            p = _exp_shift(s, m_tile[:, None])
            l_tile = p.sum(axis=1)
            m_new = np.maximum(m_i, m_tile)  # line 11
            alpha, beta = _exp_shift(m_i, m_new), _exp_shift(m_tile, m_new)
            l_new = alpha * l_i + beta * l_tile
            safe = np.where(l_new > 0, l_new, 1.0)
            o_i = ((alpha * l_i)[:, None] * o_i + beta[:, None] * (p @ v_j)) / safe[:, None]  # line 12
            hbm.store("O", rows, o_i)
            hbm.store("l", rows, l_new)  # line 13
            hbm.store("m", rows, m_new)
    o, l_final, m_final = hbm.arrays["O"], hbm.arrays["l"], hbm.arrays["m"]
    return o, m_final + np.log(l_final)


def _q_outer(hbm, n_q, n_k, d_v, blocks, scale, causal):
    """Dao 2023 (FlashAttention-2) Algorithm 1: accumulate unnormalised in SRAM, rescale once."""
    import numpy as np

    hbm.put("O", np.empty((n_q, d_v)))
    hbm.put("L", np.empty(n_q))
    for row0 in range(0, n_q, blocks.rows):
        rows = slice(row0, row0 + blocks.rows)
        q_i = hbm.load("Q", rows)
        acc = np.zeros((len(q_i), d_v))
        m_i = np.full(len(q_i), -np.inf)
        l_i = np.zeros(len(q_i))
        for col0 in range(0, n_k, blocks.cols):
            if not _visible(causal, row0, len(q_i), col0):
                break  # every later K block is masked too
            cols = slice(col0, col0 + blocks.cols)
            k_j, v_j = hbm.load("K", cols), hbm.load("V", cols)
            s = _scores(q_i, k_j, scale, causal, row0, col0)
            m_new = np.maximum(m_i, s.max(axis=1))
            p = _exp_shift(s, m_new[:, None])
            alpha = _exp_shift(m_i, m_new)
            l_i = alpha * l_i + p.sum(axis=1)
            acc = alpha[:, None] * acc + p @ v_j
            m_i = m_new
        hbm.store("O", rows, acc / l_i[:, None])
        hbm.store("L", rows, m_i + np.log(l_i))
    return hbm.arrays["O"], hbm.arrays["L"]

"""HBM traffic of attention in closed form (Dao et al. 2022, Theorem 2 and Appendix C), exact to the element.

Counts are elements read plus elements written (multiply by bytes per element for bytes). With
``N = N_q = N_k`` and ``d = d_v``:

* standard attention (Algorithm 0): ``4Nd + 4N²`` — Θ(Nd + N²);
* FlashAttention (Algorithm 1, K/V outer): O, ℓ, m initialised in HBM (``Nd + 2N``), K and V read
  once (``2Nd``), then for each of the ``T_c = ⌈N/B_c⌉`` K/V blocks every Q row reads Q, O, ℓ, m and
  writes O, ℓ, m (``3Nd + 4N`` per block): ``2Nd + (Nd + 2N) + T_c(3Nd + 4N)``.
  With ``B_c = ⌈M/4d⌉``, ``T_c ≈ 4Nd/M`` and the total is ≈ ``12N²d²/M`` — Θ(N²d²M⁻¹);
* FlashAttention-2 order (Q outer, Dao 2023 §3.1): Q read once, K and V once per Q block
  (``T_r = ⌈N/B_r⌉``), O and L written once: ``Nd + 2T_r·Nd + N(d + 1)``.

Causal forms are exact sums over the blocks that are not entirely masked (the algorithms skip those).
The general forms take N_q, N_k, d, d_v separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.labs.attention.flash import Blocks, blocks_for_sram

__all__ = ["IoRow", "flash_accesses", "io_table", "standard_accesses", "theorem2_flash", "theorem2_standard"]


def standard_accesses(n_q: int, n_k: int, d: int, d_v: int | None = None) -> int:
    """Algorithm 0: reads ``N_q d + N_k d + 2N_qN_k + N_k d_v``, writes ``2N_qN_k + N_q d_v``."""
    d_v = d if d_v is None else d_v
    return (n_q + n_k) * d + n_k * d_v + n_q * d_v + 4 * n_q * n_k


def _kv_outer(n_q, n_k, d, d_v, blocks: Blocks, causal: bool) -> int:
    total = n_q * (d_v + 2)  # initial write of O, ℓ, m
    for col0 in range(0, n_k, blocks.cols):
        # Q rows from the block holding query col0 onwards see this K block (all rows when not causal)
        rows = n_q - blocks.rows * (col0 // blocks.rows) if causal else n_q
        if rows <= 0:
            continue
        total += min(blocks.cols, n_k - col0) * (d + d_v)  # K_j, V_j
        total += rows * (d + d_v + 2) + rows * (d_v + 2)  # read Q_i, O_i, ℓ_i, m_i; write O_i, ℓ_i, m_i
    return total


def _q_outer(n_q, n_k, d, d_v, blocks: Blocks, causal: bool) -> int:
    total = n_q * d + n_q * (d_v + 1)  # Q read once; O and L written once
    for row0 in range(0, n_q, blocks.rows):
        last = min(row0 + blocks.rows, n_q) - 1
        cols = min(n_k, blocks.cols * (last // blocks.cols + 1)) if causal else n_k
        total += cols * (d + d_v)
    return total


def flash_accesses(n_q: int, n_k: int, d: int, blocks: Blocks, d_v: int | None = None, causal: bool = False,
                   loop_order: str = "kv_outer") -> int:
    """Exact HBM element accesses of :func:`~.flash.flash_forward` (module docstring for the terms)."""
    d_v = d if d_v is None else d_v
    count = _kv_outer if loop_order == "kv_outer" else _q_outer
    return count(n_q, n_k, d, d_v, blocks, causal)


def theorem2_standard(n: int, d: int) -> float:
    """The Θ(Nd + N²) of Theorem 2, without its constant."""
    return n * d + n * n


def theorem2_flash(n: int, d: int, sram: int) -> float:
    """The Θ(N²d²M⁻¹) of Theorem 2, without its constant."""
    return n * n * d * d / sram


@dataclass(frozen=True)
class IoRow:
    """One SRAM size: block sizes, exact accesses of each algorithm and the Theorem 2 scale."""

    sram: int
    blocks: Blocks
    standard: int
    flash: int
    flash2: int
    theorem2: float

    def to_dict(self) -> dict:
        return {"sram_elements": self.sram, "block_rows": self.blocks.rows, "block_cols": self.blocks.cols,
                "standard": self.standard, "flash_kv_outer": self.flash, "flash_q_outer": self.flash2,
                "n2d2_over_m": self.theorem2}


def io_table(n: int, d: int, srams: list[int], causal: bool = False) -> list[IoRow]:
    """Accesses of standard vs flash attention for each SRAM size ``M`` (elements)."""
    rows = []
    for sram in srams:
        blocks = blocks_for_sram(sram, d)
        rows.append(IoRow(sram, blocks, standard_accesses(n, n, d),
                          flash_accesses(n, n, d, blocks, causal=causal),
                          flash_accesses(n, n, d, blocks, causal=causal, loop_order="q_outer"),
                          theorem2_flash(n, d, sram)))
    return rows


def default_srams(d: int) -> list[int]:
    """SRAM sizes from 16·d elements up by ×4 to 100 KB of fp16 (the paper's 'around 100KB', §3.2)."""
    top = 100 * 1000 // 2
    srams, m = [], 16 * d
    while m < top:
        srams.append(m)
        m *= 4
    return srams + [top]


"""FlashAttention's tiling on the whiteboard: Q, K, V blocks in HBM, one tile pair in SRAM, and the
online-softmax update of Algorithm 1 (Dao et al. 2022, *FlashAttention*, §3.1, Algorithm 1).

The block sizes and the HBM access counts printed on the diagram come from :func:`flash_io`, which
follows Algorithm 1 line by line (convention: counts are *elements*, not bytes; M is the on-chip
SRAM size in elements):

* B_c = ⌈M / 4d⌉ keys per column block, B_r = min(B_c, d) queries per row block (line 1);
* T_c = ⌈N / B_c⌉ outer iterations over K/V blocks, T_r = ⌈N / B_r⌉ inner iterations over Q blocks;
* each K_j, V_j is read once (2Nd in total); every outer iteration reads all of Q and O, writes O
  back (3Nd) and reads and writes the row statistics m and ℓ (4N): 2Nd + T_c(3Nd + 4N), which is
  Θ(N²d²/M) (Theorem 2);
* standard attention writes and reads S and P (4N²) and reads Q, K, V and writes O (4Nd).
"""

from __future__ import annotations

import math
from pathlib import Path

from infraprep.diagrams import diagram, figure, save

__all__ = ["EXAMPLE", "flash_io"]

EXAMPLE = {"n": 16_384, "d": 64, "sram": 65_536}  # r2-q01: N = 16K, d = 64, M = 128 KiB of bf16


def flash_io(n: int, d: int, sram: int) -> dict[str, int]:
    """Block sizes and HBM element accesses of standard attention and of Algorithm 1."""
    if min(n, d, sram) <= 0:
        raise ValueError(f"n={n}, d={d}, sram={sram}: all must be positive")
    b_c = math.ceil(sram / (4 * d))
    b_r = min(b_c, d)
    t_c, t_r = math.ceil(n / b_c), math.ceil(n / b_r)
    return {
        "b_c": b_c, "b_r": b_r, "t_c": t_c, "t_r": t_r,
        "standard": 4 * n * n + 4 * n * d,
        "flash": 2 * n * d + t_c * (3 * n * d + 4 * n),
    }


def _matrix(ax, x, y, w, h, blocks, highlight, label, color, vertical=True):
    """A matrix drawn as ``blocks`` stripes (rows if ``vertical``), one of them highlighted."""
    from matplotlib.patches import Rectangle

    for k in range(blocks):
        if vertical:
            bx, by, bw, bh = x, y + h - (k + 1) * h / blocks, w, h / blocks
        else:
            bx, by, bw, bh = x + k * w / blocks, y, w / blocks, h
        face = color if k == highlight else "white"
        ax.add_patch(Rectangle((bx, by), bw, bh, facecolor=face, edgecolor="black", linewidth=0.6))
    ax.text(x + w / 2, y + h + 1.2, label, ha="center", va="bottom", fontsize=9)


def _tile(ax, x, y, w, h, label, color):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), w, h, facecolor=color, edgecolor="black", linewidth=0.8))
    ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", fontsize=8)


def _arrow(ax, start, end, text="", color="#555555"):
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": color, "linewidth": 0.9})
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.8, text, ha="center", va="bottom",
                fontsize=7, color=color)


@diagram("flash-attention-tiling", 2,
         "FlashAttention tiling: Q/K/V blocks in HBM, one tile pair in SRAM, the online-softmax loop")
def draw(path: Path) -> None:
    from matplotlib.patches import FancyBboxPatch

    io = flash_io(**EXAMPLE)
    fig = figure(10, 6.9)
    ax = fig.subplots()
    ax.set_xlim(0, 100)
    ax.set_ylim(-19.5, 62)
    ax.axis("off")
    blue, green, orange, grey = "#9ECAE9", "#A1D99B", "#FDAE6B", "#DDDDDD"

    # HBM: the full matrices, as stripes of blocks (schematic: 6 blocks drawn)
    ax.add_patch(FancyBboxPatch((1, 12), 45, 44, boxstyle="round,pad=0.5", facecolor="#F4F4F4",
                                edgecolor="#888888", linewidth=0.8))
    ax.text(2, 57.5, "HBM (large, slow)", fontsize=10, weight="bold")
    _matrix(ax, 3, 18, 6, 30, 6, 2, "Q\nN×d", blue)
    _matrix(ax, 13, 18, 6, 30, 6, 4, "K\nN×d", green)
    _matrix(ax, 23, 18, 6, 30, 6, 4, "V\nN×d", green)
    _matrix(ax, 33, 18, 6, 30, 6, 2, "O\nN×d", orange)
    _matrix(ax, 41.5, 18, 2, 30, 6, 2, "m, ℓ\nN", orange)
    ax.text(23.5, 13.8, "never stored: S = QKᵀ and P = softmax(S), N×N each", ha="center", fontsize=8,
            style="italic", color="#B22222")

    # SRAM: one query block, one key/value block, the score tile and the accumulators
    ax.add_patch(FancyBboxPatch((52, 12), 46, 44, boxstyle="round,pad=0.5", facecolor="#EAF3FB",
                                edgecolor="#4C78A8", linewidth=0.8))
    ax.text(53, 57.5, f"SRAM (on chip, M = {EXAMPLE['sram']:,} elements)", fontsize=10, weight="bold")
    _tile(ax, 54, 38, 6, 10, "Q_i\nB_r×d", blue)
    _tile(ax, 63, 49, 14, 4, "K_jᵀ  d×B_c", green)
    _tile(ax, 63, 38, 14, 10, "S_ij = Q_i K_jᵀ\nB_r×B_c", grey)
    _tile(ax, 80, 38, 6, 15, "V_j\nB_c×d", green)
    _tile(ax, 63, 24, 14, 10, "P̃_ij = exp(S_ij − m̃)\nB_r×B_c", grey)
    _tile(ax, 89, 38, 7, 10, "O_i\nB_r×d", orange)
    _tile(ax, 89, 24, 7, 8, "m_i, ℓ_i\nB_r", orange)
    _arrow(ax, (70, 37.5), (70, 34.5))
    _arrow(ax, (77.5, 31), (88.5, 40))
    ax.text(78.2, 35.2, "P̃_ij V_j", fontsize=7, color="#555555", ha="left")

    # HBM <-> SRAM traffic, numbered; the legend below says what each arrow carries
    for start, end, number, color in (((29.5, 25.5), (62.5, 51), "1", "#2E7D32"),
                                      ((9.5, 35.5), (53.5, 43), "2", "#4C78A8"),
                                      ((92.5, 23.5), (39.5, 20.5), "3", "#D95F02")):
        _arrow(ax, start, end, color=color)
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.6, number, fontsize=9, weight="bold",
                color=color, ha="center", va="bottom")
    ax.text(1, 8.5, "1  load K_j, V_j: once per outer step (2Nd in all)      "
            "2  load Q_i, O_i, m_i, ℓ_i: every inner step      3  write O_i, m_i, ℓ_i back", fontsize=8)

    # The online-softmax update (Algorithm 1, lines 5-13)
    lines = ("for j = 1 … T_c:   load K_j, V_j",
             "      for i = 1 … T_r:   load Q_i, O_i, m_i, ℓ_i",
             "            S = Q_i K_jᵀ;   m̃ = rowmax(S);   P̃ = exp(S − m̃);   ℓ̃ = rowsum(P̃)",
             "            m′ = max(m_i, m̃);   ℓ′ = e^(m_i − m′) ℓ_i + e^(m̃ − m′) ℓ̃",
             "            O_i ← diag(ℓ′)⁻¹ [ diag(ℓ_i) e^(m_i − m′) O_i + e^(m̃ − m′) P̃ V_j ];   "
             "m_i ← m′,  ℓ_i ← ℓ′;   write O_i, m_i, ℓ_i")
    for k, line in enumerate(lines):
        ax.text(1, 4.5 - 3.2 * k, line, fontsize=8, va="top")
    n, d, m = EXAMPLE["n"], EXAMPLE["d"], EXAMPLE["sram"]
    ax.text(1, -13, f"N = {n:,}, d = {d}, M = {m:,} elements:   B_c = ⌈M/4d⌉ = {io['b_c']},   "
            f"B_r = min(B_c, d) = {io['b_r']},   T_c = N/B_c = {io['t_c']},   T_r = N/B_r = {io['t_r']}",
            fontsize=8, va="top")
    ax.text(1, -16.3, f"HBM element accesses: standard 4N² + 4Nd = {io['standard'] / 1e6:,.1f} M;   "
            f"Algorithm 1: 2Nd + T_c(3Nd + 4N) = {io['flash'] / 1e6:,.1f} M   "
            f"({io['standard'] / io['flash']:.2f}× fewer; Theorem 2: Θ(N²d²/M))", fontsize=8, va="top")
    ax.set_title("FlashAttention forward (Dao et al. 2022, Algorithm 1): tiles stream through SRAM; "
                 "the softmax is rescaled online", fontsize=10, loc="left")
    save(fig, path)

"""``lab attention --plot FILE``: HBM accesses against SRAM size, standard vs FlashAttention, log–log."""

from __future__ import annotations

from pathlib import Path

from infraprep.labs.attention.io import IoRow
from infraprep.labs.plotting import check_plot_path, pyplot

__all__ = ["plot_io"]


def plot_io(rows: list[IoRow], n: int, d: int, path: Path) -> Path:
    """Exact accesses per SRAM size M, with the Theorem 2 scale N²d²/M for the slope."""
    path = check_plot_path(path)
    plt = pyplot()
    srams = [r.sram for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(srams, [r.standard for r in rows], "o-", label="standard (Algorithm 0): Θ(Nd + N²)")
    ax.plot(srams, [r.flash for r in rows], "s-", label="FlashAttention, K/V outer (Algorithm 1)")
    ax.plot(srams, [r.flash2 for r in rows], "^-", label="FlashAttention-2 order, Q outer")
    ax.plot(srams, [r.theorem2 for r in rows], "k:", label="N²d²/M (Theorem 2 scale)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("SRAM size M (elements)")
    ax.set_ylabel("HBM accesses (elements read + written)")
    ax.set_title(f"Attention HBM traffic, N = {n}, d = {d}")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

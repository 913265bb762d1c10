"""``lab fp8 --plot FILE``: the FP8 roofline — attainable TFLOP/s of one GEMM against tokens, BF16 vs FP8."""

from __future__ import annotations

from pathlib import Path

from infraprep.labs.plotting import check_plot_path, pyplot

__all__ = ["plot_roofline"]


def plot_roofline(rows: list[dict], path: Path) -> Path:
    """Per GPU a BF16 and an FP8 curve of 2mnk / time (log–log): rising while memory-bound, flat at the peak."""
    path = check_plot_path(path)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for gpu in dict.fromkeys(r["gpu"] for r in rows):
        mine = [r for r in rows if r["gpu"] == gpu]
        ms = [r["m"] for r in mine]
        flops = [2.0 * r["m"] * r["n"] * r["k"] for r in mine]
        bf16, = ax.plot(ms, [f / r["bf16_seconds"] / 1e12 for f, r in zip(flops, mine, strict=True)], "o--",
                        label=f"{gpu} BF16")
        ax.plot(ms, [f / (r["fp8_seconds"] + r["quantize_seconds"]) / 1e12 for f, r in zip(flops, mine, strict=True)],
                "s-", color=bf16.get_color(), label=f"{gpu} FP8")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("tokens m  (Y = X·W, X m×k, W k×n)")
    ax.set_ylabel("attainable TFLOP/s (roofline)")
    ax.set_title("FP8 vs BF16 GEMM roofline (rising: memory-bound; flat: at the peak)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

"""Roofline of H100 SXM and H200 (BF16 and FP8), with each ridge point marked (Williams et al. 2009)."""

from __future__ import annotations

from pathlib import Path

from infraprep.calc.hardware import get_accelerator
from infraprep.diagrams import diagram, figure, save


@diagram("roofline-h100-h200", 2, "Roofline of H100 SXM and H200, BF16 and FP8, ridge points marked")
def draw(path: Path) -> None:
    fig = figure(7, 4.2)
    ax = fig.subplots()
    intensities = [2 ** (k / 4) for k in range(-8, 49)]  # 0.25 .. 4096 FLOP/byte
    styles = {"h100-sxm": ("-", (4, -12)), "h200": ("--", (-30, 6))}  # label offsets keep ridge labels apart
    for name, (style, offset) in styles.items():
        gpu = get_accelerator(name)
        for dtype, color in (("bf16", "#4C78A8"), ("fp8", "#F58518")):
            ys = [gpu.attainable(i, dtype) / 1e12 for i in intensities]
            ax.plot(intensities, ys, style, color=color, label=f"{gpu.name} {dtype.upper()}")
            ridge = gpu.ridge_point(dtype)
            ax.plot([ridge], [gpu.peak(dtype) / 1e12], "o", color=color)
            ax.annotate(f"{ridge:.0f}", (ridge, gpu.peak(dtype) / 1e12), textcoords="offset points", xytext=offset,
                        fontsize=7, color=color)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=10)
    ax.set_xlabel("arithmetic intensity (FLOP per byte of HBM traffic)")
    ax.set_ylabel("attainable TFLOP/s (dense)")
    ax.set_title("Roofline: min(peak, intensity × HBM bandwidth); dots are ridge points (FLOP/byte)")
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=7, loc="lower right")
    save(fig, path)

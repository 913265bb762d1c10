"""``infraprep lab fp8``: FP8 formats, scaling granularity, delayed vs current scaling, scaled matmul, roofline."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.hardware import ACCELERATORS
from infraprep.calc.units import format_seconds
from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


@app.command("fp8")
def fp8(
    seed: Annotated[int, typer.Option(help="Seed of the activations, weights and stream.")] = 0,
    tokens: Annotated[int, typer.Option(help="Rows of the activation tensor.")] = 256,
    channels: Annotated[int, typer.Option(help="Columns (channels) of the activation tensor.")] = 512,
    outliers: Annotated[int, typer.Option(help="Outlier channels.")] = 4,
    magnitude: Annotated[float, typer.Option(help="How many times larger the outlier channels are.")] = 1000.0,
    gpu: Annotated[list[str] | None, typer.Option(help=f"GPUs for the roofline (repeat): {', '.join(ACCELERATORS)}.")] = None,
    quantize: Annotated[str, typer.Option(help="Activation quantisation: fused (free) or separate (a kernel).")] = "fused",
    scaling: Annotated[str, typer.Option(help="With --quantize separate: delayed (1 read) or current (2 reads).")] = "delayed",
    plot: Annotated[Path | None, typer.Option(metavar="FILE", help="Draw the FP8 speed-up vs tokens (.svg, .png, .pdf).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """E4M3/E5M2 error by scaling granularity (tensor, channel, 1×128, 128×128) on activations with outliers,
    delayed vs current scaling, torch._scaled_mm vs fp32, and when FP8 speeds a GEMM up on H100/H200."""
    from infraprep.calc.hardware import get_accelerator
    from infraprep.labs.fp8 import run_lab

    gpus = tuple(get_accelerator(g).name for g in (gpu or ["h100-sxm", "h200"]))
    if plot is not None:
        from infraprep.labs.plotting import check_plot_path

        check_plot_path(plot)
    with step_progress("fp8 lab", enabled=not as_json) as on_step:
        lab = run_lab(seed, tokens, channels, outliers, magnitude, gpus, quantize, scaling, on_step)
    if plot is not None:
        from infraprep.labs.fp8.plot import plot_roofline

        plot_roofline(lab.roofline, plot)
    if as_json:
        emit_json(lab.to_dict())
    else:
        _render(lab)
        if plot is not None:
            console.print(f"plot written to {plot}")
    if any(not r["semantics"]["passed"] for r in lab.scaled_mm):
        raise typer.Exit(1)


def _render(lab) -> None:
    info = lab.outliers
    errors = Table("format", "granularity", "scales", "rel. error", "SNR dB", "regular SNR dB", "regular → 0",
                   title=(f"Quantisation error: {info['tokens']}×{info['channels']} activations, {len(info['outlier_channels'])}"
                          f" channels ×{info['magnitude']:g}"), title_justify="left")
    for r in lab.granularity:
        errors.add_row(r["format"], r["granularity"], str(r["scales"]), f"{r['relative_error']:.4f}",
                       f"{r['snr_db']:.1f}", f"{r['regular_snr_db']:.1f}", f"{r['regular_underflow']:.2%}")
    print_table(errors)
    summary = lab.sequence_summary()
    jump = next(r for r in lab.sequence if r["delayed_saturated"] == summary["delayed"]["max_saturated"])
    console.print(f"delayed vs current scaling (E4M3, per tensor, {len(lab.sequence)} steps): worst relative error "
                  f"current {summary['current']['max_relative_error']:.4f}, delayed "
                  f"{summary['delayed']['max_relative_error']:.4f}; at step {jump['step']} delayed scaling clipped "
                  f"{jump['delayed_saturated']:.1%} of the values")
    mm = Table("GEMM", "format", "_scaled_mm vs dequantised", "rel. error vs fp32", "SNR dB",
               title="FP8 matmul on the CPU", title_justify="left")
    for r in lab.scaled_mm:
        s = r["semantics"]
        mm.add_row("×".join(map(str, r["shape"])) + " per-tensor", r["format"],
                   f"{'pass' if s['passed'] else 'FAIL'} ({s['max_error']:.2g})",
                   f"{r['vs_fp32']['relative_error']:.4f}", f"{r['vs_fp32']['snr_db']:.1f}")
    for fmt, errs in lab.block_scaled.items():
        mm.add_row("1×128 act · 128×128 weight (emulated)", fmt, "—", f"{errs['tile_block']['relative_error']:.4f}",
                   f"{errs['tile_block']['snr_db']:.1f}")
    for name, why in lab.skipped.items():
        mm.add_row(name, "", f"skipped: {why}", "", "")
    print_table(mm)
    roof = Table("GPU", "tokens m", "BF16 FLOP/B", "FP8 FLOP/B", "FP8 ridge", "BF16", "FP8", "speed-up",
                 title="FP8 roofline, Y = X·W with X m×8192, W 8192×8192 (bf16 output)", title_justify="left")
    for r in lab.roofline:
        roof.add_row(r["gpu"], str(r["m"]), f"{r['bf16_intensity']:.0f}", f"{r['fp8_intensity']:.0f}",
                     f"{r['ridge_fp8']:.0f}", f"{format_seconds(r['bf16_seconds'])} ({r['bf16_bound'][:3]})",
                     f"{format_seconds(r['fp8_seconds'] + r['quantize_seconds'])} ({r['fp8_bound'][:3]})",
                     f"{r['speedup']:.2f}×")
    print_table(roof)

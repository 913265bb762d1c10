"""``infraprep lab fusion``: roofline of bias + GeLU + dropout + residual, and the chain measured on the CPU."""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.hardware import ACCELERATORS
from infraprep.calc.units import format_bytes, format_seconds
from infraprep.cli import quantity
from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


@app.command("fusion")
def fusion(
    gpu: Annotated[str, typer.Option(help=f"Accelerator for the roofline: {', '.join(ACCELERATORS)}.")] = "h100-sxm",
    tokens: Annotated[int, typer.Option(help="Tokens in the modelled activation (rows).")] = 8192,
    hidden: Annotated[int, typer.Option(help="Hidden size (columns).")] = 8192,
    dtype_bytes: Annotated[float, typer.Option(help="Bytes per activation element (bf16 = 2).")] = 2,
    mask_bytes: Annotated[float, typer.Option(help="Bytes per element of the saved dropout mask (0 = not saved).")] = 1,
    launch_overhead: Annotated[float, typer.Option(parser=quantity.duration, metavar="SECONDS",
                                                   help="Fixed cost per kernel launch (e.g. 4us); default 0.")] = 0.0,
    measure: Annotated[bool, typer.Option("--measure/--no-measure", help="Also time the chain on this CPU.")] = True,
    cpu_tokens: Annotated[int, typer.Option(help="Rows of the CPU measurement.")] = 1024,
    cpu_hidden: Annotated[int, typer.Option(help="Columns of the CPU measurement.")] = 1024,
    repeats: Annotated[int, typer.Option(help="Timing rounds; the best of each contender is kept.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the CPU inputs and dropout mask.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Bytes, intensity and roofline time of the chain unfused (4 kernels) vs fused (1), and on this CPU the
    NumPy chain and four numba loops vs one fused numba loop, side by side (best of N, ratios)."""
    from infraprep.labs.fusion import chain_roofline, measure_chain

    roof = chain_roofline(tokens, hidden, gpu, dtype_bytes, mask_bytes, launch_overhead=launch_overhead)
    timing = None
    if measure:
        with step_progress("fusion lab", enabled=not as_json) as on_step:
            timing = measure_chain(cpu_tokens, cpu_hidden, repeats, seed=seed, progress=on_step)
    if as_json:
        emit_json({"roofline": roof.to_dict(), "cpu": timing.to_dict() if timing else None})
    else:
        _render(roof, timing)
    if timing is not None and not all(v.passed for v in timing.verdicts):
        raise typer.Exit(1)


def _render(roof, timing) -> None:
    kernels = Table("kernel", "HBM traffic", "FLOPs", "FLOP/B", "bound", "time",
                    title=f"Elementwise chain on {roof.gpu}: {roof.elements:,.0f} elements", title_justify="left")
    for k in [*roof.unfused, roof.fused]:
        kernels.add_row(k.name, format_bytes(k.bytes, binary=False), f"{k.flops:.3g}", f"{k.intensity:.2f}", k.bound,
                        format_seconds(k.seconds))
    print_table(kernels)
    for label, value in roof.rows():
        console.print(f"  {label}: {value}")
    console.print(f"[dim]{roof.explain()}[/dim]")
    if timing is None:
        return
    cpu = Table("contender", "best time", "÷ fused", "check vs NumPy",
                title=f"Measured on this CPU: {timing.tokens}×{timing.hidden} float32, best of {timing.repeats}",
                title_justify="left")
    cpu.add_row("NumPy chain (a pass per op)", format_seconds(timing.numpy_seconds), f"{timing.ratio:.2f}×", "reference")
    cpu.add_row("numba, 4 loops (unfused)", format_seconds(timing.unfused_seconds), f"{timing.fusion_ratio:.2f}×",
                str(timing.verdicts[1]))
    cpu.add_row("numba, 1 loop (fused)", format_seconds(timing.fused_seconds), "1×", str(timing.verdicts[0]))
    print_table(cpu)
    console.print(f"[dim]unfused ÷ fused isolates fusion (same math and compiler; the loops move "
                  f"{timing.unfused_bytes / timing.fused_bytes:.2f}× the bytes); NumPy ÷ fused adds NumPy's "
                  "temporaries and its exact tanh.[/dim]")

"""``infraprep lab attention``: FlashAttention forward/backward checks and the HBM-traffic analysis."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


@app.command("attention")
def attention(
    n: Annotated[int, typer.Option(help="Sequence length N for the HBM counts.")] = 256,
    head_dim: Annotated[int, typer.Option(help="Head dimension d.")] = 64,
    causal: Annotated[bool, typer.Option("--causal/--full", help="Causal mask (blocks above the diagonal skipped).")] = False,
    sram: Annotated[list[int] | None, typer.Option(help="SRAM size M in elements (repeat the option); default 16d ×4 … 50,000.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random inputs.")] = 0,
    triton: Annotated[bool, typer.Option("--triton/--no-triton", help="Also check the Triton kernel (interpreter).")] = True,
    plot: Annotated[Path | None, typer.Option(metavar="FILE", help="Draw HBM accesses vs M (.svg, .png or .pdf).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Tiled forward (online softmax) vs naive attention, backward vs torch autograd, and HBM accesses of
    standard vs FlashAttention across SRAM sizes, counted and in closed form (Dao et al. 2022, Theorem 2)."""
    from infraprep.labs.attention import run_lab

    if plot is not None:
        from infraprep.labs.plotting import check_plot_path

        check_plot_path(plot)
    with step_progress("attention lab", enabled=not as_json) as on_step:
        lab = run_lab(n, head_dim, causal, sram, seed, triton, on_step)
    if plot is not None:
        from infraprep.labs.attention.plot import plot_io

        plot_io(lab.io, n, head_dim, plot)
    verdicts = [*lab.forward.values(), lab.backward, lab.triton]
    mismatched = any(lab.counted[r.sram] != {"kv_outer": r.flash, "q_outer": r.flash2} for r in lab.io)
    failed = mismatched or any(v is not None and not v.passed for v in verdicts)
    if as_json:
        emit_json(lab.to_dict())
    else:
        _render(lab, verdicts)
        if plot is not None:
            console.print(f"plot written to {plot}")
    if failed:
        raise typer.Exit(1)


def _render(lab, verdicts) -> None:
    checks = Table("check", "verdict", "max error", "tolerance", title="Correctness", title_justify="left")
    for v in verdicts:
        if v is not None:
            checks.add_row(v.what, "pass" if v.passed else "[red]FAIL[/red]", f"{v.max_error:.3g}", f"{v.tolerance:.0e}")
    for name, why in lab.skipped.items():
        checks.add_row(name, "skipped", why, "")
    print_table(checks)
    console.print(f"[dim]forward: worst over {lab.shapes_checked} (shape, tile, mask, loop order) runs[/dim]")
    mask = "causal" if lab.causal else "full"
    table = Table("M", "B_r×B_c", "standard", "flash K/V-outer", "flash-2 Q-outer", "counted", "std ÷ flash",
                  "flash ÷ N²d²/M", title=f"HBM accesses (elements), N = {lab.n}, d = {lab.d}, {mask}; M = SRAM size (elements)",
                  title_justify="left")
    for row in lab.io:
        counted = lab.counted[row.sram]
        table.add_row(f"{row.sram:,}", f"{row.blocks.rows}×{row.blocks.cols}", f"{row.standard:,}", f"{row.flash:,}",
                      f"{row.flash2:,}", _match((counted["kv_outer"], counted["q_outer"]), (row.flash, row.flash2)),
                      f"{row.standard / row.flash:.2f}", f"{row.flash / row.theorem2:.1f}")
    print_table(table)
    console.print("[dim]counted = what the NumPy implementation moved through its HBM model, both loop orders; = means "
                  "each equals its closed form. Block sizes: B_c = ⌈M/4d⌉, B_r = min(⌈M/4d⌉, d) (Algorithm 1).[/dim]")


def _match(counted: tuple[int, int], closed: tuple[int, int]) -> str:
    """``=`` when both loop orders' counts equal their closed forms, else the counts that differ, in red."""
    if counted == closed:
        return "="
    return " ".join(f"[red]{c:,}[/red]" if c != f else "=" for c, f in zip(counted, closed, strict=True))

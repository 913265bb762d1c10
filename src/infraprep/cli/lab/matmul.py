"""``infraprep lab matmul``: naive vs tiled matmul loads, bank conflicts, warp reductions, Triton and CUDA C++."""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _count(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


@app.command("matmul")
def matmul(
    n: Annotated[int, typer.Option(help="Rows of A and C (keep ~32 in the simulator).")] = 32,
    k: Annotated[int | None, typer.Option(help="Inner dimension; default n.")] = None,
    m: Annotated[int | None, typer.Option(help="Columns of B and C; default n.")] = None,
    tile: Annotated[int, typer.Option(help="Tile edge: tile×tile threads per block (the .cu has 8, 16, 32).")] = 16,
    engine: Annotated[str, typer.Option(help="sim (numba's CUDA simulator on the CPU) or gpu (numba on CUDA).")] = "sim",
    seed: Annotated[int, typer.Option(help="Seed of the random inputs.")] = 0,
    cuda_cpp: Annotated[bool, typer.Option("--cuda-cpp/--no-cuda-cpp", help="Also build the .cu with g++ (its CPU twin).")] = True,
    as_json: JsonFlag = False,
) -> None:
    """Global loads of naive vs shared-memory tiled matmul (tiled ÷ naive = 1/tile), bank conflicts with and
    without padding, shared-memory tree vs warp-shuffle reduction; every kernel checked against NumPy."""
    from infraprep.labs.kernels import run_lab
    from infraprep.labs.kernels.engine import ENGINES

    if engine not in ENGINES:
        from infraprep.errors import UnknownName

        raise UnknownName("engine", engine, ENGINES)
    with step_progress("kernels lab", enabled=not as_json) as on_step:
        lab = run_lab(n, k or n, m or n, tile, engine, seed, cuda_cpp, on_step)
    failed = [name for name, v in lab.verdicts.items() if not v.passed]
    if as_json:
        emit_json(lab.to_dict())
    else:
        _render(lab)
    if failed:
        raise typer.Exit(1)


def _render(lab) -> None:
    loads = Table("kernel", "global loads", "closed form", "per output", title=(
        f"Global-memory loads, C = A·B with A {lab.n}×{lab.k}, B {lab.k}×{lab.m}, tile {lab.tile} "
        f"({lab.engine})"), title_justify="left")
    outputs = lab.n * lab.m
    for kind in ("naive", "tiled"):
        measured = lab.loads[kind]
        loads.add_row(kind, _count(measured), _count(lab.loads_closed_form[kind]),
                      f"{(measured or lab.loads_closed_form[kind]) / outputs:.1f}")
    print_table(loads)
    if lab.load_ratio is not None:
        console.print(f"tiled ÷ naive = {lab.load_ratio:.4f}   1/tile = {1 / lab.tile:.4f}")
    banks = Table("transpose", "store (row write)", "load (column read)", title=(
        "Shared-memory bank conflicts: worst degree per warp access (1 = conflict-free, 32 = fully serialised)"),
        title_justify="left")
    for pad in (0, 1):
        degrees = lab.conflicts[f"pad{pad}"]
        banks.add_row(f"tile[32][{32 + pad}]", *(("—", "—") if degrees is None else
                                                  (str(degrees["store"]), str(degrees["load"]))))
    print_table(banks)
    sums = Table("block sum (B=64)", "barriers", "shared stores", "shared loads", "shuffles",
                 title="Reduction per block: measured (closed form)", title_justify="left")
    for kind in ("tree", "shuffle"):
        got, form = lab.reduction[kind], lab.reduction_closed_form[kind]
        cells = [f"{form[key]}" if got is None else f"{got[key]:.0f} ({form[key]})"
                 for key in ("barriers", "shared_stores", "shared_loads", "shuffles")]
        sums.add_row(kind, *cells)
    print_table(sums)
    if lab.engine == "cuda-simulator":
        console.print("[dim]numba's CUDA simulator has no warp shuffles: shfl_down_sync is emulated "
                      "(32 lanes exchange through a slot array between two warp barriers).[/dim]")
    checks = Table("check", "verdict", "max error", "tolerance", title="Kernels vs NumPy", title_justify="left")
    for name, v in lab.verdicts.items():
        checks.add_row(name, "pass" if v.passed else "[red]FAIL[/red]", f"{v.max_error:.3g}", f"{v.tolerance:.1g}")
    for name, why in lab.skipped.items():
        checks.add_row(name, "skipped", why, "")
    print_table(checks)

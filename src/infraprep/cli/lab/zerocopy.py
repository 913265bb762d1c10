"""``infraprep lab zerocopy``: move a large buffer with and without copies, vs the memcpy bandwidth."""


from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.units import format_bandwidth, format_bytes, format_seconds
from infraprep.cli import quantity
from infraprep.cli.lab import app
from infraprep.cli.lab.steps import step_progress
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


@app.command("zerocopy")
def zerocopy(
    size: Annotated[float, typer.Option(parser=quantity.byte_size, metavar="BYTES", help="Bytes per transfer (256MiB, 1GiB, …).")] = 256.0 * 2**20,
    reps: Annotated[int, typer.Option(help="Reps per method; the best is kept.")] = 3,
    torch: Annotated[bool, typer.Option("--torch/--no-torch", help="Include torch.from_numpy and DLPack (imports torch).")] = True,
    plot: Annotated[Path | None, typer.Option(metavar="FILE", help="Also draw the throughputs (.svg, .png or .pdf).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Pickle over a pipe vs shared memory vs mmap between processes; copy vs views in process."""
    from infraprep.labs.zerocopy import IPC_ACCEPTANCE, ZeroCopyOptions, run_zerocopy

    options = ZeroCopyOptions(int(size), reps, torch)
    if plot is not None:
        from infraprep.labs.zerocopy.plot import check_plot_path

        check_plot_path(plot)  # fail before minutes of work, not after
    with step_progress("zero-copy lab", enabled=not as_json) as on_step:
        report = run_zerocopy(options, on_step)
    if plot is not None:
        from infraprep.labs.zerocopy.plot import plot_zerocopy

        plot_zerocopy(report, plot)
    if as_json:
        emit_json(report.to_dict())
        return
    memcpy = report.memcpy_bytes_per_s
    table = Table("method", "scope", "to usable", "throughput", "× memcpy", "with one read", "same memory",
                  title=f"Moving {format_bytes(report.nbytes)} (best of {report.reps})", title_justify="left")
    for t in report.transfers:
        with_read = format_seconds(t.seconds_with_read) if t.seconds_with_read else "—"
        table.add_row(t.name, t.scope, format_seconds(t.seconds), format_bandwidth(t.bytes_per_s),
                      f"{t.ratio_to(memcpy):.3g}", with_read, "yes" if t.shares_memory else "no (copy)")
    print_table(table)
    console.print(f"memcpy bandwidth on this machine: {format_bandwidth(memcpy)} (bytes copied per second; "
                  f"the physical limit for any path that copies)")
    met = "met" if report.ipc_speedup >= IPC_ACCEPTANCE else "[yellow]not met in this run[/yellow]"
    console.print(f"shared memory vs pickle over a pipe: {report.ipc_speedup:,.0f}× to a usable array "
                  f"({report.ipc_speedup_with_read:,.1f}× including one read of the data); "
                  f"acceptance ≥ {IPC_ACCEPTANCE:g}×: {met}")
    console.print(f"[dim]machine: {report.machine.line()}[/dim]")
    if plot is not None:
        console.print(f"plot written to {plot}")

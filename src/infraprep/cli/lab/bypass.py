"""``lab bypass``: TCP loopback vs a user-space shared-memory ring, round trips and CPU per message."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.output import JSON_HELP, console, emit_json, error_console, print_table
from infraprep.errors import InvalidValue


def _plot(result, path: str) -> None:
    from infraprep.labs.plotting import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for transport in ("tcp", "shm"):
        rows = [r.to_dict() for r in result.rows if r.transport == transport]
        ax.loglog([r["bytes"] for r in rows], [r["rtt_p50_s"] * 1e6 for r in rows], "o-", label=f"{transport} p50")
        ax.loglog([r["bytes"] for r in rows], [r["rtt_p99_s"] * 1e6 for r in rows], "x:", label=f"{transport} p99")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("round trip (µs)")
    ax.set_title("TCP loopback vs shared-memory ring")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@app.command("bypass")
def bypass_cmd(
    sizes: Annotated[str, typer.Option("--sizes", help="Comma-separated message sizes.")] = "64,1KiB,16KiB,256KiB,1MiB",
    messages: Annotated[int, typer.Option("--messages", help="Timed round trips per size (fewer for big "
                                                             "messages: about 64 MiB each).")] = 2000,
    plot: Annotated[str | None, typer.Option("--plot", metavar="FILE", help="Round trip vs size.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Round-trip latency (p50/p99) and CPU per message: kernel TCP vs user-space shared memory."""
    if plot:
        from infraprep.labs.plotting import check_plot_path

        check_plot_path(plot)
    from infraprep.calc.units import format_bytes, parse_bytes
    from infraprep.labs.bypass import measure

    try:
        size_list = [int(parse_bytes(t, "--sizes")) for t in sizes.split(",") if t.strip()]
    except InvalidValue:
        raise InvalidValue("--sizes", sizes, "comma-separated sizes like 64,1KiB,1MiB") from None
    if not size_list or any(s < 1 or s > 64 << 20 for s in size_list):
        raise InvalidValue("--sizes", sizes, "sizes from 1 B to 64 MiB")
    if messages < 10:
        raise InvalidValue("--messages", messages, "an integer ≥ 10")
    if as_json:
        result = measure(size_list, messages)
    else:
        from rich.progress import Progress

        with Progress(console=error_console, transient=True) as bar:
            task = bar.add_task("measuring", total=2 * len(size_list))
            started = []

            def on_step(name, size):
                if started:
                    bar.advance(task)
                started.append(1)
                bar.update(task, description=f"{name} {size} B")

            result = measure(size_list, messages, on_step)
    if plot:
        _plot(result, plot)
    if as_json:
        emit_json(result.to_dict())
        return
    table = Table(title="round trips: TCP loopback vs shared-memory ring (client + server CPU per message)",
                  title_justify="left", caption="p50/p99 and CPU in µs; sw = context switches per message; "
                  "×shm = TCP p50 ÷ ring p50", caption_justify="left")
    for col in ("size", "transport", "p50", "p99", "user", "sys", "sw", "×shm"):
        table.add_column(col, justify="right", no_wrap=True)
    for size in size_list:
        rows = {r.transport: r.to_dict() for r in result.rows if r.size == size}
        for name in ("tcp", "shm"):
            d = rows[name]
            ratio = rows["tcp"]["rtt_p50_s"] / rows["shm"]["rtt_p50_s"] if name == "tcp" else None
            table.add_row(format_bytes(size) if name == "tcp" else "", name, f"{d['rtt_p50_s'] * 1e6:.1f}",
                          f"{d['rtt_p99_s'] * 1e6:.1f}", f"{d['cpu_user_s_per_message'] * 1e6:.1f}",
                          f"{d['cpu_sys_s_per_message'] * 1e6:.1f}", f"{d['context_switches_per_message']:.2f}",
                          f"{ratio:.1f}" if ratio else "", end_section=name == "shm")
    print_table(table)
    if plot:
        console.print(f"[dim]plot written to {plot}[/dim]")

"""``lab paging``: fragmentation of contiguous reservation vs paging on a trace, and the page-table mapping."""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.cli.plotting import check_plot_path, new_figure, save_figure
from infraprep.cli.progress import progress_bar
from infraprep.errors import InvalidValue

SHARES = ("token_states", "reserved", "internal_fragmentation", "external_fragmentation", "free")


def _block_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise InvalidValue("--block-sizes", text, "comma-separated block sizes, like 1,16,128") from None
    if not sizes or any(not 1 <= s <= 4096 for s in sizes):
        raise InvalidValue("--block-sizes", text, "comma-separated block sizes from 1 to 4096, like 1,16,128")
    return sizes


def _plot(stats, path: str) -> None:
    fig, ax = new_figure(1, 1, (9, 4.5))
    names = [s["allocator"] for s in stats]
    bottom = [0.0] * len(stats)
    for share in SHARES:
        values = [s[share] for s in stats]
        ax.bar(names, values, bottom=bottom, label=share.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set(ylabel="share of the KV pool (time average)", title="Where KV memory goes (cf. Kwon et al. 2023, Fig. 2)")
    ax.legend(fontsize=8)
    save_figure(fig, path)


@app.command("paging")
def paging(
    requests: Annotated[int, typer.Option(help="Requests in the trace.")] = 1000,
    rate: Annotated[float, typer.Option(help="Arrivals per step (one step = one token per running sequence).")] = 1.0,
    capacity: Annotated[int, typer.Option(help="KV pool size in token slots.")] = 32768,
    max_len: Annotated[int, typer.Option(help="Longest sequence (the max-length reservation).")] = 2048,
    block_sizes: Annotated[str, typer.Option(metavar="SIZES", help="Paging block sizes to compare.")] = "1,16,128",
    seed: Annotated[int, typer.Option(help="Trace seed.")] = 0,
    plot: Annotated[str | None, typer.Option(metavar="FILE", help="Stacked bars to .svg or .png.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Internal vs external fragmentation: max-length, pow2 and oracle reservation vs paging; and the
    block table ↔ page table mapping, walked through on the real block manager."""
    from infraprep.labs.paging import MAPPING, make_trace, run_all, walkthrough

    check_plot_path(plot)
    sizes = _block_sizes(block_sizes)
    if not (rate > 0 and rate < 1e6):
        raise InvalidValue("--rate", rate, "arrivals per step > 0")
    trace = make_trace(requests, seed, rate=rate, max_len=max_len)
    with progress_bar("allocators", 3 + len(sizes), enabled=not as_json) as advance:
        stats = [s.to_dict() for s in run_all(trace, capacity, max_len, sizes, advance)]
    steps = [s.to_dict() for s in walkthrough()]
    if plot:
        _plot(stats, plot)
    if as_json:
        emit_json({"allocators": stats, "mapping": [dict(zip(("serving", "os", "same", "breaks"), row, strict=True))
                                                    for row in MAPPING], "walkthrough": steps, "plot": plot})
        return
    table = Table(title=f"KV pool of {capacity:,} slots, {requests:,} chat-like requests (time-averaged shares)",
                  title_justify="left")
    for column in ("allocator", "token states", "reserved", "internal frag.", "external frag.", "free", "running"):
        table.add_column(column, justify="left" if column == "allocator" else "right")
    for s in stats:
        table.add_row(s["allocator"], *(f"{s[k]:.1%}" for k in SHARES), f"{s['mean_running']:.1f}")
    print_table(table)
    mapping = Table("serving", "operating system", "carries over", "breaks", title="Block table ↔ page table",
                    title_justify="left")
    for row in MAPPING:
        mapping.add_row(*row)
    print_table(mapping)
    walk = Table("step", "block tables", "refcounts", "free", "copies", title="Walkthrough (block size 4, 8 blocks)",
                 title_justify="left")
    for s in steps:
        walk.add_row(s["action"], " ".join(f"{k}{v}" for k, v in s["tables"].items()),
                     " ".join(f"{k}:{v}" for k, v in s["refcounts"].items()), str(s["free_blocks"]),
                     " ".join(f"{a}→{b}" for a, b in s["copies"]))
    print_table(walk)
    if plot:
        console.print(f"plot: {plot}")

"""``lab allreduce``: our all-reduce implementations against the backend's, nccl-tests style, with an α–β fit."""

from __future__ import annotations

import os
import platform
from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.lab import app
from infraprep.cli.output import JSON_HELP, console, emit_json, error_console
from infraprep.errors import InvalidValue

_DTYPES = {"float32": 4, "float64": 8, "int64": 8}


def _plot(result, path: str) -> None:
    from infraprep.labs.plotting import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = result.spec.sizes
    for algo in result.spec.algos:
        line = ax.loglog(sizes, result.times[algo], "o", label=f"{algo} (measured)")[0]
        fit = result.fits.get(algo)
        if fit:
            ax.loglog(sizes, [fit.predict(s) for s in sizes], "-", color=line.get_color(), alpha=0.6,
                      label=f"{algo} α–β fit")
    ax.set_xlabel("size S (bytes)")
    ax.set_ylabel("time per all-reduce (s)")
    ax.set_title(f"all-reduce on {result.ranks} ranks ({result.backend})")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _table(result) -> Table:
    """nccl-tests columns, one row per size and algorithm, the algorithms of a size side by side."""
    table = Table(title=f"all-reduce, {result.ranks} ranks, {result.backend}, {result.spec.dtype}; best of "
                        f"{result.spec.repeats}", title_justify="left",
                  caption=f"bytes per rank; time in µs; algbw = S/t and busbw = algbw × {result.busbw_factor:.3g} in "
                          "GB/s; ×bi = time ÷ builtin's; fit = α–β model error", caption_justify="left")
    for col in ("bytes", "count", "algo", "time", "algbw", "busbw", "×bi", "fit", "check"):
        table.add_column(col, justify="right", no_wrap=True)
    itemsize = _DTYPES[result.spec.dtype]
    for k, size in enumerate(result.spec.sizes):
        for j, algo in enumerate(result.spec.algos):
            t = result.times[algo][k]
            ratio, fit = result.ratio(algo), result.fits.get(algo)
            table.add_row(str(size) if j == 0 else "", str(size // itemsize) if j == 0 else "", algo,
                          f"{t * 1e6:.1f}", f"{size / t / 1e9:.3f}", f"{size / t * result.busbw_factor / 1e9:.3f}",
                          f"{ratio[k]:.2f}" if ratio else "—", f"{fit.errors[k]:+.0%}" if fit else "—",
                          "ok" if result.verified[algo][k] else "WRONG", end_section=j == len(result.spec.algos) - 1)
    return table


def _fit_table(result) -> Table:
    from infraprep.labs.collectives import MODEL_OF

    table = Table(title=f"α–β fit per algorithm (sizes ≥ {result.spec.fit_from} B; model from calc collective)",
                  title_justify="left")
    for col in ("algo", "model", "α", "1/β (GB/s)", f"max |err| ≥ {result.spec.fit_from} B", "verified"):
        table.add_column(col, justify="right")
    for algo in result.spec.algos:
        fit = result.fits.get(algo)
        table.add_row(algo, MODEL_OF[algo], f"{fit.alpha_s * 1e6:.1f} µs" if fit else "—",
                      f"{fit.bandwidth / 1e9:.3f}" if fit else "—",
                      f"{fit.max_error(result.spec.fit_from):.0%}" if fit else "—",
                      "all sizes" if all(result.verified[algo]) else "NO")
    return table


@app.command("allreduce")
def allreduce_cmd(
    ranks: Annotated[int | None, typer.Option("--ranks", help="Ranks to spawn (default 4; inside torchrun: "
                                                               "the job's WORLD_SIZE).")] = None,
    sizes: Annotated[str, typer.Option("--sizes", help="LO:HI doubling (1KiB:64MiB) or a list (4KiB,1MiB).")]
    = "1KiB:64MiB",
    algos: Annotated[str, typer.Option("--algos", help="Comma-separated: ring, tree, btree, rd, rhd, hier, "
                                                       "builtin.")] = "ring,tree,builtin",
    dtype: Annotated[str, typer.Option("--dtype", help="float32, float64 or int64.")] = "float32",
    repeats: Annotated[int, typer.Option("--repeats", help="Timed rounds, each sweeping all sizes; the best "
                                                           "per size is kept.")] = 3,
    ranks_per_node: Annotated[int | None, typer.Option(
        "--ranks-per-node", help="Node size for hier (default: LOCAL_WORLD_SIZE under torchrun, else 2).")] = None,
    backend: Annotated[str, typer.Option("--backend", help="auto (nccl if CUDA), gloo or nccl.")] = "auto",
    fit_from: Annotated[str, typer.Option("--fit-from", help="Fit α and β on sizes ≥ this.")] = "64KiB",
    plot: Annotated[str | None, typer.Option("--plot", metavar="FILE", help="Write time vs size (SVG/PNG).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Time our all-reduces against the built-in one; nccl-tests table, ratios and an α–β fit."""
    if plot:
        from infraprep.labs.plotting import check_plot_path

        check_plot_path(plot)
    from infraprep.calc.units import parse_bytes
    from infraprep.labs.collectives import ALGORITHMS
    from infraprep.labs.collectives.bench import BenchSpec, bench_worker, parse_algos, parse_sizes, summarize
    from infraprep.labs.collectives.launcher import in_torchrun, launch, run_in_job

    if dtype not in _DTYPES:
        raise InvalidValue("--dtype", dtype, ", ".join(_DTYPES))
    if repeats < 1:
        raise InvalidValue("--repeats", repeats, "an integer ≥ 1")
    chosen = parse_algos(algos, ALGORITHMS)
    size_list = parse_sizes(sizes, _DTYPES[dtype])
    joined = in_torchrun()
    world = int(os.environ["WORLD_SIZE"]) if joined else (4 if ranks is None else ranks)
    if joined and ranks is not None and ranks != world:
        raise InvalidValue("--ranks", ranks, f"omitted or equal to torchrun's WORLD_SIZE={world}")
    if world < 2:
        raise InvalidValue("--ranks", world, "an integer ≥ 2")
    if ranks_per_node is None:
        local = int(os.environ.get("LOCAL_WORLD_SIZE", world)) if joined else world
        ranks_per_node = local if local < world else (2 if world % 2 == 0 else 1)
    if ranks_per_node < 1 or world % ranks_per_node:
        raise InvalidValue("--ranks-per-node", ranks_per_node, f"a positive divisor of ranks={world}")
    spec = BenchSpec(size_list, chosen, dtype, repeats, ranks_per_node,
                     fit_from=int(parse_bytes(fit_from, "--fit-from")))
    machine = {"host_cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
               "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}

    def run(on_event):
        if joined:
            return run_in_job(bench_worker, backend=backend, args=(spec,), on_event=on_event)
        return launch(bench_worker, world, backend=backend, args=(spec,), on_event=on_event)

    if as_json or (joined and int(os.environ["RANK"]) != 0):
        raw = run(None)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        # auto_refresh=False: no refresh thread in this process, which forks the ranks
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=error_console, transient=True, auto_refresh=False) as bar:
            task = bar.add_task(f"starting {world} ranks", total=repeats * len(size_list))
            bar.refresh()

            def on_event(event):
                _, done, total, size = event
                bar.update(task, completed=done, total=total, description=f"round {(done - 1) // len(size_list) + 1}"
                                                                          f"/{repeats}: {size} B")
                bar.refresh()

            raw = run(on_event)
    if raw is None:  # a non-zero rank of a torchrun job: rank 0 prints
        return
    result = summarize(raw, spec, machine)
    if plot:
        _plot(result, plot)
    if as_json:
        emit_json(result.to_dict())
        return
    console.print(_table(result))
    console.print(_fit_table(result))
    if plot:
        console.print(f"[dim]plot written to {plot}[/dim]")

"""``sim pfc``: the buffer dependency graph of a Clos with failed links, its cycle, and the flows freezing."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli.output import JSON_HELP, console, emit_json, error_console, print_table
from infraprep.cli.sim import app
from infraprep.errors import InvalidValue


def _plot(result, path: str) -> None:
    from infraprep.labs.plotting import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, run in result.runs.items():
        total, series = 0, []
        for n in run.delivered_per_step:
            total += n
            series.append(total)
        ax.plot(series, label=f"{name}{' (frozen)' if run.frozen else ''}")
    ax.axvline(result.config.inject_steps, color="grey", linestyle=":", label="sources stop")
    ax.set_xlabel("step")
    ax.set_ylabel("packets delivered (cumulative)")
    ax.set_title(f"PFC on the dependency cycle, {len(result.failed)} failed link(s)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@app.command("pfc")
def pfc_cmd(
    topology: Annotated[str, typer.Option("--topology", help="Fabric: clos (3-tier, fat-tree wiring).")] = "clos",
    pods: Annotated[int, typer.Option("--pods", help="Pods.")] = 32,
    tors: Annotated[int, typer.Option("--tors", help="ToRs per pod.")] = 28,
    aggs: Annotated[int, typer.Option("--aggs", help="Aggregation switches per pod.")] = 4,
    cores: Annotated[int, typer.Option("--cores", help="Core switches (a multiple of --aggs).")] = 16,
    fail_links: Annotated[int, typer.Option("--fail-links", help="ToR-agg links to fail.")] = 2,
    failures: Annotated[str, typer.Option("--failures", help="crossed (pod 0, ToR i loses agg i) or random.")]
    = "crossed",
    seed: Annotated[int, typer.Option("--seed", help="Random failures and switch arbitration; same seed, same "
                                                     "output.")] = 0,
    classes: Annotated[int, typer.Option("--classes", help="Lossless classes for hop-index (PFC has 8).")] = 8,
    buffer: Annotated[int, typer.Option("--buffer", help="Packets per ingress queue (XOFF when full, XON at "
                                                         "half).")] = 2,
    steps: Annotated[int, typer.Option("--steps", help="Simulated steps (sources stop at half).")] = 600,
    watchdog: Annotated[int, typer.Option("--watchdog-steps", help="Steps a paused queue waits before the watchdog "
                                                             "drops it.")] = 30,
    plot: Annotated[str | None, typer.Option("--plot", metavar="FILE", help="Cumulative deliveries per "
                                                                            "mitigation.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Find the PFC buffer-dependency cycle that failed links create, and what each mitigation does to it."""
    if plot:
        from infraprep.labs.plotting import check_plot_path

        check_plot_path(plot)
    from infraprep.sim.pfc import PfcConfig, analyze

    if topology != "clos":
        raise InvalidValue("--topology", topology, "clos")
    config = PfcConfig(pods, tors, aggs, cores, fail_links, failures, seed, classes, buffer, steps, steps // 2,
                       watchdog)
    if as_json:
        result = analyze(config)
    else:
        from rich.progress import Progress

        with Progress(console=error_console, transient=True) as bar:
            task = bar.add_task("routing", total=3)
            result = analyze(config, lambda name: bar.update(task, description=name, advance=0 if name == "routing"
                                                             else 1))
    if plot and result.runs:
        _plot(result, plot)
    if as_json:
        emit_json(result.to_dict())
        return
    table = Table(title=f"{result.switches} switches, {result.links} links; failed: {', '.join(result.failed) or 'none'}",
                  title_justify="left", caption=f"{result.turns} buffer dependencies, {result.bounces} of them "
                  f"bounces; plain-PFC cycle search {result.detect[0]:.2f} s", caption_justify="left")
    table.add_column("mitigation")
    table.add_column("cycle", justify="right")
    if result.runs:
        for col in ("delivered", "dropped", "stuck", "flows"):
            table.add_column(col, justify="right")
    for name, cycle in result.cycles.items():
        row = [name, f"{len(cycle)} links" if cycle else "none"]
        if result.runs:
            run = result.runs[name]
            row += [str(sum(run.delivered_per_step)), str(run.dropped), str(run.stuck),
                    "FROZEN" if run.frozen else "flowing"]
        table.add_row(*row)
    print_table(table)
    if result.cycles["pfc"]:
        console.print("cycle: " + " → ".join(result.cycles["pfc"]))
    else:
        console.print("no buffer-dependency cycle: PFC cannot deadlock on these routes")
    if plot and result.runs:
        console.print(f"[dim]plot written to {plot}[/dim]")

"""``sim pipelines``: goodput of checkpoint-restart, Oobleck-style templates and Bamboo-style
redundancy across failure rates."""

from typing import Annotated

import typer
from rich.table import Column, Table

from infraprep.calc.units import format_seconds
from infraprep.cli import quantity
from infraprep.cli.output import JSON_HELP, console, emit_json, print_table
from infraprep.cli.plotting import check_plot_path
from infraprep.cli.progress import progress_bar
from infraprep.cli.sim import app

STRATEGIES = ("checkpoint-restart", "oobleck", "bamboo")


def _rate(text: str, name: str) -> float:
    from infraprep.calc.units import parse_count

    return parse_count(text, name)


@app.command("pipelines")
def pipelines(
    nodes: Annotated[int, typer.Option(help="Nodes in the job.")] = 32,
    layers: Annotated[int, typer.Option(help="Model layers (equal cost).")] = 32,
    max_layers: Annotated[int, typer.Option(help="Layers one node can hold (sets n_min).")] = 4,
    batch: Annotated[int, typer.Option(help="Microbatches per iteration.")] = 64,
    failures_per_day: Annotated[str, typer.Option(help="Cluster failure rates to sweep (per day).")] = "0.5,1,2,4,8,16,32",
    repair: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION", help="Node repair time.")] = 14400.0,
    write_time: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                              help="Checkpoint stall δ.")] = 120.0,
    restart: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                           help="Full restart after a rollback.")] = 600.0,
    reconfigure: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                               help="Oobleck re-instantiation time.")] = 60.0,
    failover: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                            help="Bamboo failover time.")] = 10.0,
    bamboo_overhead: Annotated[float, typer.Option(help="Throughput Bamboo spends on redundant computation.")] = 0.2,
    fallback_interval: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                                     help="Checkpoint interval of Oobleck and Bamboo.")] = 21600.0,
    days: Annotated[float, typer.Option(help="Simulated days per failure rate.")] = 30.0,
    seed: Annotated[int, typer.Option(help="Seed of the failure timelines.")] = 0,
    plot: Annotated[str | None, typer.Option(metavar="FILE", help="Goodput vs failure rate (.svg/.png).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Redundant pipeline templates: goodput of checkpoint-restart, Oobleck and Bamboo vs failure rate."""
    from infraprep.sim.pipelines import PipelineStudy, run_study

    check_plot_path(plot)
    rates = quantity.parse_list(failures_per_day, _rate, "--failures-per-day", "0.5,1,2,4,8")
    study = PipelineStudy(nodes=nodes, layers=layers, max_layers=max_layers, batch=batch, failures_per_day=rates,
                          repair_s=repair, write_time_s=write_time, restart_s=restart, reconfigure_s=reconfigure,
                          failover_s=failover, bamboo_overhead=bamboo_overhead, fallback_interval_s=fallback_interval,
                          horizon_days=days, seed=seed)
    with progress_bar("simulating failure rates", len(rates), enabled=not as_json) as advance:
        result = run_study(study, advance)
    if plot:
        _plot(result, plot)
    if as_json:
        emit_json(result)
        return
    inst = result["instantiation"]
    table = Table(Column("failures/day", no_wrap=True), "node MTBF", *STRATEGIES, "ckpt interval",
                  title=f"Goodput: {nodes} nodes, pipelines {inst['sizes']} ({layers} layers, ≤ {max_layers}/node), "
                        f"repair {format_seconds(repair)}", title_justify="left")
    for row in result["rows"]:
        s = row["strategies"]
        table.add_row(f"{row['failures_per_day']:g}", format_seconds(row["node_mtbf_h"] * 3600),
                      *(f"{s[k]['goodput']:.1%}" for k in STRATEGIES), format_seconds(row["checkpoint_interval_s"]))
    print_table(table)
    console.print(f"[dim]templates for {min(result['templates'])}–{max(result['templates'])} nodes; assumptions: "
                  f"reconfigure {format_seconds(reconfigure)}, failover {format_seconds(failover)}, Bamboo overhead "
                  f"{bamboo_overhead:.0%}, fallback checkpoint every {format_seconds(fallback_interval)}[/dim]")


def _plot(result: dict, path: str) -> None:
    from infraprep.cli.plotting import new_figure, save_figure

    fig, ax = new_figure(1, 1, (8, 4.5))
    x = [row["failures_per_day"] for row in result["rows"]]
    for name in STRATEGIES:
        ax.semilogx(x, [row["strategies"][name]["goodput"] for row in result["rows"]], "o-", label=name)
    ax.set(xlabel="cluster failures per day", ylabel="goodput", ylim=(0, 1.02),
           title=f"{result['nodes']} nodes: goodput vs failure rate")
    ax.legend()
    save_figure(fig, path)

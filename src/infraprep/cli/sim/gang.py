"""``sim gang``: the classic deadlock, then greedy vs gang vs backfill vs topology-aware on a trace."""

from typing import Annotated

import typer
from rich.table import Column, Table

from infraprep.calc.units import format_seconds
from infraprep.cli.output import JSON_HELP, emit_json, print_table
from infraprep.cli.plotting import check_plot_path
from infraprep.cli.progress import progress_bar
from infraprep.cli.sim import app
from infraprep.errors import UnknownName

ALL = "greedy,gang,backfill,topology"


@app.command("gang")
def gang(
    racks: Annotated[int, typer.Option(help="Racks in the cluster.")] = 4,
    nodes_per_rack: Annotated[int, typer.Option(help="Nodes per rack.")] = 8,
    gpus_per_node: Annotated[int, typer.Option(help="GPUs per node (one scale-up domain).")] = 8,
    jobs: Annotated[int, typer.Option(help="Jobs in the generated trace.")] = 200,
    load: Annotated[float, typer.Option(help="Offered load (1 = the cluster's capacity).")] = 1.0,
    burst: Annotated[int, typer.Option(help="Jobs submitted together per arrival.")] = 1,
    max_job_fraction: Annotated[float, typer.Option(help="Largest job as a fraction of the cluster.")] = 1 / 3,
    schedulers: Annotated[str, typer.Option(help=f"Comma-separated: {ALL}.")] = ALL,
    seed: Annotated[int, typer.Option(help="Trace seed (same seed, same output).")] = 0,
    plot: Annotated[str | None, typer.Option(metavar="FILE", help="Busy GPUs over time per scheduler (.svg/.png).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Gang scheduling: the classic deadlock, then per-pod greedy vs gang, backfill and topology-aware."""
    from infraprep.sim.gang import (
        SCHEDULERS,
        Shape,
        classic_deadlock,
        generate_trace,
        make_scheduler,
        simulate,
    )

    check_plot_path(plot)
    names = [s.strip().lower() for s in schedulers.split(",") if s.strip()]
    for name in names or [""]:
        if name not in SCHEDULERS:
            raise UnknownName("scheduler", name, SCHEDULERS)
    shape = Shape(racks, nodes_per_rack, gpus_per_node)
    trace = generate_trace(shape, jobs, load, seed, burst=burst, max_fraction=max_job_fraction)
    weights = {"prod": 3.0, "research": 1.0}
    demo_shape, demo_jobs = classic_deadlock()
    demo = {name: simulate(demo_shape, demo_jobs, make_scheduler(name)).to_dict() for name in ("greedy", "gang")}
    results = {}
    with progress_bar("scheduling the trace", len(names), enabled=not as_json) as advance:
        for name in names:
            results[name] = simulate(shape, trace, make_scheduler(name), weights)
            advance(1)
    if plot:
        _plot(results, shape.gpus, plot)
    out = {
        "classic_deadlock": demo,
        "cluster": {"racks": racks, "nodes_per_rack": nodes_per_rack, "gpus_per_node": gpus_per_node,
                    "gpus": shape.gpus},
        "trace": {"jobs": jobs, "load": load, "burst": burst, "max_job_fraction": max_job_fraction, "seed": seed,
                  "queues": weights},
        "results": {name: r.to_dict() for name, r in results.items()},
    }
    if as_json:
        emit_json(out)
        return
    _render(out)


def _render(out: dict) -> None:
    table = Table("scheduler", "deadlocked", "jobs completed", "GPUs held by waiting jobs",
                  title="Classic deadlock: two 6-pod jobs, 8 GPUs (2 nodes × 4)", title_justify="left")
    for name, r in out["classic_deadlock"].items():
        table.add_row(name, "YES" if r["deadlocked"] else "no", f"{r['completed']}/{r['total']}", str(r["held_at_end"]))
    print_table(table)
    c, t = out["cluster"], out["trace"]
    table = Table(Column("scheduler", no_wrap=True), "util: all / loaded", "held idle", "wait p50 / p99", "frag",
                  "done", "span: nodes / racks",
                  title=f"Trace: {t['jobs']} jobs at load {t['load']:g} on {c['racks']}×{c['nodes_per_rack']}×"
                        f"{c['gpus_per_node']} = {c['gpus']} GPUs (seed {t['seed']})", title_justify="left")
    for name, r in out["results"].items():
        done = f"{r['completed']}/{r['total']}" + (" DEADLOCK" if r["deadlocked"] else "")
        table.add_row(name, f"{r['utilization']:.0%} / {r['utilization_loaded']:.0%}", f"{r['held_idle']:.1%}",
                      f"{_secs(r['wait_p50'])} / {_secs(r['wait_p99'])}", f"{r['fragmentation']:.0%}", done,
                      f"{r['mean_nodes']:.2f} / {r['mean_racks']:.2f}")
    print_table(table)


def _secs(value: float) -> str:
    if value != value:
        return "—"
    return "0" if value == 0 else format_seconds(value)


def _plot(results: dict, gpus: int, path: str) -> None:
    from infraprep.cli.plotting import new_figure, save_figure

    fig, ax = new_figure(1, 1, (10, 4))
    for name, r in results.items():
        times = [t / 3600 for t, _, _ in r.timeline]
        ax.step(times, [b for _, b, _ in r.timeline], where="post", label=f"{name} (util {r.utilization:.0%})")
    ax.axhline(gpus, color="gray", ls=":", label="capacity")
    ax.set(xlabel="time (h)", ylabel="GPUs running jobs", title="Busy GPUs over the trace")
    ax.legend()
    save_figure(fig, path)

"""``sim schedule``: build a pipeline schedule's real per-rank timeline and measure it."""


from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli import quantity
from infraprep.cli.calc.bubble import (
    Backward,
    Chunks,
    Forward,
    Microbatches,
    Overlapped,
    Plot,
    Schedule,
    Stages,
    Weight,
    pipeline_config,
)
from infraprep.cli.output import JSON_HELP, console, emit_json, error_console, print_table
from infraprep.cli.sim import app

PROGRESS_FROM_OPS = 20_000  # below this a timeline builds in a blink: no bar


def run_with_progress(config, show_progress: bool, comm: float = 0.0, jitter: float = 0.0,
                      seed: int | None = None):
    """Simulate ``config`` (a ``PipelineConfig``); a rich progress bar on stderr for big timelines unless
    ``show_progress`` is off."""
    from infraprep.sim.schedule import estimate_ops, simulate

    total = estimate_ops(config)
    if not show_progress or total < PROGRESS_FROM_OPS:
        return simulate(config, comm, jitter, seed)
    from rich.progress import Progress

    with Progress(console=error_console, transient=True) as bar:
        task = bar.add_task(f"simulating {config.schedule}", total=total)
        timeline = simulate(config, comm, jitter, seed, progress=lambda n: bar.update(task, completed=n))
        bar.update(task, completed=total)
    return timeline


@app.command("schedule")
def schedule_command(
    schedule: Schedule,
    pp: Stages,
    microbatches: Microbatches,
    chunks: Chunks = None,
    f: Forward = 1.0,
    b: Backward = 2.0,
    w: Weight = None,
    fb: Overlapped = None,
    comm: Annotated[float, typer.Option(parser=quantity.duration_or_zero, metavar="TIME",
                                        help="Point-to-point latency between neighbouring ranks.")] = 0.0,
    jitter: Annotated[float, typer.Option(help="Scale each pass by a uniform factor in [1−j, 1+j] (0 = exact).")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for --jitter; same seed, same timeline.")] = 0,
    plot: Plot = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Build the per-rank timeline of a pipeline schedule from its dependencies and measure it.

    Reports the makespan, each rank's busy and idle time and peak activations, and the bubble next
    to the schedule's closed form (calc bubble).
    """
    from infraprep.calc.bubble import bubble

    config = pipeline_config(schedule, pp, microbatches, chunks, f, b, w, fb)
    timeline = run_with_progress(config, not as_json, comm, jitter, seed)
    closed = bubble(config)
    if plot:
        from infraprep.sim.schedule import render_gantt

        render_gantt(timeline, plot)
    counts = timeline.counts()
    if as_json:
        emit_json({
            **timeline.to_dict(),
            "busy_per_rank": list(timeline.busy),
            "operations_per_rank": counts,
            "closed_form_bubble_time": closed.bubble_time,
            "closed_form_exact": closed.exact,
            "comm": comm,
            "jitter": jitter,
            "seed": seed,
            "plot": plot,
        })
        return
    table = Table("rank", "busy", "idle", "peak activations", "operations",
                  title=f"{schedule}: pp={pp}, m={microbatches}" + (f", v={config.chunks}" if config.chunks > 1 else ""),
                  title_justify="left")
    for rank in range(timeline.ranks):
        ops = " ".join(f"{k}×{n}" for k, n in counts[rank].items())
        table.add_row(str(rank), f"{timeline.busy[rank]:.6g}", f"{timeline.idle[rank]:.6g}",
                      f"{timeline.peak_activations[rank]:g}", ops)
    print_table(table)
    same = "=" if abs(timeline.bubble_time - closed.bubble_time) <= 1e-9 * max(1.0, timeline.makespan) else "≠"
    console.print(f"makespan {timeline.makespan:.6g}; bubble (largest idle) {timeline.bubble_time:.6g} {same} "
                  f"closed form {closed.formula}")
    if not closed.exact:
        console.print(f"[dim]closed form not exact here: {closed.inexact_reason}[/dim]")
    if plot:
        error_console.print(f"wrote {plot}")

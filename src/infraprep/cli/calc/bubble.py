"""``calc bubble``: pipeline bubble and memory factors per schedule, cross-checked by simulation.

The pipeline options (schedule, sizes, pass times) are shared with ``sim schedule``.
"""


from typing import Annotated

import typer

from infraprep.cli import quantity
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP, console, emit_json, error_console

# Auto-simulate only timelines this small (operations, ~20 ms), so that the command answers in well
# under 0.3 s; --simulate forces it up to the simulator's own cap (sim.schedule.MAX_OPS).
AUTO_SIMULATE_OPS = 2000
# calc.bubble is imported inside the commands (start-up stays light); these name its choices for
# --help, and tests/cli/test_calc_pipeline.py checks that they match calc.bubble.SCHEDULES/DENOMINATORS.
SCHEDULE_NAMES = ("gpipe", "1f1b", "interleaved", "zb1p", "dualpipe", "dualpipev")
DENOMINATOR_NAMES = ("ideal", "total")

Schedule = Annotated[str, typer.Option(help=f"One of: {', '.join(SCHEDULE_NAMES)}.")]
Stages = Annotated[int, typer.Option("--pp", help="Pipeline stages (DualPipeV runs them on pp/2 devices).")]
Microbatches = Annotated[int, typer.Option(help="Microbatches per step (m).")]
Chunks = Annotated[int | None, typer.Option(help="Model chunks per device (v); interleaved only, default 2.")]
Forward = Annotated[float, typer.Option("--f", parser=quantity.duration, metavar="TIME",
                                        help="Forward time of one stage for one microbatch.")]
Backward = Annotated[float, typer.Option("--b", parser=quantity.duration, metavar="TIME",
                                         help="Full backward (input + weight gradients) of one stage.")]
Weight = Annotated[float | None, typer.Option("--w", parser=quantity.duration_or_zero, metavar="TIME",
                                              help="Weight-gradient part of --b (zero-bubble W); default b/2.")]
Overlapped = Annotated[float | None, typer.Option("--fb", parser=quantity.duration, metavar="TIME",
                                                  help="Overlapped F&B time (DualPipe); default f + b.")]
Plot = Annotated[str | None, typer.Option(help="Write the timeline's Gantt chart to FILE (.svg or .png).",
                                          metavar="FILE")]


def pipeline_config(schedule: str, pp: int, microbatches: int, chunks: int | None, f: float, b: float,
                    w: float | None, fb: float | None, denominator: str = "ideal"):
    """The options as a validated :class:`~infraprep.calc.bubble.PipelineConfig`; ``chunks`` defaults
    to 2 for interleaved, else 1."""
    from infraprep.calc.bubble import PipelineConfig, StageTimes

    if chunks is None:
        chunks = 2 if schedule == "interleaved" else 1
    return PipelineConfig(schedule, pp, microbatches, chunks, StageTimes(f, b, w, fb), denominator)


def bubble_command(
    schedule: Schedule,
    pp: Stages,
    microbatches: Microbatches,
    chunks: Chunks = None,
    f: Forward = 1.0,
    b: Backward = 2.0,
    w: Weight = None,
    fb: Overlapped = None,
    denominator: Annotated[str, typer.Option(help=f"Bubble fraction of: {' or '.join(DENOMINATOR_NAMES)} "
                                             "(ideal = m·(F+B) compute; total = ideal + bubble).")] = "ideal",
    simulate: Annotated[bool | None, typer.Option("--simulate/--no-simulate",
                                                  help="Cross-check by building the timeline (default: when small).")] = None,
    plot: Plot = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Pipeline bubble (time and fraction), parameter and activation memory factors per schedule.

    Closed forms from Megatron-LM 2021 §2.2, Zero Bubble PP §2.1 and DeepSeek-V3 Table 2, checked
    against the schedule's real timeline (built from its dependencies) when it is small.
    """
    from infraprep.calc.bubble import bubble

    config = pipeline_config(schedule, pp, microbatches, chunks, f, b, w, fb, denominator)
    result = bubble(config)
    from infraprep.cli.sim.schedule import run_with_progress
    from infraprep.sim.schedule import estimate_ops

    if plot is not None:
        simulate = True
    elif simulate is None:
        simulate = estimate_ops(config) <= AUTO_SIMULATE_OPS
    timeline = run_with_progress(config, show_progress=not as_json) if simulate else None
    simulated = None
    if timeline is not None:
        simulated = {
            "bubble_time": timeline.bubble_time,
            "bubble_fraction": config.fraction(timeline.bubble_time),
            "makespan": timeline.makespan,
            "activation_memory_microbatches": max(timeline.peak_activations),
            "matches_closed_form": abs(timeline.bubble_time - result.bubble_time) <= 1e-9 * max(1.0, timeline.makespan),
        }
    if plot and timeline is not None:
        from infraprep.sim.schedule import render_gantt

        render_gantt(timeline, plot)
    if as_json:
        emit_json({**result.to_dict(), "simulated": simulated, "plot": plot})
        return
    show(result, False, f"Pipeline bubble: {schedule}")
    if simulated:
        verdict = "= closed form" if simulated["matches_closed_form"] else "≠ closed form (see note)"
        console.print(f"simulated timeline: bubble {simulated['bubble_time']:.6g} {verdict}, makespan "
                      f"{simulated['makespan']:.6g}, peak activations {simulated['activation_memory_microbatches']:g}")
    if plot:
        error_console.print(f"wrote {plot}")

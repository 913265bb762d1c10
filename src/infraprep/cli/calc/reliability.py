"""``calc checkpoint`` and ``calc mtbf``: how often to checkpoint, and how often a job at scale fails.

The calculators are imported inside the commands: registering them costs start-up nothing.
"""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.units import format_seconds, parse_count
from infraprep.cli import quantity
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP, emit_json, print_table
from infraprep.errors import InfraprepError, InvalidValue

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
SCALE_DEFAULT = "1024,2048,4096,8192,16384,32768,65536,100000"


def checkpoint(
    write_time_s: Annotated[float | None, typer.Option(
        "--write-time", parser=quantity.duration, metavar="DURATION",
        help="δ: stall per checkpoint (300, 5min). Or give --size and --bandwidth.")] = None,
    size: Annotated[float | None, typer.Option(parser=quantity.byte_size, metavar="BYTES",
                                               help="Checkpoint size (e.g. 2.4TB) for δ = size ÷ bandwidth.")] = None,
    bandwidth: Annotated[float | None, typer.Option(parser=quantity.bandwidth, metavar="BW",
                                                    help="Aggregate write bandwidth (e.g. 100GB/s).")] = None,
    mtbf: Annotated[float | None, typer.Option(parser=quantity.duration, metavar="DURATION",
                                               help="M: job mean time between failures (86400, 24h).")] = None,
    restart: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                           help="R: restart cost (detect, reschedule, reload).")] = 0.0,
    model: Annotated[str, typer.Option(help="Interval formula: young or daly.")] = "daly",
    waste_model: Annotated[str, typer.Option(help="Waste convention: daly (complete model) or first-order.")] = "daly",
    interval: Annotated[float | None, typer.Option(parser=quantity.duration, metavar="DURATION",
                                                   help="Evaluate this interval instead of the optimum.")] = None,
    snapshot_time: Annotated[float | None, typer.Option(
        parser=quantity.duration, metavar="DURATION",
        help="Blocking part of an async checkpoint (copy to host memory): adds the sync vs async comparison.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Young and Daly optimal checkpoint intervals, waste and goodput, sync vs async stall."""
    from infraprep.calc.checkpoint import CheckpointInputs, optimal_checkpoint, write_time

    if mtbf is None:
        raise InvalidValue("--mtbf", None, "the job's mean time between failures, e.g. 86400 or 24h")
    if write_time_s is None:
        if size is None or bandwidth is None:
            raise InvalidValue("--write-time", None, "a duration, or both --size and --bandwidth")
        write_time_s = write_time(size, bandwidth)
    elif size is not None or bandwidth is not None:
        raise InfraprepError("give --write-time or --size with --bandwidth, not both")
    inputs = CheckpointInputs(write_time=write_time_s, mtbf=mtbf, restart=restart, model=model.lower(),
                              waste_model=waste_model.lower(), interval=interval, snapshot_time=snapshot_time)
    show(optimal_checkpoint(inputs), as_json, "Checkpoint interval")


def _component(spec: str):
    from infraprep.calc.mtbf import Component

    parts = spec.split(":")
    if len(parts) != 3 or not parts[0]:
        raise InvalidValue("--component", spec, "NAME:COUNT:RATE_PER_HOUR, e.g. gpu:16384:2e-5")
    try:
        rate = float(parts[2])
    except ValueError:
        raise InvalidValue("--component", spec, "a numeric failure rate per hour as RATE") from None
    return Component(parts[0], parse_count(parts[1], "--component"), rate)


def _scale(text: str) -> tuple[int, ...]:
    counts = quantity.parse_list(text, parse_count, "--scale", "1k,16k,100k")
    if any(c != int(c) for c in counts):
        raise InvalidValue("--scale", text, "whole GPU counts, e.g. 1k,16k,100k")
    return tuple(int(c) for c in counts)


def mtbf(
    gpus: Annotated[float | None, typer.Option(parser=quantity.count, metavar="N", help="GPUs in the job.")] = None,
    failures: Annotated[float | None, typer.Option(help="Failures observed in the window.")] = None,
    window_hours: Annotated[float | None, typer.Option(help="Observation window in hours (54 days = 1296).")] = None,
    per_gpu_rate: Annotated[float | None, typer.Option(help="Failures per GPU-hour.")] = None,
    per_gpu_mtbf_hours: Annotated[float | None, typer.Option(help="Per-GPU MTBF in hours (= 1/rate).")] = None,
    component: Annotated[list[str] | None, typer.Option(
        help="NAME:COUNT:RATE_PER_HOUR, repeatable (series system: rates add).")] = None,
    preset_name: Annotated[str | None, typer.Option("--preset", help="Observed table: llama3 (Table 5).")] = None,
    interval: Annotated[float | None, typer.Option(parser=quantity.duration, metavar="DURATION",
                                                   help="Checkpoint interval for goodput (default: Daly's).")] = None,
    write_time_s: Annotated[float | None, typer.Option(
        "--write-time", parser=quantity.duration, metavar="DURATION",
        help="Checkpoint stall δ: adds goodput (Daly) and optimal intervals.")] = None,
    restart: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                           help="Restart cost R.")] = 0.0,
    scale: Annotated[str, typer.Option(help="GPU counts for the scaling table.")] = SCALE_DEFAULT,
    as_json: JsonFlag = False,
) -> None:
    """Job MTBF from rates × counts or an observed failure count; interruptions/day; goodput; 1/N scaling."""
    from infraprep.calc.mtbf import MtbfInputs, job_mtbf, preset

    if per_gpu_mtbf_hours is not None:
        if per_gpu_rate is not None:
            raise InfraprepError("give --per-gpu-rate or --per-gpu-mtbf-hours, not both")
        if not per_gpu_mtbf_hours > 0 or per_gpu_mtbf_hours == float("inf"):
            raise InvalidValue("--per-gpu-mtbf-hours", per_gpu_mtbf_hours, "a finite MTBF > 0 hours")
        per_gpu_rate = 1.0 / per_gpu_mtbf_hours
    common = dict(interval_s=interval, write_time_s=write_time_s, restart_s=restart, scale_gpus=_scale(scale))
    if preset_name is not None:
        if any(v is not None for v in (failures, window_hours, per_gpu_rate)) or component:
            raise InfraprepError("--preset sets the rate source: drop --failures/--window-hours/--per-gpu-*/--component")
        inputs = preset(preset_name, **({"gpus": gpus} if gpus is not None else {}), **common)
    else:
        comps = tuple(_component(spec) for spec in component or ())
        inputs = MtbfInputs(gpus=gpus, failures=failures, window_hours=window_hours,
                            per_gpu_rate_per_hour=per_gpu_rate, components=comps, **common)
    result = job_mtbf(inputs)
    if as_json:
        emit_json(result.to_dict())
        return
    show(result, False, "Job MTBF")
    if inputs.causes:
        _causes_table(result)
    if result.scaling:
        table = Table("GPUs", "MTBF", "interruptions/day", *(("Daly interval", "goodput") if write_time_s else ()),
                      title="Scaling at the same per-GPU rate (MTBF ∝ 1/N)", title_justify="left")
        for row in result.scaling:
            extra = (format_seconds(row.interval_s), f"{row.goodput:.1%}") if row.goodput is not None else ()
            table.add_row(f"{row.gpus:,}", format_seconds(row.mtbf_hours * 3600), f"{row.interruptions_per_day:.3g}",
                          *extra)
        print_table(table)


def _causes_table(result) -> None:
    data = result.to_dict()
    table = Table("component", "category", "count", "share", "published", "MTBF of this cause",
                  title=f"Root causes ({data.get('source', '')})", title_justify="left")
    for c in data["causes"]:
        table.add_row(c["component"], c["category"], str(c["count"]), f"{c['fraction']:.1%}",
                      f"{c['published_percent']:.1f}%", format_seconds(3600 / c["rate_per_hour"]))
    print_table(table)

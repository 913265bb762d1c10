"""``sim failures``: MTBF vs cluster size, Monte Carlo goodput vs checkpoint interval against
Young/Daly, and the effect of restart time and hot spares (numpy imported inside the command)."""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.units import format_seconds, parse_count, parse_seconds
from infraprep.cli import quantity
from infraprep.cli.output import JSON_HELP, emit_json, print_table
from infraprep.cli.plotting import check_plot_path
from infraprep.cli.progress import progress_bar
from infraprep.cli.sim import app
from infraprep.errors import InfraprepError, InvalidValue


@app.command("failures")
def failures(
    gpus: Annotated[float, typer.Option(parser=quantity.count, metavar="N", help="GPUs in the job.")] = 16384.0,
    preset: Annotated[str | None, typer.Option(
        help="Per-cause failure processes: llama3 (Table 5 shares and rate; the default).")] = None,
    per_gpu_mtbf_hours: Annotated[float | None, typer.Option(
        help="One failure process at this per-GPU MTBF instead of a preset.")] = None,
    dist: Annotated[str, typer.Option(help="exponential or weibull (per cause).")] = "exponential",
    shape: Annotated[float, typer.Option(help="Weibull shape k (< 1: decreasing hazard).")] = 0.7,
    write_time: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                              help="Checkpoint stall δ.")] = 120.0,
    restart: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                           help="Restart cost R.")] = 600.0,
    restarts: Annotated[str, typer.Option(help="Restart costs for the restart table.")] = "1min,5min,10min,30min,1h",
    spares: Annotated[str, typer.Option(help="Hot-spare counts for the spares table.")] = "0,4,8,12,16",
    repair_time: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                               help="Time to repair or replace a failed node.")] = 86400.0,
    scale: Annotated[str, typer.Option(help="GPU counts for the MTBF scaling.")] = "1024,2048,4096,8192,16384,32768,65536,100000",
    samples: Annotated[int, typer.Option(help="Job interruptions sampled for the goodput Monte Carlo.")] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same output).")] = 0,
    plot: Annotated[str | None, typer.Option(metavar="FILE", help="Write MTBF and goodput plots (.svg/.png).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Failures at scale: MTBF ∝ 1/N, Monte Carlo optimal interval vs Daly, restart time, hot spares."""
    from infraprep.sim.failures import FailureStudy, run_study

    check_plot_path(plot)
    if preset is not None and per_gpu_mtbf_hours is not None:
        raise InfraprepError("give --preset or --per-gpu-mtbf-hours, not both")
    if preset is not None and preset.strip().lower() != "llama3":
        from infraprep.errors import UnknownName

        raise UnknownName("failure preset", preset, ["llama3"])
    if gpus != int(gpus):
        raise InvalidValue("--gpus", gpus, "a whole number of GPUs")
    extra = {}
    if per_gpu_mtbf_hours is not None:
        extra = {"per_gpu_mtbf_h": per_gpu_mtbf_hours, "causes": (("all", 1.0),)}
    spare_counts = quantity.parse_list(spares, parse_count_or_zero, "--spares", "0,1,2,4")
    study = FailureStudy(
        gpus=int(gpus), dist=dist.lower(), shape=shape, write_time_s=write_time, restart_s=restart,
        restarts_s=quantity.parse_list(restarts, parse_seconds_or_zero, "--restarts", "1min,10min,1h"),
        spares=tuple(int(s) for s in spare_counts), repair_time_s=repair_time,
        scale_gpus=tuple(int(n) for n in quantity.parse_list(scale, parse_count, "--scale", "1k,16k,100k")),
        failures=samples, seed=seed, **extra)
    with progress_bar("simulating failures", len(study.scale_gpus) + 4, enabled=not as_json) as advance:
        result = run_study(study, advance)
    if plot:
        _plot(result, plot)
    if as_json:
        emit_json(result.to_dict())
        return
    _render(result)


def parse_count_or_zero(text: str, name: str) -> float:
    value = parse_count(text, name, allow_zero=True)
    if value != int(value):
        raise InvalidValue(name, text, "a whole number")
    return value


def parse_seconds_or_zero(text: str, name: str) -> float:
    return parse_seconds(text, name, allow_zero=True)


def _render(result) -> None:
    d = result.to_dict()
    table = Table("GPUs", "MTBF: per-GPU/N", "MTBF: Monte Carlo", "failures counted",
                  title=f"Job MTBF vs cluster size (per-GPU MTBF {d['per_gpu_mtbf_h']:,.0f} h)", title_justify="left")
    for row in d["scaling"]:
        table.add_row(f"{row['gpus']:,}", format_seconds(row["analytic_mtbf_h"] * 3600),
                      format_seconds(row["mc_mtbf_h"] * 3600), f"{row['failures']:,}")
    print_table(table)
    i = d["interval"]
    table = Table("interval", "value", "goodput", title=f"Checkpoint interval at {d['gpus']:,} GPUs (job MTBF "
                  f"{format_seconds(d['job_mtbf_h'] * 3600)}, δ = {format_seconds(d['write_time_s'])}, "
                  f"R = {format_seconds(d['restart_s'])})", title_justify="left")
    table.add_row("Young √(2δM)", format_seconds(i["young_s"]), "")
    table.add_row("Daly (higher order)", format_seconds(i["daly_s"]),
                  f"{i['mc_goodput_at_daly']:.2%} MC / {i['daly_model_goodput_at_daly']:.2%} model")
    table.add_row("Monte Carlo optimum", format_seconds(i["mc_optimal_s"]), f"{i['mc_vs_daly']:+.2%} vs Daly")
    print_table(table)
    table = Table("restart R", "goodput (MC)", "goodput (Daly model)", title="Effect of restart time (at Daly's τ)",
                  title_justify="left")
    for row in d["restart_effect"]:
        table.add_row(format_seconds(row["restart_s"]), f"{row['mc_goodput']:.2%}", f"{row['daly_model_goodput']:.2%}")
    print_table(table)
    table = Table("hot spares", "goodput", title=f"Effect of hot spares (repair {format_seconds(d['repair_time_s'])}; "
                  f"nodes in repair on average = repair/MTBF = {d['nodes_in_repair_mean']:.3g})", title_justify="left")
    for row in d["spares_effect"]:
        table.add_row(str(row["spares"]), f"{row['goodput']:.2%}")
    print_table(table)


def _plot(result, path: str) -> None:
    from infraprep.cli.plotting import new_figure, save_figure

    fig, (left, right) = new_figure(1, 2, (11, 4.2))
    rows = result.scaling
    gpus = [row["gpus"] for row in rows]
    left.loglog(gpus, [row["analytic_mtbf_h"] for row in rows], "-", label="per-GPU MTBF / N")
    left.loglog(gpus, [row["mc_mtbf_h"] for row in rows], "o", label="Monte Carlo")
    left.set(xlabel="GPUs in the job", ylabel="job MTBF (hours)", title="MTBF ∝ 1/N")
    left.legend()
    taus = [row["interval_s"] / 60 for row in result.curve]
    right.semilogx(taus, [row["daly_model_goodput"] for row in result.curve], "-", label="Daly model")
    right.semilogx(taus, [row["mc_goodput"] for row in result.curve], "o", ms=3, label="Monte Carlo")
    right.axvline(result.interval["daly_s"] / 60, ls="--", color="gray", label="Daly τ")
    right.axvline(result.interval["mc_optimal_s"] / 60, ls=":", color="black", label="MC optimum")
    right.set(xlabel="checkpoint interval τ (min)", ylabel="goodput", title=f"{result.study.gpus:,} GPUs")
    right.legend()
    save_figure(fig, path)

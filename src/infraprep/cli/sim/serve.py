"""``sim serve``: the inference replica simulator — one run, a comparison, or a request-rate sweep."""

from typing import Annotated

import typer
from rich.table import Table

from infraprep.cli import quantity
from infraprep.cli.output import JSON_HELP, console, emit_json
from infraprep.cli.plotting import check_plot_path, new_figure, save_figure
from infraprep.cli.progress import progress_bar
from infraprep.cli.sim import app
from infraprep.errors import InvalidValue

COMPARE = "paged, static, chunked, prefix, disagg"


def _rates(text: str) -> list[float]:
    try:
        rates = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidValue("--sweep", text, "comma-separated rates > 0, like 5,10,20,40") from None
    if not rates or any(not (r > 0 and r < 1e9) for r in rates):
        raise InvalidValue("--sweep", text, "comma-separated rates > 0, like 5,10,20,40")
    return rates


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:,.1f} ms"


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:,.3f} s"


ROWS = [
    ("completed", lambda r: f"{r.summary.completed:,}"),
    ("throughput (output tok/s)", lambda r: f"{r.summary.throughput:,.0f}"),
    ("TTFT p50 / p99", lambda r: f"{_s(r.summary.ttft['p50'])} / {_s(r.summary.ttft['p99'])}"),
    ("ITL p50 / p99", lambda r: f"{_ms(r.summary.itl['p50'])} / {_ms(r.summary.itl['p99'])}"),
    ("TPOT p50 / p99", lambda r: f"{_ms(r.summary.tpot['p50'])} / {_ms(r.summary.tpot['p99'])}"),
    ("E2E p50 / p99", lambda r: f"{_s(r.summary.e2e['p50'])} / {_s(r.summary.e2e['p99'])}"),
    ("goodput (req/s in SLA)", lambda r: f"{r.summary.goodput:,.2f} ({r.summary.sla_attainment:.0%})"),
    ("running seqs mean / max", lambda r: f"{r.summary.mean_running:,.1f} / {r.summary.max_running:,}"),
    ("KV utilization", lambda r: f"{r.summary.kv_utilization:.0%}"),
    ("fragmentation", lambda r: f"{r.summary.fragmentation:.0%}"),
    ("preemptions", lambda r: f"{r.summary.preemptions:,}"),
    ("prefix-cache hit rate", lambda r: f"{r.cache['hit_rate']:.1%}" if r.cache else "—"),
]


def _table(title: str, runs: dict) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("metric", style="bold")
    for label in runs:
        table.add_column(label, justify="right")
    for name, cell in ROWS:
        table.add_row(name, *(cell(r) for r in runs.values()))
    return table


def _plot(points, path: str, label: str) -> None:
    fig, axes = new_figure(1, 3, (14, 4))
    thr = [p.result.summary.throughput for p in points]
    axes[0].plot(thr, [p.result.summary.ttft["p99"] for p in points], marker="o", label=label)
    axes[1].plot(thr, [p.result.summary.itl["p99"] * 1e3 for p in points], marker="o", label=label)
    axes[2].plot([p.rate for p in points], [p.result.summary.goodput for p in points], marker="o", label=label)
    s = points[0].result.summary
    axes[0].set(xlabel="throughput (output tokens/s)", ylabel="p99 TTFT (s)", yscale="log", title="TTFT")
    axes[1].set(xlabel="throughput (output tokens/s)", ylabel="p99 ITL (ms)", title="inter-token latency")
    axes[2].set(xlabel="offered rate (requests/s)", ylabel="goodput (requests/s)",
                title=f"goodput (TTFT ≤ {s.ttft_slo:g} s, TPOT ≤ {s.itl_slo * 1e3:g} ms)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend()
    save_figure(fig, path)


@app.command("serve")
def serve(
    model: Annotated[str, typer.Option(help="Catalogue model (calc model).")] = "llama3-8b",
    gpu: Annotated[str, typer.Option(help="Catalogue GPU (calc hardware).")] = "h100-sxm",
    tp: Annotated[int, typer.Option(help="Tensor-parallel GPUs per replica.")] = 1,
    requests: Annotated[int, typer.Option(help="Requests to simulate (turns included).")] = 2000,
    rate: Annotated[float, typer.Option(help="Arrivals per second (sessions per second with --turns).")] = 20.0,
    arrival: Annotated[str, typer.Option(help="poisson, bursty (gamma) or burst (all at t=0).")] = "poisson",
    burstiness: Annotated[float, typer.Option(help="Squared CV of gaps for --arrival bursty.")] = 4.0,
    lengths: Annotated[str, typer.Option(help="chat (lognormal), fixed or uniform.")] = "chat",
    prompt_len: Annotated[int, typer.Option(help="Median (chat) or mean prompt tokens.")] = 256,
    output_len: Annotated[int, typer.Option(help="Median (chat) or mean output tokens.")] = 128,
    turns: Annotated[int, typer.Option(help="Turns per session (multi-turn prefixes).")] = 1,
    think_time: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION",
                                              help="Mean pause between turns.")] = 5.0,
    system_prompt: Annotated[int, typer.Option(help="Tokens of a system prompt every request shares.")] = 0,
    max_model_len: Annotated[int, typer.Option(help="Longest sequence (prompt + output).")] = 4096,
    block_size: Annotated[int, typer.Option(help="Tokens per KV block.")] = 16,
    mem_util: Annotated[float, typer.Option(parser=quantity.fraction, metavar="FRACTION",
                                            help="HBM fraction for weights + KV.")] = 0.9,
    max_seqs: Annotated[int, typer.Option(help="Running-sequence cap.")] = 256,
    token_budget: Annotated[int, typer.Option(help="Tokens per iteration.")] = 2048,
    policy: Annotated[str, typer.Option(help="decode-first, prefill-first or static.")] = "decode-first",
    chunked: Annotated[bool, typer.Option("--chunked/--no-chunked", help="Chunked prefill.")] = True,
    preemption: Annotated[str, typer.Option(help="recompute or swap.")] = "recompute",
    order: Annotated[str, typer.Option(help="fcfs or priority.")] = "fcfs",
    reservation: Annotated[str, typer.Option(help="paged, or max-length (contiguous).")] = "paged",
    prefix_cache: Annotated[str, typer.Option(help="none, hash or radix.")] = "none",
    replicas: Annotated[int, typer.Option(help="Colocated replicas.")] = 1,
    disaggregate: Annotated[str | None, typer.Option(metavar="P:D", help="Prefill:decode replicas, like 1:1.")] = None,
    ttft_slo: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION", help="TTFT SLO.")] = 2.0,
    itl_slo: Annotated[float, typer.Option(parser=quantity.duration, metavar="DURATION", help="TPOT SLO.")] = 0.1,
    compare: Annotated[str | None, typer.Option(help=f"Side by side: {COMPARE}.")] = None,
    sweep: Annotated[str | None, typer.Option(metavar="RATES", help="Comma-separated rates, like 5,10,20,40.")] = None,
    plot: Annotated[str | None, typer.Option(metavar="FILE", help="With --sweep: curves to .svg or .png.")] = None,
    seed: Annotated[int, typer.Option(help="Workload seed: same seed, same result.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Simulate a serving replica: TTFT, ITL, E2E percentiles, throughput, goodput, KV use.

    Per-iteration latency is a roofline over the GPU catalogue (weights + KV read, FLOPs), so any
    model/GPU pair runs. --compare runs designs side by side; --sweep gives latency–throughput curves.
    """
    from infraprep.sim.inference import ReplicaConfig, SimConfig, WorkloadConfig
    from infraprep.sim.inference.compare import compare as run_compare
    from infraprep.sim.inference.simulator import simulate
    from infraprep.sim.inference.sweep import sweep as run_sweep
    from infraprep.sim.serving import SchedulerConfig

    check_plot_path(plot)
    if plot and not sweep:
        raise InvalidValue("--plot", plot, "used with --sweep RATES (the curves need several rates)")
    if compare and sweep:
        raise InvalidValue("--compare", compare, "not together with --sweep: run them separately")
    split = None
    if disaggregate:
        parts = disaggregate.split(":")
        if len(parts) != 2 or not all(p.isdigit() and int(p) >= 1 for p in parts):
            raise InvalidValue("--disaggregate", disaggregate, "P:D with positive counts, like 1:1")
        split = (int(parts[0]), int(parts[1]))
    workload = WorkloadConfig(requests=requests, rate=rate, arrival=arrival, burstiness=burstiness, lengths=lengths,
                              prompt_len=prompt_len, output_len=output_len, max_len=max_model_len, turns=turns,
                              think_time=think_time, system_prompt=system_prompt, seed=seed)
    scheduler = SchedulerConfig(max_batched_tokens=token_budget, max_num_seqs=max_seqs, policy=policy,
                                chunked_prefill=chunked, preemption=preemption, order=order, reservation=reservation,
                                max_model_len=max_model_len)
    replica = ReplicaConfig(model=model, gpu=gpu, tp=tp, block_size=block_size, memory_utilization=mem_util,
                            prefix_cache=prefix_cache, scheduler=scheduler)
    config = SimConfig(workload=workload, replica=replica, replicas=replicas, disaggregated=split is not None,
                       prefill_replicas=split[0] if split else 1, decode_replicas=split[1] if split else 1,
                       ttft_slo=ttft_slo, itl_slo=itl_slo)
    rates = _rates(sweep) if sweep else None
    runs = {"paged": 2, "static": 3, "chunked": 2, "prefix": 3, "disagg": 2}.get(compare or "", 1)
    total = requests * (len(rates) if rates else runs)
    with progress_bar("simulating requests", total, enabled=not as_json) as advance:
        if rates:
            points = run_sweep(config, rates, advance)
        elif compare:
            result = run_compare(compare, config, advance)
        else:
            single = simulate(config, advance)
    if rates:
        if plot:
            _plot(points, plot, f"{model} on {tp}× {gpu}")
        if as_json:
            emit_json({"sweep": [p.to_dict() for p in points], "plot": plot})
            return
        console.print(_table(f"{model} on {tp}× {gpu}: rate sweep", {f"{p.rate:g}/s": p.result for p in points}))
        if plot:
            console.print(f"plot: {plot}")
        return
    if compare:
        if as_json:
            emit_json(result.to_dict())
            return
        console.print(_table(f"{compare}: {model} on {tp}× {gpu}", result.runs))
        console.print(f"[bold]{result.metric}[/bold]: {result.better} vs {result.worse} = {result.ratio:.2f}×")
        return
    if as_json:
        emit_json(single.to_dict())
        return
    console.print(_table(f"{model} on {tp}× {gpu}, {single.num_blocks:,} KV blocks of {single.block_size}", {"run": single}))

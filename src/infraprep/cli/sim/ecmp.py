"""``sim ecmp``: hash collisions on equal-cost uplinks, and what QPs, spraying, flowlets and adaptive routing buy."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from infraprep.calc.units import format_seconds
from infraprep.cli import quantity
from infraprep.cli.output import JSON_HELP, console, emit_json, error_console, print_table
from infraprep.cli.sim import app
from infraprep.errors import InvalidValue

_POLICIES = ("ecmp", "spray", "flowlet", "adaptive")


def _plot(results: dict, path: str) -> None:
    from infraprep.labs.plotting import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    top = max(max(r.sample) for r in results.values())
    bins = [1 + i * (top - 1 + 1e-9) / 40 for i in range(41)]
    for name, r in results.items():
        ax.hist(r.sample, bins=bins, histtype="step", linewidth=1.5, label=name, density=True)
    ax.set_xlabel("collective completion ÷ ideal (slowest flow)")
    ax.set_ylabel("density over trials")
    first = next(iter(results.values())).config
    ax.set_title(f"{first.flows} flows on {first.uplinks} uplinks × {first.leaves} leaf/leaves, qps={first.qps}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@app.command("ecmp")
def ecmp_cmd(
    flows: Annotated[int, typer.Option("--flows", help="Connections per leaf (n).")] = 16,
    uplinks: Annotated[int, typer.Option("--uplinks", help="Equal-cost uplinks (spines) per leaf (m).")] = 16,
    leaves: Annotated[int, typer.Option("--leaves", help="Leaves; 1 = one leaf's uplinks only, ≥ 2 adds the "
                                                         "downlinks (leaf i → leaf i+1).")] = 1,
    qps: Annotated[int, typer.Option("--qps", help="Subflows (QPs) per connection, each hashed (Llama 3: 16).")] = 1,
    flowlets: Annotated[int, typer.Option("--flowlets", help="Bursts per subflow for flowlet/adaptive.")] = 8,
    policy: Annotated[str, typer.Option("--policy", help="all, or a comma list of ecmp, spray, flowlet, adaptive.")]
    = "all",
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per policy.")] = 2000,
    size: Annotated[float, typer.Option("--bytes", parser=quantity.byte_size, metavar="BYTES",
                                        help="Bytes per connection.")] = float(1 << 30),
    bandwidth: Annotated[float, typer.Option("--link-bandwidth", parser=quantity.bandwidth, metavar="BW",
                                             help="Every link and NIC (400Gbps, 50GB/s).")] = 50e9,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same output.")] = 0,
    plot: Annotated[str | None, typer.Option("--plot", metavar="FILE", help="Histogram of completion ÷ ideal.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Monte Carlo of n flows hashed onto m uplinks: idle links vs (1−1/m)^n, max-min rates, tail completion."""
    if plot:
        from infraprep.labs.plotting import check_plot_path

        check_plot_path(plot)
    from infraprep.sim.ecmp import EcmpConfig, idle_fraction_closed_form, simulate

    names = _POLICIES if policy.strip() == "all" else tuple(dict.fromkeys(p.strip() for p in policy.split(",")))
    if not names or any(n not in _POLICIES for n in names):
        raise InvalidValue("--policy", policy, f"all, or a comma list of {', '.join(_POLICIES)}")
    configs = {n: EcmpConfig(flows, uplinks, leaves, qps, flowlets, n, trials, size, bandwidth, seed) for n in names}
    results = {}
    if as_json:
        results = {n: simulate(c) for n, c in configs.items()}
    else:
        from rich.progress import Progress

        with Progress(console=error_console, transient=True) as bar:
            task = bar.add_task("simulating", total=trials * len(configs))
            for n, c in configs.items():
                bar.update(task, description=f"simulating {n}")
                results[n] = simulate(c, lambda done: bar.advance(task, done))
    if plot:
        _plot(results, plot)
    closed = idle_fraction_closed_form(flows * qps, uplinks)
    if as_json:
        emit_json({"closed_form_idle_fraction": closed, "policies": {n: r.to_dict() for n, r in results.items()}})
        return
    table = Table(title=f"{flows} flows/leaf on {uplinks} uplinks, {leaves} leaf/leaves, qps={qps}, {trials} trials, "
                        f"seed {seed}", title_justify="left",
                  caption=f"idle uplinks closed form (1−1/m)^(n·q) = {closed:.2%}; ideal completion "
                          f"{format_seconds(next(iter(configs.values())).ideal_s)}; throughput = max-min rate ÷ line "
                          "rate at t=0 (min = slowest flow, median trial); t = collective completion; ×ideal at p50 / p99", caption_justify="left")
    for col in ("policy", "idle", "thr mean", "thr min", "t p50 / p99", "×ideal"):
        table.add_column(col, justify="right", no_wrap=True)
    for n, r in results.items():
        mean, p50, p99, _ = r.completion_s
        ideal = r.config.ideal_s
        table.add_row(n, f"{r.idle_fraction:.1%}", f"{r.mean_throughput:.1%}", f"{r.worst_throughput_p50:.1%}",
                      f"{format_seconds(p50, 3)} / {format_seconds(p99, 3)}", f"{p50 / ideal:.2f} / {p99 / ideal:.2f}")
    print_table(table)
    if plot:
        console.print(f"[dim]plot written to {plot}[/dim]")

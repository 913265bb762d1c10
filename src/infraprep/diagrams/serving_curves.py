"""Latency–throughput curves of one serving replica, chunked vs unchunked prefill (round 5).

Two request-rate sweeps of the inference simulator (``sim/inference``) on the same seeded workload
(Llama 3 8B on one H100 SXM, 1,000 chat-like requests, Poisson arrivals): decode-first scheduling
with chunked prefill and a 512-token budget (Sarathi-Serve, Agrawal et al. OSDI 2024, §4) against
prefill-first scheduling without chunking (vLLM v0's default). Each point is one simulation; the
figure plots p99 TTFT and p99 ITL against the achieved output throughput, so the knee where queueing
takes over is visible. Every point is reproducible from the command line: :data:`COMMANDS` are the
``infraprep sim serve`` invocations that print the same numbers.
"""

from __future__ import annotations

from pathlib import Path

from infraprep.diagrams import diagram, figure, save

__all__ = ["COMMANDS", "POLICIES", "RATES", "REQUESTS", "SEED", "curves"]

RATES = (10, 20, 30, 40, 50, 60, 70, 80)
REQUESTS = 1000
SEED = 0
# label -> scheduler settings (SchedulerConfig fields) and the matching CLI options
POLICIES = {
    "chunked prefill, decode-first (512-token budget)": (
        {"policy": "decode-first", "chunked_prefill": True, "max_batched_tokens": 512},
        "--policy decode-first --chunked --token-budget 512"),
    "no chunking, prefill-first": (
        {"policy": "prefill-first", "chunked_prefill": False, "max_batched_tokens": 8192},
        "--policy prefill-first --no-chunked --token-budget 8192"),
}
COMMANDS = {label: f"infraprep sim serve --requests {REQUESTS} --seed {SEED} {options} "
                   f"--sweep {','.join(map(str, RATES))}" for label, (_, options) in POLICIES.items()}


def curves(rates: tuple[float, ...] = RATES) -> dict[str, list[dict[str, float]]]:
    """Per policy, one point per rate: offered rate, output tokens/s, p99 TTFT (s), p99 ITL (s)."""
    from infraprep.sim.inference import SimConfig
    from infraprep.sim.inference.sweep import sweep

    base = SimConfig().with_workload(requests=REQUESTS, seed=SEED)
    out = {}
    for label, (scheduler, _) in POLICIES.items():
        points = sweep(base.with_scheduler(**scheduler), rates)
        out[label] = [{"rate": p.rate, "throughput": p.result.summary.throughput,
                       "ttft_p99": p.result.summary.ttft["p99"], "itl_p99": p.result.summary.itl["p99"]}
                      for p in points]
    return out


@diagram("serving-latency-throughput", 5,
         "p99 TTFT and p99 ITL vs throughput from sim serve sweeps: chunked vs unchunked prefill")
def draw(path: Path) -> None:
    data = curves()
    fig = figure(9, 4.2)
    ttft_ax, itl_ax = fig.subplots(1, 2)
    for (label, points), (color, marker) in zip(data.items(), (("#1f77b4", "o"), ("#d62728", "s")), strict=True):
        thr = [p["throughput"] for p in points]
        ttft_ax.plot(thr, [p["ttft_p99"] for p in points], marker=marker, color=color, label=label)
        itl_ax.plot(thr, [p["itl_p99"] * 1e3 for p in points], marker=marker, color=color, label=label)
        for p in points[::2]:  # label every other point with its offered rate
            itl_ax.annotate(f"{p['rate']:g}/s", (p["throughput"], p["itl_p99"] * 1e3), textcoords="offset points",
                            xytext=(3, 4), fontsize=6, color=color)
    ttft_ax.set(xlabel="achieved throughput (output tokens/s)", ylabel="p99 TTFT (s)", yscale="log",
                title="time to first token")
    itl_ax.set(xlabel="achieved throughput (output tokens/s)", ylabel="p99 inter-token latency (ms)",
               title="inter-token latency")
    for ax in (ttft_ax, itl_ax):
        ax.grid(True, linewidth=0.3)
    ttft_ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Llama 3 8B on 1× H100 SXM, 1,000 chat-like Poisson requests per point, seed 0", fontsize=9)
    fig.text(0.5, -0.04, "\n".join(COMMANDS.values()), ha="center", fontsize=6, family="monospace")
    save(fig, path)

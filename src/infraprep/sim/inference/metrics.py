"""Serving metrics: latency percentiles, throughput, goodput under an SLA, KV memory use.

Definitions (the vLLM benchmark's and DistServe's, Zhong et al. OSDI 2024 §2):

* **TTFT** — first token time − arrival (queueing + prefill);
* **ITL** — the gap between consecutive output tokens of one request, over all tokens of all requests
  (a preempted request's resumption gap included); **TPOT** — a request's (E2E − TTFT)/(N − 1);
* **E2E** — finish − arrival;
* **goodput** — completed requests per second that met the SLA: TTFT ≤ ``ttft_slo`` and TPOT ≤
  ``itl_slo`` (per-request SLOs, as DistServe defines goodput); the fleet-wide p99 ITL is reported
  beside it;
* **KV utilization** — time-weighted mean of blocks in use ÷ pool; **fragmentation** — time-weighted
  1 − (tokens cached ÷ slots allocated): the reserved-but-empty share (shared prefix blocks count once
  per sequence, so sharing can hide waste).

Percentiles are linear-interpolated (numpy's default); ITL percentiles weight each iteration's gap by
the number of tokens that waited it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["MetricsCollector", "Summary"]

PERCENTILES = (50, 90, 99)


@dataclass
class MetricsCollector:
    """Accumulates what the simulator observes; :meth:`summary` reduces it."""

    arrivals: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    finishes: list[float] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    prompts: list[int] = field(default_factory=list)
    cached: list[int] = field(default_factory=list)
    itl_values: list[float] = field(default_factory=list)
    itl_weights: list[int] = field(default_factory=list)
    busy_time: float = 0.0
    kv_used_time: float = 0.0  # Σ duration · used blocks / pool
    waste_time: float = 0.0  # Σ duration · fragmentation
    running_time: float = 0.0  # Σ duration · running sequences
    max_running: int = 0
    iterations: int = 0
    preemptions: int = 0

    def itl(self, gap: float, tokens: int) -> None:
        self.itl_values.append(gap)
        self.itl_weights.append(tokens)

    def iteration(self, duration: float, used_fraction: float, fragmentation: float, running: int) -> None:
        self.iterations += 1
        self.busy_time += duration
        self.kv_used_time += duration * used_fraction
        self.waste_time += duration * fragmentation
        self.running_time += duration * running
        self.max_running = max(self.max_running, running)

    def finished(self, arrival: float, first: float, finish: float, prompt: int, output: int, cached: int) -> None:
        self.arrivals.append(arrival)
        self.first_tokens.append(first)
        self.finishes.append(finish)
        self.prompts.append(prompt)
        self.outputs.append(output)
        self.cached.append(cached)

    def summary(self, ttft_slo: float, itl_slo: float, makespan: float | None = None) -> Summary:
        import numpy as np

        arrivals, first, finish = np.array(self.arrivals), np.array(self.first_tokens), np.array(self.finishes)
        outputs = np.array(self.outputs)
        n = len(arrivals)
        span = makespan if makespan is not None else (float(finish.max() - arrivals.min()) if n else 0.0)
        ttft, e2e = first - arrivals, finish - arrivals
        tpot = np.where(outputs > 1, (finish - first) / np.maximum(outputs - 1, 1), 0.0)
        good = int(np.sum((ttft <= ttft_slo) & (tpot <= itl_slo)))

        def pct(values):
            return {f"p{q}": float(np.percentile(values, q)) if len(values) else None for q in PERCENTILES}

        itl = {f"p{q}": None for q in PERCENTILES}
        if self.itl_values:
            order = np.argsort(self.itl_values)
            values = np.array(self.itl_values)[order]
            cum = np.cumsum(np.array(self.itl_weights)[order])
            for q in PERCENTILES:
                itl[f"p{q}"] = float(values[min(np.searchsorted(cum, q / 100 * cum[-1]), len(values) - 1)])
        busy = self.busy_time or 1.0
        return Summary(
            completed=n,
            makespan=span,
            output_tokens=int(outputs.sum()),
            prompt_tokens=int(np.sum(self.prompts)),
            cached_tokens=int(np.sum(self.cached)),
            ttft=pct(ttft),
            itl=itl,
            tpot=pct(tpot[outputs > 1]),
            e2e=pct(e2e),
            mean_ttft=float(ttft.mean()) if n else None,
            goodput=good / span if span else 0.0,
            sla_attainment=good / n if n else 0.0,
            kv_utilization=self.kv_used_time / busy,
            fragmentation=self.waste_time / busy,
            mean_running=self.running_time / busy,
            max_running=self.max_running,
            iterations=self.iterations,
            preemptions=self.preemptions,
            ttft_slo=ttft_slo,
            itl_slo=itl_slo,
        )


@dataclass(frozen=True)
class Summary:
    """One run's metrics (seconds, tokens, fractions 0–1)."""

    completed: int
    makespan: float
    output_tokens: int
    prompt_tokens: int
    cached_tokens: int
    ttft: dict
    itl: dict
    tpot: dict
    e2e: dict
    mean_ttft: float | None
    goodput: float
    sla_attainment: float
    kv_utilization: float
    fragmentation: float
    mean_running: float
    max_running: int
    iterations: int
    preemptions: int
    ttft_slo: float
    itl_slo: float

    @property
    def throughput(self) -> float:
        """Output tokens per second over the makespan."""
        return self.output_tokens / self.makespan if self.makespan else 0.0

    @property
    def request_rate(self) -> float:
        return self.completed / self.makespan if self.makespan else 0.0

    @property
    def cached_fraction(self) -> float:
        return self.cached_tokens / self.prompt_tokens if self.prompt_tokens else 0.0

    def to_dict(self) -> dict:
        return {
            "completed": self.completed, "makespan_s": self.makespan, "throughput_tokens_per_s": self.throughput,
            "requests_per_s": self.request_rate, "output_tokens": self.output_tokens,
            "prompt_tokens": self.prompt_tokens, "cached_prompt_fraction": self.cached_fraction,
            "ttft_s": self.ttft, "itl_s": self.itl, "tpot_s": self.tpot, "e2e_s": self.e2e,
            "mean_ttft_s": self.mean_ttft, "goodput_requests_per_s": self.goodput,
            "sla_attainment": self.sla_attainment, "sla": {"ttft_s": self.ttft_slo, "itl_s": self.itl_slo},
            "kv_utilization": self.kv_utilization, "fragmentation": self.fragmentation,
            "mean_running": self.mean_running, "max_running": self.max_running,
            "iterations": self.iterations, "preemptions": self.preemptions,
        }

"""Job MTBF at scale: from per-GPU or per-component rates, or from an observed failure count.

Convention: a synchronous training job is a *series system* — any component failure interrupts the
whole job — and failures are exponential (constant rates), so rates add::

    λ_job = Σ_i n_i · λ_i          MTBF_job = 1 / λ_job          (failures per hour → hours)
    observed:  λ_job = failures / window,   λ_GPU = failures / (N_GPU · window)   (per-GPU equivalent)
    scaling:   MTBF_job(N) = MTBF_job(N₀) · N₀ / N   at a constant per-GPU rate

Preset ``llama3``: The Llama 3 Herd of Models (Llama Team, Meta, 2024), §3.3.4 and Table 5 — 419
unexpected interruptions during a 54-day (1296 h) snapshot of Llama 3 405B pre-training on 16,384
H100 GPUs, with their root causes. Table 5 prints "Faulty GPU 148, 30.1%"; 148/419 is 35.3% (the
counts sum to 419, the printed percentages to 94.9%): an erratum in the percentage, not the count —
this module uses the counts.

Goodput for a checkpoint interval, write time and restart time uses Daly's complete model
(:func:`infraprep.calc.checkpoint.goodput`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.calc.checkpoint import daly_interval, goodput
from infraprep.calc.units import format_seconds
from infraprep.errors import InvalidValue, UnknownName

__all__ = [
    "LLAMA3_TABLE5",
    "PRESETS",
    "SCALE_GPUS",
    "Cause",
    "Component",
    "MtbfInputs",
    "MtbfResult",
    "ScaleRow",
    "job_mtbf",
    "preset",
]

HOUR = 3600.0
SCALE_GPUS = (1024, 2048, 4096, 8192, 16384, 32768, 65536, 100_000)


@dataclass(frozen=True)
class Cause:
    """One row of an interruption table: component, category, count, and the percentage as printed."""

    component: str
    category: str
    count: int
    published_percent: float


# Llama 3 Herd of Models, Table 5 ("Root-cause categorization of unexpected interruptions during a
# 54-day period of Llama 3 405B pre-training"), rows in the paper's order.
LLAMA3_TABLE5: tuple[Cause, ...] = (
    Cause("Faulty GPU", "GPU", 148, 30.1),
    Cause("GPU HBM3 Memory", "GPU", 72, 17.2),
    Cause("Software Bug", "Dependency", 54, 12.9),
    Cause("Network Switch/Cable", "Network", 35, 8.4),
    Cause("Host Maintenance", "Unplanned Maintenance", 32, 7.6),
    Cause("GPU SRAM Memory", "GPU", 19, 4.5),
    Cause("GPU System Processor", "GPU", 17, 4.1),
    Cause("NIC", "Host", 7, 1.7),
    Cause("NCCL Watchdog Timeouts", "Unknown", 7, 1.7),
    Cause("Silent Data Corruption", "GPU", 6, 1.4),
    Cause("GPU Thermal Interface + Sensor", "GPU", 6, 1.4),
    Cause("SSD", "Host", 3, 0.7),
    Cause("Power Supply", "Host", 3, 0.7),
    Cause("Server Chassis", "Host", 2, 0.5),
    Cause("IO Expansion Board", "Host", 2, 0.5),
    Cause("Dependency", "Dependency", 2, 0.5),
    Cause("CPU", "Host", 2, 0.5),
    Cause("System Memory", "Host", 2, 0.5),
)

PRESETS = {
    "llama3": {"gpus": 16384, "failures": 419, "window_hours": 54 * 24, "causes": LLAMA3_TABLE5,
               "source": "Llama Team 2024, The Llama 3 Herd of Models, §3.3.4 and Table 5"},
}


@dataclass(frozen=True)
class Component:
    """``count`` units of one kind, each failing at ``rate_per_hour`` (the CLI's ``NAME:COUNT:RATE``)."""

    name: str
    count: float
    rate_per_hour: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.count) and self.count > 0):
            raise InvalidValue("--component", f"{self.name}:{self.count}", "a count > 0 in NAME:COUNT:RATE")
        if not (math.isfinite(self.rate_per_hour) and self.rate_per_hour > 0):
            raise InvalidValue("--component", f"{self.name}:{self.rate_per_hour}",
                               "a failure rate per hour > 0 in NAME:COUNT:RATE")


def _check(name: str, value: float | None, valid: str, allow_zero: bool = False) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise InvalidValue(name, value, valid)


@dataclass(frozen=True)
class MtbfInputs:
    """Exactly one source of the job's failure rate: observed (``failures`` over ``window_hours``),
    a per-GPU rate, or ``components``; ``gpus`` sizes the job. Goodput needs ``write_time_s``
    (and uses Daly's optimal interval unless ``interval_s`` is given)."""

    gpus: float | None = None
    failures: float | None = None
    window_hours: float | None = None
    per_gpu_rate_per_hour: float | None = None
    components: tuple[Component, ...] = ()
    interval_s: float | None = None
    write_time_s: float | None = None
    restart_s: float = 0.0
    scale_gpus: tuple[int, ...] = SCALE_GPUS
    causes: tuple[Cause, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        _check("--gpus", self.gpus, "a GPU count > 0")
        if self.gpus is not None and self.gpus != int(self.gpus):
            raise InvalidValue("--gpus", self.gpus, "a whole number of GPUs")
        _check("--failures", self.failures, "a failure count ≥ 0", allow_zero=True)
        _check("--window-hours", self.window_hours, "an observation window > 0 hours")
        _check("--per-gpu-rate", self.per_gpu_rate_per_hour, "a failure rate > 0 per GPU-hour")
        _check("--interval", self.interval_s, "a checkpoint interval > 0 seconds")
        _check("--write-time", self.write_time_s, "a checkpoint write time > 0 seconds")
        _check("--restart", self.restart_s, "a restart time ≥ 0 seconds", allow_zero=True)
        sources = [self.failures is not None or self.window_hours is not None,
                   self.per_gpu_rate_per_hour is not None, bool(self.components)]
        if sum(sources) != 1:
            raise InvalidValue("rate source", f"{sum(sources)} given",
                               "exactly one of --failures with --window-hours, --per-gpu-rate/--per-gpu-mtbf, "
                               "or --component (or --preset llama3)")
        if sources[0] and (self.failures is None or self.window_hours is None):
            raise InvalidValue("--failures" if self.failures is None else "--window-hours", None,
                               "both --failures and --window-hours for an observed rate")
        if self.failures == 0:
            raise InvalidValue("--failures", 0, "at least 1 failure in the window (0 gives no MTBF estimate)")
        if self.gpus is None and not self.components:
            raise InvalidValue("--gpus", None, "the job's GPU count (needed for this rate source)")
        if self.interval_s is not None and self.write_time_s is None:
            raise InvalidValue("--write-time", None, "a write time to go with --interval (goodput needs both)")
        for n in self.scale_gpus:
            if n <= 0:
                raise InvalidValue("--scale", n, "GPU counts > 0")


@dataclass(frozen=True)
class ScaleRow:
    """One row of the scaling table: a GPU count at the same per-GPU rate."""

    gpus: int
    mtbf_hours: float
    interruptions_per_day: float
    interval_s: float | None
    goodput: float | None


@dataclass(frozen=True)
class MtbfResult:
    inputs: MtbfInputs
    job_rate_per_hour: float
    per_gpu_rate_per_hour: float | None
    interval_s: float | None
    goodput: float | None
    scaling: tuple[ScaleRow, ...]

    @property
    def mtbf_hours(self) -> float:
        return 1.0 / self.job_rate_per_hour

    def to_dict(self) -> dict:
        i = self.inputs
        out = {
            "mtbf_hours": self.mtbf_hours,
            "mtbf_s": self.mtbf_hours * HOUR,
            "job_rate_per_hour": self.job_rate_per_hour,
            "per_gpu_rate_per_hour": self.per_gpu_rate_per_hour,
            "per_gpu_mtbf_hours": 1.0 / self.per_gpu_rate_per_hour if self.per_gpu_rate_per_hour else None,
            "interruptions_per_day": 24.0 * self.job_rate_per_hour,
            "gpus": i.gpus,
            "interval_s": self.interval_s,
            "goodput": self.goodput,
            "write_time_s": i.write_time_s,
            "restart_s": i.restart_s,
            "scaling": [row.__dict__ for row in self.scaling],
            "conventions": {
                "failures": "exponential; series system (any failure interrupts the job); rates add",
                "scaling": "constant per-GPU rate: MTBF ∝ 1/N",
                "goodput_model": "Daly 2006 complete model" if self.goodput is not None else None,
                "interval": None if self.interval_s is None else
                ("chosen (--interval)" if i.interval_s is not None else "Daly optimum"),
            },
        }
        if i.causes:
            total = sum(c.count for c in i.causes)
            out["causes"] = [{"component": c.component, "category": c.category, "count": c.count,
                              "fraction": c.count / total, "published_percent": c.published_percent,
                              "rate_per_hour": self.job_rate_per_hour * c.count / total} for c in i.causes]
        if i.source:
            out["source"] = i.source
        return out

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("job MTBF", format_seconds(self.mtbf_hours * HOUR)),
            ("interruptions per day", f"{24.0 * self.job_rate_per_hour:.3g}"),
        ]
        if self.per_gpu_rate_per_hour:
            rows += [("per-GPU rate", f"{self.per_gpu_rate_per_hour:.4g} /h"),
                     ("per-GPU MTBF", f"{1.0 / self.per_gpu_rate_per_hour:,.0f} h "
                                      f"({1.0 / self.per_gpu_rate_per_hour / 8766:.3g} years)")]
        if self.goodput is not None:
            rows += [("checkpoint interval", format_seconds(self.interval_s)), ("goodput", f"{self.goodput:.2%}")]
        return rows

    def explain(self) -> str:
        i = self.inputs
        lines = []
        if i.failures is not None:
            lines.append(f"λ_job = failures / window = {i.failures:g} / {i.window_hours:g} h = "
                         f"{self.job_rate_per_hour:.4g} /h")
            lines.append(f"λ_GPU = failures / (N·window) = {i.failures:g} / ({i.gpus:g}·{i.window_hours:g}) = "
                         f"{self.per_gpu_rate_per_hour:.4g} /h")
        elif i.per_gpu_rate_per_hour is not None:
            lines.append(f"λ_job = N·λ_GPU = {i.gpus:g}·{i.per_gpu_rate_per_hour:.4g} = {self.job_rate_per_hour:.4g} /h")
        else:
            terms = " + ".join(f"{c.count:g}·{c.rate_per_hour:.3g}" for c in i.components)
            lines.append(f"λ_job = Σ n_i·λ_i = {terms} = {self.job_rate_per_hour:.4g} /h")
        lines.append(f"MTBF = 1/λ_job = {self.mtbf_hours:.4g} h; interruptions/day = 24·λ_job = "
                     f"{24 * self.job_rate_per_hour:.3g}")
        if self.goodput is not None:
            lines.append(f"goodput (Daly) at τ = {self.interval_s:,.0f} s, δ = {i.write_time_s:g} s, R = {i.restart_s:g} s:"
                         f" {self.goodput:.4f}")
        if self.scaling:
            lines.append("scaling at the same per-GPU rate: MTBF(N) = MTBF·N₀/N")
        return "\n".join(lines)


def _scale_row(n: int, per_gpu_rate: float, inputs: MtbfInputs) -> ScaleRow:
    rate = n * per_gpu_rate
    mtbf_s = HOUR / rate
    tau = g = None
    if inputs.write_time_s is not None:
        tau = inputs.interval_s if inputs.interval_s is not None else daly_interval(inputs.write_time_s, mtbf_s)
        g = goodput(tau, inputs.write_time_s, mtbf_s, inputs.restart_s)
    return ScaleRow(gpus=n, mtbf_hours=1.0 / rate, interruptions_per_day=24.0 * rate, interval_s=tau, goodput=g)


def job_mtbf(inputs: MtbfInputs) -> MtbfResult:
    """Job failure rate and MTBF, per-GPU rate, optional goodput, and the 1/N scaling table."""
    if inputs.failures is not None:
        job_rate = inputs.failures / inputs.window_hours
    elif inputs.per_gpu_rate_per_hour is not None:
        job_rate = inputs.gpus * inputs.per_gpu_rate_per_hour
    else:
        job_rate = sum(c.count * c.rate_per_hour for c in inputs.components)
    if not math.isfinite(job_rate) or job_rate <= 0:
        raise InvalidValue("rate", job_rate, "a finite failure rate > 0 (check the magnitudes given)")
    per_gpu = job_rate / inputs.gpus if inputs.gpus else None
    tau = g = None
    if inputs.write_time_s is not None:
        mtbf_s = HOUR / job_rate
        tau = inputs.interval_s if inputs.interval_s is not None else daly_interval(inputs.write_time_s, mtbf_s)
        g = goodput(tau, inputs.write_time_s, mtbf_s, inputs.restart_s)
    scaling = tuple(_scale_row(n, per_gpu, inputs) for n in inputs.scale_gpus) if per_gpu else ()
    return MtbfResult(inputs, job_rate, per_gpu, tau, g, scaling)


def preset(name: str, **overrides) -> MtbfInputs:
    """Inputs from a named preset (``llama3``), with optional overrides (write time, restart, …)."""
    key = name.strip().lower()
    if key not in PRESETS:
        raise UnknownName("MTBF preset", name, PRESETS)
    return MtbfInputs(**{**PRESETS[key], **overrides})

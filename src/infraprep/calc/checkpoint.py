"""How often to checkpoint: Young's and Daly's optimal intervals, waste, and sync vs async stalls.

Symbols (all seconds), as on the whiteboard::

    δ  checkpoint cost: the time the job stops computing per checkpoint (sync: the whole write)
    M  job mean time between failures (interruptions), failures exponential (Poisson)
    R  restart cost: detect, reschedule, reload the checkpoint, warm up
    τ  compute time between two checkpoints (the "interval"; checkpoint time not included)

    time line:  |--- τ compute ---|δ|--- τ compute ---|δ|--- τ ...   X failure → lose the open
                                                                  segment, pay R, redo it

Formulas and their sources:

* Young 1974 (CACM 17(9), "A first order approximation to the optimum checkpoint interval"):
  τ_Young = √(2·δ·M), from the first-order waste  δ/τ + (τ + δ)/(2M) + R/M  (a checkpoint per τ
  of compute, and on average half a segment redone per failure).
* Daly 2006 (FGCS 22(3), "A higher order estimate of the optimum checkpoint interval for restart
  dumps"): the complete cost function for exponential failures — failures may also strike during
  the checkpoint and during the restart — gives the wall time for T_s of work::

      T_w(τ) = M · e^{R/M} · (e^{(τ+δ)/M} − 1) · T_s / τ

  whose optimum has the perturbation solution (valid for δ < 2M; τ = M beyond)::

      τ_Daly = √(2δM) · [1 + ⅓·√(δ/2M) + ⅑·(δ/2M)] − δ

  Daly's Figs. 3–5 work it out: M = 24 h, 6 h, 15 min with δ = 5 min give 117, 57 and 9.1 min.
  R does not move the optimum (it only scales T_w), but it does cost goodput.
* Goodput (useful fraction of wall time) = T_s / T_w = τ / (M·e^{R/M}·(e^{(τ+δ)/M} − 1)); waste
  = 1 − goodput. Convention ``waste_model``: ``"daly"`` (the complete model above, default) or
  ``"first-order"`` (Young's linearised waste).
* Async checkpointing (CheckFreq, Mohan et al., FAST 2021, §4.3.1: a blocking *snapshot()* to host
  memory, then a background *persist()*): the job stalls only for the snapshot s, so δ := s in Young's
  interval formula (this project's first-order model of the split, not a formula CheckFreq states);
  the checkpoint becomes durable w (the write time) after it starts, so each failure loses w more
  work on average, and the interval must be ≥ w or writes queue up. First order:
  waste_async = s/τ + (τ/2 + w + R)/M, τ_async = max(√(2·s·M), w).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.calc.units import format_seconds
from infraprep.errors import InvalidValue

__all__ = [
    "INTERVAL_MODELS",
    "WASTE_MODELS",
    "CheckpointInputs",
    "CheckpointResult",
    "daly_interval",
    "goodput",
    "optimal_checkpoint",
    "waste_first_order",
    "write_time",
    "young_interval",
]

INTERVAL_MODELS = ("young", "daly")
WASTE_MODELS = ("daly", "first-order")
_MAX_EXPONENT = 700.0  # e^700 is near the float limit: past it the job (essentially) never finishes


def young_interval(write_time: float, mtbf: float) -> float:
    """Young 1974: τ = √(2·δ·M), compute time between checkpoints (first order in δ/M)."""
    return math.sqrt(2.0 * write_time * mtbf)


def daly_interval(write_time: float, mtbf: float) -> float:
    """Daly 2006 higher-order optimum: √(2δM)·[1 + ⅓√(δ/2M) + ⅑(δ/2M)] − δ for δ < 2M, else M."""
    if write_time >= 2.0 * mtbf:
        return mtbf
    x = write_time / (2.0 * mtbf)
    return math.sqrt(2.0 * write_time * mtbf) * (1.0 + math.sqrt(x) / 3.0 + x / 9.0) - write_time


def goodput(interval: float, write_time: float, mtbf: float, restart: float = 0.0) -> float:
    """Useful fraction of wall time, Daly 2006 complete model: τ / (M·e^{R/M}·(e^{(τ+δ)/M} − 1)).

    Exact for exponential failures that can strike while computing, checkpointing or restarting;
    0.0 where the exponent overflows (the expected time to finish a segment is astronomically long).
    """
    a, r = (interval + write_time) / mtbf, restart / mtbf
    if a + r > _MAX_EXPONENT:
        return 0.0
    return interval / (mtbf * math.exp(r) * math.expm1(a))


def waste_first_order(interval: float, write_time: float, mtbf: float, restart: float = 0.0) -> float:
    """Young 1974's linearised waste δ/τ + (τ + δ)/(2M) + R/M (can exceed 1 when M is short)."""
    return write_time / interval + (interval + write_time) / (2.0 * mtbf) + restart / mtbf


def write_time(size_bytes: float, bandwidth: float) -> float:
    """Checkpoint write time = size ÷ aggregate write bandwidth (bytes, bytes/s → seconds)."""
    if size_bytes < 0 or not math.isfinite(size_bytes):
        raise InvalidValue("--size", size_bytes, "a checkpoint size ≥ 0 bytes")
    if bandwidth <= 0 or not math.isfinite(bandwidth):
        raise InvalidValue("--bandwidth", bandwidth, "a write bandwidth > 0 bytes/s")
    return size_bytes / bandwidth


def _positive(name: str, value: float, allow_zero: bool = False) -> None:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise InvalidValue(name, value, "a finite duration " + ("≥ 0" if allow_zero else "> 0") + " seconds")


@dataclass(frozen=True)
class CheckpointInputs:
    """What the interval depends on. Validated on construction (names are the CLI options).

    ``interval`` evaluates a chosen τ instead of the optimum; ``snapshot_time`` (the blocking part of
    an async checkpoint) adds the async comparison.
    """

    write_time: float
    mtbf: float
    restart: float = 0.0
    model: str = "daly"
    waste_model: str = "daly"
    interval: float | None = None
    snapshot_time: float | None = None

    def __post_init__(self) -> None:
        _positive("--write-time", self.write_time)
        _positive("--mtbf", self.mtbf)
        _positive("--restart", self.restart, allow_zero=True)
        if self.model not in INTERVAL_MODELS:
            raise InvalidValue("--model", self.model, " or ".join(INTERVAL_MODELS))
        if self.waste_model not in WASTE_MODELS:
            raise InvalidValue("--waste-model", self.waste_model, " or ".join(WASTE_MODELS))
        if self.interval is not None:
            _positive("--interval", self.interval)
        if self.snapshot_time is not None:
            _positive("--snapshot-time", self.snapshot_time)
            if self.snapshot_time > self.write_time:
                raise InvalidValue("--snapshot-time", self.snapshot_time,
                                   f"at most the full write time {self.write_time:g} s (it is its blocking part)")


@dataclass(frozen=True)
class CheckpointResult:
    """Optimal (or chosen) interval, its waste and goodput, and the sync vs async stall."""

    inputs: CheckpointInputs
    young_s: float
    daly_s: float
    interval_s: float
    goodput: float
    waste_first_order: float
    async_interval_s: float | None
    async_waste_first_order: float | None

    @property
    def waste(self) -> float:
        """Wasted fraction of wall time under the chosen ``waste_model``."""
        if self.inputs.waste_model == "first-order":
            return self.waste_first_order
        return 1.0 - self.goodput

    def to_dict(self) -> dict:
        i = self.inputs
        out = {
            "interval_s": self.interval_s,
            "young_interval_s": self.young_s,
            "daly_interval_s": self.daly_s,
            "write_time_s": i.write_time,
            "mtbf_s": i.mtbf,
            "restart_s": i.restart,
            "waste_fraction": self.waste,
            "goodput": self.goodput,
            "waste_fraction_first_order": self.waste_first_order,
            "checkpoints_per_day": 86400.0 / (self.interval_s + i.write_time),
            "failures_per_day": 86400.0 / i.mtbf,
            "sync_stall_s": i.write_time,
            "conventions": {
                "interval_model": i.model,
                "interval": "chosen (--interval)" if i.interval is not None else f"optimal ({i.model})",
                "interval_meaning": "compute time between checkpoints (checkpoint time excluded)",
                "waste_model": i.waste_model,
                "failures": "exponential (Poisson), job-level MTBF",
            },
        }
        if self.async_interval_s is not None:
            out.update(async_stall_s=i.snapshot_time, async_interval_s=self.async_interval_s,
                       async_waste_fraction_first_order=self.async_waste_first_order,
                       async_to_sync_stall_ratio=i.snapshot_time / i.write_time)
        return out

    def rows(self) -> list[tuple[str, str]]:
        i = self.inputs
        rows = [
            (f"interval ({'chosen' if i.interval is not None else i.model})", format_seconds(self.interval_s)),
            ("Young √(2δM)", format_seconds(self.young_s)),
            ("Daly (higher order)", format_seconds(self.daly_s)),
            (f"waste ({i.waste_model})", f"{self.waste:.2%}"),
            ("goodput (Daly model)", f"{self.goodput:.2%}"),
            ("checkpoints per day", f"{86400.0 / (self.interval_s + i.write_time):.3g}"),
            ("failures per day", f"{86400.0 / i.mtbf:.3g}"),
        ]
        if self.async_interval_s is not None:
            rows += [
                ("stall per checkpoint: sync / async",
                 f"{format_seconds(i.write_time)} / {format_seconds(i.snapshot_time)}"),
                ("async interval max(√(2sM), w)", format_seconds(self.async_interval_s)),
                ("waste first order: sync / async", f"{self.waste_first_order:.2%} / {self.async_waste_first_order:.2%}"),
            ]
        return rows

    def explain(self) -> str:
        i = self.inputs
        d, m, r = i.write_time, i.mtbf, i.restart
        x = d / (2 * m)
        lines = [
            f"δ = {d:g} s, M = {m:g} s, R = {r:g} s",
            f"Young:  τ = √(2δM) = √(2·{d:g}·{m:g}) = {self.young_s:,.1f} s",
        ]
        if d >= 2 * m:
            lines.append(f"Daly:   δ ≥ 2M, so τ = M = {self.daly_s:,.1f} s")
        else:
            lines.append(f"Daly:   τ = √(2δM)·[1 + ⅓√(δ/2M) + ⅑(δ/2M)] − δ = {self.young_s:,.1f}·[1 + ⅓·{math.sqrt(x):.4f}"
                         f" + ⅑·{x:.5f}] − {d:g} = {self.daly_s:,.1f} s")
        tau = self.interval_s
        lines.append(f"goodput = τ / (M·e^(R/M)·(e^((τ+δ)/M) − 1)) = {tau:,.1f} / ({m:g}·e^{r / m:.4f}·"
                     f"(e^{(tau + d) / m:.4f} − 1)) = {self.goodput:.4f}")
        lines.append(f"first-order waste = δ/τ + (τ+δ)/2M + R/M = {d / tau:.4f} + {(tau + d) / (2 * m):.4f} + "
                     f"{r / m:.4f} = {self.waste_first_order:.4f}")
        if self.async_interval_s is not None:
            s = i.snapshot_time
            lines.append(f"async:  stall s = {s:g} s vs sync δ = {d:g} s (ratio {s / d:.3f}); τ = max(√(2sM), w) = "
                         f"{self.async_interval_s:,.1f} s; waste = s/τ + (τ/2 + w + R)/M = {self.async_waste_first_order:.4f}")
        return "\n".join(lines)


def optimal_checkpoint(inputs: CheckpointInputs) -> CheckpointResult:
    """Young and Daly intervals, the chosen one, and its goodput/waste (see the module docstring)."""
    d, m, r = inputs.write_time, inputs.mtbf, inputs.restart
    young, daly = young_interval(d, m), daly_interval(d, m)
    tau = inputs.interval if inputs.interval is not None else (young if inputs.model == "young" else daly)
    async_tau = async_waste = None
    if inputs.snapshot_time is not None:
        s = inputs.snapshot_time
        async_tau = max(young_interval(s, m), d)
        async_waste = s / async_tau + (async_tau / 2 + d + r) / m
    return CheckpointResult(
        inputs=inputs,
        young_s=young,
        daly_s=daly,
        interval_s=tau,
        goodput=goodput(tau, d, m, r),
        waste_first_order=waste_first_order(tau, d, m, r),
        async_interval_s=async_tau,
        async_waste_first_order=async_waste,
    )

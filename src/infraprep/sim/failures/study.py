"""The failures-at-scale study: MTBF vs cluster size, goodput vs checkpoint interval (Monte Carlo
against Young/Daly), and the effect of restart time and hot spares. One seed, same output.

Units: inputs and results in seconds (SI) except MTBFs, given in hours as the field quotes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from infraprep.calc.checkpoint import daly_interval, goodput, young_interval
from infraprep.calc.mtbf import LLAMA3_TABLE5, PRESETS, SCALE_GPUS
from infraprep.errors import InvalidValue
from infraprep.sim.failures.goodput import goodput_curve, goodput_with_spares, optimal_interval
from infraprep.sim.failures.processes import Lifetime, count_component_failures

__all__ = ["FailureStudy", "StudyResult", "llama3_causes", "run_study"]

HOUR = 3600.0
_LLAMA = PRESETS["llama3"]
LLAMA3_PER_GPU_MTBF_H = _LLAMA["gpus"] * _LLAMA["window_hours"] / _LLAMA["failures"]


def llama3_causes() -> tuple[tuple[str, float], ...]:
    """(cause, share of interruptions) from Llama 3 Table 5 (counts, not the erratum percentage)."""
    total = sum(c.count for c in LLAMA3_TABLE5)
    return tuple((c.component, c.count / total) for c in LLAMA3_TABLE5)


@dataclass(frozen=True)
class FailureStudy:
    """Study inputs (CLI option names in the errors). ``causes`` splits the job's failure rate into
    per-component processes (each exponential or Weibull with ``shape``) that are superposed."""

    gpus: int = 16384
    per_gpu_mtbf_h: float = LLAMA3_PER_GPU_MTBF_H
    causes: tuple[tuple[str, float], ...] = field(default_factory=llama3_causes)
    dist: str = "exponential"
    shape: float = 0.7
    write_time_s: float = 120.0
    restart_s: float = 600.0
    restarts_s: tuple[float, ...] = (60.0, 300.0, 600.0, 1800.0, 3600.0)
    spares: tuple[int, ...] = (0, 4, 8, 12, 16)
    repair_time_s: float = 24 * HOUR
    scale_gpus: tuple[int, ...] = SCALE_GPUS
    failures: int = 200_000  # job interruptions sampled for the goodput Monte Carlo
    scale_failures: int = 2_000  # failures counted at the smallest scale (more at larger scales)
    seed: int = 0

    def __post_init__(self) -> None:
        for name, value in (("--gpus", self.gpus), ("--per-gpu-mtbf-hours", self.per_gpu_mtbf_h),
                            ("--write-time", self.write_time_s), ("--repair-time", self.repair_time_s)):
            if not (math.isfinite(value) and value > 0):
                raise InvalidValue(name, value, "a finite value > 0")
        if not (math.isfinite(self.restart_s) and self.restart_s >= 0):
            raise InvalidValue("--restart", self.restart_s, "a finite duration ≥ 0")
        if any(not (math.isfinite(r) and r >= 0) for r in self.restarts_s):
            raise InvalidValue("--restarts", self.restarts_s, "durations ≥ 0")
        if any(s < 0 or s > 10_000 for s in self.spares):
            raise InvalidValue("--spares", self.spares, "spare counts between 0 and 10000")
        if not 1_000 <= self.failures <= 5_000_000:
            raise InvalidValue("--samples", self.failures, "between 1,000 and 5,000,000 sampled failures")
        if not 100 <= self.scale_failures <= 1_000_000:
            raise InvalidValue("--scale-failures", self.scale_failures, "between 100 and 1,000,000")
        if any(n < 1 or n > 10_000_000 for n in self.scale_gpus):
            raise InvalidValue("--scale", self.scale_gpus, "GPU counts between 1 and 10,000,000")
        if not self.causes or any(share <= 0 for _, share in self.causes):
            raise InvalidValue("causes", self.causes, "at least one cause, each with a share > 0")
        Lifetime(1.0, self.dist, self.shape)  # validates --dist and --shape
        if self.write_time_s >= 2 * self.job_mtbf_h * HOUR:
            raise InvalidValue("--write-time", self.write_time_s,
                               f"less than 2× the job MTBF ({2 * self.job_mtbf_h * HOUR:.0f} s) to have an optimum")

    @property
    def job_mtbf_h(self) -> float:
        return self.per_gpu_mtbf_h / self.gpus


@dataclass(frozen=True)
class StudyResult:
    study: FailureStudy
    scaling: list[dict]
    interval: dict
    curve: list[dict]
    restarts: list[dict]
    spares: list[dict]
    sampled_job_mtbf_h: float

    def to_dict(self) -> dict:
        s = self.study
        return {
            "gpus": s.gpus,
            "job_mtbf_h": s.job_mtbf_h,
            "sampled_job_mtbf_h": self.sampled_job_mtbf_h,
            "per_gpu_mtbf_h": s.per_gpu_mtbf_h,
            "write_time_s": s.write_time_s,
            "restart_s": s.restart_s,
            "repair_time_s": s.repair_time_s,
            "nodes_in_repair_mean": s.repair_time_s / (s.job_mtbf_h * HOUR),  # Little's law: λ·W
            "interval": self.interval,
            "scaling": self.scaling,
            "goodput_curve": self.curve,
            "restart_effect": self.restarts,
            "spares_effect": self.spares,
            "seed": s.seed,
            "conventions": {
                "failures": f"{s.dist}" + (f" (shape {s.shape})" if s.dist == "weibull" else "") +
                            f" per cause, {len(s.causes)} causes superposed; renewal after each failure",
                "interval": "compute time between checkpoints (checkpoint time excluded)",
                "goodput": "committed work ÷ wall time (Daly 2006 model, simulated)",
                "mc_optimum": "vertex of a parabola in log τ fitted to the Monte Carlo goodput",
                "scaling": "N iid per-GPU renewal processes; counted after a burn-in of 3 per-GPU MTBFs",
            },
        }


def _job_gaps(study: FailureStudy, rng):
    """Merged interruption times of the per-cause processes over a horizon of ``failures`` job MTBFs."""
    import numpy as np

    horizon = study.failures * study.job_mtbf_h
    times = []
    for _, share in study.causes:
        life = Lifetime(study.job_mtbf_h / share, study.dist, study.shape)
        expected = horizon / life.mean_h
        clock = np.cumsum(life.sample(rng, int(expected + 6 * math.sqrt(expected) + 16)))
        while clock[-1] < horizon:  # rare: extend the stream until it covers the horizon
            clock = np.concatenate([clock, clock[-1] + np.cumsum(life.sample(rng, int(expected) + 16))])
        times.append(clock[clock < horizon])
    merged = np.sort(np.concatenate(times))
    return np.diff(np.concatenate([[0.0], merged])) * HOUR  # seconds


def run_study(study: FailureStudy, progress: Callable[[int], None] | None = None) -> StudyResult:
    """Run every part of the study; ``progress(n)`` is called with units of work done (total:
    ``len(scale_gpus) + 4``)."""
    import numpy as np

    tick = progress or (lambda n: None)
    rng = np.random.default_rng(study.seed)
    per_gpu = Lifetime(study.per_gpu_mtbf_h, study.dist, study.shape)
    scaling = []
    window = study.scale_failures * study.per_gpu_mtbf_h / min(study.scale_gpus)
    for n in study.scale_gpus:
        count = count_component_failures(per_gpu, n, window, rng)
        scaling.append({"gpus": n, "analytic_mtbf_h": study.per_gpu_mtbf_h / n,
                        "mc_mtbf_h": window / count if count else math.inf, "failures": count})
        tick(1)

    gaps = _job_gaps(study, rng)
    tick(1)
    d, r = study.write_time_s, study.restart_s
    mtbf_s = study.job_mtbf_h * HOUR
    daly, young = daly_interval(d, mtbf_s), young_interval(d, mtbf_s)
    mc_opt, _, _ = optimal_interval(gaps, d, r)
    tick(1)
    taus = np.geomspace(daly / 4, daly * 4, 25)
    mc = goodput_curve(gaps, taus, d, r)
    curve = [{"interval_s": float(t), "mc_goodput": float(g), "daly_model_goodput": goodput(float(t), d, mtbf_s, r)}
             for t, g in zip(taus, mc, strict=True)]
    interval = {
        "daly_s": daly, "young_s": young, "mc_optimal_s": mc_opt, "mc_vs_daly": mc_opt / daly - 1.0,
        "mc_goodput_at_daly": float(goodput_curve(gaps, [daly], d, r)[0]),
        "daly_model_goodput_at_daly": goodput(daly, d, mtbf_s, r),
    }
    restarts = [{"restart_s": rs, "mc_goodput": float(goodput_curve(gaps, [daly], d, rs)[0]),
                 "daly_model_goodput": goodput(daly, d, mtbf_s, rs)} for rs in study.restarts_s]
    tick(1)
    spares = [{"spares": s, "goodput": goodput_with_spares(gaps, daly, d, r, s, study.repair_time_s)}
              for s in study.spares]
    tick(1)
    return StudyResult(study, scaling, interval, curve, restarts, spares, float(gaps.mean()) / HOUR)


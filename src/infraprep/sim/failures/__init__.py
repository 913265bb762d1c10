"""Failures at scale: failure processes, Monte Carlo goodput vs checkpoint interval, hot spares."""

from infraprep.sim.failures.goodput import goodput_curve, goodput_with_spares, optimal_interval
from infraprep.sim.failures.processes import DISTRIBUTIONS, Lifetime, count_component_failures, job_gaps
from infraprep.sim.failures.study import FailureStudy, StudyResult, llama3_causes, run_study

__all__ = [
    "DISTRIBUTIONS",
    "FailureStudy",
    "Lifetime",
    "StudyResult",
    "count_component_failures",
    "goodput_curve",
    "goodput_with_spares",
    "job_gaps",
    "llama3_causes",
    "optimal_interval",
    "run_study",
]

"""Gang scheduling: a cluster of racks × nodes × GPUs, pod-group jobs, per-pod greedy vs gang,
backfill and topology-aware schedulers, the classic deadlock and trace metrics."""

from infraprep.sim.gang.cluster import Cluster, Shape
from infraprep.sim.gang.jobs import Job, classic_deadlock, generate_trace, validate_jobs
from infraprep.sim.gang.placement import first_fit, pack
from infraprep.sim.gang.schedulers import SCHEDULERS, GangScheduler, GreedyPodScheduler, make_scheduler
from infraprep.sim.gang.simulator import SimResult, SimState, percentile, simulate

__all__ = [
    "SCHEDULERS",
    "Cluster",
    "GangScheduler",
    "GreedyPodScheduler",
    "Job",
    "Shape",
    "SimResult",
    "SimState",
    "classic_deadlock",
    "first_fit",
    "generate_trace",
    "make_scheduler",
    "pack",
    "percentile",
    "simulate",
    "validate_jobs",
]

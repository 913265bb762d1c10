"""The inference replica simulator: a roofline cost model over ``calc.hardware``, the shared serving
core (:mod:`infraprep.sim.serving`), workloads, metrics, comparisons and rate sweeps."""

from infraprep.sim.inference.cost import CostModel
from infraprep.sim.inference.metrics import Summary
from infraprep.sim.inference.replica import ReplicaConfig
from infraprep.sim.inference.simulator import SimConfig, SimResult, simulate
from infraprep.sim.inference.workload import WorkloadConfig

__all__ = ["CostModel", "ReplicaConfig", "SimConfig", "SimResult", "Summary", "WorkloadConfig", "simulate"]

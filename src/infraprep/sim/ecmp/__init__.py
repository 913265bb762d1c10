"""ECMP hash collisions on a leaf-spine fabric: idle links, max-min throughput, collective tail latency.

numpy is imported inside the functions (the CLI imports this package lazily, start-up stays light).
"""

from infraprep.sim.ecmp.simulate import EcmpConfig, EcmpResult, idle_fraction_closed_form, simulate
from infraprep.sim.ecmp.topology import POLICIES, Fabric

__all__ = ["POLICIES", "EcmpConfig", "EcmpResult", "Fabric", "idle_fraction_closed_form", "simulate"]

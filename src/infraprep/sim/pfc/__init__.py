"""PFC deadlock on a 3-tier Clos: buffer dependency graphs (networkx), their cycles, a pause simulation.

networkx is imported inside the functions that need it (start-up stays light).
"""

from infraprep.sim.pfc.analyze import PfcConfig, PfcResult, analyze
from infraprep.sim.pfc.bdg import MITIGATIONS
from infraprep.sim.pfc.clos import Clos

__all__ = ["MITIGATIONS", "Clos", "PfcConfig", "PfcResult", "analyze"]

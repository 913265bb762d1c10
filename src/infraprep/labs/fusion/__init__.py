"""Operator fusion: a roofline model of an elementwise chain, and the chain measured fused vs unfused.

* :mod:`.roofline` — bytes, FLOPs, intensity and time of bias + GeLU + dropout + residual (pure Python);
* :mod:`.chain` — the chain as NumPy calls and as one numba loop, with identical dropout decisions;
* :mod:`.measure` — side-by-side timing, best of N, as a ratio.
"""

from infraprep.labs.fusion.measure import ChainTiming, measure_chain
from infraprep.labs.fusion.roofline import ChainRoofline, chain_roofline

__all__ = ["ChainRoofline", "ChainTiming", "chain_roofline", "measure_chain"]

"""The serving core shared by the simulator (``sim/inference``) and the real engine (``labs/engine``).

Three concerns, three modules (vLLM v1's split): :mod:`.block_manager` owns blocks and reference
counts, :mod:`.prefix_cache` owns hashing and eviction, :mod:`.scheduler` owns budgets and preemption.
Pure Python, no numpy: the engine imports it next to torch, the simulator next to numpy.
"""

from infraprep.sim.serving.batch import Batch
from infraprep.sim.serving.block_manager import BlockManager, blocks_for
from infraprep.sim.serving.prefix_cache import HashPrefixCache, RadixPrefixCache, make_prefix_cache
from infraprep.sim.serving.scheduler import Scheduler, SchedulerConfig
from infraprep.sim.serving.sequence import Sequence, Status

__all__ = [
    "Batch",
    "BlockManager",
    "HashPrefixCache",
    "RadixPrefixCache",
    "Scheduler",
    "SchedulerConfig",
    "Sequence",
    "Status",
    "blocks_for",
    "make_prefix_cache",
]

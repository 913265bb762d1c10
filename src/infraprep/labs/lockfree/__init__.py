"""Lock-free lab: the round-1 C++ structures under stress, under ThreadSanitizer, and against boost.

``run_lockfree()`` runs everything; the pieces (``run_stress``, ``run_aba``, ``run_bench``) run alone.
The C++ is in ``round-1-systems-coding/solutions/lockfree/`` and is compiled on first use with the
system g++ into a cache outside the repository (``infraprep.labs.cxx``).
"""

from infraprep.labs.lockfree.aba import AbaOutcome, AbaResult, run_aba
from infraprep.labs.lockfree.bench import ACCEPTANCE, BenchResult, Contender, run_bench
from infraprep.labs.lockfree.lab import LockfreeOptions, LockfreeReport, run_lockfree
from infraprep.labs.lockfree.stress import VARIANTS, StressRun, run_stress
from infraprep.labs.lockfree.structures import STRUCTURES, Structure, get_structure, lockfree_dir
from infraprep.labs.lockfree.tsan import TsanReport, parse_tsan

__all__ = [
    "ACCEPTANCE", "STRUCTURES", "VARIANTS", "AbaOutcome", "AbaResult", "BenchResult", "Contender",
    "LockfreeOptions", "LockfreeReport", "StressRun", "Structure", "TsanReport", "get_structure",
    "lockfree_dir", "parse_tsan", "run_aba", "run_bench", "run_lockfree", "run_stress",
]

"""The three lock-free structures of round 1, their deliberately broken twins and how each is caught.

The C++ is in ``round-1-systems-coding/solutions/lockfree/`` (header-only; every memory_order carries a
comment saying why). This module only names them for the lab and its report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infraprep.errors import UnknownName
from infraprep.labs.cxx import solutions_dir

__all__ = ["STRUCTURES", "Structure", "get_structure", "lockfree_dir"]


@dataclass(frozen=True)
class Structure:
    """One structure: the header, both class names, the twin's bug and the stress shape that exposes it."""

    name: str
    header: str
    correct: str
    broken: str
    bug: str
    caught_by: str  # "tsan": ThreadSanitizer reports the race; "invariants": lost/duplicated items
    producers: int
    consumers: int
    capacity: int  # small enough that the indices wrap (or nodes recycle) thousands of times


STRUCTURES: dict[str, Structure] = {
    s.name: s
    for s in (
        Structure(
            "spsc", "spsc_ring.hpp", "infraprep::SpscRing", "infraprep::broken::SpscRing",
            "index stores relaxed instead of release: no happens-before from the slot write to its read",
            "tsan", 1, 1, 64,
        ),
        Structure(
            "mpmc", "mpmc_queue.hpp", "infraprep::MpmcQueue", "infraprep::broken::MpmcQueue",
            "slot sequence loaded relaxed instead of acquire: the value read races with its write",
            "tsan", 2, 2, 64,
        ),
        Structure(
            "stack", "treiber_stack.hpp", "infraprep::TreiberStack", "infraprep::broken::TreiberStackNoTag",
            "no ABA tag: a CAS succeeds on a recycled node, so a node is owned twice and items are lost",
            "invariants", 2, 2, 4,
        ),
    )
}


def get_structure(name: str) -> Structure:
    try:
        return STRUCTURES[name]
    except KeyError:
        raise UnknownName("structure", name, STRUCTURES) from None


def lockfree_dir() -> Path:
    """The folder with the headers and the drivers (stress.cpp, bench.cpp, aba_demo.cpp)."""
    return solutions_dir() / "lockfree"

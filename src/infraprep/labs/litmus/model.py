"""What each litmus test may show, by the C++ memory model and by x86-64 hardware.

Two classic tests (names as in Owens, Sarkar and Sewell, "A Better x86 Memory Model: x86-TSO",
TPHOLs 2009, and the Intel SDM vol. 3A "Multiple-Processor Management", §8.2.3 in the editions that
number it so):

* **SB, store buffering** (SDM §8.2.3.4, "Loads May Be Reordered with Earlier Stores to Different
  Locations"): ``x = 1; a = y`` ‖ ``y = 1; b = x``. Outcome (a, b) = (0, 0) means each load ran before
  the other thread's store was visible: a store→load reordering.
* **MP, message passing** (SDM §8.2.3.2, "Neither Loads Nor Stores Are Reordered with Like
  Operations"): ``data = 1; flag = 1`` ‖ ``a = flag; b = data``. (a, b) = (1, 0) means the flag was
  seen but not the data it announces.

Orders (C++17 [atomics.order]): ``relaxed`` everywhere; ``acq_rel`` = release stores and acquire
loads; ``seq_cst`` everywhere. MP's data accesses stay relaxed. C++ forbids SB's (0, 0) only under
seq_cst (release/acquire never orders a store before a *later load*); it forbids MP's (1, 0) under
acq_rel and seq_cst (the acquire that reads the flag synchronizes-with the release that wrote it).

x86-64 (TSO) with the standard mapping (Sewell et al., "C/C++11 mappings to processors"): relaxed and
release stores and relaxed and acquire loads are plain MOVs; a seq_cst store is MOV + MFENCE or XCHG.
Stores wait in a FIFO store buffer and a core's loads may pass its own buffered stores, so SB's (0, 0)
shows up with MOVs and never with the fence; stores leave in order and loads are not reordered with
loads, so MP's (1, 0) never shows up, even under relaxed, although C++ allows it there. On weakly
ordered machines (AArch64, POWER) relaxed MP does show it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ORDERS", "TESTS", "LitmusTest", "cpp_allows", "x86_allows"]

ORDERS = ("relaxed", "acq_rel", "seq_cst")


@dataclass(frozen=True)
class LitmusTest:
    name: str
    title: str
    program: str
    forbidden: str  # the outcome "ab" that sequential consistency forbids
    meaning: str


TESTS: dict[str, LitmusTest] = {
    "sb": LitmusTest("sb", "store buffering", "T0: x=1; a=y   T1: y=1; b=x", "00",
                     "both loads ran before the other thread's store was visible (store→load reordering)"),
    "mp": LitmusTest("mp", "message passing", "T0: data=1; flag=1   T1: a=flag; b=data", "10",
                     "the flag was seen but not the data it publishes"),
}

_CPP_ALLOWS = {
    ("sb", "relaxed"): True, ("sb", "acq_rel"): True, ("sb", "seq_cst"): False,
    ("mp", "relaxed"): True, ("mp", "acq_rel"): False, ("mp", "seq_cst"): False,
}
_X86_ALLOWS = {
    ("sb", "relaxed"): True, ("sb", "acq_rel"): True, ("sb", "seq_cst"): False,
    ("mp", "relaxed"): False, ("mp", "acq_rel"): False, ("mp", "seq_cst"): False,
}


def cpp_allows(test: str, order: str) -> bool:
    """Whether the C++ memory model allows the test's forbidden-under-SC outcome with ``order``."""
    return _CPP_ALLOWS[(test, order)]


def x86_allows(test: str, order: str) -> bool:
    """Whether x86-TSO, with GCC's mapping of ``order``, can produce that outcome."""
    return _X86_ALLOWS[(test, order)]

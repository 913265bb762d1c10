"""Paging lab: internal vs external fragmentation of contiguous reservation and paging on one trace,
and the block table ↔ page table correspondence walked through on the real block manager."""

from infraprep.labs.paging.fragmentation import (
    AllocatorStats,
    TraceRequest,
    make_trace,
    run_all,
    run_allocator,
)
from infraprep.labs.paging.pagetable import MAPPING, Step, walkthrough

__all__ = ["MAPPING", "AllocatorStats", "Step", "TraceRequest", "make_trace", "run_all", "run_allocator", "walkthrough"]

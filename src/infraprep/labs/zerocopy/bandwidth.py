"""The physical limit every transfer is compared with: memcpy bandwidth on this machine.

Convention: bytes copied per second, ``nbytes / t`` for one ``np.copyto(dst, src)`` of ``nbytes``
between two arrays whose pages are already mapped (no page faults in the timed region). Each byte
is read once and written once, so DRAM moves at least 2x ``nbytes`` (3x with write-allocate, where
the destination line is read before it is overwritten). Best of ``reps``: the machine is shared.
"""

from __future__ import annotations

import time

__all__ = ["best_time", "memcpy_bandwidth"]


def best_time(fn, reps: int) -> float:
    """The fastest of ``reps`` calls of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def memcpy_bandwidth(nbytes: int, reps: int = 3) -> float:
    """Bytes per second of a large memcpy (numpy's copy loop, which is libc memcpy for contiguous bytes)."""
    import numpy as np

    src = np.ones(nbytes, dtype=np.uint8)  # written, so every page is mapped
    dst = np.zeros(nbytes, dtype=np.uint8)
    dst[:: 4096] = 1  # touch every page of dst too (np.zeros may hand back untouched calloc pages)
    return nbytes / best_time(lambda: np.copyto(dst, src), reps)

"""Handing a buffer to another object in the same process: one copy, or none.

The source is a numpy array of ``nbytes`` (pages already mapped). Contenders:

* ``bytes(memoryview)`` — a new bytes object: one full copy (into freshly allocated pages, so the
  page faults of the destination are part of the cost, as they are in real code);
* ``memoryview[:]`` — a view of the same buffer (the buffer protocol, PEP 3118);
* ``np.frombuffer`` — a numpy array over the same buffer;
* ``torch.from_numpy`` — a tensor over the numpy array's memory;
* ``torch.from_dlpack`` — a tensor through the DLPack protocol (``__dlpack__``), the framework-neutral
  way to share a tensor's memory.

"Shares memory" is checked by address: the new object's data pointer equals the source's.
Views cost microseconds whatever the size, so each is timed over a batch of calls.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from infraprep.labs.zerocopy.bandwidth import best_time
from infraprep.labs.zerocopy.transfer import Transfer

__all__ = ["measure_inprocess", "torch_available"]

_VIEW_BATCH = 1000  # calls per timing of an O(1) view (one call is below the timer's resolution)


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def _address(obj) -> int:
    """The data pointer of a numpy array, a torch tensor, a memoryview or a bytes object."""
    import numpy as np

    if hasattr(obj, "data_ptr"):
        return obj.data_ptr()
    return np.frombuffer(obj, dtype=np.uint8).__array_interface__["data"][0]


def measure_inprocess(nbytes: int, reps: int, with_torch: bool = True,
                      on_step: Callable[[str], None] | None = None) -> list[Transfer]:
    """Best-of-``reps`` time of each hand-over of an ``nbytes`` numpy array."""
    import numpy as np

    source = np.arange(nbytes // 8, dtype=np.uint64)
    view = memoryview(source).cast("B")
    contenders: list[tuple[str, Callable[[], object], bool, str]] = [
        ("bytes(memoryview)", lambda: bytes(view), False, "copies every byte into a new bytes object"),
        ("memoryview[:]", lambda: view[:], True, "buffer-protocol view (PEP 3118)"),
        ("np.frombuffer", lambda: np.frombuffer(view, dtype=np.uint8), True, "numpy array over the buffer"),
    ]
    if with_torch and torch_available():
        if on_step:
            on_step("importing torch")
        import torch

        contenders += [
            ("torch.from_numpy", lambda: torch.from_numpy(source), True, "tensor over the numpy array's memory"),
            ("torch.from_dlpack", lambda: torch.from_dlpack(source), True, "tensor through the DLPack protocol"),
        ]
    source_address = source.__array_interface__["data"][0]
    rows = []
    for name, make, is_view, how in contenders:
        if on_step:
            on_step(name)
        shares = _address(make()) == source_address
        if is_view:
            def batch(make=make):
                for _ in range(_VIEW_BATCH):
                    make()

            seconds = best_time(batch, reps) / _VIEW_BATCH
        else:
            seconds = best_time(make, reps)
        rows.append(Transfer(name, "in process", nbytes, seconds, None, shares, how))
    return rows

"""Engines that run one CUDA-style kernel body: numba's CUDA simulator on the CPU, or a real GPU.

A kernel here is a *body factory* (srush/GPU-Puzzles style): ``body(cuda) -> kernel function``. The
engine decides what ``cuda`` is:

* :class:`SimEngine` hands the body a :class:`SimCuda` proxy. Inside a launch it forwards
  ``threadIdx``, ``blockIdx``, ``blockDim``, ``grid`` … to numba's simulator
  (``NUMBA_ENABLE_CUDASIM=1``) and adds what the simulator lacks or hides: every global and shared
  memory access is counted and logged (:class:`Trace`), ``syncthreads`` calls are counted, and the
  warp shuffle ``shfl_down_sync`` is *emulated* — numba 0.68's simulator has no shuffle intrinsics
  (``numba/cuda/simulator/kernelapi.py`` defines none), so 32 lanes exchange values through a slot
  array between two warp barriers, which is what the hardware does in one instruction.
* :class:`GpuEngine` hands the body the real ``numba.cuda`` module; numba compiles the same body to
  PTX. No counting there: the counts are a property of the kernel, measured in the simulator.

Whether numba's CUDA target is simulated is fixed per process at the first ``import numba.cuda``;
asking for the other one later is an :class:`~infraprep.errors.InfraprepError`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infraprep.errors import InfraprepError

__all__ = ["GpuEngine", "Launch", "SimCuda", "SimEngine", "Trace", "get_engine", "numba_cuda"]

WARP = 32
BANK_BYTES = 4  # shared memory: 32 banks of 4-byte words (CUDA C++ Programming Guide, "Shared Memory", cc >= 5.x)
FULL_MASK = 0xFFFFFFFF


def numba_cuda(simulate: bool):
    """``numba.cuda``, imported with the simulator on (``simulate``) or off; fixed per process."""
    if "numba.cuda" in sys.modules:
        from numba.core import config

        if bool(config.ENABLE_CUDASIM) != simulate:
            now = "the CUDA simulator" if config.ENABLE_CUDASIM else "a real GPU"
            raise InfraprepError(f"numba.cuda is already set up for {now} in this process; run the other engine in a "
                                 "fresh process")
        return sys.modules["numba.cuda"]
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1" if simulate else "0"
    from numba.core import config

    config.ENABLE_CUDASIM = int(simulate)  # numba may have been imported (for @njit) before the variable was set
    from numba import cuda

    return cuda


def _thread():
    """The simulator's BlockThread running this CUDA thread (it carries blockIdx, threadIdx, thread_id)."""
    return threading.current_thread()


def _block_key() -> tuple[int, int, int]:
    return tuple(_thread().blockIdx)


@dataclass
class Trace:
    """What one simulated launch did, counted per element.

    ``shared_log[(block, thread_id)]`` lists that thread's shared accesses in program order as
    ``(array, kind, word address)``; for a convergent kernel the k-th entry of the 32 lanes of a warp
    is one warp-wide instruction, which is how :mod:`.banks` measures bank conflicts.
    """

    global_loads: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    global_stores: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shared_loads: int = 0
    shared_stores: int = 0
    barriers: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))  # per (block, thread)
    shuffles: int = 0
    shared_log: dict[tuple, list] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total_global_loads(self) -> int:
        return sum(self.global_loads.values())

    @property
    def barriers_per_thread(self) -> int:
        """``syncthreads`` calls made by the busiest thread (every thread of a block makes the same number)."""
        return max(self.barriers.values(), default=0)


class TracedArray:
    """A global-memory array as a simulated kernel sees it: reads and writes are counted per element."""

    def __init__(self, data, name: str, trace: Trace) -> None:
        self.data, self.name, self._trace = data, name, trace
        self.shape, self.dtype, self.ndim, self.size = data.shape, data.dtype, data.ndim, data.size

    def __getitem__(self, index):
        value = self.data[index]
        with self._trace.lock:
            self._trace.global_loads[self.name] += getattr(value, "size", 1)
        return value

    def __setitem__(self, index, value) -> None:
        self.data[index] = value
        with self._trace.lock:
            self._trace.global_stores[self.name] += getattr(self.data[index], "size", 1)

    def __len__(self) -> int:
        return len(self.data)


class _TracedShared:
    """A ``cuda.shared.array`` in the simulator: one allocation per block and call site, accesses logged."""

    def __init__(self, data, name: str, base_word: int, trace: Trace) -> None:
        self.data, self.name, self._base, self._trace = data, name, base_word, trace
        self.shape, self.dtype = data.shape, data.dtype

    def _word(self, index) -> int:
        flat = 0
        for i, extent in zip(index if isinstance(index, tuple) else (index,), self.shape, strict=True):
            flat = flat * extent + int(i)
        return self._base + flat * self.dtype.itemsize // BANK_BYTES

    def _log(self, index, kind: str) -> None:
        t = _thread()
        with self._trace.lock:
            if kind == "load":
                self._trace.shared_loads += 1
            else:
                self._trace.shared_stores += 1
            self._trace.shared_log[(tuple(t.blockIdx), t.thread_id)].append((self.name, kind, self._word(index)))

    def __getitem__(self, index):
        self._log(index, "load")
        return self.data[index]

    def __setitem__(self, index, value) -> None:
        self._log(index, "store")
        self.data[index] = value


class _SharedAllocator:
    """``cuda.shared`` for :class:`SimCuda`: arrays keyed by (block, call site), laid out one after another."""

    def __init__(self, trace: Trace) -> None:
        self._trace, self._arrays, self._next_word = trace, {}, defaultdict(int)
        self._lock = threading.Lock()

    def array(self, shape, dtype):
        import numpy as np
        from numba.core import types
        from numba.np import numpy_support

        caller = sys._getframe(1)
        site = (caller.f_code.co_filename, caller.f_lineno)
        block = _block_key()
        dtype = numpy_support.as_dtype(dtype) if isinstance(dtype, types.Type) else np.dtype(dtype)
        with self._lock:
            key = (block, site)
            if key not in self._arrays:
                data = np.zeros(shape, dtype)
                name = f"shared@{os.path.basename(site[0])}:{site[1]}"
                self._arrays[key] = _TracedShared(data, name, self._next_word[block], self._trace)
                self._next_word[block] += data.nbytes // BANK_BYTES
            return self._arrays[key]


class _Warp:
    def __init__(self, lanes: int) -> None:
        self.barrier = threading.Barrier(lanes)
        self.slots: list[Any] = [None] * lanes


class SimCuda:
    """What a kernel body sees as ``cuda`` in the simulator (see the module docstring)."""

    def __init__(self, trace: Trace) -> None:
        self._trace = trace
        self.shared = _SharedAllocator(trace)
        self._warps: dict[tuple, _Warp] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        from numba.cuda.simulator.kernel import _get_kernel_context

        context = _get_kernel_context()
        if context is None:
            raise RuntimeError(f"cuda.{name} used outside a simulated kernel launch")
        return getattr(context, name)

    def syncthreads(self) -> None:
        t = _thread()
        with self._trace.lock:
            self._trace.barriers[(tuple(t.blockIdx), t.thread_id)] += 1
        t.syncthreads()

    def shfl_down_sync(self, mask: int, value, delta: int):
        """Emulated ``__shfl_down_sync``: lane i gets lane i+delta's value (its own if i+delta ≥ 32).

        Only the full mask is emulated: every lane of the warp must call it (convergent code).
        """
        if mask != FULL_MASK:
            raise NotImplementedError("the shuffle emulation supports only the full warp mask 0xFFFFFFFF")
        t = _thread()
        dim = self.blockDim
        threads = dim.x * dim.y * dim.z
        if threads % WARP:
            raise NotImplementedError(f"the shuffle emulation needs whole warps: block of {threads} threads")
        lane, key = t.thread_id % WARP, (tuple(t.blockIdx), t.thread_id // WARP)
        with self._lock:
            warp = self._warps.setdefault(key, _Warp(WARP))
        warp.slots[lane] = value
        warp.barrier.wait()  # every lane has published its value
        source = lane + delta
        result = warp.slots[source] if source < WARP else value
        warp.barrier.wait()  # every lane has read before anyone publishes again
        with self._trace.lock:
            self._trace.shuffles += 1
        return result


@dataclass
class Launch:
    """A finished launch: the arrays after the kernel ran (numpy) and, in the simulator, its trace."""

    arrays: dict[str, Any]
    trace: Trace | None


class SimEngine:
    """Runs bodies in numba's CUDA simulator on the CPU, counting memory traffic (keep sizes ~32×32)."""

    name = "cuda-simulator"

    def __init__(self) -> None:
        self._cuda = numba_cuda(simulate=True)

    def launch(self, body: Callable, grid, block, arrays: dict[str, Any]) -> Launch:
        trace = Trace()
        kernel = self._cuda.jit(body(SimCuda(trace)))
        traced = {name: TracedArray(a.copy(), name, trace) for name, a in arrays.items()}
        kernel[grid, block](*traced.values())
        return Launch({name: t.data for name, t in traced.items()}, trace)


class GpuEngine:
    """Compiles the same bodies with numba for a real CUDA GPU; no trace."""

    name = "cuda-gpu"

    def __init__(self) -> None:
        self._cuda = numba_cuda(simulate=False)
        if not self._cuda.is_available():
            raise InfraprepError("engine 'gpu' needs a CUDA GPU and driver; none found (use --engine sim)")

    def launch(self, body: Callable, grid, block, arrays: dict[str, Any]) -> Launch:
        cuda = self._cuda
        kernel = cuda.jit(body(cuda))
        device = {name: cuda.to_device(a) for name, a in arrays.items()}
        kernel[grid, block](*device.values())
        cuda.synchronize()
        return Launch({name: d.copy_to_host() for name, d in device.items()}, None)


ENGINES = {"sim": SimEngine, "gpu": GpuEngine}


def get_engine(name: str):
    """``"sim"`` (numba's CUDA simulator, always available) or ``"gpu"`` (numba on a CUDA GPU)."""
    from infraprep.errors import UnknownName

    if name not in ENGINES:
        raise UnknownName("engine", name, ENGINES)
    return ENGINES[name]()

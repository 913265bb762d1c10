"""Zero-copy lab: move a large buffer between processes (pickle over a pipe, shared memory, an mmap'd
file) and between objects in one process (bytes copy, memoryview, numpy view, torch), each compared
with the memcpy bandwidth measured in the same run."""

from infraprep.labs.zerocopy.bandwidth import best_time, memcpy_bandwidth
from infraprep.labs.zerocopy.inproc import measure_inprocess, torch_available
from infraprep.labs.zerocopy.ipc import IPC_METHODS, measure_ipc
from infraprep.labs.zerocopy.lab import IPC_ACCEPTANCE, ZeroCopyOptions, ZeroCopyReport, run_zerocopy
from infraprep.labs.zerocopy.transfer import Transfer

__all__ = [
    "IPC_ACCEPTANCE", "IPC_METHODS", "Transfer", "ZeroCopyOptions", "ZeroCopyReport", "best_time",
    "measure_inprocess", "measure_ipc", "memcpy_bandwidth", "run_zerocopy", "torch_available",
]

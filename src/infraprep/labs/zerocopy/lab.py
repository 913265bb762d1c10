"""The zero-copy lab in one call: memcpy bandwidth, three ways between processes, five in process.

Acceptance (issue 6): shared memory at least 10x faster than pickle over a pipe at 256 MiB, with every
throughput also given as a ratio to the memcpy bandwidth measured in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc.units import format_bytes
from infraprep.errors import InvalidValue
from infraprep.labs.machine import Machine, describe_machine
from infraprep.labs.steps import OnStep, Steps
from infraprep.labs.zerocopy.bandwidth import memcpy_bandwidth
from infraprep.labs.zerocopy.inproc import measure_inprocess
from infraprep.labs.zerocopy.ipc import measure_ipc
from infraprep.labs.zerocopy.transfer import Transfer

__all__ = ["IPC_ACCEPTANCE", "ZeroCopyOptions", "ZeroCopyReport", "run_zerocopy"]

IPC_ACCEPTANCE = 10.0  # shared memory ÷ pickle over a pipe, at 256 MiB
_MIN_SIZE = 64 * 1024


@dataclass(frozen=True)
class ZeroCopyOptions:
    size: int = 256 * 2**20  # bytes moved per transfer
    reps: int = 3
    torch: bool = True  # include the torch rows (imports torch: a few seconds)

    def __post_init__(self) -> None:
        if self.size < _MIN_SIZE or self.size % 8:
            raise InvalidValue("--size", format_bytes(self.size), f"a multiple of 8 bytes, at least {format_bytes(_MIN_SIZE)}")
        if self.reps < 1:
            raise InvalidValue("--reps", self.reps, "a positive integer")


@dataclass(frozen=True)
class ZeroCopyReport:
    machine: Machine
    nbytes: int
    reps: int
    memcpy_bytes_per_s: float
    transfers: tuple[Transfer, ...]

    def transfer(self, name: str) -> Transfer:
        return next(t for t in self.transfers if t.name.startswith(name))

    @property
    def ipc_speedup(self) -> float:
        """Pickle-over-a-pipe time ÷ shared-memory time, to a usable array."""
        return self.transfer("pickle").seconds / self.transfer("shared memory").seconds

    @property
    def ipc_speedup_with_read(self) -> float:
        """The same with one full read of the data on each side of the ratio (page faults included)."""
        return self.transfer("pickle").seconds_with_read / self.transfer("shared memory").seconds_with_read

    def to_dict(self) -> dict:
        return {
            "machine": self.machine.to_dict(), "bytes": self.nbytes, "reps": self.reps,
            "memcpy_bytes_per_s": self.memcpy_bytes_per_s,
            "conventions": {
                "memcpy": "bytes copied per second by np.copyto between pre-faulted arrays (DRAM moves >= 2x)",
                "seconds": "best of reps, from the request to a usable array",
                "seconds_with_read": "plus one full checksum pass over the data (fresh mappings fault their pages in)",
            },
            "transfers": [t.to_dict(self.memcpy_bytes_per_s) for t in self.transfers],
            "shm_vs_pickle": self.ipc_speedup, "shm_vs_pickle_with_read": self.ipc_speedup_with_read,
            "acceptance": {"shm_vs_pickle": IPC_ACCEPTANCE}, "meets": self.ipc_speedup >= IPC_ACCEPTANCE,
        }


def run_zerocopy(options: ZeroCopyOptions | None = None, on_step: OnStep | None = None) -> ZeroCopyReport:
    """Measure everything; ``on_step(label, done, total)`` hears of each step before it starts."""
    options = options or ZeroCopyOptions()
    step = Steps(1 + 4 + 3 + (3 if options.torch else 0), on_step)

    machine = describe_machine()
    step("memcpy bandwidth")
    memcpy = memcpy_bandwidth(options.size, max(options.reps, 3))
    transfers = measure_ipc(options.size, options.reps, on_step=step)
    transfers += measure_inprocess(options.size, options.reps, options.torch, on_step=step)
    step.finish()
    return ZeroCopyReport(machine, options.size, options.reps, memcpy, tuple(transfers))

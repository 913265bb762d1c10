"""The machine a measurement ran on: CPU model, usable CPUs and load, recorded beside every ratio.

Benchmarks on a shared machine are only comparable side by side; the load average before and after a
run says how quiet it was (``os.getloadavg``: runnable threads averaged over 1, 5 and 15 minutes).
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

__all__ = ["Machine", "describe_machine"]


@dataclass(frozen=True)
class Machine:
    cpu: str
    arch: str
    cpus_usable: int  # CPUs in this process's affinity mask
    load_1min: float  # load average when the measurement started

    def to_dict(self) -> dict:
        return {"cpu": self.cpu, "arch": self.arch, "cpus_usable": self.cpus_usable, "load_1min": self.load_1min}

    def line(self) -> str:
        return f"{self.cpu} ({self.arch}), {self.cpus_usable} usable CPUs, load average {self.load_1min:.2f}"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith(("model name", "Model", "Hardware")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe_machine() -> Machine:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return Machine(_cpu_model(), platform.machine(), usable, os.getloadavg()[0])

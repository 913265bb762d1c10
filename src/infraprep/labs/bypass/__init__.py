"""Kernel bypass measured for real: TCP loopback vs a shared-memory ring with busy polling."""

from infraprep.labs.bypass.bench import DEFAULT_SIZES, BypassResult, measure
from infraprep.labs.bypass.transports import run_shm, run_tcp

__all__ = ["DEFAULT_SIZES", "BypassResult", "measure", "run_shm", "run_tcp"]

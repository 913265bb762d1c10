"""Triton for the labs: the same kernel source interpreted on the CPU or compiled for a GPU.

Whether Triton interprets is fixed per process when ``triton`` is first imported: ``TRITON_INTERPRET``
is read then too (``triton.language``'s own ``@jit`` helpers such as ``tl.cdiv`` are made
interpretable or not at import), so a kernel module calls :func:`prepare` before ``import triton``.
``prepare`` turns the interpreter on when no CUDA GPU is visible and the user has not chosen; asking
for the other mode later is a clear error, as for numba's CUDA target. The interpreter runs each
program instance with NumPy on CPU tensors: slow, so keep tiles 64 wide and grids small.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

from infraprep.errors import InfraprepError

__all__ = ["device_for", "interpreting", "jit", "launch_options", "prepare"]

_mode: bool | None = None  # True = interpreter; fixed by the first prepare()


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def prepare() -> bool:
    """Call before ``import triton``: choose the mode once per process; returns True for the interpreter."""
    global _mode
    if _mode is None:
        if "triton" not in sys.modules and "TRITON_INTERPRET" not in os.environ and not _cuda_available():
            os.environ["TRITON_INTERPRET"] = "1"
        # if triton was imported before us, it read the variable then; assume it has not changed since
        _mode = os.environ.get("TRITON_INTERPRET", "0") == "1"
    return _mode


def interpreting() -> bool:
    """Whether this process runs Triton kernels in the interpreter."""
    return prepare()


@functools.cache
def jit(fn: Callable, interpret: bool):
    """``triton.jit(fn)``; ``interpret`` must match the process's mode (:func:`prepare`)."""
    mode = prepare()
    if interpret != mode:
        now = "the interpreter (TRITON_INTERPRET=1)" if mode else "compiled kernels"
        raise InfraprepError(f"Triton is set up for {now} in this process; run the other mode in a fresh process")
    if not interpret and not _cuda_available():
        raise InfraprepError("compiled Triton needs a CUDA GPU; none found (use the interpreter)")
    try:
        import triton
    except ImportError as exc:  # triton ships for Linux only
        raise InfraprepError(f"Triton is not installed ({exc}); install the labs extra on Linux") from None
    return triton.jit(fn)


def device_for(interpret: bool) -> str:
    """Where tensors must live: the interpreter works on CPU tensors, compiled kernels on the GPU."""
    return "cpu" if interpret else "cuda"


def launch_options(num_warps: int | None, num_stages: int | None) -> dict[str, int]:
    """The compiled kernel's tuning knobs that were given (the interpreter ignores them)."""
    return {k: v for k, v in (("num_warps", num_warps), ("num_stages", num_stages)) if v is not None}

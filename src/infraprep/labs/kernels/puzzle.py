"""Kernel puzzles: a NumPy spec, a kernel body and a problem that binds inputs, grid and block.

The shape follows srush/GPU-Puzzles (``lib.py``'s ``CudaProblem``): the spec says *what* (NumPy,
shapes in its signature), the body says *how* (CUDA-style, engine injected), the problem holds the
data and the launch configuration. :func:`check` runs the body on an engine and compares with the
spec; unlike GPU-Puzzles' ``check()`` it never swallows a failure: a wrong kernel raises
:class:`~infraprep.labs.verdict.KernelMismatch` (error convention: :mod:`infraprep.labs.verdict`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infraprep.labs.verdict import Verdict, compare

__all__ = ["KernelProblem", "KernelRun", "check", "run"]


@dataclass(frozen=True)
class KernelProblem:
    """One puzzle instance.

    Args:
        name: what the checker reports.
        spec: NumPy reference, called as ``spec(**inputs)``; returns the expected output.
        body: ``body(cuda)`` returns the kernel; the kernel takes the inputs then the output, in order.
        inputs: named input arrays.
        out_shape, out_dtype: the output array the kernel writes (zero-filled before the launch).
        grid, block: launch configuration.
        tolerance: bound on the normalised max error (float32 default 1e-5).
    """

    name: str
    spec: Callable[..., Any]
    body: Callable[[Any], Callable]
    inputs: dict[str, Any]
    out_shape: tuple[int, ...]
    grid: tuple[int, ...]
    block: tuple[int, ...]
    out_dtype: str = "float32"
    tolerance: float = 1e-5
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KernelRun:
    """A problem run on an engine: its output, the simulator's trace (None on a GPU) and the verdict."""

    problem: KernelProblem
    engine: str
    output: Any
    trace: Any
    verdict: Verdict


def run(problem: KernelProblem, engine) -> KernelRun:
    """Launch ``problem`` on ``engine`` and judge the output against the spec (no raising)."""
    import numpy as np

    arrays = {**problem.inputs, "out": np.zeros(problem.out_shape, dtype=problem.out_dtype)}
    launch = engine.launch(problem.body, problem.grid, problem.block, arrays)
    output = launch.arrays["out"]
    verdict = compare(output, problem.spec(**problem.inputs), problem.tolerance, f"{problem.name} on {engine.name}")
    return KernelRun(problem, engine.name, output, launch.trace, verdict)


def check(problem: KernelProblem, engine) -> KernelRun:
    """:func:`run`, then raise :class:`KernelMismatch` if the verdict is a failure."""
    result = run(problem, engine)
    result.verdict.raise_if_failed()
    return result

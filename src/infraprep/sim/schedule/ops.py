"""The vocabulary of a pipeline schedule: passes, operations and per-rank programs.

A *pass* is one unit of dependency: ``("F" | "B" | "W", pipe, stage, microbatch)``:

* ``F`` — forward of one microbatch through one stage;
* ``B`` — the backward for the stage's *input* (the gradient the previous stage waits for);
* ``W`` — the backward for the stage's *weights* (Qi et al. 2023, Zero Bubble, §2: B and W split).

``pipe`` tells the two directions of DualPipe apart (0 = enters at rank 0, 1 = enters at the last
rank); every other schedule has one pipe. ``stage`` indexes the *virtual* stages of that pipe in the
order a microbatch visits them (interleaved 1F1B has ``pp·chunks`` of them).

An *operation* is what a rank executes in one go and what the Gantt chart draws. It completes one
or more passes::

    F   completes F                         duration f · size
    B   completes B and W (full backward)   duration b · size
    Bi  completes B only (input gradient)   duration (b − w) · size
    W   completes W                         duration w · size
    FB  completes F of one microbatch and   duration F&B · size   (DualPipe's overlapped pair,
        B and W of another                                         DeepSeek-V3 §3.2.1)

``size`` is the fraction of a pipeline stage the operation covers: ``1/chunks`` for interleaved 1F1B
(each of a device's ``v`` model chunks is 1/v of its stage), 1 otherwise.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["KINDS", "Op", "Pass", "Program", "backward", "forward", "overlapped", "weight"]

Pass = tuple[str, int, int, int]  # (F|B|W, pipe, stage, microbatch)
KINDS = ("F", "B", "Bi", "W", "FB")


class Op(NamedTuple):
    """One operation on one rank; ``passes`` are what it completes (see the module docstring).

    A named tuple rather than a dataclass: a timeline holds thousands, built on every ``calc bubble``.
    """

    kind: str
    passes: tuple[Pass, ...]
    size: float = 1.0

    @property
    def forward(self) -> Pass | None:
        """The forward pass this op runs, if any (its activations are allocated when it starts)."""
        return next((p for p in self.passes if p[0] == "F"), None)

    @property
    def label(self) -> str:
        """Short text for a Gantt cell: the microbatch number(s), reverse pipe marked with a prime."""
        seen = []
        for _, pipe, _, mb in self.passes:
            text = f"{mb}{'′' if pipe else ''}"
            if text not in seen:
                seen.append(text)
        return "/".join(seen)


def forward(pipe: int, stage: int, mb: int, size: float = 1.0) -> Op:
    return Op("F", (("F", pipe, stage, mb),), size)


def backward(pipe: int, stage: int, mb: int, split: bool = False, size: float = 1.0) -> Op:
    """A backward: ``split`` runs only the input gradient (``Bi``) and leaves ``W`` for later."""
    if split:
        return Op("Bi", (("B", pipe, stage, mb),), size)
    return Op("B", (("B", pipe, stage, mb), ("W", pipe, stage, mb)), size)


def weight(pipe: int, stage: int, mb: int, size: float = 1.0) -> Op:
    return Op("W", (("W", pipe, stage, mb),), size)


def overlapped(f: tuple[int, int, int], b: tuple[int, int, int]) -> Op:
    """DualPipe's overlapped pair: forward ``f`` = (pipe, stage, mb) with the full backward ``b``."""
    return Op("FB", (("F", *f), ("B", *b), ("W", *b)))


Program = list[Op]  # one rank's operations in execution order

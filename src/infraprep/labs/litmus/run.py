"""Run the litmus tests (``litmus.cpp``) and judge each outcome count against the models.

Every (test, order) cell runs ``iterations`` times with two threads pinned to two CPUs and released
together by a spin barrier. A cell's verdict:

* ``violation``         seen although C++ forbids it: a compiler or hardware bug (or ours);
* ``observed``          seen, and allowed;
* ``forbidden by C++``  not seen, and C++ forbids it;
* ``impossible on x86`` not seen; C++ allows it but x86-TSO cannot produce it;
* ``not seen``          allowed here but absent in this run: the threads did not overlap enough (one
                        usable CPU, a loaded machine) or the run was too short. The report says so
                        rather than pretending.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass

from infraprep.errors import InvalidValue, UnknownName
from infraprep.labs.cxx import build, compiler_version, run_json, solutions_dir
from infraprep.labs.litmus.model import ORDERS, TESTS, cpp_allows, x86_allows
from infraprep.labs.machine import Machine, describe_machine
from infraprep.labs.steps import OnStep, Steps

__all__ = ["LitmusCell", "LitmusReport", "run_litmus"]

_X86 = ("x86_64", "amd64", "i686", "i386")


@dataclass(frozen=True)
class LitmusCell:
    test: str
    order: str
    iterations: int
    outcomes: dict[str, int]  # "ab" -> count
    forbidden: str
    cpp_allows: bool
    hardware_allows: bool | None  # None: no model of this architecture here
    pinned: bool
    seconds: float

    @property
    def forbidden_count(self) -> int:
        return self.outcomes[self.forbidden]

    @property
    def verdict(self) -> str:
        if self.forbidden_count:
            return "observed" if self.cpp_allows else "violation"
        if not self.cpp_allows:
            return "forbidden by C++"
        if self.hardware_allows is False:
            return "impossible on x86"
        return "not seen"

    def to_dict(self) -> dict:
        return {
            "test": self.test, "order": self.order, "iterations": self.iterations, "outcomes": self.outcomes,
            "forbidden_outcome": self.forbidden, "forbidden_count": self.forbidden_count,
            "forbidden_fraction": self.forbidden_count / self.iterations, "cpp_allows": self.cpp_allows,
            "hardware_allows": self.hardware_allows, "verdict": self.verdict, "pinned": self.pinned,
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class LitmusReport:
    machine: Machine
    compiler: str
    cells: tuple[LitmusCell, ...]

    def cell(self, test: str, order: str) -> LitmusCell | None:
        return next((c for c in self.cells if c.test == test and c.order == order), None)

    @property
    def violations(self) -> list[LitmusCell]:
        return [c for c in self.cells if c.verdict == "violation"]

    def notes(self) -> list[str]:
        """Plain sentences on what this run could and could not show."""
        notes = []
        acq, sc = self.cell("sb", "acq_rel"), self.cell("sb", "seq_cst")
        if acq is not None:
            if acq.forbidden_count:
                notes.append(f"store buffering under acquire/release: (0,0) observed {acq.forbidden_count} times in "
                             f"{acq.iterations} ({acq.forbidden_count / acq.iterations:.3%}): release/acquire does not "
                             f"order a store before a later load")
            else:
                why = ("only one usable CPU, so the two threads never ran at the same moment"
                       if self.machine.cpus_usable < 2 else
                       "no model of this CPU's memory order here" if acq.hardware_allows is None else
                       "the threads did not overlap often enough in this run (loaded machine?); try more iterations")
                notes.append(f"store buffering under acquire/release: (0,0) NOT observed in {acq.iterations} "
                             f"iterations on this machine: {why}")
        if sc is not None:
            notes.append(f"store buffering under seq_cst: (0,0) seen {sc.forbidden_count} times in {sc.iterations}"
                         + (" (as C++ requires)" if sc.forbidden_count == 0 else " — a violation of C++'s guarantee"))
        if any(c.test == "mp" for c in self.cells) and self.machine.arch in _X86:
            notes.append("message passing: x86-64 (TSO) keeps stores in order and loads in order, so (1,0) cannot "
                         "appear even under relaxed, which C++ allows; on AArch64 or POWER relaxed MP shows it")
        return notes

    def to_dict(self) -> dict:
        return {"machine": self.machine.to_dict(), "compiler": self.compiler,
                "cells": [c.to_dict() for c in self.cells], "violations": len(self.violations),
                "notes": self.notes()}


def run_litmus(tests: Sequence[str] = tuple(TESTS), orders: Sequence[str] = ORDERS, iterations: int = 2_000_000,
               on_step: OnStep | None = None) -> LitmusReport:
    """Run every (test, order) pair ``iterations`` times."""
    for test in tests:
        if test not in TESTS:
            raise UnknownName("litmus test", test, TESTS)
    for order in orders:
        if order not in ORDERS:
            raise UnknownName("memory order", order, ORDERS)
    if iterations < 1:
        raise InvalidValue("--iterations", iterations, "a positive integer")
    machine = describe_machine()
    folder = solutions_dir()
    binary = build(folder / "litmus" / "litmus.cpp", includes=[folder / "lockfree"])
    on_x86 = platform.machine() in _X86
    pairs = [(t, o) for t in tests for o in orders]
    step = Steps(len(pairs), on_step)
    cells = []
    for test, order in pairs:
        step(f"{test} {order}")
        r = run_json(binary, [test, order, iterations], timeout=60 + iterations / 1e5).result
        cells.append(LitmusCell(test, order, iterations, r["outcomes"], r["forbidden"], cpp_allows(test, order),
                                x86_allows(test, order) if on_x86 else None, r["pinned"], r["seconds"]))
    step.finish()
    return LitmusReport(machine, compiler_version(), tuple(cells))

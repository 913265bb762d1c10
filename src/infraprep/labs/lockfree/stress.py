"""Stress runs: producers and consumers hammer one structure and every item is accounted for.

The driver (``stress.cpp``) moves unique items ``1..N`` and checks them on arrival: the checksum
(sum of ids) and a per-id delivery count (0 = lost, 2+ = duplicated), a check word per item (torn or
stale reads), and per-producer FIFO order for the queues. Built normally it tests the invariants;
built with ``-fsanitize=thread`` it also lets ThreadSanitizer watch every access for data races.

A correct structure must come out *clean* (invariants hold and, under TSan, no report). A broken twin
must be *caught* (an invariant violated or a TSan report). A twin whose bug needs an unlucky
schedule (the ABA stack) gets several attempts; the run stops at the first catch.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.labs.cxx import build, run_json
from infraprep.labs.lockfree.structures import Structure, lockfree_dir
from infraprep.labs.lockfree.tsan import TSAN_EXIT_CODE, TsanReport, parse_tsan

__all__ = ["VARIANTS", "StressRun", "run_stress"]

VARIANTS = ("correct", "broken")
_FLAVOURS = ("release", "tsan")


@dataclass(frozen=True)
class StressRun:
    """One stress run's accounting (the last attempt when several were made)."""

    structure: str
    variant: str
    flavour: str
    items: int
    popped: int
    lost: int
    duplicates: int
    torn: int
    order_violations: int
    timed_out: bool  # no item delivered for the stall limit: nodes were lost
    seconds: float
    invariants_hold: bool
    tsan: TsanReport | None  # None for the release build
    attempts: int

    @property
    def clean(self) -> bool:
        return self.invariants_hold and (self.tsan is None or self.tsan.clean)

    @property
    def caught(self) -> bool:
        return not self.clean

    @property
    def passed(self) -> bool:
        """What the lab demands: correct versions clean, broken twins caught."""
        return self.clean if self.variant == "correct" else self.caught

    def to_dict(self) -> dict:
        return {
            "structure": self.structure, "variant": self.variant, "build": self.flavour, "items": self.items,
            "popped": self.popped, "lost": self.lost, "duplicates": self.duplicates, "torn": self.torn,
            "order_violations": self.order_violations, "timed_out": self.timed_out, "seconds": self.seconds,
            "invariants_hold": self.invariants_hold, "tsan": self.tsan.to_dict() if self.tsan else None,
            "attempts": self.attempts, "clean": self.clean, "caught": self.caught, "passed": self.passed,
        }


def run_stress(structure: Structure, variant: str, flavour: str = "release", items_per_producer: int = 20_000,
               attempts: int = 1, stall_ms: int = 1500) -> StressRun:
    """Stress ``structure`` (its ``variant``) in a ``flavour`` build.

    Args:
        items_per_producer: items each producer pushes (``structure.producers`` producers).
        attempts: runs allowed for a broken twin; it stops at the first catch. A correct version
            always runs once.
        stall_ms: the driver gives up when no item has arrived for this long (lost nodes).
    """
    if variant not in VARIANTS:
        raise InvalidValue("variant", variant, " or ".join(VARIANTS))
    if flavour not in _FLAVOURS:
        raise InvalidValue("build", flavour, " or ".join(_FLAVOURS))
    if items_per_producer < 1:
        raise InvalidValue("--items", items_per_producer, "a positive number of items per producer")
    if attempts < 1:
        raise InvalidValue("--attempts", attempts, "a positive integer")
    binary = build(lockfree_dir() / "stress.cpp", flavour)
    args = [structure.name, variant, structure.producers, structure.consumers, items_per_producer,
            structure.capacity, stall_ms]
    runs = attempts if variant == "broken" else 1
    for attempt in range(1, runs + 1):
        done = run_json(binary, args, timeout=120, ok_codes=(0, TSAN_EXIT_CODE) if flavour == "tsan" else (0,))
        r = done.result
        result = StressRun(
            structure.name, variant, flavour, r["items"], r["popped"], r["lost"], r["duplicates"], r["torn"],
            r["order_violations"], r["timed_out"], r["seconds"], r["ok"],
            parse_tsan(done.stderr) if flavour == "tsan" else None, attempt,
        )
        if result.caught:
            break
    return result

"""The ABA problem on a three-node stack, scripted so the fatal interleaving happens every time.

``aba_demo.cpp`` runs thread A's pop with thread B's pop, pop, push placed exactly between A's read
of the top node's link and A's CAS (the stack's test hook). Without the tag the CAS succeeds on the
recycled node and node 1 ends up owned twice; with it the CAS fails and A retries.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.labs.cxx import build, run_json
from infraprep.labs.lockfree.structures import lockfree_dir

__all__ = ["AbaOutcome", "AbaResult", "run_aba"]


@dataclass(frozen=True)
class AbaOutcome:
    """Where every node is after the script: A's, B's, or still on the stack."""

    a_popped: int
    b_kept: int
    stack_after: tuple[int, ...]
    cas_attempts: int
    owned_twice: tuple[int, ...]
    lost: tuple[int, ...]
    ok: bool  # every node in exactly one place

    @classmethod
    def from_driver(cls, d: dict) -> AbaOutcome:
        return cls(d["a_popped"], d["b_kept"], tuple(d["stack_after"]), d["cas_attempts"], tuple(d["owned_twice"]),
                   tuple(d["lost"]), d["ok"])

    def to_dict(self) -> dict:
        return {"a_popped": self.a_popped, "b_kept": self.b_kept, "stack_after": list(self.stack_after),
                "cas_attempts": self.cas_attempts, "owned_twice": list(self.owned_twice), "lost": list(self.lost),
                "ok": self.ok}


@dataclass(frozen=True)
class AbaResult:
    tagged: AbaOutcome
    untagged: AbaOutcome

    @property
    def passed(self) -> bool:
        """The tag prevents the corruption and its absence shows it."""
        return self.tagged.ok and not self.untagged.ok

    def to_dict(self) -> dict:
        return {"tagged": self.tagged.to_dict(), "untagged": self.untagged.to_dict(), "passed": self.passed}


def run_aba() -> AbaResult:
    done = run_json(build(lockfree_dir() / "aba_demo.cpp"), [], timeout=30)
    return AbaResult(AbaOutcome.from_driver(done.result["tagged"]), AbaOutcome.from_driver(done.result["untagged"]))

"""Queue throughput side by side: ours vs boost::lockfree vs a std::mutex + std::queue baseline.

``bench.cpp`` runs every contender once per rep, in turn, so a burst of load from other processes
hits all of them alike, and keeps each one's best rep (ops/s; one op = one item pushed and popped).
Ratios of the bests are what this noisy, shared machine can report honestly. When the threads fit on
the CPUs one each (SPSC on 2 or more), each is pinned to its own, so the two sides always run at
once on different cores and a rep measures the queue rather than the scheduler (``pinned``).

boost is optional: without its headers (Debian: ``apt-get install libboost-dev``) the boost rows are
absent and their ratios are ``None``, reported as unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.labs.cxx import build, run_json
from infraprep.labs.lockfree.structures import lockfree_dir

__all__ = ["ACCEPTANCE", "KINDS", "BenchResult", "Contender", "run_bench"]

KINDS = ("spsc", "mpmc")
MUTEX = "std::mutex+std::queue"
_OURS = {"spsc": "infraprep::SpscRing", "mpmc": "infraprep::MpmcQueue"}
_BOOST = {"spsc": "boost::lockfree::spsc_queue", "mpmc": "boost::lockfree::queue"}
# Issue 6's acceptance: our SPSC ring at least 0.8x boost's spsc_queue and 3x the mutex queue.
ACCEPTANCE = {"spsc": {"vs_boost": 0.8, "vs_mutex": 3.0}}


@dataclass(frozen=True)
class Contender:
    name: str
    best_ops_per_s: float
    samples: tuple[float, ...]  # ops/s of every rep, in order
    checksum_ok: bool  # every rep delivered exactly the items pushed


@dataclass(frozen=True)
class BenchResult:
    kind: str
    items: int
    reps: int
    producers: int
    consumers: int
    capacity: int
    boost_version: str | None  # None: boost headers not found at build time
    contenders: tuple[Contender, ...]
    pinned: bool = False  # every thread of every rep ran pinned to a CPU of its own (threads <= CPUs)

    def contender(self, name: str) -> Contender | None:
        return next((c for c in self.contenders if c.name == name), None)

    @property
    def ours(self) -> Contender:
        return self.contender(_OURS[self.kind])

    def _ratio(self, other: str) -> float | None:
        peer = self.contender(other)
        return self.ours.best_ops_per_s / peer.best_ops_per_s if peer else None

    @property
    def vs_boost(self) -> float | None:
        """Our best ops/s ÷ boost's best (None without boost)."""
        return self._ratio(_BOOST[self.kind])

    @property
    def vs_mutex(self) -> float:
        return self._ratio(MUTEX)

    def meets(self) -> dict[str, bool | None]:
        """Each acceptance ratio met (None where it cannot be measured here)."""
        targets = ACCEPTANCE.get(self.kind, {})
        measured = {"vs_boost": self.vs_boost, "vs_mutex": self.vs_mutex}
        return {k: (None if measured[k] is None else measured[k] >= t) for k, t in targets.items()}

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "items": self.items, "reps": self.reps, "producers": self.producers,
            "consumers": self.consumers, "capacity": self.capacity, "boost_version": self.boost_version,
            "pinned": self.pinned,
            "contenders": [{"name": c.name, "best_ops_per_s": c.best_ops_per_s, "samples": list(c.samples),
                            "checksum_ok": c.checksum_ok} for c in self.contenders],
            "vs_boost": self.vs_boost, "vs_mutex": self.vs_mutex,
            "acceptance": ACCEPTANCE.get(self.kind, {}), "meets": self.meets(),
        }


def run_bench(kind: str, items: int = 2_000_000, reps: int = 5, producers: int = 1, consumers: int = 1,
              capacity: int = 1024, boost: bool = True) -> BenchResult:
    """Benchmark the ``kind`` (``spsc`` or ``mpmc``) contenders side by side.

    ``boost=False`` leaves boost out even where its headers are installed.
    """
    if kind not in KINDS:
        raise InvalidValue("kind", kind, " or ".join(KINDS))
    if kind == "spsc" and (producers, consumers) != (1, 1):
        raise InvalidValue("--threads", (producers, consumers), "1 producer and 1 consumer for spsc")
    for name, value in (("--bench-items", items), ("--reps", reps), ("--threads", producers), ("--threads", consumers)):
        if value < 1:
            raise InvalidValue(name, value, "a positive integer")
    binary = build(lockfree_dir() / "bench.cpp", defines=() if boost else ("INFRAPREP_NO_BOOST",))
    timeout = 60 + 10 * reps * 3
    r = run_json(binary, [kind, items, reps, producers, consumers, capacity], timeout=timeout).result
    contenders = tuple(
        Contender(c["name"], c["best_ops_per_s"], tuple(c["ops_per_s"]), c["checksum_ok"]) for c in r["contenders"]
    )
    return BenchResult(kind, items, reps, producers, consumers, capacity, r.get("boost_version"), contenders,
                       bool(r.get("pinned")))

"""The whole lock-free lab in one call: stress + ThreadSanitizer for every structure and twin, the
scripted ABA interleaving, and the benchmarks against boost and a mutex queue.

The verdict (``LockfreeReport.passed``): every correct version clean in every build, every broken
twin caught in at least one, and the scripted ABA showing the corruption only without the tag.
Benchmarks inform and never fail the lab (their acceptance ratios are reported beside them).
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.labs.cxx import BuildError, build, compiler_version
from infraprep.labs.lockfree.aba import AbaResult, run_aba
from infraprep.labs.lockfree.bench import BenchResult, run_bench
from infraprep.labs.lockfree.stress import VARIANTS, StressRun, run_stress
from infraprep.labs.lockfree.structures import STRUCTURES, lockfree_dir
from infraprep.labs.machine import Machine, describe_machine
from infraprep.labs.steps import OnStep, Steps

__all__ = ["LockfreeOptions", "LockfreeReport", "run_lockfree"]

@dataclass(frozen=True)
class LockfreeOptions:
    """Sizes of the runs. Defaults finish in well under a minute on two cores."""

    items: int = 20_000  # items per producer, release build
    tsan_items: int = 5_000  # items per producer under TSan (5-15x slower)
    attempts: int = 5  # runs a broken twin gets before it counts as not caught
    tsan: bool = True
    bench: bool = True
    bench_items: int = 2_000_000
    reps: int = 5
    mpmc_threads: int = 2  # producers = consumers in the MPMC benchmark

    def __post_init__(self) -> None:
        for name, value in (("--items", self.items), ("--tsan-items", self.tsan_items),
                            ("--attempts", self.attempts), ("--bench-items", self.bench_items),
                            ("--reps", self.reps), ("--threads", self.mpmc_threads)):
            if value < 1:
                raise InvalidValue(name, value, "a positive integer")


@dataclass(frozen=True)
class LockfreeReport:
    machine: Machine
    compiler: str
    stress: tuple[StressRun, ...]
    tsan_unavailable: str | None  # why the TSan build could not be made, if it could not
    aba: AbaResult
    bench: tuple[BenchResult, ...]

    @property
    def passed(self) -> bool:
        return all(run.passed for run in self._verdict_runs()) and self.aba.passed

    def _verdict_runs(self) -> list[StressRun]:
        """Correct versions must pass every run; a broken twin needs to be caught by one."""
        runs = [r for r in self.stress if r.variant == "correct"]
        for name in STRUCTURES:
            broken = [r for r in self.stress if r.structure == name and r.variant == "broken"]
            if broken:
                runs.append(next((r for r in broken if r.caught), broken[0]))
        return runs

    def caught(self, structure: str) -> bool:
        return any(r.caught for r in self.stress if r.structure == structure and r.variant == "broken")

    def to_dict(self) -> dict:
        return {
            "machine": self.machine.to_dict(), "compiler": self.compiler,
            "stress": [r.to_dict() for r in self.stress], "tsan_unavailable": self.tsan_unavailable,
            "broken_twins_caught": {name: self.caught(name) for name in STRUCTURES},
            "aba": self.aba.to_dict(), "bench": [b.to_dict() for b in self.bench], "passed": self.passed,
        }


def run_lockfree(options: LockfreeOptions | None = None, on_step: OnStep | None = None) -> LockfreeReport:
    """Build the drivers and run everything; ``on_step`` hears of each step before it starts."""
    options = options or LockfreeOptions()
    step = Steps(1 + len(STRUCTURES) * len(VARIANTS) * (1 + options.tsan) + 1 + 2 * options.bench, on_step)

    machine = describe_machine()
    step("compiling the drivers with g++")
    for source in ("stress.cpp", "aba_demo.cpp", "bench.cpp"):
        build(lockfree_dir() / source)
    tsan_unavailable = None
    if options.tsan:
        try:
            build(lockfree_dir() / "stress.cpp", "tsan")
        except BuildError as exc:
            tsan_unavailable = f"{exc} (is libtsan installed? Debian: it comes with g++)"

    runs = []
    for structure in STRUCTURES.values():
        for variant in VARIANTS:
            step(f"stress {structure.name} ({variant})")
            runs.append(run_stress(structure, variant, "release", options.items, options.attempts))
            if options.tsan:
                step(f"ThreadSanitizer {structure.name} ({variant})")
                if tsan_unavailable is None:
                    runs.append(run_stress(structure, variant, "tsan", options.tsan_items, options.attempts))
    step("scripted ABA interleaving")
    aba = run_aba()
    bench = []
    if options.bench:
        step("benchmark SPSC: ours vs boost vs mutex")
        bench.append(run_bench("spsc", options.bench_items, options.reps))
        step("benchmark MPMC: ours vs boost vs mutex")
        threads = options.mpmc_threads
        bench.append(run_bench("mpmc", options.bench_items // 2, options.reps, threads, threads))
    step.finish()
    return LockfreeReport(machine, compiler_version(), tuple(runs), tsan_unavailable, aba, tuple(bench))

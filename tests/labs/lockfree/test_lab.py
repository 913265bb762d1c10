"""The lab's verdict: correct versions clean in every build, each broken twin caught in at least one."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.lockfree import (
    AbaOutcome,
    AbaResult,
    LockfreeOptions,
    LockfreeReport,
    StressRun,
    TsanReport,
)
from infraprep.labs.machine import Machine

MACHINE = Machine("test CPU", "x86_64", 2, 0.5)
GOOD_ABA = AbaResult(AbaOutcome(0, 1, (2,), 2, (), (), True), AbaOutcome(0, 1, (1, 2), 1, (1,), (), False))
CLEAN = TsanReport(0, (), ())
RACE = TsanReport(2, ("data race",), ("spsc_ring.hpp:88 in try_pop",))


def run(structure, variant, flavour, lost=0, tsan=None):
    return StressRun(structure, variant, flavour, 100, 100 - lost, lost, 0, 0, 0, False, 0.1, lost == 0,
                     tsan if flavour == "tsan" else None, 1)


def report(runs, aba=GOOD_ABA):
    return LockfreeReport(MACHINE, "g++ test", tuple(runs), None, aba, ())


def all_good():
    return [
        run("spsc", "correct", "release"), run("spsc", "correct", "tsan", tsan=CLEAN),
        run("spsc", "broken", "release"), run("spsc", "broken", "tsan", tsan=RACE),
        run("mpmc", "correct", "release"), run("mpmc", "correct", "tsan", tsan=CLEAN),
        run("mpmc", "broken", "release"), run("mpmc", "broken", "tsan", tsan=RACE),
        run("stack", "correct", "release"), run("stack", "correct", "tsan", tsan=CLEAN),
        run("stack", "broken", "release", lost=3), run("stack", "broken", "tsan", tsan=CLEAN),
    ]


def test_passes_when_correct_are_clean_and_every_twin_is_caught_somewhere():
    r = report(all_good())
    assert r.passed
    assert r.to_dict()["broken_twins_caught"] == {"spsc": True, "mpmc": True, "stack": True}


def test_a_race_in_a_correct_version_fails_the_lab():
    runs = all_good()
    runs[1] = run("spsc", "correct", "tsan", tsan=RACE)
    assert not report(runs).passed


def test_a_twin_caught_by_nobody_fails_the_lab():
    runs = all_good()
    runs[3] = run("spsc", "broken", "tsan", tsan=CLEAN)
    r = report(runs)
    assert not r.passed and not r.caught("spsc") and r.caught("mpmc")


def test_aba_script_must_show_the_corruption():
    silent = AbaResult(GOOD_ABA.tagged, GOOD_ABA.tagged)
    assert not report(all_good(), aba=silent).passed


@pytest.mark.parametrize("field", ["items", "tsan_items", "attempts", "bench_items", "reps", "mpmc_threads"])
def test_options_reject_non_positive_sizes(field):
    with pytest.raises(InvalidValue, match="=0 is not valid: expected a positive integer"):
        LockfreeOptions(**{field: 0})

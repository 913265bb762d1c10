"""Litmus runs on this machine: seq_cst never shows store buffering, acquire/release does.

Store-buffering reordering needs the two threads to run at the same moment on two CPUs. Where this
machine cannot provide that (one usable CPU) or is not x86-64 (no TSO model here), only the half that
must hold everywhere is asserted, and the skip says why.
"""

import os
import platform
import shutil

import pytest

from infraprep.errors import InvalidValue, UnknownName
from infraprep.labs.litmus import run_litmus

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
X86 = platform.machine() in ("x86_64", "amd64")
TWO_CPUS = len(os.sched_getaffinity(0)) >= 2
ITERATIONS = 300_000


@pytest.fixture(scope="module")
def sb():
    return run_litmus(["sb"], ["acq_rel", "seq_cst"], ITERATIONS)


def test_outcomes_add_up(sb):
    for cell in sb.cells:
        assert sum(cell.outcomes.values()) == ITERATIONS
        assert set(cell.outcomes) == {"00", "01", "10", "11"}


def test_seq_cst_never_shows_store_buffering(sb):
    cell = sb.cell("sb", "seq_cst")
    assert cell.forbidden_count == 0
    assert cell.verdict == "forbidden by C++"
    assert not sb.violations


def test_acquire_release_shows_store_buffering(sb):
    if not (X86 and TWO_CPUS):
        pytest.skip(f"store buffering needs two CPUs and x86-TSO here: arch {platform.machine()}, "
                    f"{len(os.sched_getaffinity(0))} usable CPU(s); the report says 'NOT observed' with the reason")
    cell = sb.cell("sb", "acq_rel")
    assert cell.forbidden_count > 0, cell.outcomes
    assert cell.verdict == "observed"
    assert "observed" in sb.notes()[0]


def test_message_passing_is_never_reordered_under_acquire_release():
    report = run_litmus(["mp"], ["relaxed", "acq_rel"], 100_000)
    assert report.cell("mp", "acq_rel").forbidden_count == 0  # C++ guarantees it everywhere
    if X86:
        assert report.cell("mp", "relaxed").verdict == "impossible on x86"  # TSO: stores and loads stay in order


def test_bad_names_and_counts():
    with pytest.raises(UnknownName, match="unknown litmus test 'iriw'"):
        run_litmus(["iriw"])
    with pytest.raises(UnknownName, match="unknown memory order 'acquire'"):
        run_litmus(["sb"], ["acquire"])
    with pytest.raises(InvalidValue, match="--iterations=0"):
        run_litmus(iterations=0)

"""Bank conflicts measured from the shared accesses a simulated transpose makes: 32-way, then none with padding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.labs.kernels.banks import conflict_degree, conflict_degrees, transpose_problem
from infraprep.labs.kernels.engine import SimEngine
from infraprep.labs.kernels.puzzle import check


def test_degree_by_hand():
    assert conflict_degree(range(32)) == 1  # consecutive words: one per bank
    assert conflict_degree([32 * lane for lane in range(32)]) == 32  # stride 32: all in bank 0
    assert conflict_degree([33 * lane for lane in range(32)]) == 1  # stride 33: a bank each
    assert conflict_degree([2 * lane for lane in range(32)]) == 2  # stride 2: two words per bank
    assert conflict_degree([7] * 32) == 1  # one word read by every lane: a broadcast


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=32))
def test_degree_is_between_one_and_the_number_of_distinct_words(words):
    assert 1 <= conflict_degree(words) <= len(set(words))


@pytest.fixture(scope="module")
def runs():
    sim = SimEngine()
    return {pad: check(transpose_problem(pad), sim) for pad in (0, 1)}


def test_transpose_is_correct_with_and_without_padding(runs):
    for result in runs.values():
        np.testing.assert_array_equal(result.output, result.problem.inputs["a"].T)


def test_column_reads_conflict_32_ways_until_padded(runs):
    unpadded, padded = (conflict_degrees(runs[pad].trace.shared_log) for pad in (0, 1))
    # four row-wise stores then four column-wise loads per thread (TILE/ROWS = 4)
    assert [i.kind for i in unpadded] == ["store"] * 4 + ["load"] * 4
    assert all(set(i.degrees) == {1} for i in unpadded if i.kind == "store")
    assert all(set(i.degrees) == {32} for i in unpadded if i.kind == "load")
    assert all(set(i.degrees) == {1} for i in padded)
    assert len(unpadded[0].degrees) == 8  # 256 threads = 8 warps issue each instruction

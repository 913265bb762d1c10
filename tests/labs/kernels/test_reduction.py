"""Tree vs shuffle block sums: exact results and per-block costs that match the closed forms."""

import numpy as np
import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.kernels.engine import SimEngine
from infraprep.labs.kernels.puzzle import check
from infraprep.labs.kernels.reduction import reduction_costs, reduction_problem


@pytest.fixture(scope="module")
def sim():
    return SimEngine()


@pytest.mark.parametrize("kind", ["tree", "shuffle"])
def test_block_sums_equal_numpy(sim, kind):
    result = check(reduction_problem(kind, block=64, blocks=2, seed=3), sim)
    np.testing.assert_array_equal(result.output, result.problem.inputs["a"].reshape(2, 64).sum(axis=1))


def test_costs_per_block_by_hand(sim):
    tree = check(reduction_problem("tree", 64, 2), sim).trace
    shuffle = check(reduction_problem("shuffle", 64, 2), sim).trace
    # tree, B = 64: one barrier after the stores + one per halving (log2 64 = 6) = 7;
    # stores 64 + 63 partial sums = 127; loads 2·63 + thread 0's final read = 127
    assert (tree.barriers_per_thread, tree.shared_stores / 2, tree.shared_loads / 2) == (7, 127, 127)
    assert tree.shuffles == 0
    # shuffle: one barrier; 2 warps park 2 partials and warp 0 reads 2; 5 steps × (64 lanes + warp 0's 32)
    assert (shuffle.barriers_per_thread, shuffle.shared_stores / 2, shuffle.shared_loads / 2) == (1, 2, 2)
    assert shuffle.shuffles / 2 == 5 * 96
    assert reduction_costs("tree", 64) == {"barriers": 7, "shared_stores": 127, "shared_loads": 127, "shuffles": 0}
    assert reduction_costs("shuffle", 64) == {"barriers": 1, "shared_stores": 2, "shared_loads": 2, "shuffles": 480}


def test_block_must_be_whole_warps():
    with pytest.raises(InvalidValue, match="power of two from 32"):
        reduction_problem("shuffle", block=48)

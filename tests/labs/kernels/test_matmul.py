"""Naive vs tiled matmul in numba's CUDA simulator: results equal NumPy, load counts match the closed form."""

import subprocess
import sys

import numpy as np
import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.kernels.engine import SimEngine
from infraprep.labs.kernels.matmul import matmul_problem, naive_loads, tiled_loads
from infraprep.labs.kernels.puzzle import check, run
from tests.labs.gpu import requires_gpu


@pytest.fixture(scope="module")
def sim():
    return SimEngine()


@pytest.mark.parametrize("kind", ["naive", "tiled"])
def test_integer_inputs_equal_numpy_exactly(sim, kind):
    # small integers: every product and partial sum is exact in float32, so tolerance 0
    result = check(matmul_problem(kind, 32, 32, 32, tile=16, integer=True), sim)
    a, b = result.problem.inputs["a"], result.problem.inputs["b"]
    np.testing.assert_array_equal(result.output, a @ b)
    assert result.verdict.max_error == 0.0


def test_tiled_loads_are_one_over_tile_of_naive(sim):
    naive = run(matmul_problem("naive", 32, 32, 32, tile=16), sim)
    tiled = run(matmul_problem("tiled", 32, 32, 32, tile=16), sim)
    assert naive.verdict.passed and tiled.verdict.passed
    # naive: 2k loads per output = 2·32³; tiled: each element of A and B loaded once per block row/column
    assert naive.trace.total_global_loads == 2 * 32**3 == 65536
    assert tiled.trace.total_global_loads == 2 * 32**3 // 16 == 4096
    assert tiled.trace.total_global_loads / naive.trace.total_global_loads == 1 / 16
    assert dict(tiled.trace.global_loads) == {"a": 2048, "b": 2048}


def test_ragged_shape_counts_match_closed_form_and_ratio_rounds_to_one_over_tile(sim):
    n, k, m, tile = 20, 13, 17, 8
    naive = check(matmul_problem("naive", n, k, m, tile), sim)
    tiled = check(matmul_problem("tiled", n, k, m, tile), sim)
    assert naive.trace.total_global_loads == naive_loads(n, k, m) == 2 * 20 * 13 * 17
    # by hand: A loads n·⌈m/8⌉·k = 20·3·13, B loads m·⌈n/8⌉·k = 17·3·13
    assert tiled.trace.total_global_loads == tiled_loads(n, k, m, tile) == 20 * 3 * 13 + 17 * 3 * 13
    ratio = tiled.trace.total_global_loads / naive.trace.total_global_loads
    assert ratio == pytest.approx(1 / tile, rel=0.35)  # ragged edges: ⌈m/8⌉/(m/8) = 3/2.125
    assert tiled.trace.barriers_per_thread == 2 * 2  # ⌈13/8⌉ phases, two barriers each


def test_each_output_written_once(sim):
    tiled = run(matmul_problem("tiled", 16, 16, 16, tile=8), sim)
    assert dict(tiled.trace.global_stores) == {"out": 16 * 16}


def test_bad_sizes_are_errors_naming_the_option():
    with pytest.raises(InvalidValue, match="--tile"):
        matmul_problem("tiled", tile=33)
    with pytest.raises(InvalidValue, match="--n"):
        matmul_problem("naive", n=0)


@requires_gpu
def test_same_bodies_on_a_gpu():
    # a fresh process: numba's CUDA target is fixed per process and this one runs the simulator
    script = (
        "from infraprep.labs.kernels.engine import GpuEngine\n"
        "from infraprep.labs.kernels.matmul import matmul_problem\n"
        "from infraprep.labs.kernels.puzzle import check\n"
        "gpu = GpuEngine()\n"
        "for kind in ('naive', 'tiled'):\n"
        "    for n in (32, 257):\n"
        "        print(check(matmul_problem(kind, n, n, n, tile=16), gpu).verdict)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**__import__("os").environ, "NUMBA_ENABLE_CUDASIM": "0"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("pass") == 4

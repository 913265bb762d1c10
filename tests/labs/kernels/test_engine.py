"""The simulator engine: shuffle emulation semantics, tracing, and the one-target-per-process rule."""

import numpy as np
import pytest

from infraprep.errors import InfraprepError, UnknownName
from infraprep.labs.kernels.engine import SimEngine, get_engine, numba_cuda


def test_shfl_down_returns_the_lane_delta_above_or_its_own():
    def body(cuda):
        def kernel(a, out):
            tid = cuda.threadIdx.x
            out[tid] = cuda.shfl_down_sync(0xFFFFFFFF, a[tid], 5)

        return kernel

    a = np.arange(64, dtype=np.float32) * 10
    launch = SimEngine().launch(body, 1, 64, {"a": a, "out": np.zeros(64, np.float32)})
    lanes = np.arange(64) % 32
    expected = np.where(lanes + 5 < 32, a + 50, a)  # CUDA: out-of-range source lane → own value
    np.testing.assert_array_equal(launch.arrays["out"], expected)
    assert launch.trace.shuffles == 64


def test_partial_masks_are_refused_not_guessed():
    def body(cuda):
        def kernel(a, out):
            out[cuda.threadIdx.x] = cuda.shfl_down_sync(0xFFFF, a[cuda.threadIdx.x], 1)

        return kernel

    with pytest.raises(NotImplementedError, match="full warp mask"):
        SimEngine().launch(body, 1, 32, {"a": np.zeros(32, np.float32), "out": np.zeros(32, np.float32)})


def test_inputs_are_copied_not_modified():
    def body(cuda):
        def kernel(a):
            a[cuda.threadIdx.x] = -1.0

        return kernel

    a = np.ones(4, np.float32)
    launch = SimEngine().launch(body, 1, 4, {"a": a})
    assert (a == 1).all() and (launch.arrays["a"] == -1).all()
    assert launch.trace.global_stores["a"] == 4


def test_other_target_in_the_same_process_is_a_clear_error():
    numba_cuda(simulate=True)
    with pytest.raises(InfraprepError, match="fresh process"):
        numba_cuda(simulate=False)


def test_unknown_engine():
    with pytest.raises(UnknownName, match="engine"):
        get_engine("tpu")

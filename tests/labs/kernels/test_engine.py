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


def _cuda_toolkit():
    import glob
    import os

    homes = [os.environ.get("CUDA_HOME", ""), "/usr/local/cuda", *sorted(glob.glob("/usr/local/cuda-*"))]
    return next((h for h in homes if h and glob.glob(f"{h}/*/libnvvm.so*") + glob.glob(f"{h}/nvvm/lib64/libnvvm.so*")),
                None)


@pytest.mark.slow
@pytest.mark.skipif(_cuda_toolkit() is None, reason="needs the CUDA toolkit's libNVVM")
def test_bodies_compile_to_ptx_for_hopper_with_the_real_target():
    # the GpuEngine path without a GPU: numba's real CUDA target turns the same bodies into PTX.
    # (The shuffle body is left out: numba compiles shfl_down_sync against the current device.)
    import os
    import subprocess
    import sys

    script = (
        "from numba import cuda, types\n"
        "from infraprep.labs.kernels.matmul import naive_body, tiled_body\n"
        "from infraprep.labs.kernels.banks import transpose_body\n"
        "from infraprep.labs.kernels.reduction import tree_body\n"
        "a1, a2 = types.float32[:], types.float32[:, :]\n"
        "for body, sig in ((naive_body, (a2,) * 3), (tiled_body(16), (a2,) * 3), (transpose_body(1), (a2,) * 2),\n"
        "                  (tree_body(64), (a1,) * 2)):\n"
        "    ptx, _ = cuda.compile_ptx(body(cuda), sig, cc=(9, 0))\n"
        "    print('bar.sync' in ptx, '.target sm_90' in ptx)\n"
    )
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0", "CUDA_HOME": _cuda_toolkit()}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    # naive has no barrier; tiled, transpose and tree synchronise their blocks
    assert done.stdout.split() == ["False", "True", "True", "True", "True", "True", "True", "True"]

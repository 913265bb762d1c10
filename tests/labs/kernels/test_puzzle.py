"""The spec/body/problem checker: run() judges, check() raises on a wrong kernel (never just prints)."""

import numpy as np
import pytest

from infraprep.labs.kernels.engine import SimEngine
from infraprep.labs.kernels.puzzle import KernelProblem, check, run
from infraprep.labs.verdict import KernelMismatch


def add_ten_spec(a: "float32[n]") -> "float32[n]":  # noqa: F821
    return a + 10


def add_ten(cuda):
    def kernel(a, out):
        i = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
        if i < a.shape[0]:
            out[i] = a[i] + 10

    return kernel


def add_nine(cuda):  # the wrong answer
    def kernel(a, out):
        i = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
        if i < a.shape[0]:
            out[i] = a[i] + 9

    return kernel


def problem(body):
    return KernelProblem("add ten", add_ten_spec, body, {"a": np.arange(10, dtype=np.float32)}, (10,), (2,), (8,),
                         tolerance=0.0)


def test_right_kernel_passes_and_reports_its_traffic():
    result = check(problem(add_ten), SimEngine())
    np.testing.assert_array_equal(result.output, np.arange(10) + 10)
    assert result.verdict.passed and result.engine == "cuda-simulator"
    assert result.trace.global_loads["a"] == 10 and result.trace.global_stores["out"] == 10


def test_wrong_kernel_is_judged_by_run_and_raised_by_check():
    verdict = run(problem(add_nine), SimEngine()).verdict
    assert not verdict.passed and verdict.max_error == pytest.approx(1 / 19)  # 1 off, largest expected 19
    with pytest.raises(KernelMismatch, match="add ten on cuda-simulator: FAIL"):
        check(problem(add_nine), SimEngine())

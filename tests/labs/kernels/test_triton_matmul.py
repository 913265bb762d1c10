"""The Triton tiled matmul equals NumPy: interpreted on a CPU (the process's mode), compiled on a GPU."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
# our module first: it chooses TRITON_INTERPRET before triton is imported (skips if triton is missing)
matmul = pytest.importorskip("infraprep.labs.kernels.triton_matmul").matmul

from tests.labs.gpu import requires_gpu  # noqa: E402


@pytest.mark.parametrize("shape", [(64, 64, 64), (128, 96, 64), (37, 50, 29)])
def test_equals_numpy_exactly_on_small_integers(shape):
    m, k, n = shape
    rng = np.random.default_rng(sum(shape))
    a, b = (rng.integers(-4, 5, size=s).astype(np.float32) for s in ((m, k), (k, n)))
    c = matmul(torch.from_numpy(a), torch.from_numpy(b))
    np.testing.assert_array_equal(c.numpy(), a @ b)


def test_float_inputs_within_float32_rounding():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((64, 128), dtype=np.float32), rng.standard_normal((128, 64), dtype=np.float32)
    c = matmul(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    expected = a.astype(np.float64) @ b
    assert np.abs(c - expected).max() / np.abs(expected).max() < 1e-6


def test_mismatched_inner_dimension_is_an_error():
    from infraprep.errors import InvalidValue

    with pytest.raises(InvalidValue, match="rows"):
        matmul(torch.zeros(4, 5), torch.zeros(6, 4))


@requires_gpu
def test_compiled_on_gpu_matches_torch_in_bf16():
    a, b = (torch.randn(512, 512, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    c = matmul(a, b, interpret=False, block_m=128, block_n=128, block_k=64)
    expected = (a.float() @ b.float())
    assert ((c.float() - expected).abs().max() / expected.abs().max()).item() < 1e-2


def test_cpu_runs_use_the_interpreter():
    from infraprep.labs.triton_runtime import interpreting
    from tests.labs.gpu import cuda_available

    assert interpreting() or cuda_available()


@pytest.mark.slow
def test_compiles_for_hopper_with_wgmma():
    # the GPU tier's kernel, compiled for sm_90 without a GPU: the source is valid in compiled mode
    from tests.labs.gpu import compile_for_gpu

    pointers = {name: "*bf16" for name in ("a_ptr", "b_ptr", "c_ptr")}
    ints = {name: "i32" for name in ("M", "N", "K", "stride_am", "stride_ak", "stride_bk", "stride_bn", "stride_cm",
                                     "stride_cn")}
    constexprs = {"BLOCK_M": 128, "BLOCK_N": 256, "BLOCK_K": 64, "GROUP_M": 8, "PRECISION": "tf32"}
    result = compile_for_gpu("infraprep.labs.kernels.triton_matmul", "matmul_kernel",
                             {**pointers, **ints, **dict.fromkeys(constexprs, "constexpr")}, constexprs,
                             {"num_warps": 8, "num_stages": 3})
    assert result["stages"][-1] == "cubin" and result["wgmma"]

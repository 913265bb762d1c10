import pytest

from infraprep.calc.hardware import ACCELERATORS, get_accelerator
from infraprep.errors import InvalidValue, UnknownName


def test_catalogue_has_the_issue_list():
    assert set(ACCELERATORS) == {"a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h200", "b200", "mi300x",
                                 "tpu-v4", "tpu-v5p"}
    assert all(a.sources for a in ACCELERATORS.values())


def test_sparse_is_separate_from_dense():
    h100 = get_accelerator("H100-SXM")
    # NVIDIA H100 datasheet: 1,979 TFLOPS BF16 "with sparsity"; dense is half.
    assert h100.peak("bf16", sparse=True) == pytest.approx(1978.8e12)
    assert h100.peak("bf16") == pytest.approx(989.4e12)
    with pytest.raises(InvalidValue, match="no structured-sparsity"):
        get_accelerator("tpu-v4").peak("bf16", sparse=True)


def test_ridge_points_h100_vs_h200():
    # Same compute, more bandwidth: the H200's ridge is lower by the bandwidth ratio 4.8/3.35.
    h100, h200 = get_accelerator("h100-sxm"), get_accelerator("h200")
    assert h100.ridge_point() == pytest.approx(989.4e12 / 3.35e12)
    assert h100.ridge_point() / h200.ridge_point() == pytest.approx(4.8 / 3.35)


def test_unknown_gpu_and_dtype_are_errors_not_defaults():
    with pytest.raises(UnknownName, match="did you mean h100-sxm, h100-pcie"):
        get_accelerator("h100")
    with pytest.raises(InvalidValue, match="dtype='fp8'"):
        get_accelerator("a100-80gb").peak("fp8")

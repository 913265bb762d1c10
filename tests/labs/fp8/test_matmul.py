"""torch._scaled_mm on the CPU computes the product of the dequantised operands; FP8 costs ~3% vs fp32."""

import numpy as np
import pytest

from infraprep.labs.fp8.matmul import block_scaled_errors, scaled_mm_available, scaled_mm_check

torch = pytest.importorskip("torch")


def test_scaled_mm_is_available_in_this_torch():
    # torch 2.13 (the pinned CPU build) has the CPU kernel (pytorch/pytorch#150410)
    assert scaled_mm_available()


@pytest.mark.parametrize("fmt", ["e4m3", "e5m2"])
def test_semantics_and_error_vs_fp32(fmt):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 256)), rng.standard_normal((256, 48))
    result = scaled_mm_check(a, b, fmt)
    assert result.semantics.passed, result.semantics
    # per-element relative rounding error ≤ 2^-(m+1); a dot product of independent errors ≈ that / √3
    bound = 2.0 ** -(4 if fmt == "e4m3" else 3)
    assert 0 < result.vs_fp32["relative_error"] < bound


def test_fine_grained_blocks_beat_per_tensor_with_outliers():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((128, 256))
    a[:, :2] *= 1e4
    w = rng.standard_normal((256, 128)) / 16
    errors = block_scaled_errors(a, w, "e4m3")
    assert errors["tile_block"]["relative_error"] < errors["per_tensor"]["relative_error"]

"""The FP8 roofline: ridge points from the datasheets, memory- vs compute-bound regimes, at most 2×."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.labs.fp8.roofline import fp8_gemm


def test_ridge_points_h100_h200():
    # dense FP8 1978.9 TFLOP/s (H100 SXM datasheet; H200 has the same compute) over 3.35 vs 4.8 TB/s
    assert fp8_gemm(1, gpu="h100-sxm").ridge_fp8 == pytest.approx(1978.9e12 / 3.35e12)
    assert fp8_gemm(1, gpu="h200").ridge_fp8 == pytest.approx(1978.9e12 / 4.8e12)


def test_decode_is_memory_bound_and_gains_from_halved_weights():
    r = fp8_gemm(1, 8192, 8192, "h100-sxm")
    assert r.bf16_bound == r.fp8_bound == "memory"
    # bytes: bf16 2(k + kn) + 2n, fp8 (k + kn) + 2n
    assert r.bf16_seconds == pytest.approx((2 * (8192 + 8192**2) + 2 * 8192) / 3.35e12)
    assert r.speedup == pytest.approx((2 * (8192 + 8192**2) + 2 * 8192) / (8192 + 8192**2 + 2 * 8192))


def test_large_batches_are_compute_bound_and_gain_the_peak_ratio():
    r = fp8_gemm(16384, 8192, 8192, "h100-sxm")
    assert r.bf16_bound == r.fp8_bound == "compute" and r.speedup == pytest.approx(1978.9 / 989.4)


def test_h200_reaches_compute_bound_at_fewer_tokens():
    h100, h200 = fp8_gemm(256, gpu="h100-sxm"), fp8_gemm(256, gpu="h200")
    assert h100.bf16_bound == "memory" and h200.bf16_bound == "compute"


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(st.integers(1, 10**5), st.integers(1, 2**15), st.integers(1, 2**15))
def test_fp8_gains_at_most_the_bytes_or_peak_ratio(m, n, k):
    fused = fp8_gemm(m, n, k)
    separate = fp8_gemm(m, n, k, quantize="separate", scaling="current")
    # bytes shrink at most 2× (only the inputs); the datasheet peaks differ by 1978.9/989.4 = 2.0001×
    assert 1 <= fused.speedup <= max(2.0, 1978.9 / 989.4) * (1 + 1e-12)
    assert separate.speedup <= fused.speedup


def test_bad_options():
    with pytest.raises(InvalidValue, match="--quantize"):
        fp8_gemm(1, quantize="sometimes")

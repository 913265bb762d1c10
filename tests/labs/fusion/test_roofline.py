"""Roofline of the elementwise chain: bytes by hand, memory-bound on H100, speed-up = bytes ratio."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue, UnknownName
from infraprep.labs.fusion.roofline import chain_roofline


def test_bytes_by_hand():
    # E = 8192·8192, H = 8192, bf16 (2 B), mask saved at 1 B: unfused 2(9E + H) + E, fused 2(3E + H) + E
    e, h = 8192 * 8192, 8192
    r = chain_roofline(8192, 8192, "h100-sxm")
    assert r.unfused_bytes == 2 * (9 * e + h) + e
    assert r.fused.bytes == 2 * (3 * e + h) + e
    assert r.fused.flops == (1 + 9 + 2 + 1) * e


def test_memory_bound_on_h100_and_speedup_is_the_bytes_ratio():
    r = chain_roofline(8192, 8192, "h100-sxm")
    # ridge on the CUDA cores: 67 TFLOP/s fp32 ÷ 3.35 TB/s = 20 FLOP/B (H100 SXM datasheet)
    assert r.ridge == pytest.approx(67e12 / 3.35e12)
    assert r.fused.intensity == pytest.approx(13 / 7, rel=1e-3) and r.fused.bound == "memory"
    assert all(k.bound == "memory" for k in r.unfused)
    assert r.speedup == pytest.approx(r.unfused_bytes / r.fused.bytes) == pytest.approx(19 / 7, rel=1e-3)
    assert r.fused.seconds == pytest.approx(r.fused.bytes / 3.35e12)


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(st.integers(1, 10**5), st.integers(1, 2**14), st.sampled_from([1, 2, 4]), st.sampled_from([0, 1]),
       st.floats(0, 1e-5))
def test_fusion_never_loses(tokens, hidden, dtype_bytes, mask_bytes, launch):
    r = chain_roofline(tokens, hidden, "h200", dtype_bytes, mask_bytes, launch_overhead=launch)
    assert r.fused.bytes < r.unfused_bytes and r.speedup >= 1


def test_launch_overhead_adds_per_kernel():
    base, slow = chain_roofline(64, 64), chain_roofline(64, 64, launch_overhead=5e-6)
    assert slow.unfused_seconds - base.unfused_seconds == pytest.approx(4 * 5e-6)
    assert slow.fused.seconds - base.fused.seconds == pytest.approx(5e-6)


def test_bad_inputs():
    with pytest.raises(InvalidValue, match="--tokens"):
        chain_roofline(0, 8)
    with pytest.raises(UnknownName, match="GPU"):
        chain_roofline(8, 8, "h300")

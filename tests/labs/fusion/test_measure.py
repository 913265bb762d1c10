"""Side-by-side timing: the fused loop beats four unfused loops of the same math (best of N, a ratio)."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.fusion.measure import best_of, measure_chain

pytest.importorskip("numba")


def test_best_of_keeps_each_contenders_minimum():
    calls = []
    best = best_of({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 3)
    assert calls == ["a", "b"] * 3 and set(best) == {"a", "b"} and all(t >= 0 for t in best.values())


@pytest.mark.slow
def test_fusion_wins_side_by_side():
    # 1M float32 elements: the four loops move 36 + 1 bytes per element, the fused one 12 + 1 (2.85×)
    timing = measure_chain(1024, 1024, repeats=7)
    assert all(v.passed for v in timing.verdicts)
    assert timing.unfused_bytes / timing.fused_bytes == pytest.approx(37 / 13, rel=1e-3)
    assert timing.fusion_ratio > 1.2, timing.to_dict()
    assert timing.ratio > timing.fusion_ratio  # NumPy also pays for its temporaries and exact tanh


def test_bad_options():
    with pytest.raises(InvalidValue, match="--p"):
        measure_chain(4, 4, p=1.0)
    with pytest.raises(InvalidValue, match="--repeats"):
        measure_chain(4, 4, repeats=0)

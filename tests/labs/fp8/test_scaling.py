"""Scaling groups, saturation, error metrics and Transformer Engine-style delayed scaling."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import UnknownName
from infraprep.labs.fp8.formats import E4M3, E5M2
from infraprep.labs.fp8.scaling import DelayedScaler, error_metrics, group_shape, quantize


def test_group_shapes_deepseek_v3():
    assert group_shape("tile", (300, 700)) == (1, 128) and group_shape("block", (300, 700)) == (128, 128)
    assert group_shape("channel", (300, 700)) == (1, 700) and group_shape("tensor", (300, 700)) == (300, 700)
    with pytest.raises(UnknownName):
        group_shape("row", (2, 2))


def test_scales_per_group_and_ragged_edges():
    x = np.ones((130, 260))
    x[129, 259] = 448 * 3
    q = quantize(x, E4M3, "block")
    assert q.scales.shape == (2, 3)  # ceil(130/128) × ceil(260/128)
    assert q.scales[1, 2] == 3 and (q.scales.ravel()[:-1] == 1 / 448).all()
    x_hat = q.dequantize()
    assert x_hat[129, 259] == 1344 and (x_hat[:128] == 1).all() and (x_hat[:, :256] == 1).all()
    # in the outlier's block 1 becomes 1/3, between 10 and 11 steps of 2^-5 in E4M3's [1/4, 1/2) binade:
    # it rounds to 11/32, dequantised 33/32
    assert (x_hat[128:, 256:].ravel()[:-1] == 33 / 32).all()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 300), st.sampled_from(["tensor", "channel", "tile", "block"]),
       st.sampled_from([E4M3, E5M2]), st.integers(0, 2**31))
def test_current_scaling_never_saturates_and_bounds_the_error(rows, cols, granularity, fmt, seed):
    x = np.random.default_rng(seed).standard_normal((rows, cols)) * 1e3
    q = quantize(x, fmt, granularity)
    assert q.saturated_fraction(x) == 0.0
    assert np.abs(q.values).max() <= fmt.max_normal
    err = np.abs(q.dequantize() - x)
    # normal range: relative error ≤ half a unit in the last place (2^-mantissa / 2)
    normal = np.abs(x) / q.expanded_scales() >= fmt.min_normal
    assert (err[normal] <= np.abs(x[normal]) * fmt.epsilon / 2 * (1 + 1e-9)).all()


def test_error_metrics_by_hand():
    m = error_metrics([3.0, 4.0, 0.0], [3.0, 4.5, 0.0])
    assert m["relative_error"] == pytest.approx(0.1) and m["snr_db"] == pytest.approx(20.0)
    assert error_metrics([1.0, 1.0], [1.0, 0.0])["underflow_fraction"] == 0.5


def test_delayed_scaling_lags_a_jump_then_catches_up():
    scaler = DelayedScaler(E4M3, history_len=2)
    small, large = np.full((4, 4), 10.0), np.full((4, 4), 1000.0)
    assert scaler(small).saturated_fraction(small) == 0  # no history: scale 1, range ±448
    assert scaler(large).saturated_fraction(large) == 1.0  # predicted amax 10: everything clips
    assert scaler(large).saturated_fraction(large) == 0.0  # history now holds 1000
    assert list(scaler.history) == [1000.0, 1000.0]

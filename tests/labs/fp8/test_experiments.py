"""Outlier activations by granularity, and delayed vs current scaling over a stream with a jump."""

import numpy as np
import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.fp8.experiments import granularity_errors, outlier_activations, scaling_sequence
from infraprep.labs.fp8.formats import E4M3


def test_outlier_channels_are_scaled_and_seeded():
    x, chosen = outlier_activations(64, 32, outliers=3, magnitude=50, seed=1)
    y, again = outlier_activations(64, 32, outliers=3, magnitude=50, seed=1)
    assert np.array_equal(x, y) and np.array_equal(chosen, again) and len(chosen) == 3
    regular = np.delete(x, chosen, axis=1)
    assert np.abs(x[:, chosen]).mean() > 20 * np.abs(regular).mean()
    with pytest.raises(InvalidValue, match="--outliers"):
        outlier_activations(4, 4, outliers=4)


def test_finer_groups_flush_fewer_regular_values_to_zero():
    x, chosen = outlier_activations(256, 512, outliers=4, magnitude=1000, seed=0)
    rows = {(r["format"], r["granularity"]): r for r in granularity_errors(x, chosen)}
    e4m3 = [rows[("e4m3", g)]["regular_underflow"] for g in ("tensor", "channel", "tile")]
    assert e4m3[0] > e4m3[1] > e4m3[2] > 0
    # E5M2 has 2^-16 at the bottom: the same outliers flush nothing
    assert all(rows[("e5m2", g)]["regular_underflow"] == 0 for g in ("tensor", "channel", "tile", "block"))
    # E4M3 keeps one more mantissa bit: ~6 dB better SNR at the same scaling
    assert rows[("e4m3", "tile")]["snr_db"] - rows[("e5m2", "tile")]["snr_db"] == pytest.approx(6, abs=1.5)


def test_delayed_scaling_clips_at_the_jump_current_never_does():
    rows = scaling_sequence(E4M3, steps=10, jump_at=6, jump=8.0, drift=1.0)
    assert all(r["current_saturated"] == 0 for r in rows)
    jump = rows[6]
    assert jump["delayed_saturated"] > 0.3 and jump["delayed_relative_error"] > 10 * jump["current_relative_error"]
    assert rows[7]["delayed_saturated"] < 0.01  # the history has seen the new amax

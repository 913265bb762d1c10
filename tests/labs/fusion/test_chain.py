"""The three implementations of the chain agree, and the fused loop's tanh is accurate."""

import numpy as np
import pytest

from infraprep.labs.fusion.chain import (
    GELU_C,
    fast_tanh,
    fused_chain,
    make_inputs,
    numpy_chain,
    unfused_chain,
)

pytest.importorskip("numba")


def test_fast_tanh_within_4e_7_of_tanh():
    u = np.linspace(-20, 20, 400_001, dtype=np.float32)
    assert np.abs(fast_tanh(u) - np.tanh(u.astype(np.float64))).max() < 4e-7


def test_gelu_dropout_by_hand():
    x = np.array([[0.0, 1.0, -1.0, 2.0]], np.float32)
    bias, residual = np.zeros(4, np.float32), np.full((1, 4), 10, np.float32)
    keep = np.array([[True, True, False, True]])
    gelu = 0.5 * x * (1 + np.tanh(GELU_C * (x + 0.044715 * x**3)))  # Hendrycks & Gimpel, tanh form
    expected = 10 + np.where(keep, gelu / 0.5, 0)
    for chain in (numpy_chain, fused_chain, unfused_chain):
        np.testing.assert_allclose(chain(x, bias, residual, keep, p=0.5), expected, rtol=1e-6)


def test_implementations_agree_and_drop_the_expected_share():
    x, bias, residual, keep = make_inputs(64, 96, p=0.25, seed=3)
    reference = numpy_chain(x, bias, residual, keep, 0.25)
    np.testing.assert_allclose(fused_chain(x, bias, residual, keep, 0.25), reference, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(unfused_chain(x, bias, residual, keep, 0.25), reference, rtol=1e-5, atol=1e-5)
    assert abs((~keep).mean() - 0.25) < 0.02


def test_inputs_are_seeded():
    first, second = make_inputs(8, 8, seed=7), make_inputs(8, 8, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not np.array_equal(first[0], make_inputs(8, 8, seed=8)[0])

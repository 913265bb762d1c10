"""The reference and Algorithm 0: softmax attention, the causal mask, and Algorithm 0's HBM count."""

import numpy as np
import pytest

from infraprep.labs.attention.standard import attention_reference, causal_mask, standard_attention

torch = pytest.importorskip("torch")


def test_reference_equals_torch_sdpa():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((9, 4)), rng.standard_normal((9, 4)), rng.standard_normal((9, 3))
    for causal in (False, True):
        expected = torch.nn.functional.scaled_dot_product_attention(
            *(torch.tensor(x)[None] for x in (q, k, v)), is_causal=causal)[0].numpy()
        np.testing.assert_allclose(attention_reference(q, k, v, causal), expected, rtol=1e-12, atol=1e-12)


def test_causal_mask_offsets():
    assert causal_mask(2, 3).tolist() == [[True, False, False], [True, True, False]]
    assert causal_mask(2, 2, row0=4, col0=4).tolist() == [[True, False], [True, True]]


def test_algorithm_0_moves_4Nd_plus_4N_squared():
    n, d = 32, 8
    q = np.random.default_rng(1).standard_normal((n, d))
    o, hbm = standard_attention(q, q, q)
    np.testing.assert_allclose(o, attention_reference(q, q, q), rtol=1e-12)
    assert hbm.total == 4 * n * d + 4 * n * n == 5120
    assert hbm.reads["S"] == hbm.writes["S"] == n * n

import numpy as np
import pytest

from flash_forward import attention_forward


def naive(q, k, v, causal):
    s = q @ k.T / np.sqrt(q.shape[1])
    if causal:
        s = np.where(np.tril(np.ones_like(s, dtype=bool)), s, -np.inf)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)) @ v


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(("n", "d", "block"), [(1, 4, 16), (17, 8, 4), (64, 16, 16), (33, 32, 7), (40, 8, 64)])
def test_matches_naive_attention(n, d, block, causal):
    rng = np.random.default_rng(n * 100 + d)
    q, k, v = (rng.standard_normal((n, d)) for _ in range(3))
    got = attention_forward(q, k, v, block=block, causal=causal)
    np.testing.assert_allclose(got, naive(q, k, v, causal), rtol=1e-9, atol=1e-12)


def test_large_scores_do_not_overflow():
    rng = np.random.default_rng(1)
    q, k, v = rng.standard_normal((16, 8)) * 40, rng.standard_normal((16, 8)) * 40, rng.standard_normal((16, 8))
    got = attention_forward(q, k, v, block=4)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, naive(q, k, v, False), rtol=1e-9, atol=1e-12)

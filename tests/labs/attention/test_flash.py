"""Tiled forward with online softmax equals naive attention within 1e-6 relative, over many shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.labs.attention.flash import Blocks, blocks_for_sram, flash_forward
from infraprep.labs.attention.standard import attention_reference


@st.composite
def problems(draw):
    n_q = draw(st.integers(1, 48))
    causal = draw(st.booleans())
    n_k = n_q if causal else draw(st.integers(1, 48))
    d, d_v = draw(st.integers(1, 16)), draw(st.integers(1, 16))
    blocks = Blocks(draw(st.integers(1, 20)), draw(st.integers(1, 20)))
    scale = draw(st.sampled_from([None, 0.1, 3.0]))  # 3.0: peaked softmax, stresses the running max
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    qkv = rng.standard_normal((n_q, d)), rng.standard_normal((n_k, d)), rng.standard_normal((n_k, d_v))
    return qkv, causal, blocks, scale


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from(["kv_outer", "q_outer"]))
def test_equals_naive_attention_within_1e_6(problem, loop_order):
    (q, k, v), causal, blocks, scale = problem
    out, lse, _ = flash_forward(q, k, v, causal, blocks, loop_order=loop_order, scale=scale)
    expected = attention_reference(q, k, v, causal, scale)
    assert np.abs(out - expected).max() <= 1e-6 * np.abs(expected).max()
    s = (1 / np.sqrt(q.shape[1]) if scale is None else scale) * q @ k.T
    if causal:
        s = np.where(np.tril(np.ones_like(s, dtype=bool)), s, -np.inf)
    np.testing.assert_allclose(lse, np.log(np.exp(s - s.max(1, keepdims=True)).sum(1)) + s.max(1), rtol=1e-10,
                               atol=1e-12)  # the log-sum-exp can be ~0


def test_large_logits_do_not_overflow():
    q = np.full((8, 4), 30.0)
    k = np.random.default_rng(0).standard_normal((8, 4)) * 30
    out = flash_forward(q, k, k, blocks=Blocks(2, 3))[0]
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, attention_reference(q, k, k), rtol=1e-9)


def test_block_sizes_follow_algorithm_1_line_1():
    # B_c = ceil(M / 4d), B_r = min(B_c, d)
    assert blocks_for_sram(1024, 64) == Blocks(4, 4)
    assert blocks_for_sram(50_000, 64) == Blocks(64, 196)
    with pytest.raises(InvalidValue, match="--sram"):
        blocks_for_sram(100, 64)


def test_causal_needs_square_attention():
    with pytest.raises(InvalidValue, match="N_q = N_k"):
        flash_forward(np.zeros((3, 2)), np.zeros((4, 2)), np.zeros((4, 2)), causal=True)

"""Backward with recomputation from the log-sum-exp equals torch autograd on the materialised attention."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.labs.attention.backward import flash_backward
from infraprep.labs.attention.flash import Blocks, flash_forward

torch = pytest.importorskip("torch")


def autograd(q, k, v, d_o, causal):
    leaves = [torch.tensor(x, requires_grad=True) for x in (q, k, v)]
    out = torch.nn.functional.scaled_dot_product_attention(*(x[None] for x in leaves), is_causal=causal)[0]
    out.backward(torch.tensor(d_o))
    return [x.grad.numpy() for x in leaves]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 12), st.integers(1, 12), st.booleans(), st.integers(1, 16),
       st.integers(1, 16), st.integers(0, 2**31))
def test_gradients_match_torch_autograd(n, d, d_v, causal, rows, cols, seed):
    rng = np.random.default_rng(seed)
    q, k, v, d_o = (rng.standard_normal(s) for s in ((n, d), (n, d), (n, d_v), (n, d_v)))
    o, lse, _ = flash_forward(q, k, v, causal, Blocks(rows, cols), loop_order="q_outer")
    ours = flash_backward(q, k, v, o, lse, d_o, causal, Blocks(cols, rows))
    for mine, theirs in zip(ours, autograd(q, k, v, d_o, causal), strict=True):
        # relative 1e-9, plus an absolute 1e-12 for gradients that are exactly 0 (n = 1: softmax of one key)
        assert np.abs(mine - theirs).max() <= 1e-9 * np.abs(theirs).max() + 1e-12


def test_kv_outer_forward_feeds_the_same_backward():
    rng = np.random.default_rng(5)
    q, k, v, d_o = (rng.standard_normal((24, 8)) for _ in range(4))
    o, lse, _ = flash_forward(q, k, v, True, Blocks(5, 7), loop_order="kv_outer")
    for mine, theirs in zip(flash_backward(q, k, v, o, lse, d_o, True), autograd(q, k, v, d_o, True), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)

"""Attention forward pass one key/value block at a time, with the online softmax."""

import numpy as np


def attention_forward(q, k, v, block=16, causal=False):
    n, d = q.shape
    scale = 1.0 / np.sqrt(d)
    out = np.zeros((n, v.shape[1]), dtype=np.float64)
    # KATA-BEGIN: loop over key/value blocks, keeping a running max, denominator and accumulator
    m = np.full(n, -np.inf)
    l = np.zeros(n)
    rows = np.arange(n)[:, None]
    for start in range(0, k.shape[0], block):
        kb, vb = k[start : start + block], v[start : start + block]
        s = (q @ kb.T) * scale
        if causal:
            s = np.where(rows >= np.arange(start, start + kb.shape[0])[None, :], s, -np.inf)
        m_new = np.maximum(m, s.max(axis=1))
        safe = np.where(np.isneginf(m_new), 0.0, m_new)  # a fully masked row so far: no contribution
        p = np.exp(s - safe[:, None])
        correction = np.exp(np.where(np.isneginf(m), -np.inf, m - safe))
        l = correction * l + p.sum(axis=1)
        out = correction[:, None] * out + p @ vb
        m = m_new
    out = out / l[:, None]
    # KATA-END
    return out

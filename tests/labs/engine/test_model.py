"""The tiny transformer: fixed-seed weights, and the paged path equal to the dense one on one sequence."""

import pytest

torch = pytest.importorskip("torch")

from infraprep.labs.engine.model import PagedInputs, TinyConfig, TinyTransformer, paged_group  # noqa: E402


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = TinyTransformer(TinyConfig(seed=3)), TinyTransformer(TinyConfig(seed=3)), TinyTransformer(TinyConfig(seed=4))
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.head.weight, c.head.weight)
    assert sum(p.numel() for p in a.parameters()) == (
        512 * 256 * 2  # embedding + head
        + 4 * (256 * (8 + 2 * 2) * 32 + 256 * 256 + 256 * 1024 + 512 * 256 + 2 * 256)  # qkv, out, gate_up, down, norms
        + 256)  # final norm


def test_paged_prefill_through_a_scrambled_table_equals_dense():
    """One 21-token sequence written through blocks [5, 0, 3] in two chunks must give the dense logits."""
    model = TinyTransformer(TinyConfig(), dtype=torch.float64)
    c, bs = model.config, 8
    tokens = torch.randint(0, c.vocab, (21,), generator=torch.Generator().manual_seed(1))
    k = [torch.zeros(6, bs, c.kv_heads, c.head_dim, dtype=torch.float64) for _ in range(c.layers)]
    v = [torch.zeros_like(t) for t in k]
    table = [5, 0, 3]
    logits = []
    for start, n in ((0, 13), (13, 8)):
        pos = list(range(start, start + n))
        group = paged_group(0, [(0, r) for r in range(n)], pos, [table[: -(-(start + n) // bs)]], [start + n], bs)
        inp = PagedInputs(tokens[start : start + n], torch.tensor(pos),
                          torch.tensor([table[p // bs] * bs + p % bs for p in pos]), [group], torch.arange(n))
        logits.append(model.forward_paged(inp, k, v))
    dense = model.forward_dense(tokens)
    assert torch.allclose(torch.cat(logits), dense, atol=1e-10)
    assert (k[0][[1, 2, 4]] == 0).all()  # blocks outside the table untouched

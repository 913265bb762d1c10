"""Parameter counts against the totals their papers publish."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.model import MODELS, ModelConfig, count_params, get_model
from infraprep.errors import InvalidValue


@pytest.mark.parametrize(
    ("name", "total", "active", "rel"),
    [
        ("gpt3-175b", 175e9, None, 0.005),  # Brown et al. 2020, Table 2.1: 175.0B
        ("opt-13b", 13e9, None, 0.02),  # Zhang et al. 2022, Table 1: "13B" (rounded)
        ("llama3-8b", 8.03e9, None, 0.001),  # Llama 3 herd, Table 3 / HF card: 8.03B
        ("llama3-70b", 70.55e9, None, 0.001),  # HF card: 70.55B
        ("llama3-405b", 405.85e9, None, 0.001),  # HF card: 405.85B (Table 3: 405B)
        ("mixtral-8x7b", 46.7e9, 12.9e9, 0.002),  # Mistral AI: 46.7B total, 12.9B active
        ("deepseek-v3", 671e9, 37e9, 0.02),  # DeepSeek-V3 report §4.2: 671B total, 37B activated
    ],
)
def test_published_totals(name, total, active, rel):
    counts = count_params(get_model(name))
    assert counts.total == pytest.approx(total, rel=rel)
    assert counts.active == pytest.approx(active if active else total, rel=max(rel, 0.02))


def test_llama3_8b_breakdown_is_exact():
    c = count_params(MODELS["llama3-8b"])
    assert c.embedding == c.output == 128256 * 4096
    assert c.attention_per_layer == 2 * 4096 * 4096 + 2 * 4096 * 1024
    assert c.dense_mlp_per_layer == 3 * 4096 * 14336
    assert c.total == 8_030_261_248


def test_validation_names_the_option():
    with pytest.raises(InvalidValue, match="--kv-heads=5 .* divisor of heads=32"):
        ModelConfig(32, 4096, 32, 32000, kv_heads=5)
    with pytest.raises(InvalidValue, match="--top-k"):
        ModelConfig(32, 4096, 32, 32000, experts=8, top_k=9, expert_ffn=100)


@given(st.integers(1, 8), st.integers(1, 4), st.sampled_from([1, 2, 4]), st.integers(1, 3))
def test_active_never_exceeds_total_and_grows_with_top_k(layers, top_k, kv_div, shared):
    base = dict(layers=layers, hidden=64, heads=4, vocab=100, kv_heads=4 // kv_div, gated_mlp=True, experts=4,
                expert_ffn=32, shared_experts=shared)
    counts = [count_params(ModelConfig(**base, top_k=k)) for k in range(1, 5)]
    assert all(c.active <= c.total for c in counts)
    assert [c.active for c in counts] == sorted(c.active for c in counts)
    assert counts[-1].active == counts[-1].total  # top-k = all experts

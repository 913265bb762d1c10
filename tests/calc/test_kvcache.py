"""KV-cache arithmetic against the figures its sources publish."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.kvcache import KVCacheInputs, capacity, inputs_from_model, kv_cache, model_params
from infraprep.calc.model import get_model
from infraprep.errors import InvalidValue


def test_opt_13b_matches_the_vllm_paper():
    # Kwon et al. 2023, §3 "Large KV cache": 2 × 5120 × 40 × 2 B = 800 KB per token for OPT-13B;
    # a 2048-token request "can be as much as 1.6 GB".
    r = kv_cache(KVCacheInputs(layers=40, kv_heads=40, head_dim=128, dtype_bytes=2, tokens=2048))
    assert r.bytes_per_token == 2 * 5120 * 40 * 2 == 800 * 1024
    assert r.total_bytes == pytest.approx(1.6e9, rel=0.05)
    assert kv_cache(inputs_from_model(get_model("opt-13b"), tokens=2048)).to_dict()["bytes_per_token"] == 819200


def test_opt_13b_on_a100_40gb_holds_a_handful_of_requests():
    # vLLM §1 / Fig. 1: on a 40 GB A100 the 13B model's weights take ~65% of memory (26 GB), and §3:
    # "even if all available memory was allocated to KV cache, only a few tens of requests".
    a100 = get_accelerator("a100-40gb")
    r = kv_cache(inputs_from_model(get_model("opt-13b"), tokens=2048))
    with_weights = capacity(r, a100, model_params(get_model("opt-13b")), memory_utilization=1.0).capacity
    assert with_weights.weights_bytes / a100.hbm_bytes == pytest.approx(0.65, abs=0.01)
    assert with_weights.max_sequences == int((40e9 - with_weights.weights_bytes) // (819200 * 2048)) == 8
    kv_only = capacity(r, a100, 0, memory_utilization=1.0).capacity
    assert 10 <= kv_only.max_sequences < 100  # "a few tens"


def test_mla_is_gqa_with_2_25_groups():
    # DeepSeek-V2 §2.1.4, Table 1: MLA caches (d_c + d_h^R)·l = (4·d_h + d_h/2)·l = 4.5·d_h·l elements per
    # token, "equal to GQA with only 2.25 groups"; d_c = 512, d_h^R = 64, d_h = 128.
    mla = kv_cache(KVCacheInputs(layers=60, kv_heads=128, head_dim=128, latent_dim=512, rope_dim=64))
    assert mla.elements_per_token_per_layer == 576 == 2 * 2.25 * 128
    assert mla.bytes_per_token == 60 * 576 * 2
    mha = kv_cache(KVCacheInputs(layers=60, kv_heads=128, head_dim=128))
    assert mha.bytes_per_token / mla.bytes_per_token == pytest.approx(2 * 128 / 4.5)


def test_variants_and_dtypes():
    def per_token(**kw):
        return kv_cache(KVCacheInputs(layers=32, head_dim=128, tokens=1, **kw)).bytes_per_token

    assert per_token(kv_heads=32, heads=32) == 2 * 32 * 32 * 128 * 2  # MHA
    assert per_token(kv_heads=8, heads=32) == 2 * 32 * 8 * 128 * 2  # GQA (Llama-3-8B)
    assert per_token(kv_heads=1, heads=32) == 2 * 32 * 1 * 128 * 2  # MQA
    assert per_token(kv_heads=8, dtype_bytes=1) == per_token(kv_heads=8) / 2  # FP8
    assert per_token(kv_heads=8, dtype_bytes=0.5) == per_token(kv_heads=8) / 4  # 4-bit
    assert KVCacheInputs(layers=1, kv_heads=8, head_dim=4, heads=32).variant == "GQA"
    assert inputs_from_model(get_model("deepseek-v3")).variant == "MLA"


def test_tensor_parallel_splits_then_replicates():
    def run(kv_heads, tp, **kw):
        return kv_cache(KVCacheInputs(layers=80, kv_heads=kv_heads, head_dim=128, tp=tp, **kw))

    assert run(8, 4).bytes_per_token == run(8, 1).bytes_per_token / 4  # 2 heads per rank
    r = run(8, 16)  # Llama-2-70B's 8 KV heads on 16 ranks: one head per rank, each held twice
    assert r.inputs.kv_heads_per_gpu == 1 and r.inputs.replication == 2
    assert r.all_gpus_total_bytes == 2 * run(8, 1).total_bytes
    mla = run(128, 8, latent_dim=512, rope_dim=64)  # the latent is not split by heads
    assert mla.bytes_per_token == run(128, 1, latent_dim=512, rope_dim=64).bytes_per_token
    with pytest.raises(InvalidValue, match="--tp=3 .* divisor of kv-heads=8"):
        run(8, 3)
    with pytest.raises(InvalidValue, match="--tp=12 .* multiple of kv-heads=8"):
        run(8, 12)


def test_sliding_window_caps_the_tokens():
    # Mistral 7B (Jiang et al. 2023, §2): a rolling buffer of W = 4096 tokens
    full = kv_cache(KVCacheInputs(layers=32, kv_heads=8, head_dim=128, tokens=16384))
    windowed = kv_cache(KVCacheInputs(layers=32, kv_heads=8, head_dim=128, tokens=16384, window=4096))
    assert windowed.total_bytes == full.total_bytes / 4
    assert kv_cache(KVCacheInputs(layers=32, kv_heads=8, head_dim=128, tokens=100, window=4096)).inputs.tokens_stored == 100


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(layers=0), "--layers=0"),
        (dict(dtype_bytes=float("nan")), "--dtype-bytes"),
        (dict(dtype_bytes=16), "--dtype-bytes=16"),
        (dict(rope_dim=64), "--rope-dim=64 .* --latent-dim"),
        (dict(tokens=2**41), "--tokens"),
        (dict(heads=12), "--heads=12 .* multiple of kv-heads=8"),
    ],
)
def test_bad_inputs_name_the_option(kwargs, match):
    base = dict(layers=2, kv_heads=8, head_dim=64)
    with pytest.raises(InvalidValue, match=match):
        KVCacheInputs(**{**base, **kwargs})


def test_weights_that_do_not_fit_leave_no_room():
    r = kv_cache(inputs_from_model(get_model("llama3-405b")))
    cap = capacity(r, get_accelerator("h100-sxm"), model_params(get_model("llama3-405b"))).capacity
    assert cap.max_sequences == 0 and not cap.weights_fit and "do not fit" in capacity(
        r, get_accelerator("h100-sxm"), model_params(get_model("llama3-405b"))).explain()


@given(st.integers(1, 100), st.sampled_from([1, 2, 4, 8]), st.integers(1, 256), st.integers(1, 10_000),
       st.integers(1, 64), st.sampled_from([0.5, 1, 2]))
def test_bytes_scale_linearly(layers, kv_heads, head_dim, tokens, batch, dtype):
    r = kv_cache(KVCacheInputs(layers, kv_heads, head_dim, dtype, tokens, batch))
    assert r.total_bytes == 2 * layers * kv_heads * head_dim * dtype * tokens * batch
    more = kv_cache(KVCacheInputs(layers, kv_heads, head_dim, dtype, tokens + 1, batch))
    assert more.total_bytes > r.total_bytes

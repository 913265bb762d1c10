"""FLOPs conventions against matmul-by-matmul counts written out here; MFU ≤ HFU; time and budget."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.flops import FlopsInputs, flops, megatron_params, utilization
from infraprep.calc.model import ModelConfig, count_params
from infraprep.errors import InvalidValue


def matmul_flops(B, s, layers, h, V, recompute_layers=False):
    """Forward per layer: QKV 6Bsh², QK^T 2Bs²h, attention·V 2Bs²h, out-proj 2Bsh², MLP 16Bsh²;
    logits 2BshV. Backward = 2 × forward; full recomputation runs the layers' forward once more."""
    layer_fwd = 24 * B * s * h * h + 4 * B * s * s * h
    passes = 4 if recompute_layers else 3
    return passes * layers * layer_fwd + 3 * 2 * B * s * h * V


def run(**kw):
    return flops(FlopsInputs(**kw))


SHAPE = dict(layers=48, hidden=6144, seq=2048, vocab=51200)


def test_megatron_formula_equals_the_matmul_count():
    r = run(convention="megatron", **SHAPE, global_batch=4)
    assert r.per_iteration(r.model_per_token) == pytest.approx(matmul_flops(4, 2048, 48, 6144, 51200), rel=1e-12)
    full = run(convention="megatron", **SHAPE, global_batch=4, recompute="full")
    assert full.per_iteration(full.hardware_per_token) == pytest.approx(
        matmul_flops(4, 2048, 48, 6144, 51200, recompute_layers=True), rel=1e-12)


def test_selective_recompute_conventions():
    n_layers, h, s, v = 48, 6144, 2048, 51200
    paper = run(convention="megatron", **SHAPE, recompute="selective")
    derived = run(convention="megatron", **SHAPE, recompute="selective", selective_hfu="derived")
    # derived: one more forward of the two s² matmuls, 4s²h per layer per token-sequence
    assert derived.hardware_per_token * s == pytest.approx(matmul_flops(1, s, n_layers, h, v) + 4 * s * s * h * n_layers)
    assert paper.hardware_per_token == pytest.approx(72 * n_layers * h * h * (1 + s / (3 * h) + v / (12 * n_layers * h)))
    assert paper.model_per_token == derived.model_per_token < derived.hardware_per_token < paper.hardware_per_token


def test_palm_per_token_and_causal_halving():
    n, L, H, Q, T = 8e9, 32, 32, 128, 4096
    kw = dict(convention="palm", params=n, layers=L, heads=H, head_dim=Q, seq=T)
    assert run(**kw).model_per_token == 6 * n + 12 * L * H * Q * T
    assert run(**kw, attention="causal").model_per_token == 6 * n + 6 * L * H * Q * T
    assert run(**kw, recompute="full").hardware_per_token == 8 * n + 16 * L * H * Q * T
    assert run(convention="6n", params=n).model_per_token == 6 * n


def test_mfu_from_iteration_time_and_from_tokens_per_second_agree():
    a = run(convention="megatron", **SHAPE, global_batch=4, iter_time=1.1, gpus=8, peak=312e12)
    b = run(convention="megatron", **SHAPE, tokens_per_sec=4 * 2048 / 1.1, gpus=8, peak=312e12)
    assert a.mfu == pytest.approx(b.mfu, rel=1e-12)
    assert a.mfu == pytest.approx(a.per_iteration(a.model_per_token) / 1.1 / (8 * 312e12))
    assert utilization(156e12, 312e12) == 0.5


conventions = st.sampled_from(["megatron", "palm", "6n"])


@given(conventions, st.sampled_from(["none", "selective", "full"]), st.sampled_from(["full", "causal"]),
       st.sampled_from(["paper", "derived"]), st.integers(1, 200), st.sampled_from([1024, 4096, 12288]),
       st.sampled_from([512, 2048, 32768]), st.floats(1e2, 1e7), st.integers(1, 10_000))
def test_mfu_never_exceeds_hfu(conv, recompute, attention, selective, layers, hidden, seq, rate, gpus):
    r = run(convention=conv, layers=layers, hidden=hidden, heads=8, seq=seq, vocab=50000,
            params=megatron_params(layers, hidden, 50000, seq), tokens_per_sec=rate, gpus=gpus, peak=1e15,
            recompute=recompute, attention=attention, selective_hfu=selective)
    assert 0 < r.mfu <= r.hfu
    assert (r.mfu == r.hfu) == (recompute == "none" or (conv == "6n" and recompute == "selective"))


def test_megatron_params_is_the_gpt3_count_without_the_final_norm():
    # GPT-3 style layers (biases, LayerNorm, learned positions, tied embedding) with V=51200
    for n_layers, h in ((24, 2304), (96, 12288)):
        c = count_params(ModelConfig(n_layers, h, 16, 51200, tied_embeddings=True, position_embeddings=2048,
                                     biases=True, norm="layernorm"))
        assert c.total == pytest.approx(megatron_params(n_layers, h, 51200, 2048) + 2 * h, rel=1e-12)


def test_training_time_and_compute_budget():
    r = run(convention="6n", params=7e9, train_tokens=2e12, gpus=1000, achieved=4e14, recompute="full")
    assert r.compute_budget == 6 * 7e9 * 2e12
    assert r.training_time == pytest.approx(8 * 2e12 * 7e9 / (1000 * 4e14))
    assert run(convention="6n", params=7e9, train_tokens=2e12, gpus=1000, achieved=4e14).training_time == \
        pytest.approx(6 * 2e12 * 7e9 / (1000 * 4e14))
    measured = run(convention="6n", params=7e9, train_tokens=2e12, tokens_per_sec=1e6)
    assert measured.training_time_measured == 2e6


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(convention="megatron", layers=2), "--convention='megatron' .* --hidden, --seq, --vocab"),
        (dict(convention="palm", params=1e9, layers=2, seq=8), "--heads with --head-dim"),
        (dict(convention="flops"), "--convention='flops'"),
        (dict(convention="6n", params=1e9, tokens_per_sec=1.0, iter_time=1.0, global_batch=1, seq=1),
         "--tokens-per-sec=1.0 .* only one of"),
        (dict(convention="6n", params=1e9, iter_time=1.0), "--iter-time=1.0 .* --global-batch and --seq"),
        (dict(convention="6n", params=1e9, peak=-3.0), "--peak=-3.0"),
        (dict(convention="6n", params=1e9, gpus=0), "--gpus=0"),
    ],
)
def test_bad_input_names_the_option(kw, match):
    with pytest.raises(InvalidValue, match=match):
        FlopsInputs(**kw)

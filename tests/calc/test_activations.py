"""Activation memory against Korthikanti et al. 2022 Table 2's closed forms, written out here."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.activations import ActivationInputs, activations
from infraprep.errors import InvalidValue

# GPT-3 175B's layer (Korthikanti Table 3): s=2048, h=12288, a=96, t=8; b=1.
S, B, H, A, T = 2048, 1, 12288, 96, 8
SBH = S * B * H


def per_layer(**kw) -> float:
    base = dict(seq=S, micro_batch=B, hidden=H, heads=A)
    return activations(ActivationInputs(**{**base, **kw})).bytes_per_layer


@pytest.mark.parametrize(
    ("kw", "table2"),
    [
        ({}, SBH * (34 + 5 * A * S / H)),  # no parallelism
        ({"tp": T}, SBH * (10 + 24 / T + 5 * A * S / (H * T))),  # tensor parallel (baseline)
        ({"tp": T, "sp": True}, SBH * (34 / T + 5 * A * S / (H * T))),  # tensor + sequence parallel
        ({"tp": T, "recompute": "selective"}, SBH * (10 + 24 / T)),  # TP + selective recompute
        ({"tp": T, "sp": True, "recompute": "selective"}, SBH * 34 / T),  # TP + SP + selective
        ({"tp": T, "recompute": "full"}, SBH * 2),  # full recompute
    ],
)
def test_table2_rows(kw, table2):
    assert per_layer(**kw) == pytest.approx(table2, rel=1e-12)


def test_full_recompute_with_sp_keeps_the_sharded_layer_input():
    assert per_layer(tp=T, sp=True, recompute="full") == pytest.approx(2 * SBH / T)


def test_flash_attention_drops_the_s_squared_term_for_an_fp32_logsumexp():
    assert per_layer(flash=True) == pytest.approx(34 * SBH + 4 * A * S * B)
    assert per_layer(tp=T, sp=True, flash=True) == pytest.approx(34 * SBH / T + 4 * A * S * B / T)
    # FlashAttention under selective recompute: nothing left to recompute in the core attention
    assert per_layer(tp=T, sp=True, flash=True, recompute="selective") == pytest.approx(34 * SBH / T)


def test_no_dropout_removes_three_masks_and_the_dropout_output():
    # §4.1 breakdown without the two sbh masks, the as²b mask and the 2as²b dropout output
    assert per_layer(dropout=False) == pytest.approx(SBH * (32 + 2 * A * S / H))


def test_ffn_width_follows_megatrons_18_plus_4f_over_h():
    # Megatron-LM theoretical_memory_usage.py: sbh(18 + 4f/h)/t with SP and selective recompute
    f = 3 * H
    assert per_layer(tp=T, sp=True, recompute="selective", ffn=f) == pytest.approx(SBH * (18 + 4 * f / H) / T)


def test_context_parallel_splits_the_sequence():
    cp = 4
    sbh_local = S // cp * B * H
    # sbh terms on s/cp tokens; scores for s/cp queries against all s keys
    assert per_layer(tp=T, sp=True, cp=cp) == pytest.approx(34 * sbh_local / T + 5 * A * (S // cp) * S * B / T)


def stage(**kw):
    base = dict(seq=S, micro_batch=B, hidden=H, heads=A, tp=T, sp=True, recompute="selective", layers=96)
    return activations(ActivationInputs(**{**base, **kw}))


def test_1f1b_first_stage_holds_all_layers_worth():
    # §4.2.3: L/p layers × p microbatches in flight = L layers, plus the embedding dropout mask per microbatch
    r = stage(pp=8, microbatches=32)
    assert r.in_flight == 8
    assert r.stage_bytes == pytest.approx(SBH * 34 / T * 96 + SBH / T * 8)


def test_1f1b_with_fewer_microbatches_than_stages():
    assert stage(pp=8, microbatches=3).in_flight == 3


def test_interleaved_penalty():
    p, v = 8, 4
    r = stage(pp=p, schedule="interleaved", chunks=v, microbatches=32)
    assert r.in_flight == pytest.approx(p * (1 + (p - 1) / (p * v)))


def test_gpipe_holds_every_microbatch():
    assert stage(pp=8, schedule="gpipe", microbatches=32).in_flight == 32


def test_no_pipeline_adds_the_output_layer():
    v = 51200
    r = stage(vocab=v)
    assert r.in_flight == 1
    assert r.extra_bytes == pytest.approx(SBH / T + 4 * SBH * (1 + v / H) / T)
    assert r.stage_bytes == pytest.approx(96 * SBH * 34 / T + r.extra_bytes)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"tp": 7}, "--tp=7 .* divisor of heads=96"),
        ({"layers": 96, "pp": 7}, "--pp=7 .* divisor of layers=96"),
        ({"chunks": 2}, "--chunks=2 .* unless --schedule interleaved"),
        ({"layers": 96, "pp": 4, "schedule": "gpipe"}, "--microbatches"),
        ({"sp": True}, "--sp=True .* --tp > 1"),
        ({"recompute": "some"}, "--recompute='some' .* none, selective, full"),
        ({"seq": 0}, "--seq=0 .* integer from 1"),
        ({"cp": 3}, "--cp=3 .* divisor of seq=2048"),
    ],
)
def test_bad_input_names_the_option(kw, match):
    with pytest.raises(InvalidValue, match=match):
        ActivationInputs(**{**dict(seq=S, micro_batch=B, hidden=H, heads=A), **kw})


heads_tp = st.sampled_from([(8, 1), (8, 2), (8, 4), (8, 8), (16, 4), (32, 8)])


@given(heads_tp, st.integers(1, 8).map(lambda k: 128 * k), st.sampled_from([64, 128, 256]), st.integers(1, 4),
       st.booleans(), st.booleans())
def test_recomputation_and_parallelism_never_add_memory(ht, seq, head_dim, b, sp, flash):
    heads, t = ht
    sp = sp and t > 1
    base = dict(seq=seq, micro_batch=b, hidden=heads * head_dim, heads=heads, tp=t, sp=sp, flash=flash)
    none, selective, full = (activations(ActivationInputs(**base, recompute=r)).bytes_per_layer
                             for r in ("none", "selective", "full"))
    assert none >= selective >= full > 0
    if t > 1:
        assert activations(ActivationInputs(**{**base, "tp": 1, "sp": False})).bytes_per_layer >= none
    if not flash:
        assert activations(ActivationInputs(**{**base, "flash": True})).bytes_per_layer <= none

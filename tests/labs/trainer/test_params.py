"""Parameter specs, initialisation and Megatron's TP split."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.model import ModelConfig, count_params
from infraprep.labs.trainer.config import ModelShape, TrainConfig
from infraprep.labs.trainer.params import init_full_params, param_specs, shard, stage_specs, unshard
from tests.labs.trainer.helpers import psi

SHAPE = ModelShape(layers=2, hidden=32, heads=4, vocab=50, seq=8)


def test_total_equals_the_calculators_count():
    total = sum(s.numel for s in param_specs(SHAPE))
    expected = count_params(ModelConfig(2, 32, 4, 50, position_embeddings=8, norm="layernorm")).total
    assert total == expected == 2 * (12 * 32 * 32 + 4 * 32) + 50 * 32 + 8 * 32 + 2 * 32 + 50 * 32


@pytest.mark.parametrize("pp", [1, 2])
def test_stages_split_the_model_as_the_test_formula_says(pp):
    c = TrainConfig(model=SHAPE, pp=pp)
    for stage in range(pp):
        assert sum(s.numel for s in stage_specs(SHAPE, pp, stage)) == psi(c, stage)


@given(st.sampled_from([1, 2, 4]))
def test_shard_then_unshard_is_the_identity(tp):
    full = init_full_params(SHAPE, seed=3)
    for spec in param_specs(SHAPE):
        pieces = [shard(full[spec.name], spec, r, tp) for r in range(tp)]
        assert all(p.shape == spec.local_shape(tp) for p in pieces)
        assert torch.equal(unshard(pieces, spec), full[spec.name])


def test_qkv_is_split_by_heads_within_q_k_and_v():
    full = init_full_params(SHAPE, seed=0)["layers.0.attn.qkv"]  # (3h, h) = [Q; K; V]
    spec = next(s for s in param_specs(SHAPE) if s.name == "layers.0.attn.qkv")
    local = shard(full, spec, tp_rank=1, tp=2)
    h = 32
    assert torch.equal(local, torch.cat([full[16:32], full[h + 16:h + 32], full[2 * h + 16:2 * h + 32]]))


def test_initialisation_is_seeded_and_gpt2_scaled():
    a, b, c = init_full_params(SHAPE, 0), init_full_params(SHAPE, 0), init_full_params(SHAPE, 1)
    assert all(torch.equal(a[n], b[n]) for n in a)
    assert not torch.equal(a["embed"], c["embed"])
    assert torch.equal(a["layers.0.ln1"], torch.stack([torch.ones(32), torch.zeros(32)]))
    big = init_full_params(ModelShape(layers=8, hidden=256, heads=4), 0)
    # GPT-2 (Radford et al. 2019 §2.3): residual projections scaled by 1/√(2·layers)
    assert big["layers.0.mlp.fc2"].std().item() == pytest.approx(0.02 / math.sqrt(16), rel=0.02)
    assert big["layers.0.mlp.fc1"].std().item() == pytest.approx(0.02, rel=0.02)

"""Training memory per GPU: the ZeRO stage formulas, sharding, offload, capacity and monotonicity."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.activations import ActivationInputs, activations
from infraprep.calc.memory import TrainMemoryInputs, shard_params, train_memory
from infraprep.calc.model import count_params, get_model
from infraprep.calc.parallelism import Parallelism
from infraprep.errors import InvalidValue


def mem(params=7.5e9, **kw):
    parallel = Parallelism(**{k: kw.pop(k) for k in ("dp", "tp", "pp", "cp", "ep", "sp") if k in kw})
    return train_memory(TrainMemoryInputs(parallel, params=params, **kw))


@given(st.floats(1e6, 1e13), st.integers(1, 4096), st.sampled_from([2, 4]), st.sampled_from([4.0, 8.0, 12.0]))
def test_zero_stages_match_the_papers_formulas(psi, nd, g, k):
    # ZeRO §5.1 / Fig. 1, written with the gradient bytes g as a parameter instead of 2
    expected = {
        0: (2 + g + k) * psi,
        1: (2 + g) * psi + k * psi / nd,
        2: 2 * psi + (g + k) * psi / nd,
        3: (2 + g + k) * psi / nd,
    }
    for stage, total in expected.items():
        r = mem(psi, dp=nd, zero=stage, grad_bytes=g, optimizer_bytes=k)
        assert r.total == pytest.approx(total, rel=1e-12)


stages = st.integers(0, 3)
dps = st.integers(1, 2048)


@given(st.floats(1e6, 1e13), dps, dps, stages)
def test_memory_falls_with_zero_stage_and_with_dp(psi, d1, d2, zero):
    lo, hi = sorted((d1, d2))
    assert mem(psi, dp=hi, zero=zero).total <= mem(psi, dp=lo, zero=zero).total
    if zero < 3:
        assert mem(psi, dp=hi, zero=zero + 1).total <= mem(psi, dp=hi, zero=zero).total
    if zero > 0 and hi > 1:  # any sharding beats none once there is more than one replica
        assert mem(psi, dp=hi, zero=zero).total < mem(psi, dp=hi, zero=0).total


def test_tensor_and_pipeline_parallelism_shard_the_weights():
    r = mem(8e9, tp=4, pp=2)
    assert r.dense_per_gpu == 1e9
    assert r.gpu_bytes == {"params": 2e9, "grads": 2e9, "optimizer": 12e9, "activations": 0.0}


def test_context_parallel_ranks_join_the_zero_group():
    assert mem(8e9, dp=4, cp=2, zero=1).gpu_bytes["optimizer"] == pytest.approx(12 * 8e9 / 8)


def test_first_pipeline_stage_holds_the_embedding():
    model = get_model("llama3-8b")
    c = count_params(model)
    _, dense, expert = shard_params(Parallelism(pp=4, tp=2), model=model)
    assert dense == pytest.approx(((c.total - c.embedding - c.output) / 4 + c.embedding) / 2)
    assert expert == 0


def test_experts_shard_over_ep_and_replicate_over_expert_dp():
    model = get_model("mixtral-8x7b")
    c = count_params(model)
    routed = c.expert * 8 * 32
    p = Parallelism(dp=8, tp=2, ep=8)
    r = train_memory(TrainMemoryInputs(p, model=model, zero=1))
    assert r.expert_per_gpu == pytest.approx(routed / 8)
    assert r.dense_per_gpu == pytest.approx((c.total - routed) / 2)
    # ZeRO-1 shards the dense optimizer over dp=8 and the experts' over dp·tp/ep = 2
    assert r.gpu_bytes["optimizer"] == pytest.approx(12 * (r.dense_per_gpu / 8 + r.expert_per_gpu / 2))


def test_offload_moves_optimizer_then_gradients_to_the_cpu():
    base = mem(zero=0)
    opt = mem(zero=0, offload="optimizer")
    both = mem(zero=0, offload="optimizer+grads")
    assert opt.gpu_bytes["optimizer"] == 0 and opt.cpu_bytes == base.gpu_bytes["optimizer"]
    assert both.gpu_bytes["grads"] == 0
    assert both.cpu_bytes == base.gpu_bytes["optimizer"] + base.gpu_bytes["grads"]
    assert both.total == base.gpu_bytes["params"]


@pytest.mark.parametrize(("optimizer", "k"), [("adam", 12), ("sgd-momentum", 8), ("sgd", 4)])
def test_optimizer_bytes_per_parameter(optimizer, k):
    assert mem(1e9, optimizer=optimizer).gpu_bytes["optimizer"] == k * 1e9


def test_fits_and_by_how_much():
    fits = mem(7.5e9, dp=64, zero=3, capacity_bytes=80e9)
    assert fits.fits and fits.margin == pytest.approx(80e9 - 1.875e9)
    short = mem(7.5e9, zero=0, capacity_bytes=80e9)
    assert short.fits is False and short.margin == pytest.approx(80e9 - 120e9)
    assert "short by 40 GB" in dict(short.rows())["vs capacity 80 GB (74.51 GiB)"]


def test_activations_come_from_the_first_stage():
    p = Parallelism(dp=2, tp=8, pp=8, sp=True)
    act = ActivationInputs(2048, 1, 12288, 96, tp=8, sp=True, layers=96, pp=8, recompute="selective")
    r = train_memory(TrainMemoryInputs(p, model=get_model("gpt3-175b"), activations=act))
    assert r.gpu_bytes["activations"] == activations(act).stage_bytes > 0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"zero": 5}, "--zero=5 is not valid: expected 0, 1, 2 or 3"),
        ({"params": -1.0}, "--params=-1.0"),
        ({"grad_bytes": 3}, "--grad-bytes=3 .* one of 2, 4"),
        ({"optimizer": "lion"}, "--optimizer='lion' .* adam, sgd-momentum, sgd"),
        ({"offload": "nvme"}, "--offload='nvme'"),
        ({"ep": 2, "dp": 2}, "--ep=2 .* 1 for a dense model"),
    ],
)
def test_bad_input_names_the_value(kw, match):
    with pytest.raises(InvalidValue, match=match):
        mem(**kw)


def test_model_split_must_divide_the_shape():
    with pytest.raises(InvalidValue, match="--tp=3 .* divisor of heads=64"):
        TrainMemoryInputs(Parallelism(tp=3), model=get_model("llama3-70b"))
    with pytest.raises(InvalidValue, match="--pp=3 .* divisor of layers=80"):
        TrainMemoryInputs(Parallelism(pp=3), model=get_model("llama3-70b"))
    with pytest.raises(InvalidValue, match="--ep=3 .* divisor of"):
        TrainMemoryInputs(Parallelism(dp=3, ep=3), model=get_model("mixtral-8x7b"))
    with pytest.raises(InvalidValue, match="--params=.* not both"):
        TrainMemoryInputs(params=1e9, model=get_model("llama3-8b"))


# --- padded flat buffers (DeepSpeed ZeRO-1/2 flat groups; FSDP FlatParameter, Zhao et al. 2023 §3.2.1) ---

FP32 = dict(param_bytes=4, grad_bytes=4, optimizer_bytes=8)


def test_padding_rounds_the_flat_buffer_up_to_a_multiple_of_d():
    # Ψ = 10 on d = 3: the flat buffer holds 12, each rank a shard of 4.
    for zero, (params, grads, states) in {0: (10, 10, 10), 1: (12, 10, 4), 2: (12, 4, 4), 3: (4, 4, 4)}.items():
        r = mem(10, dp=3, zero=zero, pad_shards=True, **FP32)
        assert (r.gpu_bytes["params"], r.gpu_bytes["grads"], r.gpu_bytes["optimizer"]) == (4 * params, 4 * grads, 8 * states)
    # unpadded (the default, ZeRO §5.1): exactly Ψ/N_d
    assert mem(10, dp=3, zero=3, **FP32).gpu_bytes["params"] == pytest.approx(4 * 10 / 3)


def test_each_flat_buffer_is_padded_on_its_own():
    # FSDP pads every unit: buffers of 4 and 6 on d = 4 shard as 1 + 2 = 3 elements per rank (one buffer of 10 would give 3 too,
    # buffers of 5 and 5 give 2 + 2 = 4).
    assert mem(10, dp=4, zero=3, pad_shards=True, flat_buffers=(4, 6), **FP32).gpu_bytes["params"] == 4 * 3
    assert mem(10, dp=4, zero=3, pad_shards=True, flat_buffers=(5, 5), **FP32).gpu_bytes["params"] == 4 * 4
    r = mem(10, dp=4, zero=3, pad_shards=True, flat_buffers=(5, 5), **FP32)
    assert "Ψ⁺" in r.explain() and r.to_dict()["conventions"]["shard_padding"]["flat_buffers"] == [5, 5]


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=8), st.integers(1, 64), st.sampled_from([1, 2, 3]))
def test_padding_never_shrinks_and_vanishes_when_d_divides_every_buffer(units, d, zero):
    psi = sum(units)
    padded = mem(psi, dp=d, zero=zero, pad_shards=True, flat_buffers=tuple(units), **FP32)
    plain = mem(psi, dp=d, zero=zero, **FP32)
    assert padded.total >= plain.total - 1e-6 * plain.total
    whole = [u * d for u in units]  # every buffer a multiple of d: nothing to pad
    exact = mem(sum(whole), dp=d, zero=zero, pad_shards=True, flat_buffers=tuple(whole), **FP32)
    assert exact.gpu_bytes == pytest.approx(mem(sum(whole), dp=d, zero=zero, **FP32).gpu_bytes)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"flat_buffers": (5e9, 2.5e9)}, "--flat-buffers='5e\\+09,2.5e\\+09' .* without --pad-shards"),
        ({"pad_shards": True, "flat_buffers": (1e9, 2e9)}, "summing to the dense parameters per GPU, Ψ_g = 7,500,000,000"),
        ({"pad_shards": True, "flat_buffers": (7.5e9 - 0.5, 0.5)}, "positive whole parameter counts"),
    ],
)
def test_bad_flat_buffers_name_the_value(kw, match):
    with pytest.raises(InvalidValue, match=match):
        mem(dp=2, zero=3, **kw)

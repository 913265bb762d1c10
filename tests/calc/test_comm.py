"""Communication volumes against the collectives' ring formulas, placement, time and hiding."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.comm import CommInputs, comm
from infraprep.calc.model import get_model
from infraprep.calc.parallelism import Parallelism
from infraprep.errors import InvalidValue

SHAPE = dict(layers=32, hidden=4096, seq=4096, micro_batch=1)


def run(parallel=None, **kw):
    return comm(CommInputs(parallel or Parallelism(), **kw))


def bytes_of(result, name):
    return {c.name: c for c in result.components}[name].bytes


def test_dp_all_reduce_and_zero_stages():
    psi, d = 1e9, 16
    ring = (d - 1) / d
    for zero, per_param in ((0, 2 * 2), (1, 2 + 2), (2, 2 + 2), (3, 2 + 2 * 2)):
        r = run(Parallelism(dp=d), params=psi, zero=zero)
        assert r.total_bytes == pytest.approx(per_param * psi * ring)
    # FP32 gradients double the reduce-scatter half only
    assert bytes_of(run(Parallelism(dp=d), params=psi, zero=1, grad_bytes=4), "dp") == pytest.approx((4 + 2) * psi * ring)


def test_tensor_parallel_all_reduces_and_sequence_parallel_moves_the_same_bytes():
    t, m = 8, 4
    kw = dict(params=8e9, **SHAPE, global_batch=m)
    tp = run(Parallelism(tp=t), **kw)
    sp = run(Parallelism(tp=t, sp=True), **kw)
    bsh = 1 * 4096 * 4096 * 2
    # 4 all-reduces per layer per microbatch, 2(t-1)/t of the payload each
    assert bytes_of(tp, "tp") == pytest.approx(4 * 2 * (t - 1) / t * bsh * 32 * m)
    assert bytes_of(sp, "tp") == bytes_of(tp, "tp")
    full = run(Parallelism(tp=t), recompute="full", **kw)
    assert bytes_of(full, "tp") == pytest.approx(bytes_of(tp, "tp") * 6 / 4)


def test_pipeline_point_to_point():
    p, t, m = 4, 8, 16
    kw = dict(params=8e9, **SHAPE, global_batch=m)
    bsh = 4096 * 4096 * 2
    assert bytes_of(run(Parallelism(pp=p), **kw), "pp") == pytest.approx(2 * bsh * m)
    assert bytes_of(run(Parallelism(pp=p, tp=t), scatter_gather=True, **kw), "pp") == pytest.approx(2 * bsh / t * m)
    assert bytes_of(run(Parallelism(pp=p), chunks=2, **kw), "pp") == pytest.approx(2 * 2 * bsh * m)


def test_context_parallel_ring():
    cp, m = 4, 2
    r = run(Parallelism(cp=cp), params=8e9, **SHAPE, global_batch=m, kv_width=2 * 1024)
    kv_block = 1 * (4096 / cp) * 2048 * 2
    assert bytes_of(r, "cp") == pytest.approx(3 * (cp - 1) * kv_block * 32 * m)


def test_expert_all_to_all():
    model = get_model("mixtral-8x7b")  # top-2, 32 MoE layers, h=4096
    ep, m = 8, 2
    r = run(Parallelism(dp=8, ep=ep), model=model, seq=4096, global_batch=8 * m)
    per = 4096 * 2 * 4096 * (ep - 1) / ep  # tokens · k · h · (ep−1)/ep
    assert bytes_of(r, "ep") == pytest.approx(per * (2 + 2 + 2 + 2) * 32 * m)
    fp8 = run(Parallelism(dp=8, ep=ep), model=model, seq=4096, global_batch=8 * m, dispatch_bytes=1)
    assert bytes_of(fp8, "ep") == pytest.approx(per * (1 + 2 + 2 + 2) * 32 * m)


def test_links_time_and_hiding():
    p = Parallelism(dp=4, tp=8)
    r = run(p, params=8e9, **SHAPE, global_batch=4, gpus_per_node=8, intra_bw=450e9, inter_bw=50e9,
            compute_time=2.0)
    tp, dp = ({c.name: c for c in r.components}[n] for n in ("tp", "dp"))
    assert tp.link == "intra" and tp.time == pytest.approx(tp.bytes / 450e9)
    assert dp.link == "inter" and dp.time == pytest.approx(dp.bytes / 50e9)
    assert tp.window == 0 and tp.exposed == tp.time and not tp.hides
    assert dp.window == pytest.approx(2.0 * 2 / 3)
    assert dp.exposed == pytest.approx(max(0.0, dp.time - 4 / 3))
    assert r.exposed == pytest.approx(tp.exposed + dp.exposed)


def test_expert_all_to_all_across_nodes_splits_by_peers():
    model = get_model("mixtral-8x7b")
    r = run(Parallelism(dp=16, ep=8), model=model, seq=4096, global_batch=16, gpus_per_node=4,
            intra_bw=400e9, inter_bw=50e9)
    ep = {c.name: c for c in r.components}["ep"]
    inside = 3 / 7  # 3 of the 7 peers share the node
    assert ep.link == "mixed"
    assert ep.time == pytest.approx(max(ep.bytes * inside / 400e9, ep.bytes * (1 - inside) / 50e9))


def test_no_bandwidth_means_no_time_rather_than_a_guess():
    r = run(Parallelism(dp=8), params=1e9)
    assert r.total_bytes > 0 and r.total_time is None and r.exposed is None


@pytest.mark.parametrize(
    ("parallel", "kw", "match"),
    [
        (Parallelism(tp=2), {}, "--layers=None .* tp/pp/cp/ep traffic needs"),
        (Parallelism(dp=3), {**SHAPE, "global_batch": 4}, None),
        (Parallelism(tp=2), {**SHAPE, "global_batch": 3, "micro_batch": 2}, "--global-batch=3 .* multiple of"),
        (Parallelism(), {"zero": 4}, "--zero=4"),
        (Parallelism(), {"act_bytes": 3}, "--act-bytes=3"),
        (Parallelism(pp=3), {**SHAPE, "global_batch": 4}, "--pp=3 .* divisor of layers=32"),
    ],
)
def test_bad_input_names_the_option(parallel, kw, match):
    if match is None:  # valid: DP does not need the activation shape
        run(parallel, params=1e9, **kw)
        return
    with pytest.raises(InvalidValue, match=match):
        run(parallel, params=1e9, **kw)


@given(st.floats(1e6, 1e12), st.integers(1, 512), st.integers(1, 512), st.integers(0, 2))
def test_dp_volume_grows_with_the_group_and_zero3_costs_half_again(psi, d1, d2, zero):
    lo, hi = sorted((d1, d2))
    assert run(Parallelism(dp=lo), params=psi, zero=zero).total_bytes <= run(Parallelism(dp=hi), params=psi, zero=zero).total_bytes
    assert run(Parallelism(dp=hi), params=psi, zero=zero).total_bytes < 2 * 2 * psi  # below 2Ψ elements
    z3 = run(Parallelism(dp=hi), params=psi, zero=3).total_bytes
    assert z3 == pytest.approx(1.5 * run(Parallelism(dp=hi), params=psi, zero=zero).total_bytes)


# --- per-collective element counts and the optional conventions (calc/comm_volume.py) ---------------

def elements(result, name):
    """(kind → elements) of one component; the breakdown the trainer's meter is compared with."""
    out = {}
    for c in {c.name: c for c in result.components}[name].collectives:
        out[c.kind] = out.get(c.kind, 0) + c.elements
    return out


def test_collectives_break_the_dp_bytes_down_into_elements():
    # Ψ = 1,000 on d = 4: ZeRO-0 all-reduces Ψ; ZeRO-1 reduce-scatters Ψ and all-gathers Ψ; ZeRO-3 gathers twice.
    assert elements(run(Parallelism(dp=4), params=1000), "dp") == {"all-reduce": 1000}
    assert elements(run(Parallelism(dp=4), params=1000, zero=1), "dp") == {"reduce-scatter": 1000, "all-gather": 1000}
    z3 = run(Parallelism(dp=4), params=1000, zero=3, grad_bytes=4, param_bytes=2)
    assert elements(z3, "dp") == {"reduce-scatter": 1000, "all-gather": 2000}
    sent = {c.kind: c.bytes_sent for c in z3.components[0].collectives}
    assert sent == {"reduce-scatter": 1000 * 4 * 3 / 4, "all-gather": 2000 * 2 * 3 / 4}
    assert elements(run(Parallelism(dp=1, tp=1), params=1000), "dp") == {}  # one rank: nothing moves


def test_zero3_regathers_per_microbatch_as_fsdp_does():
    # FSDP under gradient accumulation with communication (Zhao et al. 2023 §3.3.4): per microbatch one
    # reduce-scatter and two all-gathers of Ψ. m = 32 / (4 · 2) = 4 microbatches.
    kw = dict(params=1000, zero=3, global_batch=32, micro_batch=2, grad_bytes=2, param_bytes=2)
    fsdp = run(Parallelism(dp=4), zero3_gather="microbatch", **kw)
    assert elements(fsdp, "dp") == {"reduce-scatter": 4 * 1000, "all-gather": 2 * 4 * 1000}
    assert bytes_of(fsdp, "dp") == pytest.approx(4 * 1000 * (2 + 2 * 2) * 3 / 4)
    assert bytes_of(run(Parallelism(dp=4), **kw), "dp") == pytest.approx(1000 * (2 + 2 * 2) * 3 / 4)  # default: per step
    assert fsdp.to_dict()["conventions"]["zero3_gather"].startswith("microbatch")


def test_pipeline_stage_view_counts_each_stage_own_sends_and_receives():
    # p = 4, m = 16, a = b·s·h = 4096·4096 elements. The first stage sends activations and receives
    # gradients (m each way); a middle one both (2m); the last receives activations, sends gradients (m).
    p, m, a = 4, 16, 4096 * 4096
    kw = dict(params=8e9, **SHAPE, global_batch=m)
    for stage, hops in ((0, 1), (1, 2), (2, 2), (3, 1)):
        r = run(Parallelism(pp=p), pp_stage=stage, **kw)
        assert elements(r, "pp") == {"send": hops * m * a, "recv": hops * m * a}
        assert bytes_of(r, "pp") == pytest.approx(hops * m * a * 2)  # recv sends nothing
    assert elements(run(Parallelism(pp=p), **kw), "pp") == {"send": 2 * m * a, "recv": 2 * m * a}  # default: middle
    # interleaved, v = 2: device 0 runs virtual stages 0 and 4 of 8 — only the first has one neighbour
    assert elements(run(Parallelism(pp=p), chunks=2, pp_stage=0, **kw), "pp")["send"] == 3 * m * a
    assert elements(run(Parallelism(pp=p), chunks=2, pp_stage=1, **kw), "pp")["send"] == 4 * m * a


@given(st.sampled_from([2, 3, 4, 8]), st.sampled_from([1, 2, 4]), st.integers(1, 8))
def test_every_boundary_crossing_is_one_send_and_one_receive(p, v, m):
    # v·p virtual stages have v·p − 1 boundaries, each crossed by an activation and a gradient per microbatch
    kw = dict(params=1e9, layers=8 * p, hidden=8, seq=4, global_batch=m, chunks=v)
    per_stage = [elements(run(Parallelism(pp=p), pp_stage=s, **kw), "pp") for s in range(p)]
    assert sum(e["send"] for e in per_stage) == sum(e["recv"] for e in per_stage) == 2 * (v * p - 1) * m * 4 * 8


def test_sequence_parallel_extras_edges_and_norm_gradients():
    # t = 2, L = 4 on one stage (first and last), b = 2, s = 16, h = 64, m = 4: a = 2,048 elements.
    t, a, m = 2, 2 * 16 * 64, 4
    kw = dict(params=1e6, layers=4, hidden=64, seq=16, micro_batch=2, global_batch=2 * m)
    sp = Parallelism(tp=t, sp=True)
    assert elements(run(sp, **kw), "tp") == {"all-gather": 4 * 4 * m * a, "reduce-scatter": 4 * 4 * m * a}
    both = run(sp, sp_edges=True, sp_norm_grads="microbatch", grad_bytes=4, **kw)
    # edges: the embedding split's backward and the gather before the head, one all-gather of a each;
    # norms: 2 LayerNorms per layer + the final one, 2h each (scale, bias), every microbatch
    assert elements(both, "tp") == {"all-gather": (16 + 2) * m * a, "reduce-scatter": 16 * m * a,
                                    "all-reduce": (2 * 4 + 1) * 2 * 64 * m}
    extra = 2 * m * a * 2 * (t - 1) / t + (2 * 4 + 1) * 128 * m * 4 * 2 * (t - 1) / t
    assert bytes_of(both, "tp") == pytest.approx(bytes_of(run(sp, **kw), "tp") + extra)
    step = run(sp, sp_norm_grads="step", norm="rmsnorm", **kw)  # Megatron-LM: once per step; RMSNorm: h each
    assert elements(step, "tp")["all-reduce"] == (2 * 4 + 1) * 64
    # a middle stage of p = 4 has neither edge nor final norm; the last stage has the gather and the final norm
    kw4 = dict(kw, layers=8)
    mid = run(Parallelism(tp=t, pp=4, sp=True), pp_stage=1, sp_edges=True, sp_norm_grads="step", **kw4)
    assert elements(mid, "tp") == {"all-gather": 8 * m * a, "reduce-scatter": 8 * m * a, "all-reduce": 4 * 128}
    last = run(Parallelism(tp=t, pp=4, sp=True), pp_stage=3, sp_edges=True, sp_norm_grads="step", **kw4)
    assert elements(last, "tp") == {"all-gather": 9 * m * a, "reduce-scatter": 8 * m * a, "all-reduce": 5 * 128}


def test_sequence_parallel_norm_gradients_of_a_model_with_biases():
    # GPT-3 175B: LayerNorms and linear biases; t = 8, p = 8 → 12 layers per stage. On the last stage
    # per layer 2 LayerNorms (2·2h) + the 2 row-parallel biases (2h), plus the final LayerNorm (2h).
    h = 12288
    r = run(Parallelism(tp=8, pp=8, sp=True), model=get_model("gpt3-175b"), seq=2048, global_batch=8,
            pp_stage=7, sp_norm_grads="step")
    assert elements(r, "tp")["all-reduce"] == 12 * (2 * 2 * h + 2 * h) + 2 * h


def test_padded_shards_round_each_flat_buffer_up_to_a_multiple_of_d():
    # Ψ = 10 on d = 3: one flat buffer of 12. Two buffers (4, 6) on d = 4: 4 + 8 = 12.
    z1 = run(Parallelism(dp=3), params=10, zero=1, pad_shards=True)
    assert elements(z1, "dp") == {"reduce-scatter": 12, "all-gather": 12}
    z3 = run(Parallelism(dp=4), params=10, zero=3, pad_shards=True, flat_buffers=(4, 6))
    assert elements(z3, "dp") == {"reduce-scatter": 12, "all-gather": 24}
    assert elements(run(Parallelism(dp=3), params=10, zero=0, pad_shards=True), "dp") == {"all-reduce": 10}  # buckets
    assert "padded" in z3.explain()


@given(st.integers(1, 10**7), st.integers(1, 64), st.lists(st.integers(1, 10**5), min_size=1, max_size=6))
def test_padding_adds_less_than_d_per_buffer_and_splits_evenly(psi, d, units):
    padded = elements(run(Parallelism(dp=d + 1), params=psi, zero=1, pad_shards=True), "dp")["all-gather"]
    assert padded % (d + 1) == 0 and psi <= padded < psi + d + 1
    z3 = elements(run(Parallelism(dp=d + 1), params=sum(units), zero=3, pad_shards=True, flat_buffers=tuple(units)), "dp")
    assert z3["reduce-scatter"] % (d + 1) == 0 and sum(units) <= z3["reduce-scatter"] < sum(units) + len(units) * (d + 1)


@pytest.mark.parametrize(
    ("parallel", "kw", "match"),
    [
        (Parallelism(dp=2), {"zero": 1, "zero3_gather": "microbatch"}, "--zero3-gather='microbatch' .* step unless --zero 3"),
        (Parallelism(dp=2), {"zero": 3, "zero3_gather": "microbatch"}, "--global-batch=None .* microbatches per step"),
        (Parallelism(dp=2), {"zero": 3, "zero3_gather": "always"}, "--zero3-gather='always' .* step, microbatch"),
        (Parallelism(pp=2), {**SHAPE, "global_batch": 4, "pp_stage": 2}, "--pp-stage=2 .* from 0 to pp−1 = 1"),
        (Parallelism(tp=2), {**SHAPE, "global_batch": 4, "sp_edges": True}, "--sp-edges=True .* without --sp"),
        (Parallelism(tp=2, sp=True), {**SHAPE, "global_batch": 4, "sp_norm_grads": "layer"}, "--sp-norm-grads='layer'"),
        (Parallelism(dp=2), {"zero": 3, "flat_buffers": (5e8, 5e8)}, "--flat-buffers='5e\\+08,5e\\+08' .* without --pad-shards"),
        (Parallelism(dp=2), {"zero": 3, "pad_shards": True, "flat_buffers": (1, 2)}, "summing to .* Ψ_g = 1,000,000,000"),
    ],
)
def test_bad_conventions_name_the_option(parallel, kw, match):
    with pytest.raises(InvalidValue, match=match):
        run(parallel, params=1e9, **kw)

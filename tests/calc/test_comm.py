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

"""calc/collectives.py: the α–β–γ models against their published forms, and the laws they obey."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.collectives import (
    ALGORITHMS,
    OPS,
    Link,
    allreduce,
    busbw_factor,
    collective,
    crossover,
    in_network_speedup,
)
from infraprep.errors import InvalidValue

NVLINK = Link(450e9, 5e-6)
NO_LATENCY = Link(100e9, 0.0)


def test_busbw_factors_are_nccl_tests():
    # nccl-tests doc/PERFORMANCE.md, "Summary": 2(n-1)/n, (n-1)/n, (n-1)/n, 1, (n-1)/n; NVLS in all_reduce.cu.
    assert busbw_factor("allreduce", 8) == 14 / 8
    assert busbw_factor("reducescatter", 8) == busbw_factor("allgather", 8) == busbw_factor("alltoall", 8) == 7 / 8
    assert busbw_factor("broadcast", 8) == 1.0
    assert busbw_factor("allreduce", 8, "innet", "nvls") == 7 / 9  # NCCL_ALGO=NVLS in src/all_reduce.cu
    assert busbw_factor("allreduce", 8, "innet", "sharp") == 14 / 8  # CollNet keeps 2(n-1)/n


def test_ring_allreduce_is_patarasuk_yuan():
    # Patarasuk & Yuan 2009 §3: 2(p-1)α + 2(p-1)/p·S/B + (p-1)/p·S·γ for p = 8, S = 1 GB, B = 450 GB/s.
    p, s, gamma = 8, 1e9, 1 / 200e9
    expected = 2 * 7 * 5e-6 + 2 * 7 / 8 * s / 450e9 + 7 / 8 * s * gamma
    assert allreduce(s, p, NVLINK, gamma=gamma).time_s == pytest.approx(expected, rel=1e-12)


def test_rabenseifner_and_recursive_doubling_are_thakur():
    # Thakur, Rabenseifner & Gropp 2005, "Allreduce": power-of-two p = 16.
    p, s, a, b, g = 16, 4e6, 5e-6, 1 / 450e9, 1 / 100e9
    rhd = 2 * 4 * a + 2 * 15 / 16 * s * b + 15 / 16 * s * g
    rd = 4 * (a + s * b + s * g)
    assert allreduce(s, p, NVLINK, "rhd", gamma=g).time_s == pytest.approx(rhd, rel=1e-12)
    assert allreduce(s, p, NVLINK, "rd", gamma=g).time_s == pytest.approx(rd, rel=1e-12)


def test_non_power_of_two_pays_the_fold():
    # p = 6 folds r = 2 ranks into p' = 4: one extra α + S(β+γ) in, one α + Sβ back.
    s, b = 1e6, 1 / 450e9
    core = 2 * 2 * 5e-6 + 2 * 3 / 4 * s * b
    assert allreduce(s, 6, NVLINK, "rhd").time_s == pytest.approx(core + 2 * (5e-6 + s * b), rel=1e-12)
    assert allreduce(s, 8, NVLINK, "rhd").time_s < allreduce(s, 6, NVLINK, "rhd").time_s


@given(p=st.integers(2, 4096), s=st.floats(1, 1e12), bw=st.floats(1e6, 1e13))
def test_bandwidth_optimal_algorithms_reach_link_busbw(p, s, bw):
    # With α = 0 and γ = 0, nccl-tests' busbw of a bandwidth-optimal algorithm *is* the link bandwidth:
    # that is what the factors are for (PERFORMANCE.md, "Bus bandwidth").
    link = Link(bw, 0.0)
    for op in ("allreduce", "allgather", "reducescatter", "alltoall", "broadcast"):
        assert collective(op, "ring", p, s, link).busbw == pytest.approx(bw, rel=1e-9)


@given(p=st.integers(3, 1024))
def test_tree_pays_p_over_p_minus_1_in_bandwidth(p):
    # Double binary tree moves S up and S down per rank: busbw → (p-1)/p of the link at large S;
    # one binary tree moves 2S each way (Sanders et al. 2009 §3): half that.
    assert allreduce(1e9, p, NO_LATENCY, "tree").busbw == pytest.approx((p - 1) / p * 100e9, rel=1e-9)
    assert allreduce(1e9, p, NO_LATENCY, "btree").busbw == pytest.approx((p - 1) / p * 50e9, rel=1e-9)


def test_two_ranks_trees_are_single_edges():
    # p = 2: the double tree is one edge each way (S/2 per phase), the same as the ring's 2α + 2·S/2·β;
    # recursive doubling is one whole-vector swap: α + Sβ.
    ring = allreduce(1e6, 2, NVLINK).time_s
    assert ring == pytest.approx(2 * 5e-6 + 1e6 / 450e9)
    assert allreduce(1e6, 2, NVLINK, "tree").time_s == pytest.approx(ring)
    assert allreduce(1e6, 2, NVLINK, "rhd").time_s == pytest.approx(ring)
    assert allreduce(1e6, 2, NVLINK, "rd").time_s == pytest.approx(5e-6 + 1e6 / 450e9)


@pytest.mark.parametrize("p", [2, 3, 4, 7, 8, 16, 64, 1000])
def test_tree_ring_crossover_closed_form(p):
    # Equating 2⌈lg p⌉α + 2Sβ with 2(p-1)α + 2(p-1)/p·Sβ gives S* = p(p-1-⌈lg p⌉)α/β (derived by hand).
    alpha, bw = 5e-6, 450e9
    lg = math.ceil(math.log2(p))
    result = crossover("allreduce", "tree", "ring", p, Link(bw, alpha))
    if p == 2:  # both are 2α + Sβ
        assert result.size is None
        return
    if p - 1 - lg <= 0:  # p = 3: same latency, less bandwidth; the tree never wins
        assert result.size is None and result.faster_below == "ring"
        return
    assert result.size == pytest.approx(p * (p - 1 - lg) * alpha * bw, rel=1e-9)
    assert result.faster_below == "tree"
    t = lambda algo, s: allreduce(s, p, Link(bw, alpha), algo).time_s  # noqa: E731
    assert t("tree", result.size) == pytest.approx(t("ring", result.size), rel=1e-9)
    assert t("tree", result.size / 2) < t("ring", result.size / 2)
    assert t("tree", result.size * 2) > t("ring", result.size * 2)


def test_crossover_for_a_dgx_h100_is_tens_of_mib():
    # p = 8, α = 5 µs, 450 GB/s: S* = 8·4·5e-6·450e9 = 72 MB — tree wins below, ring above.
    assert crossover("allreduce", "tree", "ring", 8, NVLINK).size == pytest.approx(72e6)


@pytest.mark.parametrize("p", [2, 8, 72, 1024])
def test_in_network_factor(p):
    # SHARP: each rank sends S and receives S once, vs 2(p-1)/p·S for the ring → speed-up 2(p-1)/p.
    ring, innet = allreduce(1e9, p, NO_LATENCY), allreduce(1e9, p, NO_LATENCY, "innet")
    assert ring.time_s / innet.time_s == pytest.approx(2 * (p - 1) / p)
    assert in_network_speedup(p) == pytest.approx(2 * (p - 1) / p)
    nvls = allreduce(1e9, p, NO_LATENCY, "innet", innet="nvls")
    assert ring.time_s / nvls.time_s == pytest.approx(in_network_speedup(p, "nvls")) == pytest.approx(
        2 * (p - 1) / (p + 1))


def test_hierarchical_degenerates_to_the_flat_ring():
    inter = Link(50e9, 10e-6, "inter-")
    one_node = allreduce(1e9, 8, NVLINK, "hier", ranks_per_node=8, inter=inter)
    assert one_node.time_s == pytest.approx(allreduce(1e9, 8, NVLINK).time_s)
    one_per_node = allreduce(1e9, 8, NVLINK, "hier", ranks_per_node=1, inter=inter)
    assert one_per_node.time_s == pytest.approx(allreduce(1e9, 8, inter).time_s)


def test_hierarchical_beats_a_flat_ring_across_slow_links():
    # 16 ranks, 2 nodes of 8: the flat ring runs every byte at the NIC's pace; hier sends only S/g across.
    inter = Link(50e9, 10e-6, "inter-")
    flat = allreduce(1e9, 16, NVLINK, ranks_per_node=8, inter=inter)
    hier = allreduce(1e9, 16, NVLINK, "hier", ranks_per_node=8, inter=inter)
    assert flat.bandwidth_s == pytest.approx(2 * 15 / 16 * 1e9 / 50e9)
    inter_part = 2 * (1 / 2) * (1e9 / 8) / 50e9
    intra_part = 2 * 7 / 8 * 1e9 / 450e9
    assert hier.bandwidth_s == pytest.approx(inter_part + intra_part)
    assert hier.time_s < flat.time_s


@given(op=st.sampled_from(OPS), p=st.integers(2, 512), s=st.floats(0, 1e11), data=st.data())
def test_time_is_affine_and_monotone(op, p, s, data):
    algo = data.draw(st.sampled_from(ALGORITHMS[op]))
    kw = {"ranks_per_node": 1, "inter": Link(25e9, 8e-6)} if algo == "hier" else {}
    r = collective(op, algo, p, s, NVLINK, gamma=1e-12, **kw)
    a, b = r.affine()
    assert r.time_s == pytest.approx(a + b * s, rel=1e-9, abs=1e-15)
    assert r.latency_s + r.bandwidth_s + r.reduction_s == pytest.approx(r.time_s, rel=1e-9, abs=1e-15)
    bigger = collective(op, algo, p, s * 2 + 1, NVLINK, gamma=1e-12, **kw)
    faster = collective(op, algo, p, s, Link(900e9, 5e-6), gamma=1e-12,
                        **({"ranks_per_node": 1, "inter": Link(50e9, 8e-6)} if algo == "hier" else {}))
    assert bigger.time_s > r.time_s
    assert faster.time_s <= r.time_s


def test_result_contract():
    d = collective("allreduce", "ring", 8, 1e9, NVLINK).to_dict()
    assert {"time_s", "algbw", "busbw", "busbw_factor", "breakdown", "conventions"} <= set(d)
    assert d["algbw"] == pytest.approx(1e9 / d["time_s"])
    explain = collective("allreduce", "ring", 8, 1e9, NVLINK).explain()
    assert "reduce-scatter: (p−1)α" in explain and "busbw = algbw × 1.75" in explain


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: collective("allsum", "ring", 8, 1e9, NVLINK), "--op='allsum'"),
        (lambda: collective("allgather", "tree", 8, 1e9, NVLINK), "one of ring, rhd for allgather"),
        (lambda: collective("allreduce", "ring", 1, 1e9, NVLINK), "--ranks=1"),
        (lambda: collective("allreduce", "ring", 8, -1.0, NVLINK), "--bytes=-1.0"),
        (lambda: collective("allreduce", "hier", 8, 1e9, NVLINK, ranks_per_node=3), "divisor of ranks=8"),
        (lambda: Link(0.0), "--bandwidth=0.0"),
        (lambda: Link(1e9, -1.0, "inter-"), "--inter-alpha=-1.0"),
        (lambda: collective("allreduce", "innet", 8, 1e9, NVLINK, innet="nvlink"), "sharp or nvls"),
    ],
)
def test_bad_input_names_the_value(call, match):
    with pytest.raises(InvalidValue, match=match):
        call()
